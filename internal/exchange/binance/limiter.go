package binance

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// weightLimiter keeps the client under Binance's per-minute request weight
// so it slows down instead of collecting 429s and, after those, an IP ban
// (418) that can last days. Binance counts weight per IP per calendar
// minute and reports the running total in X-MBX-USED-WEIGHT-1M; the
// limiter adds what it is about to spend and trusts the header, whichever
// is higher, because other processes on the same IP count too.
type weightLimiter struct {
	now   func() time.Time // the venue's clock estimate: minutes roll over on its time
	sleep func(ctx context.Context, d time.Duration) error
	// onWait is told when the limiter pauses a request (for logging).
	onWait func(wait time.Duration, used, limit int)

	mu     sync.Mutex
	limit  int
	minute time.Time // the minute used belongs to
	used   int
	banned venuehttp.Pause
}

// headroom is the fraction of the limit spent before waiting: the header
// lags concurrent requests, so stop a little short.
const headroom = 0.9

// rolloverMargin is added to waits so a request lands safely in the next
// minute despite clock differences.
const rolloverMargin = 250 * time.Millisecond

func newWeightLimiter(now func() time.Time, limit int) *weightLimiter {
	return &weightLimiter{now: now, sleep: venuehttp.Sleep, limit: limit}
}

func (l *weightLimiter) rollLocked(now time.Time) {
	m := now.Truncate(time.Minute)
	if !m.Equal(l.minute) {
		l.minute, l.used = m, 0
	}
}

// setLimit adopts the REQUEST_WEIGHT limit from exchangeInfo.
func (l *weightLimiter) setLimit(n int) {
	if n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limit = n
}

// acquire reserves weight, waiting for the next minute when it would
// cross the headroom. While a ban from a 429/418 lasts it fails at once
// with the remaining time instead of sending anything.
func (l *weightLimiter) acquire(ctx context.Context, weight int) (banned time.Duration, err error) {
	return venuehttp.Admit(ctx, &l.banned, l.now, l.sleep, func() (time.Duration, bool) { return l.reserve(weight) })
}

// reserve adds weight to this minute's when it stays within the headroom,
// else answers how long until the next minute.
func (l *weightLimiter) reserve(weight int) (wait time.Duration, admitted bool) {
	l.mu.Lock()
	now := l.now()
	l.rollLocked(now)
	budget := int(float64(l.limit) * headroom)
	// A fresh minute admits any single request, however heavy.
	if l.used == 0 || l.used+weight <= budget {
		l.used += weight
		l.mu.Unlock()
		return 0, true
	}
	wait = l.minute.Add(time.Minute).Sub(now) + rolloverMargin
	used, limit := l.used, l.limit
	l.mu.Unlock()
	if l.onWait != nil {
		l.onWait(wait, used, limit)
	}
	return wait, false
}

// observe records the venue's used weight for the current minute.
func (l *weightLimiter) observe(used int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rollLocked(l.now())
	if used > l.used {
		l.used = used
	}
}

// ban stops all requests for d after the venue answered 429 or 418.
func (l *weightLimiter) ban(d time.Duration) { l.banned.Extend(l.now(), d) }

// Acquire, Observe and Pause make the limiter venuehttp's.
func (l *weightLimiter) Acquire(ctx context.Context, weight int) (time.Duration, error) {
	return l.acquire(ctx, weight)
}

// Observe reads X-MBX-USED-WEIGHT-1M, the IP's weight this minute.
func (l *weightLimiter) Observe(h http.Header) {
	if used, err := strconv.Atoi(h.Get("X-MBX-USED-WEIGHT-1M")); err == nil {
		l.observe(used)
	}
}

func (l *weightLimiter) Pause(d time.Duration) { l.ban(d) }
