package sim

import (
	"math"
	"time"

	"github.com/shopspring/decimal"
)

// Trail is a trailing stop as FollowTrail walks it along a path.
type Trail struct {
	// Sell: the trail follows the highest bid and triggers when the bid
	// falls to the stop; otherwise it follows the lowest ask and triggers
	// when the ask rises to the stop.
	Sell bool
	// Extreme is the best price so far: the highest bid (sell) or lowest
	// ask (buy) since the order was placed.
	Extreme decimal.Decimal
	// Stop is the trigger for Extreme.
	Stop decimal.Decimal
	// StopFor works out the trigger for a new best price.
	StopFor func(extreme decimal.Decimal) decimal.Decimal
	// MovedAt is the second FollowTrail last bettered Extreme; zero when
	// it did not.
	MovedAt time.Time
}

// FollowTrail walks the whole seconds t with from < t ≤ to (and t ≤ from +
// MaxScan), as FirstCross does: at each it moves the trail to a better
// quote, then checks the trigger against the same quote. It returns the
// trail as it stands at the first second the stop is reached (and that
// second, true), or at the end of the window (false).
//
// It gives what a scan of every second would, but skips intervals in which
// the bounds on the price show the quote can neither better the extreme
// nor reach the stop.
func (p *Path) FollowTrail(t Trail, from, to time.Time) (Trail, time.Time, bool) {
	lo := floorDiv(from.UnixMilli(), baseMs) + 1
	hi := floorDiv(to.UnixMilli(), baseMs)
	if max := lo + int64(MaxScan/time.Second) - 1; hi > max {
		hi = max
	}
	if lo > hi {
		return t, time.Time{}, false
	}
	w := &trailWalk{p: p, t: t}
	w.sync()
	s, found := w.walk(lo, hi)
	if !found {
		return w.t, time.Time{}, false
	}
	return w.t, time.UnixMilli(s * baseMs).UTC(), true
}

// trailWalk is one FollowTrail: the trail and its extreme and stop in
// ticks, compared as FirstCross compares (a stop between ticks is reached
// when the quote passes it).
type trailWalk struct {
	p              *Path
	t              Trail
	extreme, stopT int64
}

func (w *trailWalk) sync() {
	w.extreme = w.t.Extreme.Div(w.p.tick).Round(0).IntPart()
	q := w.t.Stop.Div(w.p.tick)
	if w.t.Sell {
		w.stopT = q.Floor().IntPart()
	} else {
		w.stopT = q.Ceil().IntPart()
	}
}

// step moves the trail to the quote (bid, ask) at second s and reports
// whether the quote reaches the stop.
func (w *trailWalk) step(s, bid, ask int64) bool {
	best, better := bid, bid > w.extreme
	if !w.t.Sell {
		best, better = ask, ask < w.extreme
	}
	if better {
		w.t.Extreme = w.p.price(best)
		w.t.Stop = w.t.StopFor(w.t.Extreme)
		w.t.MovedAt = time.UnixMilli(s * baseMs).UTC()
		w.sync()
	}
	if w.t.Sell {
		return bid <= w.stopT
	}
	return ask >= w.stopT
}

func (w *trailWalk) walk(lo, hi int64) (int64, bool) {
	if hi-lo < leafSeconds {
		for s := lo; s <= hi; s++ {
			bid, ask := w.p.quoteTicks(w.p.mid(s * baseMs))
			if w.step(s, bid, ask) {
				return s, true
			}
		}
		return 0, false
	}
	xlo, xhi := w.p.logBounds(lo*baseMs, hi*baseMs)
	const slack = 1e-9 // the bound and the evaluation may round differently
	bidLo, askLo := w.p.quoteTicks(math.Exp(w.p.logBase + xlo - slack))
	bidHi, askHi := w.p.quoteTicks(math.Exp(w.p.logBase + xhi + slack))
	if w.t.Sell && bidHi <= w.extreme && bidLo > w.stopT {
		return 0, false
	}
	if !w.t.Sell && askLo >= w.extreme && askHi < w.stopT {
		return 0, false
	}
	mid := lo + (hi-lo)/2
	if s, ok := w.walk(lo, mid); ok {
		return s, true
	}
	return w.walk(mid+1, hi)
}
