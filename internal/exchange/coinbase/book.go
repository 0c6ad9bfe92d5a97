package coinbase

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuebook"
	"github.com/tradectl/tradectl/internal/trade"
)

var (
	_ exchange.OrderBookReader = (*Exchange)(nil)
	_ exchange.CandleReader    = (*Exchange)(nil)
)

// Book and candle limits (see the package documentation).
const (
	bookDefault = 100
	candlesMax  = 350
)

// productBookWire is GET /market/product_book.
type productBookWire struct {
	Pricebook struct {
		ProductID string       `json:"product_id"`
		Bids      []priceLevel `json:"bids"`
		Asks      []priceLevel `json:"asks"`
		Time      string       `json:"time"`
	} `json:"pricebook"`
}

// priceLevels reads product_book's {price, size} levels.
var priceLevels = venuebook.Levels[priceLevel]{
	Level: func(l priceLevel) (string, string, error) { return l.Price, l.Size, nil },
}

// mapProductBook reads a product_book answer for sym; the book's time is
// the venue's when it gives one.
func mapProductBook(sym trade.Symbol, w productBookWire, depth int, now time.Time) (trade.Book, error) {
	if w.Pricebook.ProductID != "" && w.Pricebook.ProductID != sym.String() {
		return trade.Book{}, fmt.Errorf("asked for the %s book, got %q", sym, w.Pricebook.ProductID)
	}
	if t, ok := parseTime(w.Pricebook.Time); ok {
		now = t
	}
	return priceLevels.Book(sym, now, depth, w.Pricebook.Bids, w.Pricebook.Asks)
}

// OrderBook implements exchange.OrderBookReader with one public GET
// /market/product_book (no key needed).
func (e *Exchange) OrderBook(ctx context.Context, sym trade.Symbol, depth int) (trade.Book, error) {
	if _, err := e.rulesFor(ctx, sym); err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", err)
	}
	limit := venuebook.Limit(depth, bookDefault, 0)
	var w productBookWire
	c := call{method: http.MethodGet, path: "/market/product_book", query: url.Values{"product_id": {sym.String()}, "limit": {strconv.Itoa(limit)}}}
	if err := e.do(ctx, c, &w); err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", err)
	}
	b, err := mapProductBook(sym, w, depth, e.Now().UTC())
	if err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", decodeFailure(c.String(), err, false, ""))
	}
	return b, nil
}

// granularities maps tradectl's intervals onto the public candles
// endpoint's; it has no FOUR_HOUR, so 4h is not served.
var granularities = map[trade.Interval]string{
	trade.Interval1m: "ONE_MINUTE", trade.Interval5m: "FIVE_MINUTE", trade.Interval15m: "FIFTEEN_MINUTE",
	trade.Interval1h: "ONE_HOUR", trade.Interval1d: "ONE_DAY",
}

// CandleIntervals implements exchange.CandleReader: every interval but 4h.
func (e *Exchange) CandleIntervals(trade.Symbol) []trade.Interval {
	return venuebook.Intervals(granularities)
}

type candlesWire struct {
	Candles []candleWire `json:"candles"`
}

type candleWire struct {
	Start  string `json:"start"`
	Low    string `json:"low"`
	High   string `json:"high"`
	Open   string `json:"open"`
	Close  string `json:"close"`
	Volume string `json:"volume"`
}

// mapCandles reads a candles answer (newest first on the wire; the pager
// sorts), each start a Unix time in seconds as a string.
func mapCandles(sym trade.Symbol, w candlesWire) ([]trade.Candle, error) {
	return venuebook.Rows("candle", w.Candles, func(cw candleWire) (trade.Candle, error) {
		sec, err := strconv.ParseInt(cw.Start, 10, 64)
		if err != nil {
			return trade.Candle{}, fmt.Errorf("start %q: %w", cw.Start, err)
		}
		return venuebook.Candle(sym, time.Unix(sec, 0), [5]string{cw.Open, cw.High, cw.Low, cw.Close, cw.Volume}, nil)
	})
}

// Candles implements exchange.CandleReader with the public GET
// /market/products/{id}/candles, 350 buckets a request at most.
func (e *Exchange) Candles(ctx context.Context, sym trade.Symbol, r trade.CandleRange) ([]trade.Candle, error) {
	gran, err := venuebook.Interval(venueName, granularities, r)
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	if _, err := e.rulesFor(ctx, sym); err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	path := "/market/products/" + url.PathEscape(sym.String()) + "/candles"
	out, err := exchange.PageCandles(ctx, r, candlesMax, func(ctx context.Context, from, to time.Time, n int) ([]trade.Candle, error) {
		// end is inclusive: stop a second before the next window.
		q := url.Values{"start": {strconv.FormatInt(from.Unix(), 10)}, "end": {strconv.FormatInt(to.Unix()-1, 10)},
			"granularity": {gran}, "limit": {strconv.Itoa(n)}}
		var w candlesWire
		c := call{method: http.MethodGet, path: path, query: q}
		if err := e.do(ctx, c, &w); err != nil {
			return nil, err
		}
		cs, err := mapCandles(sym, w)
		if err != nil {
			return nil, decodeFailure(c.String(), err, false, "")
		}
		return cs, nil
	})
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	return out, nil
}
