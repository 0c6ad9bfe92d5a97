package fakebinance

import (
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// klineIntervals are the kline intervals Binance Spot serves (rest-api.md,
// "Kline/Candlestick data"; enums.md, "Kline/Candlestick chart intervals").
var klineIntervals = map[string]time.Duration{
	"1s": time.Second, "1m": time.Minute, "3m": 3 * time.Minute, "5m": 5 * time.Minute,
	"15m": 15 * time.Minute, "30m": 30 * time.Minute, "1h": time.Hour, "2h": 2 * time.Hour,
	"4h": 4 * time.Hour, "6h": 6 * time.Hour, "8h": 8 * time.Hour, "12h": 12 * time.Hour,
	"1d": 24 * time.Hour, "3d": 72 * time.Hour, "1w": 7 * 24 * time.Hour,
}

// depthWeight is GET /api/v3/depth's weight by limit.
func depthWeight(p params) int {
	n, err := strconv.Atoi(p.get("limit"))
	switch {
	case err != nil || n <= 100:
		return 5
	case n <= 500:
		return 25
	case n <= 1000:
		return 50
	default:
		return 250
	}
}

func intParam(p params, name string, def, max int) (int, *apiError) {
	v := p.get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, errBody(400, -1100, "Illegal characters found in parameter '"+name+"'; legal range is '^[0-9]{1,20}$'.")
	}
	return min(n, max), nil
}

// handleDepth answers GET /api/v3/depth: limit defaults to 100, above
// 5000 only 5000 are returned; levels are [price, qty] strings.
func (s *Server) handleDepth(p params) response {
	sym, ok := s.symbols.Get(p.get("symbol"))
	if !ok {
		return errorResponse(errInvalidSymbol)
	}
	limit, e := intParam(p, "limit", 100, 5000)
	if e != nil {
		return errorResponse(e)
	}
	bids, asks := fakevenue.Ladder(sym.bid, sym.ask, sym.tick, sym.step, limit)
	pairs := func(ls []fakevenue.Level) [][2]string {
		out := make([][2]string, len(ls))
		for i, l := range ls {
			out[i] = [2]string{fx(l.Price), fx(l.Qty)}
		}
		return out
	}
	return jsonResponse(map[string]any{"lastUpdateId": s.nextUpdateID, "bids": pairs(bids), "asks": pairs(asks)})
}

// handleKlines answers GET /api/v3/klines: the first limit (default 500,
// max 1000) klines opening in [startTime, endTime], both inclusive, in
// Binance's array rows.
func (s *Server) handleKlines(p params) response {
	sym, ok := s.symbols.Get(p.get("symbol"))
	if !ok {
		return errorResponse(errInvalidSymbol)
	}
	width, ok := klineIntervals[p.get("interval")]
	if !ok {
		return errorResponse(errBody(400, -1120, "Invalid interval."))
	}
	limit, e := intParam(p, "limit", 500, 1000)
	if e != nil {
		return errorResponse(e)
	}
	now := s.now()
	end := now
	if v := p.get("endTime"); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errorResponse(errBody(400, -1100, "Illegal characters found in parameter 'endTime'; legal range is '^[0-9]{1,20}$'."))
		}
		end = time.UnixMilli(ms + 1)
	}
	start := end.Add(-time.Duration(limit) * width)
	if v := p.get("startTime"); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errorResponse(errBody(400, -1100, "Illegal characters found in parameter 'startTime'; legal range is '^[0-9]{1,20}$'."))
		}
		start = time.UnixMilli(ms)
	}
	bars := fakevenue.Bars(sym.spec.Symbol, sym.last, sym.tick, sym.step, width, start, end, now)
	if len(bars) > limit {
		if p.get("startTime") != "" {
			bars = bars[:limit]
		} else {
			bars = bars[len(bars)-limit:]
		}
	}
	rows := make([][]any, len(bars))
	for i, b := range bars {
		open := b.Time.UnixMilli()
		rows[i] = []any{open, fx(b.Open), fx(b.High), fx(b.Low), fx(b.Close), fx(b.Volume),
			b.Time.Add(width).UnixMilli() - 1, fx(b.Volume.Mul(b.Close)), 1 + i, "0", "0", "0"}
	}
	return jsonResponse(rows)
}
