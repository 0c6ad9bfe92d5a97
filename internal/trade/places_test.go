package trade

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestPlaces(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int32
	}{
		{"0.01", 2}, {"0.00001000", 5}, {"1", 0}, {"10", 0}, {"0.5", 1}, {"0.25", 2}, {"0", -1}, {"-0.01", -1},
	} {
		if got := Places(decimal.RequireFromString(tc.in)); got != tc.want {
			t.Errorf("Places(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
