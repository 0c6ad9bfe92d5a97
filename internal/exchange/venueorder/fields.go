package venueorder

import (
	"errors"
	"time"

	"github.com/shopspring/decimal"
)

// Fields reads a wire object's numbers and times one field after another
// and keeps every failure, so an answer with several bad fields names them
// all (Err) instead of only the first. A field that fails reads as its
// zero value, as Decimal and Time give it.
type Fields struct {
	errs []error
}

// Decimal reads s as Decimal does, keeping its failure.
func (f *Fields) Decimal(field, s string) decimal.Decimal {
	d, err := Decimal(field, s)
	f.keep(err)
	return d
}

// Time reads s as Time does, keeping its failure.
func (f *Fields) Time(field, s string) time.Time {
	t, err := Time(field, s)
	f.keep(err)
	return t
}

// Err joins the failures in the order the fields were read; nil when
// every field read.
func (f *Fields) Err() error { return errors.Join(f.errs...) }

func (f *Fields) keep(err error) {
	if err != nil {
		f.errs = append(f.errs, err)
	}
}
