package sim

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// candleSamples is how many times a candle's span is sampled for its high
// and low: the path is continuous, so a candle reads it at evenly spaced
// instants rather than at every millisecond, and every read of the same
// candle sees the same instants.
const candleSamples = 30

// Candle is the synthetic candle of width opening at open: the mid at the
// open, the mid at the close (the candle's last millisecond, or now for
// the candle in progress), the highest and lowest mid sampled in between,
// and as volume the quantity the book shows at the ask at each sample,
// summed. ok is false for a candle that opens after now.
func (p *Path) Candle(open time.Time, width time.Duration, now time.Time) (c trade.Candle, ok bool) {
	if open.After(now) || width <= 0 {
		return trade.Candle{}, false
	}
	end := open.Add(width - time.Millisecond)
	if end.After(now) {
		end = now
	}
	c = trade.Candle{Symbol: p.spec.Instrument.Symbol, Time: open.UTC(), Open: p.Mid(open), Close: p.Mid(end), Volume: decimal.Zero}
	c.High, c.Low = decimal.Max(c.Open, c.Close), decimal.Min(c.Open, c.Close)
	span := end.Sub(open)
	for i := range candleSamples {
		at := open.Add(span * time.Duration(i) / candleSamples)
		m := p.Mid(at)
		c.High, c.Low = decimal.Max(c.High, m), decimal.Min(c.Low, m)
		ms := at.UnixMilli()
		_, ask := p.quoteTicks(p.mid(ms))
		c.Volume = c.Volume.Add(p.levelQty(uint64(floorDiv(ms, baseMs)), 0, 0, float64(ask)*p.tickF))
	}
	return c, true
}
