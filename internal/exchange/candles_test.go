package exchange

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

func candleAt(t time.Time) trade.Candle {
	one := decimal.NewFromInt(1)
	return trade.Candle{Time: t, Open: one, High: one, Low: one, Close: one, Volume: one}
}

// TestPageCandles: windows are sized in slots, so a range costs the same
// requests whatever the venue returns; candles outside a window, out of
// order or repeated are dropped; the limit stops the read.
func TestPageCandles(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	r := trade.CandleRange{Interval: trade.Interval1m, Since: t0, Until: t0.Add(25 * time.Minute), Limit: 100}
	type window struct {
		From, To time.Time
		N        int
	}
	var asked []window
	page := func(_ context.Context, from, to time.Time, n int) ([]trade.Candle, error) {
		asked = append(asked, window{from, to, n})
		var out []trade.Candle
		// Newest first, one before the window, the window's first twice,
		// and a gap at minute 3 of every window.
		for m := to.Sub(from)/time.Minute - 1; m >= -1; m-- {
			if m == 3 {
				continue
			}
			out = append(out, candleAt(from.Add(m*time.Minute)))
		}
		return append(out, candleAt(from)), nil
	}
	got, err := PageCandles(context.Background(), r, 10, page)
	if err != nil {
		t.Fatal(err)
	}
	wantWindows := []window{{t0, t0.Add(10 * time.Minute), 10}, {t0.Add(10 * time.Minute), t0.Add(20 * time.Minute), 10}, {t0.Add(20 * time.Minute), t0.Add(25 * time.Minute), 10}}
	if diff := cmp.Diff(wantWindows, asked); diff != "" {
		t.Errorf("windows (-want +got):\n%s", diff)
	}
	var times []time.Time
	for _, c := range got {
		times = append(times, c.Time)
	}
	var want []time.Time
	for m := range 25 {
		if m%10 != 3 {
			want = append(want, t0.Add(time.Duration(m)*time.Minute))
		}
	}
	if diff := cmp.Diff(want, times); diff != "" {
		t.Errorf("candle times (-want +got):\n%s", diff)
	}

	asked = nil
	r.Limit = 12
	got, err = PageCandles(context.Background(), r, 10, page)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 12 || len(asked) != 2 || asked[1].N != 3 {
		t.Errorf("limit 12: %d candles in windows %+v; want 12 from two windows, the second asking for 3", len(got), asked)
	}

	boom := errors.New("boom")
	_, err = PageCandles(context.Background(), r, 10, func(context.Context, time.Time, time.Time, int) ([]trade.Candle, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Errorf("a failing page: %v", err)
	}
	bad := candleAt(t0)
	bad.High = decimal.Zero
	_, err = PageCandles(context.Background(), r, 10, func(context.Context, time.Time, time.Time, int) ([]trade.Candle, error) {
		return []trade.Candle{bad}, nil
	})
	if err == nil {
		t.Error("an invalid candle was accepted")
	}
}
