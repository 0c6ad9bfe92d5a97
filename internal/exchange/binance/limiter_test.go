package binance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func newTestLimiter(limit int) (*weightLimiter, *venuetest.Clock) {
	clk := venuetest.NewClock(time.Date(2026, 7, 1, 12, 0, 10, 0, time.UTC))
	l := newWeightLimiter(clk.Now, limit)
	l.sleep = clk.Sleep
	return l, clk
}

func TestLimiterWaitsForNextMinute(t *testing.T) {
	l, clk := newTestLimiter(100) // budget 90
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		if _, err := l.acquire(ctx, 20); err != nil {
			t.Fatal(err)
		}
	}
	if len(clk.Slept()) != 0 {
		t.Fatalf("waited %v under budget", clk.Slept())
	}
	// 80 used; 20 more would cross 90: wait until 12:01:00 plus margin.
	if _, err := l.acquire(ctx, 20); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{50*time.Second + rolloverMargin}, clk.Slept()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	if l.used != 20 {
		t.Errorf("used after rollover = %d, want 20", l.used)
	}
}

func TestLimiterTrustsHigherHeader(t *testing.T) {
	l, clk := newTestLimiter(6000)
	ctx := context.Background()
	if _, err := l.acquire(ctx, 1); err != nil {
		t.Fatal(err)
	}
	l.observe(5395) // other processes on the IP spent weight
	if _, err := l.acquire(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if len(clk.Slept()) != 0 {
		t.Fatalf("waited at 5399/6000: %v", clk.Slept())
	}
	if _, err := l.acquire(ctx, 20); err != nil {
		t.Fatal(err)
	}
	if len(clk.Slept()) != 1 {
		t.Fatalf("did not wait at 5419/6000 (budget 5400): %v", clk.Slept())
	}
	// A lower header later in the same minute does not undo our count.
	l.observe(3)
	if l.used != 20 {
		t.Errorf("used = %d, want 20", l.used)
	}
	// A header from a new minute starts it afresh.
	clk.Advance(time.Minute)
	l.observe(7)
	if l.used != 7 {
		t.Errorf("used in new minute = %d, want 7", l.used)
	}
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	l, _ := newTestLimiter(10)
	l.sleep = venuehttp.Sleep // real sleep, so the cancel must cut it short
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := l.acquire(ctx, 9); err != nil {
		t.Fatal(err)
	}
	cancel()
	start := time.Now()
	_, err := l.acquire(ctx, 9)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire = %v, want context.Canceled", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("acquire ignored the canceled context")
	}
}

func TestLimiterBan(t *testing.T) {
	l, clk := newTestLimiter(6000)
	l.ban(30 * time.Second)
	banned, err := l.acquire(context.Background(), 1)
	if err != nil || banned != 30*time.Second {
		t.Fatalf("acquire during ban = %v, %v; want 30s", banned, err)
	}
	clk.Advance(31 * time.Second)
	if banned, err := l.acquire(context.Background(), 1); err != nil || banned != 0 {
		t.Fatalf("acquire after ban = %v, %v", banned, err)
	}
}

// End to end: the fake reports a nearly spent minute; the next request
// waits for the rollover instead of being sent into a 429.
func TestUsedWeightHeaderThrottles(t *testing.T) {
	// Both clocks are pinned inside one minute so the test cannot straddle
	// a real rollover.
	pinned := func() time.Time { return time.Date(2026, 7, 1, 12, 0, 30, 0, time.UTC) }
	f := adapter.Fixture(t, fakebinance.WithClock(pinned))
	var waits []time.Duration
	e := f.Open(t, nil, func(e *Exchange) {
		e.Now = pinned
		e.limiter.sleep = func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			// Let the venue's minute roll over as if we had waited.
			f.Srv.SetUsedWeight(0)
			e.limiter.mu.Lock()
			e.limiter.minute = time.Time{}
			e.limiter.mu.Unlock()
			return nil
		}
	})
	ctx := ctxT(t)
	if _, err := e.Quotes(ctx, []trade.Symbol{btcusdt}); err != nil {
		t.Fatal(err)
	}
	f.Srv.SetUsedWeight(5395)
	if _, err := e.Quotes(ctx, []trade.Symbol{btcusdt}); err != nil { // header now says ~5399
		t.Fatal(err)
	}
	if len(waits) != 0 {
		t.Fatalf("waited below the budget: %v", waits)
	}
	if _, err := e.Balances(ctx); err != nil { // weight 20 would cross 5400
		t.Fatal(err)
	}
	if len(waits) != 1 {
		t.Errorf("waits = %v, want one wait for the next minute", waits)
	}
}

func TestRateLimitAnswerPausesClient(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	f.Srv.RateLimitNext(30 * time.Second)
	_, err := e.Quotes(ctx, []trade.Symbol{btcusdt})
	if d, ok := exchange.RetryAfter(err); !errors.Is(err, exchange.ErrRateLimited) || !ok || d != 30*time.Second {
		t.Fatalf("Quotes = %v, want ErrRateLimited with 30s", err)
	}
	before := len(f.Srv.Requests())
	_, err = e.Balances(ctx)
	if d, ok := exchange.RetryAfter(err); !errors.Is(err, exchange.ErrRateLimited) || !ok || d <= 0 || d > 30*time.Second {
		t.Fatalf("Balances during the pause = %v, want ErrRateLimited with the remaining time", err)
	}
	if n := len(f.Srv.Requests()) - before; n != 0 {
		t.Errorf("%d requests sent during the pause", n)
	}
}
