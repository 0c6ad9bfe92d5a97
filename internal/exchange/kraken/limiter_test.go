package kraken

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func newTestLimiter(tier rateTier) (*counterLimiter, *venuetest.Clock) {
	clk := venuetest.NewClock(time.Date(2026, 7, 1, 12, 0, 10, 0, time.UTC))
	l := newCounterLimiter(clk.Now, tier)
	l.sleep = clk.Sleep
	return l, clk
}

func TestLimiterWaitsBeforeExceedingTheCounter(t *testing.T) {
	tests := []struct {
		name       string
		tier       rateTier
		costs      []int
		wantSleeps []time.Duration
	}{
		// Starter: 15 calls of cost 1 pass; the 16th waits until one unit
		// has decayed at 0.33/s (3.03 s, plus the margin).
		{name: "starter burst", tier: tierStarter, costs: repeat(1, 16), wantSleeps: []time.Duration{3080303030}},
		// Pro: 20 units, decay 1/s; a history call (2) on a full counter
		// waits two seconds.
		{name: "pro history", tier: tierPro, costs: append(repeat(1, 20), costHistory), wantSleeps: []time.Duration{2050 * time.Millisecond}},
		{name: "intermediate within limit", tier: tierIntermediate, costs: repeat(1, 20), wantSleeps: nil},
		// Trading calls are not on this counter at all.
		{name: "orders are free", tier: tierStarter, costs: append(repeat(1, 15), repeat(costTrading, 50)...), wantSleeps: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, clk := newTestLimiter(tt.tier)
			for i, c := range tt.costs {
				if d, err := l.acquire(context.Background(), c); err != nil || d != 0 {
					t.Fatalf("acquire %d: throttled %s, err %v", i, d, err)
				}
			}
			if diff := cmp.Diff(tt.wantSleeps, clk.Slept()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func repeat(cost, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = cost
	}
	return out
}

func TestLimiterDecays(t *testing.T) {
	l, clk := newTestLimiter(tierStarter)
	for i := 0; i < 15; i++ {
		if _, err := l.acquire(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(10 * time.Second) // 3.3 units decayed
	for i := 0; i < 3; i++ {
		if _, err := l.acquire(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	if got := clk.Slept(); len(got) != 0 {
		t.Errorf("waited %v after the counter decayed, want no wait", got)
	}
	if _, err := l.acquire(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if got := clk.Slept(); len(got) != 1 {
		t.Errorf("waits = %v, want one once the decayed room is used", got)
	}
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	l, _ := newTestLimiter(tierStarter)
	l.sleep = venuehttp.Sleep // real waiting, so cancel has something to interrupt
	for i := 0; i < 15; i++ {
		if _, err := l.acquire(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := l.acquire(ctx, 1)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire on a full counter with a canceled context = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("acquire returned %s after cancel", d)
	}
}

func TestLimiterAfterVenueSaysExceeded(t *testing.T) {
	l, clk := newTestLimiter(tierPro)
	if wait := l.exceeded(1); wait != time.Second {
		t.Errorf("exceeded(1) on pro = %s, want 1s (one unit at 1/s)", wait)
	}
	// The counter is now full: the next call waits.
	if _, err := l.acquire(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if got := clk.Slept(); len(got) != 1 {
		t.Errorf("waits after exceeded = %v, want one", got)
	}
}

func TestLimiterThrottle(t *testing.T) {
	l, clk := newTestLimiter(tierStarter)
	l.throttle(clk.Now().Add(7 * time.Second))
	d, err := l.acquire(context.Background(), 1)
	if err != nil || d != 7*time.Second {
		t.Fatalf("acquire while throttled = %s, %v; want 7s and nothing sent", d, err)
	}
	clk.Advance(7 * time.Second)
	if d, err := l.acquire(context.Background(), 1); err != nil || d != 0 {
		t.Fatalf("acquire after the throttle = %s, %v", d, err)
	}
}

func TestParseRateTier(t *testing.T) {
	for _, s := range []string{"starter", "Intermediate", " pro "} {
		if _, err := parseRateTier(s); err != nil {
			t.Errorf("parseRateTier(%q): %v", s, err)
		}
	}
	if _, err := parseRateTier("gold"); err == nil {
		t.Error("parseRateTier(gold) = nil error")
	}
}
