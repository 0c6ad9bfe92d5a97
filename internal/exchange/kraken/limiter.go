package kraken

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// rateTier is the account verification tier, which sets Kraken's REST
// call-counter limit and how fast the counter decays.
type rateTier string

const (
	tierStarter      rateTier = "starter"
	tierIntermediate rateTier = "intermediate"
	tierPro          rateTier = "pro"
)

// tierLimits follows Kraken's REST rate-limit guide: starter 15 with a
// decay of 0.33/s, intermediate 20 at 0.5/s, pro 20 at 1/s.
var tierLimits = map[rateTier]struct{ max, decay float64 }{
	tierStarter:      {15, 0.33},
	tierIntermediate: {20, 0.5},
	tierPro:          {20, 1},
}

func parseRateTier(s string) (rateTier, error) {
	t := rateTier(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := tierLimits[t]; !ok {
		return "", fmt.Errorf("unknown tier %q: must be starter, intermediate or pro", s)
	}
	return t, nil
}

// Call costs on the counter. Ledger and trade-history queries cost 2,
// AddOrder and CancelOrder are counted by the separate trading-engine
// limiter and cost nothing here, everything else private costs 1. The
// adapter charges ClosedOrders as history (2): it is a history query, and
// over-counting only makes us wait a little early.
const (
	costQuery   = 1
	costHistory = 2
	costTrading = 0
)

// counterLimiter mirrors Kraken's decaying call counter on the client, so
// a burst (a dashboard refresh, a cancel-all over many symbols) waits
// instead of collecting "EAPI:Rate limit exceeded", which Kraken answers
// by restricting the key for longer the more it is hit.
//
// The counter is per API key on Kraken's side and other clients of the key
// add to it unseen; when Kraken says the limit was exceeded anyway, the
// limiter assumes the counter is full. "EService:Throttled" names a time
// before which nothing is sent at all.
type counterLimiter struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	// onWait is told when a call is held back (for logging).
	onWait func(wait time.Duration, counter, max float64)

	mu         sync.Mutex
	max, decay float64 // counter limit; decay per second
	counter    float64
	at         time.Time // when counter was last brought up to date
	throttled  venuehttp.Pause
}

func newCounterLimiter(now func() time.Time, tier rateTier) *counterLimiter {
	lim := tierLimits[tier]
	return &counterLimiter{now: now, sleep: venuehttp.Sleep, max: lim.max, decay: lim.decay}
}

// decayLocked brings the counter up to now.
func (l *counterLimiter) decayLocked(now time.Time) {
	if !l.at.IsZero() && now.After(l.at) {
		l.counter -= now.Sub(l.at).Seconds() * l.decay
		if l.counter < 0 {
			l.counter = 0
		}
	}
	l.at = now
}

// acquire adds cost to the counter, first waiting (as long as ctx allows)
// until that keeps it within the limit. While a throttle lasts it returns
// at once with the time left, having sent nothing.
func (l *counterLimiter) acquire(ctx context.Context, cost int) (throttled time.Duration, err error) {
	return venuehttp.Admit(ctx, &l.throttled, l.now, l.sleep, func() (time.Duration, bool) { return l.reserve(cost) })
}

// reserve adds cost to the counter when that keeps it within the limit,
// else answers how long until the counter has decayed enough.
func (l *counterLimiter) reserve(cost int) (wait time.Duration, admitted bool) {
	l.mu.Lock()
	now := l.now()
	l.decayLocked(now)
	if cost == 0 || l.counter+float64(cost) <= l.max {
		l.counter += float64(cost)
		l.mu.Unlock()
		return 0, true
	}
	over := l.counter + float64(cost) - l.max
	wait = time.Duration(over / l.decay * float64(time.Second))
	// Kraken decrements in whole steps every couple of seconds; a
	// little margin avoids arriving a hair early.
	wait += 50 * time.Millisecond
	counter, max := l.counter, l.max
	l.mu.Unlock()
	if l.onWait != nil {
		l.onWait(wait, counter, max)
	}
	return wait, false
}

// exceeded records that Kraken refused a call for the counter: ours was
// behind (another client of the key), so treat it as full. It returns how
// long one call of cost would now wait.
func (l *counterLimiter) exceeded(cost int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.decayLocked(l.now())
	l.counter = l.max
	if cost < 1 {
		cost = 1
	}
	return time.Duration(float64(cost) / l.decay * float64(time.Second)).Round(time.Second)
}

// throttle stops all calls until t ("EService:Throttled: <unix time>").
func (l *counterLimiter) throttle(until time.Time) { l.throttled.ExtendUntil(until) }

// Acquire, Observe and Pause make the limiter venuehttp's. Kraken sends no
// counter headers: its view arrives as error strings, read by do.
func (l *counterLimiter) Acquire(ctx context.Context, cost int) (time.Duration, error) {
	return l.acquire(ctx, cost)
}
func (l *counterLimiter) Observe(http.Header)   {}
func (l *counterLimiter) Pause(d time.Duration) { l.throttled.Extend(l.now(), d) }
