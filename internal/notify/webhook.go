package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook defaults.
const (
	DefaultAttemptTimeout = 10 * time.Second
	DefaultAttempts       = 4
	DefaultBackoff        = 500 * time.Millisecond
	// DefaultMaxWait caps one wait between attempts, Retry-After included:
	// a receiver asking for minutes is not waited for.
	DefaultMaxWait = 10 * time.Second
)

// Webhook POSTs each event's JSON to a URL. The URL is a secret — it
// usually carries a token — so it is kept unexported and never appears
// in a name, an error or a log line: those say Redact(URL), its scheme
// and host.
type Webhook struct {
	url    string
	shown  string
	client *http.Client

	// AttemptTimeout bounds one request; Attempts bounds the tries.
	AttemptTimeout time.Duration
	Attempts       int
	// Backoff is the first wait after a failed attempt, doubled after
	// each; MaxWait caps any wait, a Retry-After too.
	Backoff, MaxWait time.Duration
	// UserAgent is sent with every request.
	UserAgent string
}

// NewWebhook checks raw (an absolute http or https URL with a host) and
// returns a notifier posting to it with client (nil: a client of its
// own). The error never quotes the URL.
func NewWebhook(raw string, client *http.Client) (*Webhook, error) {
	u, err := ParseWebhookURL(raw)
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{}
	}
	// A redirect would be followed to a URL nobody checked, and a 3xx is
	// not an answer a webhook gives: it is reported instead.
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Webhook{
		url: u.String(), shown: Redact(raw), client: &c,
		AttemptTimeout: DefaultAttemptTimeout, Attempts: DefaultAttempts,
		Backoff: DefaultBackoff, MaxWait: DefaultMaxWait, UserAgent: "tradectl",
	}, nil
}

// ParseWebhookURL checks a webhook URL without ever quoting it back.
func ParseWebhookURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("the webhook URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url's errors quote the input; say what is wrong without it.
		return nil, errors.New("the webhook URL does not parse as a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("the webhook URL must start with http:// or https://")
	}
	if u.Host == "" {
		return nil, errors.New("the webhook URL has no host")
	}
	return u, nil
}

// Redact shows a URL as scheme://host (the port included): enough to tell
// which receiver failed, none of the path, query or user info where
// tokens live.
func Redact(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "[redacted URL]"
	}
	return u.Scheme + "://" + u.Host
}

// Name is the redacted URL.
func (w *Webhook) Name() string { return "webhook " + w.shown }

// Notify posts the event, retrying network errors, timeouts, 429 and 5xx
// with exponential backoff (Retry-After honoured up to MaxWait); another
// 4xx is final.
func (w *Webhook) Notify(ctx context.Context, ev Event, body []byte) error {
	wait := w.Backoff
	var last error
	for attempt := 1; attempt <= max(w.Attempts, 1); attempt++ {
		if attempt > 1 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("gave up after %d attempts: %v (%w)", attempt-1, last, ctx.Err())
			case <-t.C:
			}
			wait = min(wait*2, w.MaxWait)
		}
		retryAfter, retry, err := w.post(ctx, ev, body)
		if err == nil {
			return nil
		}
		last = err
		if !retry {
			return err
		}
		if retryAfter > 0 {
			wait = min(retryAfter, w.MaxWait)
		}
	}
	return fmt.Errorf("gave up after %d attempts: %v", max(w.Attempts, 1), last)
}

// post makes one attempt. It returns whether another may succeed, and how
// long the receiver asked to wait.
func (w *Webhook) post(ctx context.Context, ev Event, body []byte) (time.Duration, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, w.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return 0, false, errors.New("cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", w.UserAgent)
	req.Header.Set("X-Tradectl-Event", string(ev.Kind))
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, true, w.scrub(err)
	}
	defer resp.Body.Close()
	// Read a little so the connection can be reused; the answer itself
	// is not shown: a receiver may echo the request, token and all.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return 0, false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return retryAfter(resp.Header.Get("Retry-After"), time.Now()), true, fmt.Errorf("answered %s", resp.Status)
	}
	return 0, false, fmt.Errorf("answered %s (not retried)", resp.Status)
}

// scrub turns a client error into one that cannot carry the URL: a
// *url.Error quotes it, so only its cause is kept, and the cause itself
// is cleaned of the URL in case a transport put it there.
func (w *Webhook) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	timeout := errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
	if timeout {
		return fmt.Errorf("no answer within %s", w.AttemptTimeout)
	}
	msg := err.Error()
	if u, perr := url.Parse(w.url); perr == nil {
		for _, s := range []string{w.url, u.RequestURI(), u.RawQuery, u.User.String()} {
			if s != "" && s != "/" {
				msg = strings.ReplaceAll(msg, s, "[redacted]")
			}
		}
	}
	return errors.New(msg)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		// A day is beyond any cap; bounding it first keeps a huge value
		// from overflowing into a negative wait.
		return time.Duration(min(s, 86400)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
