package paper_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/trade"
)

func openAt(t *testing.T, at time.Time) *paper.Exchange {
	t.Helper()
	ex, err := paper.New(context.Background(), exchange.Params{
		Profile: "candles", Exchange: paper.Name, Options: map[string]any{},
		DataDir: t.TempDir(), CacheDir: t.TempDir(), Now: func() time.Time { return at },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ex.Close() })
	return ex
}

// TestCandles: the paper candles are read off the price path: the same on
// every exchange with the same seed, opening at the path's mid, and none
// after the clock's now; the candle in progress closes at now's mid.
func TestCandles(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 7, 30, 0, time.UTC)
	btc := trade.MustSymbol("BTC-USD")
	r := trade.Last(trade.Interval5m, now, 12)
	a, err := openAt(t, now).Candles(context.Background(), btc, r)
	if err != nil {
		t.Fatal(err)
	}
	ex := openAt(t, now)
	b, err := ex.Candles(context.Background(), btc, r)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two exchanges disagree (-first +second):\n%s", diff)
	}
	if len(a) != 12 {
		t.Fatalf("%d candles, want 12", len(a))
	}
	path, _ := ex.Market().Path(btc)
	for _, c := range a {
		if !c.Open.Equal(path.Mid(c.Time)) {
			t.Errorf("candle %s opens at %s, the path's mid is %s", c.Time, c.Open, path.Mid(c.Time))
		}
	}
	lastCandle := a[len(a)-1]
	if want := time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC); !lastCandle.Time.Equal(want) || !lastCandle.Close.Equal(path.Mid(now)) {
		t.Errorf("last candle %s closes at %s; want the candle of %s closing at now's mid %s", lastCandle.Time, lastCandle.Close, want, path.Mid(now))
	}
	// A range reaching past now stops at now.
	future := trade.CandleRange{Interval: trade.Interval1h, Since: now.Add(-2 * time.Hour), Until: now.Add(5 * time.Hour), Limit: 100}
	got, err := ex.Candles(context.Background(), btc, future)
	if err != nil || len(got) != 2 {
		t.Errorf("through the future: %d candles, %v; want 2 (11:00 and 12:00, the one in progress)", len(got), err)
	}
	_, err = ex.Candles(context.Background(), trade.MustSymbol("NOPE-USD"), r)
	if !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("unknown symbol: %v, want ErrNotFound", err)
	}
}

// BenchmarkCandles measures a full read of the largest range.
func BenchmarkCandles(b *testing.B) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ex, err := paper.New(context.Background(), exchange.Params{
		Profile: "bench", Exchange: paper.Name, Options: map[string]any{},
		DataDir: b.TempDir(), CacheDir: b.TempDir(), Now: func() time.Time { return now },
	})
	if err != nil {
		b.Fatal(err)
	}
	defer ex.Close()
	r := trade.Last(trade.Interval1m, now, trade.MaxCandles)
	for b.Loop() {
		if _, err := ex.Candles(context.Background(), trade.MustSymbol("BTC-USD"), r); err != nil {
			b.Fatal(err)
		}
	}
}
