package trade

import "github.com/shopspring/decimal"

// Places is the number of decimal places an increment (a tick or a step)
// shows: 0.01 → 2, 0.00001000 → 5, 1 → 0, 10 → 0. A zero or negative
// increment says nothing about precision and gives -1.
func Places(increment decimal.Decimal) int32 {
	if !increment.IsPositive() {
		return -1
	}
	// Trailing zeros carry no precision: 0.00001000 has five places.
	s := -increment.Exponent()
	for s > 0 {
		d := increment.Shift(s - 1)
		if !d.Equal(d.Truncate(0)) {
			break
		}
		s--
	}
	if s < 0 {
		return 0
	}
	return s
}

// PricePlaces is how many decimal places the instrument's prices show.
func (in Instrument) PricePlaces() int32 { return Places(in.TickSize) }

// QtyPlaces is how many decimal places the instrument's quantities show.
func (in Instrument) QtyPlaces() int32 { return Places(in.StepSize) }
