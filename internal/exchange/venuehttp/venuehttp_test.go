package venuehttp_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// pauseLimiter admits everything and records pauses, the shared part of
// every venue limiter.
type pauseLimiter struct {
	now    func() time.Time
	paused venuehttp.Pause
	mu     sync.Mutex
	asked  []time.Duration
	seen   int
}

func (l *pauseLimiter) Acquire(context.Context, int) (time.Duration, error) {
	return l.paused.Left(l.now()), nil
}
func (l *pauseLimiter) Observe(http.Header) { l.mu.Lock(); l.seen++; l.mu.Unlock() }
func (l *pauseLimiter) Pause(d time.Duration) {
	l.mu.Lock()
	l.asked = append(l.asked, d)
	l.mu.Unlock()
	l.paused.Extend(l.now(), d)
}

// waitingLimiter admits after a two-second wait on a test clock.
type waitingLimiter struct{ clock *atomic.Int64 }

func (l waitingLimiter) Acquire(context.Context, int) (time.Duration, error) {
	l.clock.Add(2)
	return 0, nil
}
func (waitingLimiter) Observe(http.Header) {}
func (waitingLimiter) Pause(time.Duration) {}

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name, value string
		want        time.Duration
	}{
		{"absent", "", 0},
		{"delay seconds", "7", 7 * time.Second},
		{"delay with spaces", " 12 ", 12 * time.Second},
		{"zero", "0", 0},
		{"negative", "-3", 0},
		{"garbage", "soon", 0},
		{"fraction is not a delay", "1.5", 0},
		{"HTTP date ahead", t0.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"HTTP date passed", t0.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"absurd delay capped", "99999999999999", venuehttp.MaxRetryAfter},
		{"far date capped", t0.Add(1000 * time.Hour).Format(http.TimeFormat), venuehttp.MaxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.value != "" {
				h.Set("Retry-After", tt.value)
			}
			if got := venuehttp.RetryAfter(h, t0); got != tt.want {
				t.Errorf("RetryAfter(%q) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

// outcome is what a test compares of an error.
type outcome struct {
	Kind       string
	ClientID   string
	RetryAfter time.Duration
	Canceled   bool // errors.Is(err, context.Canceled)
}

func outcomeOf(err error) outcome {
	var o outcome
	if err == nil {
		return o
	}
	for _, k := range []error{exchange.ErrUnknownOutcome, exchange.ErrUnavailable, exchange.ErrRateLimited,
		exchange.ErrAuth, exchange.ErrInvalidOrder, exchange.ErrNotFound} {
		if errors.Is(err, k) {
			o.Kind = k.Error()
			break
		}
	}
	var xe *exchange.Error
	if errors.As(err, &xe) {
		o.ClientID, o.RetryAfter = xe.ClientID, xe.RetryAfter
	}
	o.Canceled = errors.Is(err, context.Canceled)
	return o
}

// TestStatus covers what the core does with an answer: 2xx passes, others
// go through the venue's decoder (or the default), and pause statuses stop
// the limiter for the answer's Retry-After.
func TestStatus(t *testing.T) {
	decode := func(r *venuehttp.Request, a *venuehttp.Answer) *exchange.Error {
		f := venuehttp.Failure{Message: venuehttp.StatusMessage(a.Status, a.Body), RetryAfter: venuehttp.RetryAfter(a.Header, t0)}
		switch {
		case a.Status == http.StatusTooManyRequests || a.Status == http.StatusTeapot:
			f.Kind = exchange.ErrRateLimited
		case a.Status == http.StatusUnauthorized:
			f.Kind = exchange.ErrAuth
		case a.Status >= 500:
			f.Kind = venuehttp.ServerSide(r)
		default:
			f.Kind = exchange.ErrInvalidOrder
		}
		return venuehttp.NewError("testvenue", f, r.ClientID)
	}
	tests := []struct {
		name       string
		status     int
		retryAfter string
		placement  bool
		venue      bool // use the venue decoder
		want       outcome
		wantPauses []time.Duration
	}{
		{name: "ok", status: 200, want: outcome{}},
		{name: "no content", status: 204, want: outcome{}},
		{name: "default decoder 404", status: 404, want: outcome{Kind: "venue unavailable"}},
		{name: "default decoder 502 placement", status: 502, placement: true, want: outcome{Kind: "order outcome unknown", ClientID: "cid-1"}},
		{name: "400", status: 400, venue: true, want: outcome{Kind: "invalid order"}},
		{name: "401", status: 401, venue: true, want: outcome{Kind: "authentication failed"}},
		{name: "500 read", status: 500, venue: true, want: outcome{Kind: "venue unavailable"}},
		{name: "500 placement", status: 500, venue: true, placement: true, want: outcome{Kind: "order outcome unknown", ClientID: "cid-1"}},
		{name: "429 with Retry-After", status: 429, retryAfter: "7", venue: true,
			want: outcome{Kind: "rate limited", RetryAfter: 7 * time.Second}, wantPauses: []time.Duration{7 * time.Second}},
		{name: "429 without Retry-After pauses the minimum", status: 429, venue: true,
			want: outcome{Kind: "rate limited"}, wantPauses: []time.Duration{time.Second}},
		{name: "418 is a pause status here", status: 418, retryAfter: "60", venue: true,
			want: outcome{Kind: "rate limited", RetryAfter: time.Minute}, wantPauses: []time.Duration{time.Minute}},
		{name: "503 does not pause", status: 503, retryAfter: "5", venue: true, want: outcome{Kind: "venue unavailable", RetryAfter: 5 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			cfg := venuehttp.Config{Venue: "testvenue", BaseURL: srv.URL, HTTPClient: srv.Client(), Now: func() time.Time { return t0 },
				PauseStatuses: []int{429, 418}, MinPause: time.Second}
			if tt.venue {
				cfg.DecodeError = decode
			}
			lim := &pauseLimiter{now: func() time.Time { return t0 }}
			c := venuehttp.New(cfg)
			_, err := c.Do(context.Background(), &venuehttp.Request{Method: "POST", Path: "/order",
				Placement: tt.placement, ClientID: "cid-1", Limiter: lim})
			if diff := cmp.Diff(tt.want, outcomeOf(err)); diff != "" {
				t.Errorf("Do: %v (-want +got):\n%s", err, diff)
			}
			if diff := cmp.Diff(tt.wantPauses, lim.asked); diff != "" {
				t.Errorf("pauses (-want +got):\n%s", diff)
			}
			if lim.seen != 1 {
				t.Errorf("limiter observed %d answers, want 1", lim.seen)
			}
		})
	}
}

// TestPauseSendsNothing: while a pause lasts, the call fails as rate
// limited, names the time left, and reaches no server.
func TestPauseSendsNothing(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	lim := &pauseLimiter{now: func() time.Time { return t0 }}
	lim.Pause(2500 * time.Millisecond)
	c := venuehttp.New(venuehttp.Config{Venue: "testvenue", BaseURL: srv.URL, HTTPClient: srv.Client(), Now: func() time.Time { return t0 }})
	_, err := c.Do(context.Background(), &venuehttp.Request{Method: "GET", Path: "/x", Limiter: lim})
	want := outcome{Kind: "rate limited", RetryAfter: 3 * time.Second}
	if diff := cmp.Diff(want, outcomeOf(err)); diff != "" {
		t.Errorf("Do: %v (-want +got):\n%s", err, diff)
	}
	if !strings.Contains(err.Error(), "nothing was sent") || hits.Load() != 0 {
		t.Errorf("Do = %v with %d requests, want nothing sent", err, hits.Load())
	}
}

// TestTransport covers failures without an answer: before the request was
// written nothing happened on the venue; after it, a placement's outcome
// is unknown, whatever ended the exchange (a dropped connection, a body
// over the limit, the timeout, the caller's cancel).
func TestTransport(t *testing.T) {
	type server int
	const (
		refused   server = iota // nothing listens
		dropAfter               // reads the request, closes the connection
		tooLarge                // answers more than MaxBody
		hang                    // reads the request, never answers
	)
	tests := []struct {
		name      string
		server    server
		placement bool
		ctx       func() (context.Context, context.CancelFunc)
		want      outcome
	}{
		{name: "refused read", server: refused, want: outcome{Kind: "venue unavailable"}},
		{name: "refused placement: not written", server: refused, placement: true, want: outcome{Kind: "venue unavailable"}},
		{name: "dropped read", server: dropAfter, want: outcome{Kind: "venue unavailable"}},
		{name: "dropped placement", server: dropAfter, placement: true, want: outcome{Kind: "order outcome unknown", ClientID: "cid-1"}},
		{name: "too large read", server: tooLarge, want: outcome{Kind: "venue unavailable"}},
		{name: "too large placement", server: tooLarge, placement: true, want: outcome{Kind: "order outcome unknown", ClientID: "cid-1"}},
		{name: "timeout read", server: hang, want: outcome{Kind: "venue unavailable"}},
		{name: "timeout placement", server: hang, placement: true, want: outcome{Kind: "order outcome unknown", ClientID: "cid-1"}},
		{name: "caller deadline read", server: hang, want: outcome{Kind: "venue unavailable"},
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 100*time.Millisecond)
			}},
		{name: "caller cancel before sending", server: hang, placement: true, want: outcome{Canceled: true},
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			}},
		{name: "caller cancel in flight, read", server: hang, want: outcome{Canceled: true},
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(100*time.Millisecond, cancel)
				return ctx, cancel
			}},
		{name: "caller cancel in flight, placement", server: hang, placement: true,
			want: outcome{Kind: "order outcome unknown", ClientID: "cid-1", Canceled: true},
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(100*time.Millisecond, cancel)
				return ctx, cancel
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				switch tt.server {
				case dropAfter:
					conn, _, _ := w.(http.Hijacker).Hijack()
					_ = conn.Close()
				case tooLarge:
					_, _ = w.Write(bytes.Repeat([]byte("x"), 2048))
				case hang:
					select {
					case <-release:
					case <-r.Context().Done():
					}
				}
			}))
			defer srv.Close()
			base := srv.URL
			if tt.server == refused {
				l, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				base = "http://" + l.Addr().String()
				_ = l.Close()
			}
			c := venuehttp.New(venuehttp.Config{Venue: "testvenue", BaseURL: base, HTTPClient: srv.Client(),
				Timeout: 300 * time.Millisecond, MaxBody: 1024})
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			_, err := c.Do(ctx, &venuehttp.Request{Method: "POST", Path: "/order", Body: []byte("a=1"),
				Placement: tt.placement, ClientID: "cid-1"})
			if diff := cmp.Diff(tt.want, outcomeOf(err)); diff != "" {
				t.Errorf("Do: %v (-want +got):\n%s", err, diff)
			}
			if tt.server == tooLarge && !errors.Is(err, venuehttp.ErrBodyTooLarge) {
				t.Errorf("Do = %v, want it to wrap ErrBodyTooLarge", err)
			}
		})
	}
}

// TestSignedBytesAreSent: the query and body the signer signs reach the
// venue byte for byte (no re-encoding, no reordering).
func TestSignedBytesAreSent(t *testing.T) {
	var gotQuery, gotBody, gotSig string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotQuery, gotBody, gotSig = r.URL.RawQuery, string(b), r.Header.Get("X-Sig")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	sign := func(_ context.Context, r *venuehttp.Request) error {
		r.Query += "&ts=1"
		r.Header = http.Header{"X-Sig": {"sig(" + r.Query + "|" + string(r.Body) + ")"}}
		return nil
	}
	c := venuehttp.New(venuehttp.Config{Venue: "testvenue", BaseURL: srv.URL, HTTPClient: srv.Client(), Sign: sign})
	var out struct{ OK bool }
	err := c.JSON(context.Background(), &venuehttp.Request{Method: "POST", Path: "/o", Query: "z=1&a=%2F+b", Body: []byte("b=2&a=1"), Signed: true}, &out)
	if err != nil || !out.OK {
		t.Fatalf("JSON = %v, %+v", err, out)
	}
	want := []string{"z=1&a=%2F+b&ts=1", "b=2&a=1", "sig(z=1&a=%2F+b&ts=1|b=2&a=1)"}
	if diff := cmp.Diff(want, []string{gotQuery, gotBody, gotSig}); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
}

// TestUnreadable: a 2xx that cannot be decoded leaves a placement's
// outcome unknown and a read unavailable.
func TestUnreadable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>")) }))
	defer srv.Close()
	c := venuehttp.New(venuehttp.Config{Venue: "testvenue", BaseURL: srv.URL, HTTPClient: srv.Client()})
	for _, tt := range []struct {
		placement bool
		want      outcome
	}{
		{false, outcome{Kind: "venue unavailable"}},
		{true, outcome{Kind: "order outcome unknown", ClientID: "cid-1"}},
	} {
		var out map[string]any
		err := c.JSON(context.Background(), &venuehttp.Request{Method: "POST", Path: "/o", Placement: tt.placement, ClientID: "cid-1"}, &out)
		if diff := cmp.Diff(tt.want, outcomeOf(err)); diff != "" {
			t.Errorf("placement=%v: %v (-want +got):\n%s", tt.placement, err, diff)
		}
	}
}

// TestRedirects: with RefuseRedirects a 3xx is an answer, not a hop that
// would carry the key headers elsewhere.
func TestRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.RedirectHandler(other.URL, http.StatusFound))
	defer srv.Close()
	c := venuehttp.New(venuehttp.Config{Venue: "testvenue", BaseURL: srv.URL, HTTPClient: srv.Client(), RefuseRedirects: true})
	_, err := c.Do(context.Background(), &venuehttp.Request{Method: "GET", Path: "/x", Header: http.Header{"X-Key": {"k"}}})
	if !errors.Is(err, exchange.ErrUnavailable) || elsewhere.Load() != 0 {
		t.Errorf("Do = %v with %d requests elsewhere, want unavailable and none", err, elsewhere.Load())
	}
}

// TestTrace: at debug level every attempt is one line with the method,
// path, status, attempt and rate-limit wait; a signed request's query,
// headers and body stay out of it.
func TestTrace(t *testing.T) {
	const secret, sig, key = "s3cr3t-value", "deadbeefsignature", "APIKEY-123"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sign := func(_ context.Context, r *venuehttp.Request) error {
		r.Query += "&timestamp=1&signature=" + sig
		r.Header = http.Header{"X-Key": {key}}
		r.Body = []byte("secret=" + secret)
		return nil
	}
	var clock atomic.Int64 // seconds after t0; the limiter's wait moves it
	now := func() time.Time { return t0.Add(time.Duration(clock.Load()) * time.Second) }
	c := venuehttp.New(venuehttp.Config{Venue: "testvenue", BaseURL: srv.URL, HTTPClient: srv.Client(), Logger: log, Sign: sign, Now: now})
	if _, err := c.Do(context.Background(), &venuehttp.Request{Method: "POST", Path: "/api/order", Query: "symbol=BTCUSDT&side=BUY",
		Signed: true, Attempt: 1, Limiter: waitingLimiter{&clock}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(context.Background(), &venuehttp.Request{Method: "GET", Path: "/missing", Query: "symbol=ETHUSDT"}); err == nil {
		t.Fatal("GET /missing succeeded")
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log has %d lines, want one per attempt:\n%s", len(lines), buf.String())
	}
	for _, want := range []string{"venue=testvenue", "method=POST", "path=/api/order", "status=200", "attempt=2", "duration=", "rate_limit_wait=2s"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("signed line lacks %q: %s", want, lines[0])
		}
	}
	for _, leak := range []string{secret, sig, key, "signature", "symbol=BTCUSDT", "timestamp", "query="} {
		if strings.Contains(lines[0], leak) {
			t.Errorf("signed line shows %q: %s", leak, lines[0])
		}
	}
	// An unsigned query is public and helps reading the trace.
	for _, want := range []string{"method=GET", "path=/missing", `query="symbol=ETHUSDT"`, "status=404", "attempt=1"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("public line lacks %q: %s", want, lines[1])
		}
	}
}
