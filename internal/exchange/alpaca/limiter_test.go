package alpaca

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func newFakeClock() *venuetest.Clock {
	return venuetest.NewClock(time.Date(2026, 1, 5, 14, 30, 0, 0, time.UTC))
}

func newTestLimiter(c *venuetest.Clock, perMinute int) *limiter {
	l := newLimiter(c.Now, perMinute)
	l.sleep = c.Sleep
	return l
}

func TestLimiterBucket(t *testing.T) {
	tests := []struct {
		name      string
		perMinute int
		requests  int
		gapAfter  map[int]time.Duration // advance the clock after request i (1-based)
		want      []time.Duration
	}{
		{name: "a full bucket admits the whole allowance at once", perMinute: 200, requests: 200},
		{name: "then one request per 300ms", perMinute: 200, requests: 203,
			want: []time.Duration{300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}},
		{name: "idle time refills", perMinute: 4, requests: 7, gapAfter: map[int]time.Duration{4: 30 * time.Second},
			want: []time.Duration{15 * time.Second}},
		{name: "a refill never exceeds the burst", perMinute: 2, requests: 4, gapAfter: map[int]time.Duration{1: time.Hour},
			want: []time.Duration{30 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFakeClock()
			l := newTestLimiter(c, tt.perMinute)
			for i := 1; i <= tt.requests; i++ {
				if paused, err := l.acquire(context.Background()); err != nil || paused != 0 {
					t.Fatalf("request %d: paused %s, err %v", i, paused, err)
				}
				c.Advance(tt.gapAfter[i])
			}
			if diff := cmp.Diff(tt.want, c.Slept()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func header(limit, remaining int, reset time.Time) http.Header {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	return h
}

func TestLimiterFollowsVenueHeaders(t *testing.T) {
	c := newFakeClock()
	l := newTestLimiter(c, 200)
	reset := c.Now().Add(40 * time.Second)

	// Other processes spent most of the window: 2 left by the venue's count.
	l.observe(header(200, 2, reset))
	for i := 0; i < 2; i++ {
		if _, err := l.acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Slept(); len(got) != 0 {
		t.Fatalf("waited %v for the 2 remaining requests", got)
	}
	// The window is spent: hold until the venue's reset (plus margin).
	l.observe(header(200, 0, reset))
	if _, err := l.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{40*time.Second + resetMargin}
	if diff := cmp.Diff(want, c.Slept()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}

	// A reset far in the future is a clock problem: the hold is capped.
	l.observe(header(200, 0, c.Now().Add(time.Hour)))
	if _, err := l.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := c.Slept(); got[len(got)-1] != maxHold {
		t.Errorf("hold for a reset an hour away = %s, want %s", got[len(got)-1], maxHold)
	}

	// A venue announcing a different limit is believed.
	l.observe(header(60, 60, c.Now().Add(time.Minute)))
	if l.limit != 60 || l.interval != time.Second {
		t.Errorf("limit %d interval %s after the venue said 60", l.limit, l.interval)
	}
	// Headers that do not parse change nothing.
	tat, hold := l.tat, l.holdUntil
	l.observe(http.Header{"X-Ratelimit-Remaining": {"lots"}})
	if l.tat != tat || l.holdUntil != hold {
		t.Error("unparsable headers moved the limiter")
	}
}

func TestLimiterPause(t *testing.T) {
	c := newFakeClock()
	l := newTestLimiter(c, 200)
	l.pause(7 * time.Second)
	l.pause(2 * time.Second) // a shorter pause never shortens a longer one
	paused, err := l.acquire(context.Background())
	if err != nil || paused != 7*time.Second {
		t.Fatalf("acquire during a pause = %s, %v; want 7s", paused, err)
	}
	c.Advance(7 * time.Second)
	if paused, err := l.acquire(context.Background()); err != nil || paused != 0 {
		t.Errorf("acquire after the pause = %s, %v", paused, err)
	}
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(c.Now, 1)
	if _, err := l.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	if _, err := l.acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("acquire with a canceled wait = %v, want context.Canceled", err)
	}
	done, stop := context.WithCancel(context.Background())
	stop()
	if _, err := l.acquire(done); !errors.Is(err, context.Canceled) {
		t.Errorf("acquire with a canceled context = %v, want context.Canceled", err)
	}
}

func TestLimiterConcurrentUse(t *testing.T) {
	c := newFakeClock()
	l := newTestLimiter(c, 50)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if _, err := l.acquire(context.Background()); err != nil {
					t.Error(err)
					return
				}
				l.observe(header(50, 25, c.Now().Add(time.Minute)))
			}
		}()
	}
	wg.Wait()
}
