package venuebook

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/venueorder"
)

// Figure is one optional 24-hour figure as a venue wrote it (a change, a
// high, a low, a volume) and where it goes: see Signed and Unsigned.
type Figure struct {
	field, text string
	into        **decimal.Decimal
	signed      bool
}

// Signed is a figure that may be negative: a change over the window.
func Signed(field, text string, into **decimal.Decimal) Figure {
	return Figure{field: field, text: text, into: into, signed: true}
}

// Unsigned is a figure that cannot be negative: a high, a low, a volume.
func Unsigned(field, text string, into **decimal.Decimal) Figure {
	return Figure{field: field, text: text, into: into}
}

// Figures reads figures in order. An empty one is absent and leaves its
// destination as it was (nil, or what a stream already knew); one that is
// not a decimal, or an unsigned one below zero, is an error naming its
// field, and stops the reading there.
func Figures(figures ...Figure) error {
	for _, f := range figures {
		if f.text == "" {
			continue
		}
		d, err := venueorder.Decimal(f.field, f.text)
		if err != nil {
			return err
		}
		if !f.signed && d.IsNegative() {
			return fmt.Errorf("%s: negative %s", f.field, f.text)
		}
		*f.into = &d
	}
	return nil
}
