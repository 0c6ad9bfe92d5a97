package coinbase

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// pathFills is List Fills (see doc.go, "Fill history").
const pathFills = "/orders/historical/fills"

const (
	// fillsPageMax is the page asked for when the caller leaves Limit to
	// the venue; see doc.go for where the number comes from.
	fillsPageMax = 1000
	// fillsListPages bounds how far back Fills (the bounded, newest-first
	// listing) reads.
	fillsListPages = 5
	// startSlack widens start_sequence_timestamp, which Coinbase applies
	// as "after" (strictly), so a fill at exactly Since is not lost; the
	// extra fills it lets in are dropped here.
	startSlack = time.Millisecond
)

// fillWire is one entry of List Fills.
type fillWire struct {
	EntryID            string `json:"entry_id"`
	TradeID            string `json:"trade_id"`
	OrderID            string `json:"order_id"`
	TradeTime          string `json:"trade_time"`
	TradeType          string `json:"trade_type"`
	Price              string `json:"price"`
	Size               string `json:"size"`
	Commission         string `json:"commission"`
	ProductID          string `json:"product_id"`
	SequenceTimestamp  string `json:"sequence_timestamp"`
	LiquidityIndicator string `json:"liquidity_indicator"`
	SizeInQuote        bool   `json:"size_in_quote"`
	Side               string `json:"side"`
}

// fillsPage is List Fills' answer: a page and the cursor of the next one,
// "" after the last (there is no has_next).
type fillsPage struct {
	Fills  []fillWire `json:"fills"`
	Cursor string     `json:"cursor"`
}

var liquidityFromWire = map[string]trade.Liquidity{
	"MAKER":                       trade.Maker,
	"TAKER":                       trade.Taker,
	"UNKNOWN_LIQUIDITY_INDICATOR": "",
	"":                            "",
}

// errNotAFill marks entries that are not executions of their own
// (reversals and corrections of an earlier fill); they are left out.
var errNotAFill = errors.New("not a fill")

// sizeInQuoteDecimals is the precision of a quantity derived from a
// quote-sized fill's size (a quote amount) and its price.
const sizeInQuoteDecimals = 16

// mapFill reads one List Fills entry.
func mapFill(w fillWire) (trade.Fill, error) {
	if w.TradeType != "" && w.TradeType != "FILL" {
		return trade.Fill{}, fmt.Errorf("%w: trade_type %s", errNotAFill, w.TradeType)
	}
	id := firstNonEmpty(w.EntryID, w.TradeID)
	if id == "" {
		return trade.Fill{}, errors.New("fill without entry_id or trade_id")
	}
	wrap := func(err error) error { return fmt.Errorf("fill %s: %w", id, err) }
	sym, err := symbolOf(w.ProductID)
	if err != nil {
		return trade.Fill{}, wrap(err)
	}
	f := trade.Fill{ID: id, OrderID: w.OrderID, Symbol: sym, FeeAsset: sym.Quote}
	if f.Side, err = venueorder.FromWire(sideFromWire, "side", w.Side); err != nil {
		return trade.Fill{}, wrap(err)
	}
	if f.Liquidity, err = venueorder.FromWire(liquidityFromWire, "liquidity_indicator", w.LiquidityIndicator); err != nil {
		return trade.Fill{}, wrap(err)
	}
	var fs venueorder.Fields
	f.Price = fs.Decimal("price", w.Price)
	size := fs.Decimal("size", w.Size)
	f.Fee = fs.Decimal("commission", w.Commission)
	if err := fs.Err(); err != nil {
		return trade.Fill{}, wrap(err)
	}
	if !f.Price.IsPositive() || !size.IsPositive() || f.Fee.IsNegative() {
		return trade.Fill{}, wrap(fmt.Errorf("price %s, size %s, commission %s: want positive price and size, commission not negative", f.Price, size, f.Fee))
	}
	f.Qty = size
	if w.SizeInQuote {
		// The order was sized in the quote currency and size is the quote
		// amount; the base quantity is what it bought at the fill's price.
		f.Qty = size.DivRound(f.Price, sizeInQuoteDecimals)
	}
	t, ok := parseTime(w.TradeTime)
	if !ok {
		return trade.Fill{}, wrap(fmt.Errorf("trade_time %q is not an RFC 3339 time", w.TradeTime))
	}
	f.Time = t
	return f, nil
}

var (
	_ exchange.FillHistorian = (*Exchange)(nil)
	_ exchange.FillLister    = (*Exchange)(nil)
)

// FillScope implements exchange.FillHistorian: List Fills covers every
// product of the account.
func (e *Exchange) FillScope() exchange.FillScope { return exchange.FillsPerAccount }

// FillHistory implements exchange.FillHistorian with one List Fills page.
func (e *Exchange) FillHistory(ctx context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	p, err := e.fillHistory(ctx, q)
	if err != nil {
		return exchange.FillPage{}, fmt.Errorf("fill history: %w", err)
	}
	return p, nil
}

// fillsQuery is the List Fills query for q.
func fillsQuery(q exchange.FillQuery) (url.Values, error) {
	v := url.Values{}
	if !q.Symbol.IsZero() {
		id, err := productID(q.Symbol)
		if err != nil {
			return nil, err
		}
		v.Set("product_ids", id)
	}
	if !q.Since.IsZero() {
		v.Set("start_sequence_timestamp", q.Since.Add(-startSlack).UTC().Format(time.RFC3339Nano))
	}
	if !q.Until.IsZero() {
		v.Set("end_sequence_timestamp", q.Until.UTC().Format(time.RFC3339Nano))
	}
	limit := q.Limit
	if limit <= 0 || limit > fillsPageMax {
		limit = fillsPageMax
	}
	v.Set("limit", strconv.Itoa(limit))
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	}
	return v, nil
}

// fillHistory reads one page. Fills outside [Since, Until) or of another
// symbol are dropped here as well, whatever the venue's bounds did.
func (e *Exchange) fillHistory(ctx context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	query, err := fillsQuery(q)
	if err != nil {
		return exchange.FillPage{}, err
	}
	c := call{method: http.MethodGet, path: pathFills, query: query, private: true}
	var w fillsPage
	if err := e.do(ctx, c, &w); err != nil {
		return exchange.FillPage{}, err
	}
	page := exchange.FillPage{Fills: make([]trade.Fill, 0, len(w.Fills))}
	for _, fw := range w.Fills {
		f, err := mapFill(fw)
		if errors.Is(err, errNotAFill) {
			e.Log.Warn("coinbase: fill history entry left out", "profile", e.Profile, "entry_id", fw.EntryID, "trade_type", fw.TradeType)
			continue
		}
		if err != nil {
			return exchange.FillPage{}, decodeFailure(c.String(), err, false, "")
		}
		if venueorder.InQuery(q, f) {
			page.Fills = append(page.Fills, f)
		}
	}
	// An empty page or a cursor that does not move ends the read rather
	// than loop on it.
	if w.Cursor != "" && w.Cursor != q.Cursor && len(w.Fills) > 0 {
		page.Next = w.Cursor
	}
	return page, nil
}

// Fills implements exchange.FillLister: the newest fills first, from the
// first fillsListPages pages of List Fills (newest first), at most
// f.Limit of them when it is set.
func (e *Exchange) Fills(ctx context.Context, f exchange.FillFilter) ([]trade.Fill, error) {
	q := exchange.FillQuery{Symbol: f.Symbol, Since: f.Since, Until: f.Until, Limit: f.Limit}
	return venueorder.ListFills(ctx, f, q, fillsListPages, e.fillHistory)
}
