package alpaca

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// limiter keeps one process under Alpaca's per-account request rate
// (200 a minute) as a token bucket: a full bucket admits a burst of the
// whole allowance, then tokens come back at limit/minute. Other processes
// using the same account spend from the same allowance, so the venue's
// X-RateLimit-Remaining outranks the local count when it is lower, and a
// Remaining of 0 holds requests until X-RateLimit-Reset. After a 429 the
// limiter refuses to send until Retry-After has passed.
//
// The bucket is kept as GCRA: tat is the moment the bucket would be full
// again; a request is admitted while tat is at most (burst-1) intervals
// ahead of now. That is exact integer arithmetic on durations.
type limiter struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	// onWait is told when a request is held back (for logging).
	onWait func(wait time.Duration)

	mu        sync.Mutex
	limit     int             // requests per minute
	interval  time.Duration   // one token's worth of time
	tat       time.Time       // theoretical arrival time
	holdUntil time.Time       // Remaining hit 0: wait until the reset
	paused    venuehttp.Pause // after a 429: refuse until then
}

// maxHold bounds a wait for the venue's reset: Alpaca's window is a
// minute, so a reset further away is a clock problem, not advice.
const maxHold = 2 * time.Minute

// resetMargin is added to a venue-announced reset so a request lands in
// the new window despite clock differences.
const resetMargin = 250 * time.Millisecond

func newLimiter(now func() time.Time, perMinute int) *limiter {
	l := &limiter{now: now, sleep: venuehttp.Sleep}
	l.setLimitLocked(perMinute)
	return l
}

func (l *limiter) setLimitLocked(perMinute int) {
	if perMinute <= 0 {
		return
	}
	l.limit = perMinute
	l.interval = time.Minute / time.Duration(perMinute)
}

// acquire takes one token, waiting (on ctx) for one when the bucket is
// empty or the venue said the window is spent. While a 429 pause lasts it
// returns the remaining time at once and takes nothing.
func (l *limiter) acquire(ctx context.Context) (paused time.Duration, err error) {
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if d := l.paused.Left(l.now()); d > 0 {
			return d, nil
		}
		l.mu.Lock()
		now := l.now()
		var wait time.Duration
		switch {
		case now.Before(l.holdUntil):
			wait = l.holdUntil.Sub(now)
		default:
			tat := l.tat
			if tat.Before(now) {
				tat = now
			}
			ahead := tat.Sub(now)
			if ahead <= time.Duration(l.limit-1)*l.interval {
				l.tat = tat.Add(l.interval)
				l.mu.Unlock()
				return 0, nil
			}
			wait = ahead - time.Duration(l.limit-1)*l.interval
		}
		l.mu.Unlock()
		if l.onWait != nil {
			l.onWait(wait)
		}
		if err := l.sleep(ctx, wait); err != nil {
			return 0, err
		}
	}
}

// available is how many requests the bucket would admit right now.
func (l *limiter) availableLocked(now time.Time) int {
	ahead := l.tat.Sub(now)
	if ahead <= 0 {
		return l.limit
	}
	used := int((ahead + l.interval - 1) / l.interval)
	if used > l.limit {
		return 0
	}
	return l.limit - used
}

// observe adopts the venue's view of the window from an answer's headers.
func (l *limiter) observe(h http.Header) {
	limit, errL := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Limit")))
	remaining, errR := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining")))
	reset, errS := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64)
	l.mu.Lock()
	defer l.mu.Unlock()
	if errL == nil && limit > 0 && limit != l.limit {
		l.setLimitLocked(limit)
	}
	if errR != nil || remaining < 0 {
		return
	}
	now := l.now()
	if remaining < l.availableLocked(now) {
		// Someone else spends from the same allowance: start from the
		// venue's count.
		l.tat = now.Add(time.Duration(l.limit-remaining) * l.interval)
	}
	if remaining == 0 && errS == nil && reset > 0 && reset < 1e11 {
		until := time.Unix(reset, 0).Add(resetMargin)
		if until.After(now.Add(maxHold)) {
			until = now.Add(maxHold)
		}
		if until.After(now) && until.After(l.holdUntil) {
			l.holdUntil = until
		}
	}
}

// pause stops all requests for d after the venue answered 429.
func (l *limiter) pause(d time.Duration) { l.paused.Extend(l.now(), d) }

// Acquire, Observe and Pause make the limiter venuehttp's; every Alpaca
// request costs one.
func (l *limiter) Acquire(ctx context.Context, _ int) (time.Duration, error) { return l.acquire(ctx) }
func (l *limiter) Observe(h http.Header)                                     { l.observe(h) }
func (l *limiter) Pause(d time.Duration)                                     { l.pause(d) }
