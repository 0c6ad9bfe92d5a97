package kraken

import (
	"context"
	"encoding/json"
	"fmt"
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

// depthLevels reads Depth's [price, volume, timestamp] levels.
var depthLevels = venuebook.Levels[[]json.RawMessage]{
	Level: func(row []json.RawMessage) (price, volume string, err error) {
		if len(row) < 2 {
			return "", "", fmt.Errorf("%d fields, want price and volume", len(row))
		}
		if price, err = rawString("price", row[0]); err != nil {
			return "", "", err
		}
		volume, err = rawString("volume", row[1])
		return price, volume, err
	},
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
	return depthLevels.Book(sym, now, depth, w.Bids, w.Asks)
}

// OrderBook implements exchange.OrderBookReader with one public Depth
// call (count up to 500); the pair comes from the cached AssetPairs.
func (e *Exchange) OrderBook(ctx context.Context, sym trade.Symbol, depth int) (trade.Book, error) {
	r, err := e.rulesFor(ctx, sym)
	if err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", err)
	}
	count := venuebook.Limit(depth, depthDefault, depthMax)
	var raw json.RawMessage
	c := call{path: pathDepth, params: newForm().add("pair", r.ID).add("count", strconv.Itoa(count))}
	if err := e.do(ctx, c, &raw); err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", err)
	}
	b, err := mapDepth(sym, r, raw, depth, e.Now().UTC())
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
	return venuebook.Intervals(ohlcMinutes)
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
	return venuebook.Rows("entry", rows, func(row []json.RawMessage) (trade.Candle, error) {
		if len(row) < 7 {
			return trade.Candle{}, fmt.Errorf("%d fields, want at least 7", len(row))
		}
		var sec int64
		if err := json.Unmarshal(row[0], &sec); err != nil {
			return trade.Candle{}, fmt.Errorf("time: %w", err)
		}
		// vwap (5) sits between close and volume.
		var ohlcv [5]string
		for i, at := range []int{1, 2, 3, 4, 6} {
			var err error
			if ohlcv[i], err = rawString(venuebook.OHLCV[i], row[at]); err != nil {
				return trade.Candle{}, err
			}
		}
		return venuebook.Candle(sym, time.Unix(sec, 0), ohlcv, nil)
	})
}

// Candles implements exchange.CandleReader with public OHLC calls. OHLC
// serves only the latest 720 entries of an interval, so a range starting
// earlier is refused before anything is sent, and any range it can serve
// fits in one request (720 entries from since on).
func (e *Exchange) Candles(ctx context.Context, sym trade.Symbol, cr trade.CandleRange) ([]trade.Candle, error) {
	minutes, err := venuebook.Interval(venueName, ohlcMinutes, cr)
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	width := cr.Interval.Duration()
	earliest := cr.Interval.Floor(e.Now()).Add(-(ohlcEntries - 1) * width)
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
