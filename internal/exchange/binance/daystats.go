package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuebook"
	"github.com/tradectl/tradectl/internal/trade"
)

// ticker24hWire is the part of a FULL 24hr ticker the adapter reads.
type ticker24hWire struct {
	Symbol             string `json:"symbol"`
	PriceChange        string `json:"priceChange"`
	PriceChangePercent string `json:"priceChangePercent"`
	HighPrice          string `json:"highPrice"`
	LowPrice           string `json:"lowPrice"`
	Volume             string `json:"volume"`
	CloseTime          int64  `json:"closeTime"`
}

// ticker24hWeight is what GET /api/v3/ticker/24hr costs: 2 for symbol=
// and for symbols= naming 1-20, 40 for 21-100, 80 beyond (see doc.go).
func ticker24hWeight(n int) int {
	switch {
	case n <= 20:
		return 2
	case n <= 100:
		return 40
	default:
		return 80
	}
}

// mapTicker24h reads one 24hr ticker. A missing field stays nil; a value
// that is not a decimal, or a negative high, low or volume, is an error.
func mapTicker24h(w ticker24hWire) (trade.Stats24h, error) {
	var out trade.Stats24h
	if err := venuebook.Figures(
		venuebook.Signed("priceChange", w.PriceChange, &out.Change24h),
		venuebook.Signed("priceChangePercent", w.PriceChangePercent, &out.Change24hPct),
		venuebook.Unsigned("highPrice", w.HighPrice, &out.High24h),
		venuebook.Unsigned("lowPrice", w.LowPrice, &out.Low24h),
		venuebook.Unsigned("volume", w.Volume, &out.Volume24h),
	); err != nil {
		return trade.Stats24h{}, err
	}
	if out.High24h != nil && out.Low24h != nil && out.Low24h.GreaterThan(*out.High24h) {
		return trade.Stats24h{}, fmt.Errorf("lowPrice %s above highPrice %s", out.Low24h, out.High24h)
	}
	if w.CloseTime < 0 {
		return trade.Stats24h{}, fmt.Errorf("closeTime: negative %d", w.CloseTime)
	}
	if w.CloseTime > 0 && out.Has24h() {
		at := trade.JSONTime(time.UnixMilli(w.CloseTime).UTC())
		out.StatsTime = &at
	}
	return out, nil
}

// DayStats implements exchange.DayStatsReader with one FULL 24hr ticker
// request for all symbols, through the weight limiter like every call.
func (e *Exchange) DayStats(ctx context.Context, syms []trade.Symbol) (map[trade.Symbol]trade.Stats24h, error) {
	if len(syms) == 0 {
		return nil, nil
	}
	vss, bySymbol, err := venueSymbols(syms)
	if err != nil {
		return nil, fmt.Errorf("24h stats: %w", err)
	}
	q, _ := symbolsParam(vss)
	q.add("type", "FULL")
	c := call{method: http.MethodGet, path: "/api/v3/ticker/24hr", params: q, weight: ticker24hWeight(len(vss))}
	var raw json.RawMessage
	if err := e.do(ctx, c, &raw); err != nil {
		if errors.Is(err, exchange.ErrNotFound) {
			err = e.unknownSymbols(ctx, vss, bySymbol, err)
		}
		return nil, fmt.Errorf("24h stats: %w", err)
	}
	out, err := decodeTicker24h(raw, bySymbol)
	if err != nil {
		return nil, fmt.Errorf("24h stats: %w", decodeFailure(c.String(), err, false, ""))
	}
	return out, nil
}

// decodeTicker24h reads a 24hr answer (an object for symbol=, an array
// for symbols=) into the figures of the symbols asked for.
func decodeTicker24h(raw []byte, bySymbol map[string]trade.Symbol) (map[trade.Symbol]trade.Stats24h, error) {
	tickers, err := decodeOneOrMany[ticker24hWire](raw)
	if err != nil {
		return nil, err
	}
	out := make(map[trade.Symbol]trade.Stats24h, len(tickers))
	for _, t := range tickers {
		sym, ok := bySymbol[t.Symbol]
		if !ok {
			continue
		}
		st, err := mapTicker24h(t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Symbol, err)
		}
		out[sym] = st
	}
	return out, nil
}
