package notify

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// receiver is an httptest webhook that answers from a script of status
// codes (the last one repeats) and records what it was sent.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	headers  []http.Header
	bodies   []string
	times    []time.Time
	// retryAfter is sent with every 429 and 503.
	retryAfter string
}

func newReceiver(t *testing.T, statuses ...int) (*receiver, *httptest.Server) {
	t.Helper()
	r := &receiver{statuses: statuses}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		n := len(r.bodies)
		r.bodies = append(r.bodies, string(b))
		r.headers = append(r.headers, req.Header.Clone())
		r.times = append(r.times, time.Now())
		code := r.statuses[min(n, len(r.statuses)-1)]
		ra := r.retryAfter
		r.mu.Unlock()
		if ra != "" && (code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable) {
			w.Header().Set("Retry-After", ra)
		}
		w.WriteHeader(code)
		// A receiver may echo what it got; tradectl must not show it.
		_, _ = w.Write([]byte(req.URL.String()))
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

// fastWebhook is a webhook whose waits suit a test: the backoff is the
// real code path, only shorter.
func fastWebhook(t *testing.T, url string) *Webhook {
	t.Helper()
	w, err := NewWebhook(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Backoff, w.MaxWait, w.AttemptTimeout = 10*time.Millisecond, 2*time.Second, 2*time.Second
	return w
}

const secretPath = "/hooks/T0KEN-s3cr3t?sig=abc123"

func TestWebhookRetries(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		wantCalls int
		wantErr   string // "" for delivered
	}{
		{"500 then 200: delivered on the second attempt", []int{500, 200}, 2, ""},
		{"503 twice then 204", []int{503, 503, 204}, 3, ""},
		{"429 then 200", []int{429, 200}, 2, ""},
		{"400: final, not retried", []int{400}, 1, "answered 400 Bad Request (not retried)"},
		{"404: final", []int{404, 200}, 1, "answered 404 Not Found (not retried)"},
		{"a redirect is not followed", []int{302, 200}, 1, "answered 302 Found (not retried)"},
		{"500 every time: gives up after the attempts", []int{500}, DefaultAttempts, "gave up after 4 attempts: answered 500 Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, srv := newReceiver(t, tt.statuses...)
			w := fastWebhook(t, srv.URL+secretPath)
			err := w.Notify(context.Background(), Event{Kind: KindAlert}, []byte(`{"kind":"alert"}`))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.wantErr, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if strings.Contains(got, "T0KEN") || strings.Contains(got, "abc123") {
				t.Errorf("the error quotes the URL: %s", got)
			}
			if diff := cmp.Diff(tt.wantCalls, r.count()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			for i, b := range r.bodies {
				if b != `{"kind":"alert"}` {
					t.Errorf("request %d body = %q", i, b)
				}
				if ct := r.headers[i].Get("Content-Type"); ct != "application/json" {
					t.Errorf("request %d Content-Type = %q", i, ct)
				}
			}
		})
	}
}

func TestWebhookHonoursRetryAfter(t *testing.T) {
	r, srv := newReceiver(t, 429, 200)
	r.retryAfter = "1"
	w := fastWebhook(t, srv.URL+secretPath)
	if err := w.Notify(context.Background(), Event{Kind: KindAlert}, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if r.count() != 2 {
		t.Fatalf("requests = %d, want 2", r.count())
	}
	// The backoff alone would wait 10ms; Retry-After asked for a second.
	if gap := r.times[1].Sub(r.times[0]); gap < 900*time.Millisecond {
		t.Errorf("second attempt %s after the first; Retry-After: 1 asks for a second", gap)
	}
}

func TestWebhookRetryAfterCapped(t *testing.T) {
	r, srv := newReceiver(t, 503, 200)
	r.retryAfter = "3600"
	w := fastWebhook(t, srv.URL+secretPath)
	w.MaxWait = 20 * time.Millisecond
	if err := w.Notify(context.Background(), Event{Kind: KindAlert}, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if r.count() != 2 {
		t.Fatalf("requests = %d, want 2: an hour's Retry-After is capped, not waited", r.count())
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{"Fri, 27 Nov 2026 12:00:05 GMT", 5 * time.Second},
		{"Fri, 27 Nov 2026 11:00:00 GMT", 0},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, retryAfter(tt.in, now)); diff != "" {
			t.Errorf("retryAfter(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// The URL is a secret: no error, name or message may carry its path,
// query or user info, whatever went wrong.
func TestWebhookNeverShowsTheURL(t *testing.T) {
	_, srv := newReceiver(t, 500)
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(hung.Close)
	t.Cleanup(func() { close(release) }) // runs first: Close waits for handlers
	secrets := []string{"T0KEN", "s3cr3t", "abc123", "pa55"}
	urls := map[string]string{
		"5xx":         srv.URL + secretPath,
		"refused":     "http://127.0.0.1:1" + secretPath,
		"timeout":     hung.URL + secretPath,
		"user info":   strings.Replace(srv.URL, "http://", "http://user:pa55@", 1) + secretPath,
		"unknown dns": "http://tradectl-no-such-host.invalid" + secretPath,
	}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			w := fastWebhook(t, u)
			w.Attempts, w.AttemptTimeout = 2, 200*time.Millisecond
			err := w.Notify(context.Background(), Event{Kind: KindAlert}, []byte(`{}`))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, s := range []string{err.Error(), w.Name()} {
				for _, sec := range secrets {
					if strings.Contains(s, sec) {
						t.Errorf("%q shows the secret %q", s, sec)
					}
				}
			}
		})
	}
	for _, bad := range []string{"ftp://host/T0KEN", "/T0KEN", "http:///T0KEN", "http://a b/T0KEN%zz", ""} {
		_, err := NewWebhook(bad, nil)
		if err == nil {
			t.Errorf("NewWebhook(%q): want an error", bad)
			continue
		}
		if strings.Contains(err.Error(), "T0KEN") {
			t.Errorf("NewWebhook(%q) error quotes the URL: %v", bad, err)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://hooks.example.com/services/T0KEN", "https://hooks.example.com"},
		{"http://user:pass@127.0.0.1:8080/x?token=1", "http://127.0.0.1:8080"},
		{"not a url", "[redacted URL]"},
		{"http://a b/%zz", "[redacted URL]"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Redact(tt.in)); diff != "" {
			t.Errorf("Redact(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("https://hooks.example.com/services/T0KEN")
	f.Add("http://user:pass@host:1/p?q=1#f")
	f.Add("::::")
	f.Fuzz(func(t *testing.T, raw string) {
		got := Redact(raw)
		u, err := ParseWebhookURL(raw)
		if err != nil {
			// The errors are fixed sentences, so none can carry the input.
			switch err.Error() {
			case "the webhook URL is empty", "the webhook URL does not parse as a URL",
				"the webhook URL must start with http:// or https://", "the webhook URL has no host":
			default:
				t.Errorf("ParseWebhookURL(%q): unexpected error %v", raw, err)
			}
			return
		}
		// What Redact shows of a valid URL is its scheme and host, and
		// never its path or query.
		if got != u.Scheme+"://"+u.Host {
			t.Errorf("Redact(%q) = %q, want %q", raw, got, u.Scheme+"://"+u.Host)
		}
		if u.RawQuery != "" && strings.Contains(got, "?"+u.RawQuery) {
			t.Errorf("Redact(%q) = %q shows the query", raw, got)
		}
	})
}

// FuzzRetryAfter: any header value gives a wait of zero or more, never a
// panic; what the cap does with it is Notify's business.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "120", "-5", "1e9", "99999999999999999999", "Fri, 27 Nov 2026 12:00:05 GMT", "Friday"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if d := retryAfter(v, now); d < 0 {
			t.Errorf("retryAfter(%q) = %s, want >= 0", v, d)
		}
	})
}
