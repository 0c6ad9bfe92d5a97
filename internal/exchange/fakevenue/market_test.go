package fakevenue

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestLadder(t *testing.T) {
	d := decimal.RequireFromString
	bids, asks := Ladder(d("100.00"), d("100.05"), d("0.05"), d("0.001"), 3)
	want := func(prices ...string) []Level {
		out := make([]Level, len(prices))
		for i, p := range prices {
			out[i] = Level{Price: d(p), Qty: decimal.NewFromInt(int64(i + 1))}
		}
		return out
	}
	eq := cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
	if diff := cmp.Diff(want("100", "99.95", "99.9"), bids, eq); diff != "" {
		t.Errorf("bids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want("100.05", "100.1", "100.15"), asks, eq); diff != "" {
		t.Errorf("asks (-want +got):\n%s", diff)
	}
	// A bid side runs out above zero; depth 0 is the whole book.
	bids, asks = Ladder(d("0.02"), d("0.03"), d("0.01"), d("0"), 0)
	if len(bids) != 2 || len(asks) != BookLevels {
		t.Errorf("near zero: %d bids, %d asks; want 2 and %d", len(bids), len(asks), BookLevels)
	}
}

// TestBars: the same window gives the same bars whatever page it is read
// in; prices sit on the tick within about 1% of last; none after now.
func TestBars(t *testing.T) {
	d := decimal.RequireFromString
	now := time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)
	from := now.Add(-100 * time.Minute)
	all := Bars("BTCUSDT", d("60000"), d("0.01"), d("0.001"), time.Minute, from, now.Add(time.Hour), now)
	if len(all) != 101 {
		t.Fatalf("%d bars, want 101 (from 08:50 to 10:30, none after now)", len(all))
	}
	part := Bars("BTCUSDT", d("60000"), d("0.01"), d("0.001"), time.Minute, from.Add(30*time.Minute), from.Add(40*time.Minute), now)
	if diff := cmp.Diff(all[30:40], part); diff != "" {
		t.Errorf("a window read alone differs (-whole +window):\n%s", diff)
	}
	lo, hi := d("59400"), d("60600.05")
	for _, b := range all {
		for _, p := range []decimal.Decimal{b.Open, b.High, b.Low, b.Close} {
			if !p.Mod(d("0.01")).IsZero() || p.LessThan(lo) || p.GreaterThan(hi) {
				t.Fatalf("bar %s: price %s off the tick or beyond 1%% of last", b.Time, p)
			}
		}
		if b.High.LessThan(decimal.Max(b.Open, b.Close)) || b.Low.GreaterThan(decimal.Min(b.Open, b.Close)) || !b.Volume.IsPositive() {
			t.Fatalf("bar %+v: high and low do not bound it, or no volume", b)
		}
	}
}
