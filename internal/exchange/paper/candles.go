package paper

import (
	"context"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.CandleReader = (*Exchange)(nil)

// CandleIntervals implements exchange.CandleReader: every interval with
// simulated prices; with a price source, the source's.
func (e *Exchange) CandleIntervals(sym trade.Symbol) []trade.Interval {
	if e.source != nil {
		if cr, ok := e.source.ex.(exchange.CandleReader); ok {
			return cr.CandleIntervals(sym)
		}
		return nil
	}
	return append([]trade.Interval(nil), trade.Intervals...)
}

// Candles implements exchange.CandleReader. With simulated prices the
// candles are read off the symbol's price path (sim.Path.Candle): the same
// range gives the same candles on every run with the same seed, up to the
// clock's now. With a price source they are the source's own candles.
func (e *Exchange) Candles(ctx context.Context, sym trade.Symbol, r trade.CandleRange) ([]trade.Candle, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if e.source != nil {
		cr, ok := e.source.ex.(exchange.CandleReader)
		if !ok {
			return nil, fmt.Errorf("candles: %w", &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
				Message: fmt.Sprintf("%s, the price source, serves no candles", e.source.name)})
		}
		cs, err := cr.Candles(ctx, sym, r)
		if err != nil {
			return nil, e.sourceError(ctx, err)
		}
		return cs, nil
	}
	if !r.Interval.Valid() {
		return nil, fmt.Errorf("candles: %w", exchange.UnsupportedInterval(Name, r.Interval, trade.Intervals))
	}
	p, err := e.pathOf(sym)
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	now := e.clock()
	// One "page" holds the whole range: the path answers any instant.
	return exchange.PageCandles(ctx, r, trade.MaxCandles, func(ctx context.Context, from, to time.Time, _ int) ([]trade.Candle, error) {
		var out []trade.Candle
		for t := from; t.Before(to); t = t.Add(r.Interval.Duration()) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			c, ok := p.Candle(t, r.Interval.Duration(), now)
			if !ok {
				break
			}
			out = append(out, c)
		}
		return out, nil
	})
}
