package venuehttp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// JSON sends r and decodes a 2xx answer into out (when non-nil).
func (c *Client) JSON(ctx context.Context, r *Request, out any) error {
	a, err := c.Do(ctx, r)
	if err != nil {
		return err
	}
	if out == nil || (c.cfg.EmptyOK && len(a.Body) == 0) {
		return nil
	}
	if err := json.Unmarshal(a.Body, out); err != nil {
		return c.Unreadable(r, err)
	}
	return nil
}

// Limiter paces one class of a venue's requests. The venue-specific part
// (a weight header, a decaying counter, a token bucket) lives in the
// adapter; Pause embeds the part they share.
type Limiter interface {
	// Acquire admits a request of cost, waiting (on ctx) when the venue's
	// allowance is spent. While a pause lasts it returns the time left at
	// once instead, having admitted nothing.
	Acquire(ctx context.Context, cost int) (paused time.Duration, err error)
	// Observe reads the venue's view of the allowance from an answer.
	Observe(h http.Header)
	// Pause stops all requests for d after a rate-limit answer.
	Pause(d time.Duration)
}

// Pause is the stop-sending-until state every venue limiter keeps after a
// rate-limit answer. The zero value is ready; it is safe for concurrent
// use.
type Pause struct {
	mu    sync.Mutex
	until time.Time
}

// Extend stops sending until now+d, unless a longer pause is on.
func (p *Pause) Extend(now time.Time, d time.Duration) {
	if d <= 0 {
		return
	}
	p.ExtendUntil(now.Add(d))
}

// ExtendUntil stops sending until t, unless a longer pause is on.
func (p *Pause) ExtendUntil(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.After(p.until) {
		p.until = t
	}
}

// Left is how much of the pause remains at now; zero when none.
func (p *Pause) Left(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Before(p.until) {
		return p.until.Sub(now)
	}
	return 0
}

// Sleep waits d or until ctx ends, whichever is first.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Admit is the loop a counting limiter's Acquire runs. While pause lasts
// it returns the time left at once, having charged nothing. Otherwise
// reserve either charges the request (admitted) or answers how long until
// there is room, which Admit waits (on ctx, with sleep) before it asks
// again: another request may have taken the room meanwhile.
func Admit(ctx context.Context, pause *Pause, now func() time.Time, sleep func(context.Context, time.Duration) error,
	reserve func() (wait time.Duration, admitted bool)) (paused time.Duration, err error) {
	for {
		if d := pause.Left(now()); d > 0 {
			return d, nil
		}
		wait, admitted := reserve()
		if admitted {
			return 0, nil
		}
		if err := sleep(ctx, wait); err != nil {
			return 0, err
		}
	}
}

// MaxRetryAfter caps what a venue may ask us to wait; beyond it the number
// is more likely garbage (or an overflow) than advice.
const MaxRetryAfter = 24 * time.Hour

// RetryAfter reads a Retry-After header: delay seconds or an HTTP date.
// Zero when absent, unreadable or in the past.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	s := strings.TrimSpace(h.Get("Retry-After"))
	if s == "" {
		return 0
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, int64(MaxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(s); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d.Round(time.Second), MaxRetryAfter)
		}
	}
	return 0
}

// Excerpt keeps error pages from flooding messages: whitespace collapsed,
// at most n bytes (cut at a rune boundary), nothing for binary bodies.
func Excerpt(body []byte, n int) string {
	s := strings.TrimSpace(string(body))
	if !utf8.ValidString(s) {
		return ""
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// StatusMessage describes an answer that is not the venue's error
// document: the status and a short printable excerpt of the body.
func StatusMessage(status int, body []byte) string {
	m := fmt.Sprintf("HTTP %d", status)
	if ex := Excerpt(body, 120); ex != "" {
		m += ": " + ex
	}
	return m
}

// SetJSON makes v, encoded as JSON, the request's body. A nil v leaves
// the request without one.
func (r *Request) SetJSON(v any) error {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: encode body: %w", r, err)
	}
	r.Body = b
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set("Content-Type", "application/json")
	return nil
}
