package alpaca

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// pathFillActivities lists the account's trade executions (see doc.go,
// "Fill history").
const pathFillActivities = "/v2/account/activities/FILL"

const (
	// activitiesPageMax is Alpaca's largest page_size, and its default,
	// when no date is given.
	activitiesPageMax = 100
	// fillsListPages bounds how far back Fills (the bounded, newest-first
	// listing) reads: 1000 fills at most.
	fillsListPages = 10
	// accountCurrency is what Alpaca's stock fills are priced in.
	accountCurrency = "USD"
)

// activityWire is one FILL activity.
type activityWire struct {
	ID              string `json:"id"`
	ActivityType    string `json:"activity_type"`
	TransactionTime string `json:"transaction_time"`
	Type            string `json:"type"`
	Price           string `json:"price"`
	Qty             string `json:"qty"`
	Side            string `json:"side"`
	Symbol          string `json:"symbol"`
	LeavesQty       string `json:"leaves_qty"`
	OrderID         string `json:"order_id"`
	CumQty          string `json:"cum_qty"`
}

// fillSideFromWire: a short sale is a sell.
var fillSideFromWire = map[string]trade.Side{"buy": trade.Buy, "sell": trade.Sell, "sell_short": trade.Sell}

// fillTypes are the execution types of a FILL activity.
var fillTypes = map[string]bool{"fill": true, "partial_fill": true}

// cryptoResolver names a crypto pair written without its slash
// ("BTCUSD"); ok is false when s is no crypto pair it knows.
type cryptoResolver func(s string) (trade.Symbol, bool)

// mapActivity reads one FILL activity. resolve may be nil.
func mapActivity(w activityWire, resolve cryptoResolver) (trade.Fill, error) {
	if w.ID == "" {
		return trade.Fill{}, errors.New("activity without an id")
	}
	wrap := func(err error) error { return fmt.Errorf("activity %s: %w", w.ID, err) }
	if w.ActivityType != "" && w.ActivityType != "FILL" {
		return trade.Fill{}, wrap(fmt.Errorf("activity_type %q, want FILL", w.ActivityType))
	}
	if !fillTypes[w.Type] {
		return trade.Fill{}, wrap(fmt.Errorf("unknown fill type %q", w.Type))
	}
	sym, err := activitySymbol(w.Symbol, resolve)
	if err != nil {
		return trade.Fill{}, wrap(err)
	}
	f := trade.Fill{ID: w.ID, OrderID: w.OrderID, Symbol: sym, Fee: decimal.Zero, FeeAsset: accountCurrency}
	if sym.IsPair() {
		f.FeeAsset = sym.Quote
	}
	if f.Side, err = venueorder.FromWire(fillSideFromWire, "side", w.Side); err != nil {
		return trade.Fill{}, wrap(err)
	}
	var fs venueorder.Fields
	f.Price = fs.Decimal("price", w.Price)
	f.Qty = fs.Decimal("qty", w.Qty)
	f.Time = fs.Time("transaction_time", w.TransactionTime)
	if err := fs.Err(); err != nil {
		return trade.Fill{}, wrap(err)
	}
	switch {
	case !f.Price.IsPositive() || !f.Qty.IsPositive():
		return trade.Fill{}, wrap(fmt.Errorf("price %s, qty %s: want both positive", f.Price, f.Qty))
	case f.Time.IsZero():
		return trade.Fill{}, wrap(errors.New("no transaction_time"))
	}
	return f, nil
}

// activitySymbol reads an activity's symbol: a ticker (AAPL), a pair with
// its slash (BTC/USD), or a pair without it (BTCUSD, as positions name
// crypto), which resolve tells from a ticker.
func activitySymbol(s string, resolve cryptoResolver) (trade.Symbol, error) {
	if s == "" {
		return trade.Symbol{}, errors.New("no symbol")
	}
	if strings.Contains(s, "/") {
		sym, err := trade.ParseSymbol(s)
		if err != nil || !sym.IsPair() {
			return trade.Symbol{}, fmt.Errorf("symbol %q is not a pair", s)
		}
		return sym, nil
	}
	if resolve != nil {
		if sym, ok := resolve(s); ok {
			return sym, nil
		}
	}
	sym, err := trade.ParseSymbol(s)
	if err != nil || sym.IsPair() {
		return trade.Symbol{}, fmt.Errorf("cannot read symbol %q", s)
	}
	return sym, nil
}

// cryptoResolver resolves compact crypto names with the asset list, which
// is read (or taken from its cache) only when a symbol ends in a known
// quote currency; without the list the quote-suffix guess stands in.
func (e *Exchange) cryptoResolver(ctx context.Context) cryptoResolver {
	var as *assetSet
	loaded := false
	return func(s string) (trade.Symbol, bool) {
		quote := ""
		for _, q := range knownQuotes {
			if base, ok := strings.CutSuffix(s, q); ok && base != "" {
				quote = q
				break
			}
		}
		if quote == "" {
			return trade.Symbol{}, false
		}
		if !loaded {
			as, _ = e.assetSet(ctx)
			loaded = true
		}
		if as == nil {
			sym, err := trade.ParseSymbol(strings.TrimSuffix(s, quote) + "-" + quote)
			return sym, err == nil
		}
		if i, ok := as.byCompact[s]; ok {
			return as.Assets[i].symbol(), true
		}
		return trade.Symbol{}, false
	}
}

var (
	_ exchange.FillHistorian = (*Exchange)(nil)
	_ exchange.FillLister    = (*Exchange)(nil)
)

// FillScope implements exchange.FillHistorian: the FILL activities cover
// every symbol of the account.
func (e *Exchange) FillScope() exchange.FillScope { return exchange.FillsPerAccount }

// FillHistory implements exchange.FillHistorian with one page of FILL
// activities, oldest first.
func (e *Exchange) FillHistory(ctx context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	p, err := e.fillPage(ctx, q, "asc", e.cryptoResolver(ctx))
	if err != nil {
		return exchange.FillPage{}, fmt.Errorf("fill history: %w", err)
	}
	return p, nil
}

// activitiesQuery is the query of one page read in direction.
func activitiesQuery(q exchange.FillQuery, direction string) url.Values {
	v := url.Values{"direction": {direction}}
	if !q.Since.IsZero() {
		// after is strict: a second before Since, in whole seconds.
		v.Set("after", q.Since.UTC().Truncate(time.Second).Add(-time.Second).Format(time.RFC3339))
	}
	if !q.Until.IsZero() {
		// until, rounded up to a whole second; the exact bound is applied
		// to what comes back.
		u := q.Until.UTC()
		if t := u.Truncate(time.Second); t.Before(u) {
			u = t.Add(time.Second)
		}
		v.Set("until", u.Format(time.RFC3339))
	}
	v.Set("page_size", strconv.Itoa(pageSize(q.Limit)))
	if q.Cursor != "" {
		v.Set("page_token", q.Cursor)
	}
	return v
}

func pageSize(limit int) int {
	if limit <= 0 || limit > activitiesPageMax {
		return activitiesPageMax
	}
	return limit
}

// fillPage reads one page in direction. Alpaca has no symbol filter for
// activities, so Symbol, like the exact [Since, Until) bounds, applies
// here. A full page names its last activity as the next page's token; a
// shorter one is the last.
func (e *Exchange) fillPage(ctx context.Context, q exchange.FillQuery, direction string, resolve cryptoResolver) (exchange.FillPage, error) {
	c := call{method: http.MethodGet, path: pathFillActivities, query: activitiesQuery(q, direction)}
	var ws []activityWire
	if err := e.do(ctx, c, &ws); err != nil {
		return exchange.FillPage{}, err
	}
	page := exchange.FillPage{Fills: make([]trade.Fill, 0, len(ws))}
	for _, w := range ws {
		f, err := mapActivity(w, resolve)
		if err != nil {
			return exchange.FillPage{}, decodeFailure("GET "+pathFillActivities+": unreadable answer", err, false, "")
		}
		if venueorder.InQuery(q, f) {
			page.Fills = append(page.Fills, f)
		}
	}
	if len(ws) >= pageSize(q.Limit) {
		if last := ws[len(ws)-1].ID; last != q.Cursor {
			page.Next = last
		}
	}
	return page, nil
}

// Fills implements exchange.FillLister: the newest fills first, from at
// most fillsListPages pages read newest first, at most f.Limit of them
// when it is set.
func (e *Exchange) Fills(ctx context.Context, f exchange.FillFilter) ([]trade.Fill, error) {
	q := exchange.FillQuery{Symbol: f.Symbol, Since: f.Since, Until: f.Until}
	if f.Symbol.IsZero() {
		// With a symbol, pages thin out; ask for full ones.
		q.Limit = f.Limit
	}
	resolve := e.cryptoResolver(ctx)
	return venueorder.ListFills(ctx, f, q, fillsListPages, func(ctx context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
		return e.fillPage(ctx, q, "desc", resolve)
	})
}
