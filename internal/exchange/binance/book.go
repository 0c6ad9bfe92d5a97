package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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

// Depth and kline limits (see the package documentation).
const (
	depthDefault = 100
	depthMax     = 5000
	klinesMax    = 1000
)

// depthWire is GET /api/v3/depth: levels as [price, qty] strings.
type depthWire struct {
	LastUpdateID int64       `json:"lastUpdateId"`
	Bids         [][2]string `json:"bids"`
	Asks         [][2]string `json:"asks"`
}

// depthLevels reads depth's [price, qty] levels.
var depthLevels = venuebook.Levels[[2]string]{
	Level: func(l [2]string) (string, string, error) { return l[0], l[1], nil },
}

// mapDepth turns a depth answer into a book, keeping at most depth levels
// a side (depth ≤ 0: all).
func mapDepth(sym trade.Symbol, w depthWire, depth int, now time.Time) (trade.Book, error) {
	return depthLevels.Book(sym, now, depth, w.Bids, w.Asks)
}

// depthWeight is the request weight Binance charges for a depth limit.
func depthWeight(limit int) int {
	switch {
	case limit <= 100:
		return 5
	case limit <= 500:
		return 25
	case limit <= 1000:
		return 50
	default:
		return 250
	}
}

// OrderBook implements exchange.OrderBookReader with one GET
// /api/v3/depth.
func (e *Exchange) OrderBook(ctx context.Context, sym trade.Symbol, depth int) (trade.Book, error) {
	vs, err := venueSymbol(sym)
	if err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", err)
	}
	limit := venuebook.Limit(depth, depthDefault, depthMax)
	var w depthWire
	c := call{method: http.MethodGet, path: "/api/v3/depth", params: newQuery().add("symbol", vs).add("limit", strconv.Itoa(limit)), weight: depthWeight(limit)}
	if err := e.do(ctx, c, &w); err != nil {
		if errors.Is(err, exchange.ErrNotFound) {
			return trade.Book{}, fmt.Errorf("order book: %w", e.unknownSymbols(ctx, []string{vs}, map[string]trade.Symbol{vs: sym}, err))
		}
		return trade.Book{}, fmt.Errorf("order book: %w", err)
	}
	b, err := mapDepth(sym, w, depth, e.Now().UTC())
	if err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", decodeFailure("GET /api/v3/depth", err, false, ""))
	}
	return b, nil
}

// klineIntervals maps tradectl's intervals onto Binance's: all are served.
var klineIntervals = map[trade.Interval]string{
	trade.Interval1m: "1m", trade.Interval5m: "5m", trade.Interval15m: "15m",
	trade.Interval1h: "1h", trade.Interval4h: "4h", trade.Interval1d: "1d",
}

// CandleIntervals implements exchange.CandleReader.
func (e *Exchange) CandleIntervals(trade.Symbol) []trade.Interval {
	return venuebook.Intervals(klineIntervals)
}

// mapKlines reads kline rows: [openTime ms, open, high, low, close,
// volume, closeTime, …]. Numbers other than the times are strings.
func mapKlines(sym trade.Symbol, raw []byte) ([]trade.Candle, error) {
	var rows [][]json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, err
	}
	return venuebook.Rows("kline", rows, func(row []json.RawMessage) (trade.Candle, error) {
		if len(row) < 6 {
			return trade.Candle{}, fmt.Errorf("%d fields, want at least 6", len(row))
		}
		var ms int64
		if err := json.Unmarshal(row[0], &ms); err != nil {
			return trade.Candle{}, fmt.Errorf("open time: %w", err)
		}
		var ohlcv [5]string
		for i, name := range venuebook.OHLCV {
			if err := json.Unmarshal(row[i+1], &ohlcv[i]); err != nil {
				return trade.Candle{}, fmt.Errorf("%s: %w", name, err)
			}
		}
		return venuebook.Candle(sym, time.UnixMilli(ms), ohlcv, nil)
	})
}

// Candles implements exchange.CandleReader with GET /api/v3/klines, a page
// of at most 1000 klines per request (startTime and endTime inclusive).
func (e *Exchange) Candles(ctx context.Context, sym trade.Symbol, r trade.CandleRange) ([]trade.Candle, error) {
	iv, err := venuebook.Interval(venueName, klineIntervals, r)
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	vs, err := venueSymbol(sym)
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	out, err := exchange.PageCandles(ctx, r, klinesMax, func(ctx context.Context, from, to time.Time, n int) ([]trade.Candle, error) {
		q := newQuery().add("symbol", vs).add("interval", iv).
			add("startTime", strconv.FormatInt(from.UnixMilli(), 10)).
			add("endTime", strconv.FormatInt(to.UnixMilli()-1, 10)).
			add("limit", strconv.Itoa(n))
		var raw json.RawMessage
		if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/klines", params: q, weight: 2}, &raw); err != nil {
			if errors.Is(err, exchange.ErrNotFound) {
				return nil, e.unknownSymbols(ctx, []string{vs}, map[string]trade.Symbol{vs: sym}, err)
			}
			return nil, err
		}
		cs, err := mapKlines(sym, raw)
		if err != nil {
			return nil, decodeFailure("GET /api/v3/klines", err, false, "")
		}
		return cs, nil
	})
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	return out, nil
}
