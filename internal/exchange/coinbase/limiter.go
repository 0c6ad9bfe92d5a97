package coinbase

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// bucket is a token bucket that keeps the client under one of Coinbase's
// published request rates, waiting (on ctx) rather than collecting 429s.
//
// It refills at rate tokens per second up to burst, with rate + burst equal
// to the published per-second limit: a token bucket admits at most
// burst + rate·T requests in any window of T, so no one-second window ever
// exceeds the limit, whatever the venue's own window alignment.
type bucket struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	rate  float64 // tokens per second
	burst float64

	mu     sync.Mutex
	tokens float64 // may go negative: waiters hold reservations
	last   time.Time
	paused venuehttp.Pause
}

func newBucket(perSecond int, now func() time.Time, sleep func(context.Context, time.Duration) error) *bucket {
	burst := max(1, perSecond/5)
	rate := max(1, perSecond-burst)
	return &bucket{now: now, sleep: sleep, rate: float64(rate), burst: float64(burst), tokens: float64(burst)}
}

// take reserves one request, waiting until its turn. While a pause from a
// 429 lasts it returns the time left instead, without reserving.
func (b *bucket) take(ctx context.Context) (paused time.Duration, err error) {
	if d := b.paused.Left(b.now()); d > 0 {
		return d, nil
	}
	b.mu.Lock()
	now := b.now()
	if b.last.IsZero() {
		b.last = now
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(b.burst, b.tokens+elapsed.Seconds()*b.rate)
		b.last = now
	}
	b.tokens--
	var wait time.Duration
	if b.tokens < 0 {
		wait = time.Duration(-b.tokens / b.rate * float64(time.Second))
	}
	b.mu.Unlock()
	if wait <= 0 {
		return 0, nil
	}
	if err := b.sleep(ctx, wait); err != nil {
		// Give the reservation back so later callers do not wait for it.
		b.mu.Lock()
		b.tokens++
		b.mu.Unlock()
		return 0, err
	}
	return 0, nil
}

// pause stops requests through this bucket for d after a 429.
func (b *bucket) pause(d time.Duration) { b.paused.Extend(b.now(), d) }

// Acquire, Observe and Pause make the bucket venuehttp's: every request
// costs one, and Coinbase sends no allowance headers worth following.
func (b *bucket) Acquire(ctx context.Context, _ int) (time.Duration, error) { return b.take(ctx) }
func (b *bucket) Observe(http.Header)                                       {}
func (b *bucket) Pause(d time.Duration)                                     { b.pause(d) }
