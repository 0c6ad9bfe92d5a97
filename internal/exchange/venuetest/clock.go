package venuetest

import (
	"context"
	"sync"
	"time"
)

// Clock is a fake clock whose Sleep advances it, so a limiter's waits take
// no real time and a test sees each one. Its methods have the shapes the
// adapters inject (now func() time.Time, sleep func(ctx, d) error).
type Clock struct {
	mu       sync.Mutex
	t        time.Time
	sleeps   []time.Duration
	canceled bool
}

// NewClock returns a Clock that reads start until something advances it.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock d forward without a sleep.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Sleep records d and advances the clock by it. It fails, without
// sleeping, when ctx has ended; while CancelSleeps is on it records d and
// fails as if ctx ended during the sleep.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	if c.canceled {
		return context.Canceled
	}
	c.t = c.t.Add(d)
	return nil
}

// CancelSleeps makes the next sleeps fail as if their context ended
// (on), or sleep again (off).
func (c *Clock) CancelSleeps(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.canceled = on
}

// Slept returns the sleeps so far, oldest first.
func (c *Clock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// ForgetSleeps clears the record of sleeps, so a test can look at what
// comes next alone.
func (c *Clock) ForgetSleeps() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = nil
}
