package kraken

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

var (
	_ exchange.OrderBookReader = (*Exchange)(nil)
	_ exchange.CandleReader    = (*Exchange)(nil)
)

// Depth and OHLC limits (see the package documentation).
const (
	pathDepth    = "/0/public/Depth"
	pathOHLC     = "/0/public/OHLC"
	depthDefault = 100
	depthMax     = 500
	ohlcEntries  = 720
)

// depthSideWire is one side of a Depth answer: [price, volume, timestamp].
type depthSideWire struct {
	Asks [][]json.RawMessage `json:"asks"`
	Bids [][]json.RawMessage `json:"bids"`
}

func rawString(field string, raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%s: %w", field, err)
	}
	return s, nil
}

func mapDepthLevels(side string, rows [][]json.RawMessage) ([]trade.BookLevel, error) {
	out := make([]trade.BookLevel, 0, len(rows))
	for i, row := range rows {
		if len(row) < 2 {
			return nil, fmt.Errorf("%s[%d]: %d fields, want price and volume", side, i, len(row))
		}
		var vals [2]decimal.Decimal
		for j, name := range []string{"price", "volume"} {
			s, err := rawString(fmt.Sprintf("%s[%d] %s", side, i, name), row[j])
			if err != nil {
				return nil, err
			}
			if vals[j], err = venueorder.Decimal(fmt.Sprintf("%s[%d] %s", side, i, name), s); err != nil {
				return nil, err
			}
		}
		if !vals[0].IsPositive() || vals[1].IsNegative() {
			return nil, fmt.Errorf("%s[%d]: level %s × %s is not a price and a quantity", side, i, vals[0], vals[1])
		}
		out = append(out, trade.BookLevel{Price: vals[0], Qty: vals[1]})
	}
	return out, nil
}

// mapDepth reads a Depth result for the pair r (keyed by its id, or its
// altname should Kraken change).
func mapDepth(sym trade.Symbol, r pairRules, raw []byte, depth int, now time.Time) (trade.Book, error) {
	var res map[string]depthSideWire
	if err := json.Unmarshal(raw, &res); err != nil {
		return trade.Book{}, err
	}
	w, ok := res[r.ID]
	if !ok {
		if w, ok = res[r.AltName]; !ok {
			return trade.Book{}, fmt.Errorf("no book for %s in the answer", r.ID)
		}
	}
	bids, err := mapDepthLevels("bids", w.Bids)
	if err != nil {
		return trade.Book{}, err
	}
	asks, err := mapDepthLevels("asks", w.Asks)
	if err != nil {
		return trade.Book{}, err
	}
	return trade.NewBook(sym, now, bids, asks, depth)
}

// OrderBook implements exchange.OrderBookReader with one public Depth
// call (count up to 500); the pair comes from the cached AssetPairs.
func (e *Exchange) OrderBook(ctx context.Context, sym trade.Symbol, depth int) (trade.Book, error) {
	r, err := e.rulesFor(ctx, sym)
	if err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", err)
	}
	count := depthDefault
	if depth > 0 {
		count = min(depth, depthMax)
	}
	var raw json.RawMessage
	c := call{path: pathDepth, params: newForm().add("pair", r.ID).add("count", strconv.Itoa(count))}
	if err := e.do(ctx, c, &raw); err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", err)
	}
	b, err := mapDepth(sym, r, raw, depth, e.now().UTC())
	if err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", decodeFailure(c, err))
	}
	return b, nil
}

// ohlcMinutes maps tradectl's intervals onto OHLC's interval (minutes):
// all are served.
var ohlcMinutes = map[trade.Interval]int{
	trade.Interval1m: 1, trade.Interval5m: 5, trade.Interval15m: 15,
	trade.Interval1h: 60, trade.Interval4h: 240, trade.Interval1d: 1440,
}

// CandleIntervals implements exchange.CandleReader.
func (e *Exchange) CandleIntervals(trade.Symbol) []trade.Interval {
	return append([]trade.Interval(nil), trade.Intervals...)
}

// mapOHLC reads an OHLC result: rows [time s, open, high, low, close,
// vwap, volume, count] under the pair's key, next to "last".
func mapOHLC(sym trade.Symbol, r pairRules, raw []byte) ([]trade.Candle, error) {
	var res map[string]json.RawMessage
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, err
	}
	body, ok := res[r.ID]
	if !ok {
		if body, ok = res[r.AltName]; !ok {
			return nil, fmt.Errorf("no candles for %s in the answer", r.ID)
		}
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal(body, &rows); err != nil {
		return nil, err
	}
	out := make([]trade.Candle, 0, len(rows))
	for i, row := range rows {
		if len(row) < 7 {
			return nil, fmt.Errorf("entry %d: %d fields, want at least 7", i, len(row))
		}
		var sec int64
		if err := json.Unmarshal(row[0], &sec); err != nil {
			return nil, fmt.Errorf("entry %d: time: %w", i, err)
		}
		c := trade.Candle{Symbol: sym, Time: time.Unix(sec, 0).UTC()}
		for _, f := range []struct {
			name string
			at   int
			into *decimal.Decimal
		}{{"open", 1, &c.Open}, {"high", 2, &c.High}, {"low", 3, &c.Low}, {"close", 4, &c.Close}, {"volume", 6, &c.Volume}} {
			s, err := rawString(f.name, row[f.at])
			if err != nil {
				return nil, fmt.Errorf("entry %d: %w", i, err)
			}
			if *f.into, err = venueorder.Decimal(f.name, s); err != nil {
				return nil, fmt.Errorf("entry %d: %w", i, err)
			}
		}
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// Candles implements exchange.CandleReader with public OHLC calls. OHLC
// serves only the latest 720 entries of an interval, so a range starting
// earlier is refused before anything is sent, and any range it can serve
// fits in one request (720 entries from since on).
func (e *Exchange) Candles(ctx context.Context, sym trade.Symbol, cr trade.CandleRange) ([]trade.Candle, error) {
	minutes, ok := ohlcMinutes[cr.Interval]
	if !ok {
		return nil, fmt.Errorf("candles: %w", exchange.UnsupportedInterval(venueName, cr.Interval, e.CandleIntervals(sym)))
	}
	if err := cr.Validate(); err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	width := cr.Interval.Duration()
	earliest := cr.Interval.Floor(e.now()).Add(-(ohlcEntries - 1) * width)
	if cr.First().Before(earliest) {
		return nil, fmt.Errorf("candles: %w", &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
			Message: fmt.Sprintf("Kraken serves only the latest %d %s candles: start at or after %s, or use a longer interval",
				ohlcEntries, cr.Interval, earliest.UTC().Format(time.RFC3339))})
	}
	r, err := e.rulesFor(ctx, sym)
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	out, err := exchange.PageCandles(ctx, cr, ohlcEntries, func(ctx context.Context, from, to time.Time, n int) ([]trade.Candle, error) {
		// since is exclusive: ask from the second before the window.
		c := call{path: pathOHLC, params: newForm().add("pair", r.ID).add("interval", strconv.Itoa(minutes)).
			add("since", strconv.FormatInt(from.Unix()-1, 10))}
		var raw json.RawMessage
		if err := e.do(ctx, c, &raw); err != nil {
			return nil, err
		}
		cs, err := mapOHLC(sym, r, raw)
		if err != nil {
			return nil, decodeFailure(c, err)
		}
		return cs, nil
	})
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	return out, nil
}
