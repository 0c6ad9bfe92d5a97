package fakevenue

import (
	"hash/fnv"
	"time"

	"github.com/shopspring/decimal"
)

// Level is one price level of a fake venue's book.
type Level struct {
	Price, Qty decimal.Decimal
}

// BookLevels is how many levels a side a fake's book holds.
const BookLevels = 100

// Ladder is the book a fake venue shows around its top of book: the best
// bid and ask, then a level a tick further out each time, with quantities
// that grow away from the top: one whole unit of the base (or one step,
// if the step is larger) at the top, one more at each level. Every fake builds its depth
// answer from it, so all four show the same shape of book in their own
// wire formats. A zero tick or step falls back to 0.01 and 0.001.
func Ladder(bid, ask, tick, step decimal.Decimal, depth int) (bids, asks []Level) {
	if !tick.IsPositive() {
		tick = decimal.New(1, -2)
	}
	if !step.IsPositive() {
		step = decimal.New(1, -3)
	}
	if depth <= 0 || depth > BookLevels {
		depth = BookLevels
	}
	unit := decimal.Max(decimal.NewFromInt(1), step)
	for i := range depth {
		qty := unit.Mul(decimal.NewFromInt(int64(i + 1)))
		off := tick.Mul(decimal.NewFromInt(int64(i)))
		if b := bid.Sub(off); bid.IsPositive() && b.IsPositive() {
			bids = append(bids, Level{Price: b, Qty: qty})
		}
		if ask.IsPositive() {
			asks = append(asks, Level{Price: ask.Add(off), Qty: qty})
		}
	}
	return bids, asks
}

// Bar is one candle of a fake venue's history.
type Bar struct {
	Time                           time.Time
	Open, High, Low, Close, Volume decimal.Decimal
}

// Bars is a fake venue's candle history for one symbol: the bars of width
// opening in [from, to) and no later than now, derived from the symbol's
// name and its last price alone, so the same request always gets the same
// answer and a page boundary cannot change a bar. Prices wander within
// about 1% of last and are multiples of tick; volumes are whole steps.
func Bars(symbol string, last, tick, step decimal.Decimal, width time.Duration, from, to, now time.Time) []Bar {
	if !tick.IsPositive() {
		tick = decimal.New(1, -2)
	}
	if !step.IsPositive() {
		step = decimal.New(1, -3)
	}
	if width <= 0 || !last.IsPositive() {
		return nil
	}
	start := from.UTC().Truncate(width)
	if start.Before(from) {
		start = start.Add(width)
	}
	var out []Bar
	for t := start; t.Before(to) && !t.After(now); t = t.Add(width) {
		open := priceAt(symbol, last, tick, t)
		closing := priceAt(symbol, last, tick, t.Add(width))
		hi, lo := decimal.Max(open, closing), decimal.Min(open, closing)
		wick := tick.Mul(decimal.NewFromInt(int64(hash(symbol, t, 'w') % 5)))
		hi = hi.Add(wick)
		if lo.Sub(wick).IsPositive() {
			lo = lo.Sub(wick)
		}
		vol := step.Mul(decimal.NewFromInt(int64(1 + hash(symbol, t, 'v')%1000)))
		out = append(out, Bar{Time: t, Open: open, High: hi, Low: lo, Close: closing, Volume: vol})
	}
	return out
}

// priceAt is last moved by up to ±1% (in 0.001% steps) by a hash of the
// symbol and t, rounded down to the tick and never below one tick.
func priceAt(symbol string, last, tick decimal.Decimal, t time.Time) decimal.Decimal {
	bp := int64(hash(symbol, t, 'p')%2001) - 1000 // −1000 … 1000 thousandths of a percent
	p := last.Add(last.Mul(decimal.New(bp, -5)))
	p = p.Div(tick).Floor().Mul(tick)
	if !p.IsPositive() {
		return tick
	}
	return p
}

func hash(symbol string, t time.Time, salt byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(symbol))
	_, _ = h.Write([]byte{salt})
	_, _ = h.Write([]byte(t.UTC().Format(time.RFC3339)))
	return h.Sum64()
}
