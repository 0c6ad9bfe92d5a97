package expr

import (
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// pctScale is the number of decimal places change_pct keeps: the one field
// that needs a division, which decimals cannot always do exactly.
const pctScale = 16

// Tracker turns a stream of quotes into the values expressions read, and
// is the Env a watch evaluates against. The zero value is not ready; use
// NewTracker. It is not safe for concurrent use: a watch feeds and
// evaluates it from one goroutine.
//
// The rules, per symbol:
//   - bid, ask: from the latest quote; unknown while not positive there
//     (an empty side of the book).
//   - last: the latest positive last price seen, since book-only updates
//     carry none.
//   - mid, spread: (bid+ask)/2 and ask-bid of the latest quote, unknown
//     unless both sides are known; mid does not fall back to last, so an
//     alert on mid never fires on a different number.
//   - change, change_pct, high, low: over the last prices seen since the
//     first one: last-first, (last-first)/first×100 rounded to 16 places,
//     and the extremes.
type Tracker struct {
	symbols map[trade.Symbol]*tracked
}

type tracked struct {
	bid, ask               decimal.Decimal
	hasLast                bool
	last, first, high, low decimal.Decimal
}

// NewTracker returns a Tracker that has seen nothing yet.
func NewTracker() *Tracker { return &Tracker{symbols: make(map[trade.Symbol]*tracked)} }

// Update records a quote.
func (t *Tracker) Update(q trade.Quote) {
	s := t.symbols[q.Symbol]
	if s == nil {
		s = &tracked{}
		t.symbols[q.Symbol] = s
	}
	s.bid, s.ask = q.Bid, q.Ask
	if !q.Last.IsPositive() {
		return
	}
	if !s.hasLast {
		s.hasLast = true
		s.first, s.high, s.low = q.Last, q.Last, q.Last
	}
	s.last = q.Last
	if q.Last.GreaterThan(s.high) {
		s.high = q.Last
	}
	if q.Last.LessThan(s.low) {
		s.low = q.Last
	}
}

// Field implements Env.
func (t *Tracker) Field(sym trade.Symbol, f Field) (decimal.Decimal, bool) {
	s := t.symbols[sym]
	if s == nil {
		return decimal.Decimal{}, false
	}
	book := s.bid.IsPositive() && s.ask.IsPositive()
	switch f {
	case FieldBid:
		return s.bid, s.bid.IsPositive()
	case FieldAsk:
		return s.ask, s.ask.IsPositive()
	case FieldMid:
		if book {
			// Halving by multiplying by 0.5 is always exact; Div would
			// round at decimal's global precision.
			return s.bid.Add(s.ask).Mul(decimal.New(5, -1)), true
		}
	case FieldSpread:
		if book {
			return s.ask.Sub(s.bid), true
		}
	}
	if !s.hasLast {
		return decimal.Decimal{}, false
	}
	switch f {
	case FieldLast:
		return s.last, true
	case FieldChange:
		return s.last.Sub(s.first), true
	case FieldChangePct:
		return s.last.Sub(s.first).Mul(decimal.NewFromInt(100)).DivRound(s.first, pctScale), true
	case FieldHigh:
		return s.high, true
	case FieldLow:
		return s.low, true
	}
	return decimal.Decimal{}, false
}
