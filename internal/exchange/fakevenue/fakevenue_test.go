package fakevenue_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// venue is a tiny venue: every route answers 200 "ok <path>" with a
// header, and counts the requests it handled, so a test can tell a
// failure that replaced the handler from one that followed it.
type venue struct {
	*fakevenue.Venue
	handled atomic.Int64
}

func newVenue(t *testing.T, opts ...fakevenue.Option) *venue {
	t.Helper()
	v := &venue{}
	v.Venue = fakevenue.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v.handled.Add(1)
		w.Header().Set("X-Used", "1")
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok "+r.URL.Path+string(body))
	}), opts...)
	t.Cleanup(v.Close)
	return v
}

// answer is what a client saw of one round trip.
type answer struct {
	Status      int
	Body        string
	RetryAfter  string
	Used        string
	ContentType string
	Err         bool // no HTTP answer (dropped, or the client gave up)
}

func (v *venue) do(t *testing.T, ctx context.Context, method, path, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, v.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := v.Client().Do(req)
	if err != nil {
		return answer{Err: true}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{Err: true}
	}
	return answer{Status: resp.StatusCode, Body: string(b), RetryAfter: resp.Header.Get("Retry-After"),
		Used: resp.Header.Get("X-Used"), ContentType: resp.Header.Get("Content-Type")}
}

func ok(path string) answer {
	return answer{Status: 200, Body: "ok " + path, Used: "1", ContentType: "text/plain"}
}

func TestInjection(t *testing.T) {
	type call struct{ method, path string }
	order := call{"POST", "/api/order"}
	price := call{"GET", "/api/price"}
	tests := []struct {
		name        string
		inject      func(v *fakevenue.Venue)
		calls       []call
		want        []answer
		wantHandled int64
	}{
		{
			name:        "a failure is used once",
			inject:      func(v *fakevenue.Venue) { v.FailNext("", 1, 503, `{"down":true}`, nil) },
			calls:       []call{price, price},
			want:        []answer{{Status: 503, Body: `{"down":true}`, ContentType: "application/json"}, ok("/api/price")},
			wantHandled: 1,
		},
		{
			name:   "n failures are used n times",
			inject: func(v *fakevenue.Venue) { v.FailNext("", 2, 502, "bad gateway", nil) },
			calls:  []call{price, order, price},
			want: []answer{
				{Status: 502, Body: "bad gateway", ContentType: "application/json"},
				{Status: 502, Body: "bad gateway", ContentType: "application/json"},
				ok("/api/price"),
			},
			wantHandled: 1,
		},
		{
			name:        "a route's failure spares other routes",
			inject:      func(v *fakevenue.Venue) { v.FailNext("POST /api/order", 1, 500, "", nil) },
			calls:       []call{price, {"GET", "/api/order"}, order, order},
			want:        []answer{ok("/api/price"), ok("/api/order"), {Status: 500, ContentType: "application/json"}, ok("/api/order")},
			wantHandled: 3,
		},
		{
			name:        "a bare path matches any method",
			inject:      func(v *fakevenue.Venue) { v.FailNext("/api/order", 1, 418, "", nil) },
			calls:       []call{price, order},
			want:        []answer{ok("/api/price"), {Status: 418, ContentType: "application/json"}},
			wantHandled: 1,
		},
		{
			name: "a path ending in * matches its prefix",
			inject: func(v *fakevenue.Venue) {
				v.Inject(fakevenue.Failure{Path: "/api/orders/*", Status: 404, Times: 2})
			},
			calls:       []call{price, {"GET", "/api/orders/7"}, {"DELETE", "/api/orders/8"}, {"GET", "/api/orders/9"}},
			want:        []answer{ok("/api/price"), {Status: 404, ContentType: "application/json"}, {Status: 404, ContentType: "application/json"}, ok("/api/orders/9")},
			wantHandled: 2,
		},
		{
			name: "failures are used in the order queued",
			inject: func(v *fakevenue.Venue) {
				v.FailNext("", 1, 500, "first", nil)
				v.FailNext("", 1, 501, "second", nil)
			},
			calls:       []call{price, price},
			want:        []answer{{Status: 500, Body: "first", ContentType: "application/json"}, {Status: 501, Body: "second", ContentType: "application/json"}},
			wantHandled: 0,
		},
		{
			name: "rate limit answers 429 with Retry-After rounded up",
			inject: func(v *fakevenue.Venue) {
				v.RateLimitNext("GET /api/price", 1, 1500*time.Millisecond, "slow down", nil)
			},
			calls:       []call{order, price, price},
			want:        []answer{ok("/api/order"), {Status: 429, Body: "slow down", RetryAfter: "2", ContentType: "application/json"}, ok("/api/price")},
			wantHandled: 2,
		},
		{
			name: "after accept acts, keeps the handler's headers and answers the failure",
			inject: func(v *fakevenue.Venue) {
				v.Inject(fakevenue.Failure{Method: "POST", Path: "/api/order", Mode: fakevenue.AfterAccept, Status: 503, Body: "unknown"})
			},
			calls:       []call{order, order},
			want:        []answer{{Status: 503, Body: "unknown", Used: "1", ContentType: "application/json"}, ok("/api/order")},
			wantHandled: 2,
		},
		{
			name: "the failure's Content-Type wins",
			inject: func(v *fakevenue.Venue) {
				v.Inject(fakevenue.Failure{Mode: fakevenue.AfterAccept, Status: 502, Body: "error code: 502", Header: http.Header{"Content-Type": {"text/html"}}})
			},
			calls:       []call{order},
			want:        []answer{{Status: 502, Body: "error code: 502", Used: "1", ContentType: "text/html"}},
			wantHandled: 1,
		},
		{
			name: "drop after accept acts and closes the connection",
			inject: func(v *fakevenue.Venue) {
				v.Inject(fakevenue.Failure{Path: "/api/order", Mode: fakevenue.DropAfterAccept})
			},
			calls:       []call{order, order},
			want:        []answer{{Err: true}, ok("/api/order")},
			wantHandled: 2,
		},
		{
			name:        "drop closes the connection without acting",
			inject:      func(v *fakevenue.Venue) { v.DropNext("POST /api/order", 1) },
			calls:       []call{order, order},
			want:        []answer{{Err: true}, ok("/api/order")},
			wantHandled: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVenue(t)
			tt.inject(v.Venue)
			var got []answer
			for _, c := range tt.calls {
				got = append(got, v.do(t, t.Context(), c.method, c.path, ""))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
			if n := v.handled.Load(); n != tt.wantHandled {
				t.Errorf("handled %d requests; want %d", n, tt.wantHandled)
			}
			if n := len(v.Requests()); n != len(tt.calls) {
				t.Errorf("logged %d requests; want %d (failed ones too)", n, len(tt.calls))
			}
		})
	}
}

func TestPassthroughSparedByAnyPathFailures(t *testing.T) {
	v := newVenue(t, fakevenue.WithPassthrough("/stream"))
	v.FailNext("", 1, 500, "", nil)
	v.FailNext("/stream", 1, 503, "", nil)
	got := []answer{
		v.do(t, t.Context(), "GET", "/stream", ""), // takes the failure naming it, not the first
		v.do(t, t.Context(), "GET", "/stream", ""),
		v.do(t, t.Context(), "GET", "/api/price", ""),
	}
	want := []answer{{Status: 503, ContentType: "application/json"}, ok("/stream"), {Status: 500, ContentType: "application/json"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}

func TestHangReleasedWhenClientGivesUp(t *testing.T) {
	v := newVenue(t)
	v.HangNext("GET /api/price", 1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan answer)
	go func() { done <- v.do(t, ctx, "GET", "/api/price", "") }()
	// The hang has begun once the request is logged; only the client's
	// cancel can end it now.
	for v.Count("GET /api/price") == 0 {
		time.Sleep(time.Millisecond)
	}
	select {
	case a := <-done:
		t.Fatalf("a hanging request was answered: %+v", a)
	case <-time.After(20 * time.Millisecond):
	}
	cancel()
	if a := <-done; !a.Err {
		t.Errorf("after cancel: %+v; want the client's error", a)
	}
	if got := v.do(t, t.Context(), "GET", "/api/price", ""); got != ok("/api/price") {
		t.Errorf("next request = %+v; the hang must be used once", got)
	}
	if n := v.handled.Load(); n != 1 {
		t.Errorf("handled %d requests; the hanging one must not be handled", n)
	}
}

func TestCloseReleasesHangingRequests(t *testing.T) {
	v := newVenue(t)
	v.HangNext("", 1)
	done := make(chan answer)
	go func() { done <- v.do(t, context.Background(), "GET", "/api/price", "") }()
	for v.Count("/api/price") == 0 {
		time.Sleep(time.Millisecond)
	}
	v.Close() // would block forever if the hang held on
	<-done
}

func TestLatency(t *testing.T) {
	const d = 30 * time.Millisecond
	tests := []struct {
		name string
		opts []fakevenue.Option
		set  time.Duration
		want time.Duration
		fail bool
	}{
		{name: "none", want: 0},
		{name: "at construction", opts: []fakevenue.Option{fakevenue.WithLatency(d)}, want: d},
		{name: "at run time", set: d, want: d},
		{name: "changed at run time", opts: []fakevenue.Option{fakevenue.WithLatency(time.Hour)}, set: d, want: d},
		{name: "before an injected failure", opts: []fakevenue.Option{fakevenue.WithLatency(d)}, want: d, fail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var handledAt atomic.Int64
			v := fakevenue.New(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				handledAt.Store(time.Now().UnixNano())
			}), tt.opts...)
			defer v.Close()
			if tt.set != 0 {
				v.SetLatency(tt.set)
			}
			if got := v.Latency(); got != tt.want {
				t.Errorf("Latency() = %v; want %v", got, tt.want)
			}
			if tt.fail {
				v.FailNext("", 1, 500, "", nil)
			}
			resp, err := v.Client().Get(v.URL() + "/api/price")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			answered := time.Now()
			arrived := v.Last().Time
			// Timers never fire early, so the delay is a floor; the test
			// asserts no ceiling.
			if got := answered.Sub(arrived); got < tt.want {
				t.Errorf("answered %v after arrival; want at least %v", got, tt.want)
			}
			if !tt.fail {
				if got := time.Unix(0, handledAt.Load()).Sub(arrived); got < tt.want {
					t.Errorf("handled %v after arrival; want at least %v", got, tt.want)
				}
			}
		})
	}
}

func TestLatencyAbandonedByClientIsNotHandled(t *testing.T) {
	v := newVenue(t, fakevenue.WithLatency(time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if a := v.do(t, ctx, "POST", "/api/order", ""); !a.Err {
		t.Fatalf("answered %+v through an hour of latency", a)
	}
	// The first request keeps its hour until its client goes; only the
	// second may reach the handler.
	v.SetLatency(0)
	v.do(t, t.Context(), "GET", "/api/price", "")
	if n := v.handled.Load(); n != 1 {
		t.Errorf("handled %d requests; want only the second", n)
	}
}

func TestLog(t *testing.T) {
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	v := newVenue(t,
		fakevenue.WithClock(func() time.Time { clock = clock.Add(time.Second); return clock }),
		fakevenue.WithNote(func(r *http.Request) any {
			return r.Header.Get("X-Key") != "" // what a fake keeps instead of the key
		}))
	if got := v.Last(); !cmp.Equal(got, fakevenue.Request{}) {
		t.Errorf("Last() before any request = %+v; want zero", got)
	}
	v.FailNext("POST /api/order", 1, 500, "", nil)
	v.do(t, t.Context(), "GET", "/api/price?symbol=BTCUSDT", "")
	v.do(t, t.Context(), "POST", "/api/order", "qty=1")
	v.do(t, t.Context(), "POST", "/api/order", "qty=2")
	v.do(t, t.Context(), "DELETE", "/api/order?id=7", "")

	want := []fakevenue.Request{
		{Method: "GET", Path: "/api/price", Query: "symbol=BTCUSDT", Time: clock.Add(-3 * time.Second), Note: false},
		{Method: "POST", Path: "/api/order", Body: "qty=1", Time: clock.Add(-2 * time.Second), Note: false},
		{Method: "POST", Path: "/api/order", Body: "qty=2", Time: clock.Add(-1 * time.Second), Note: false},
		{Method: "DELETE", Path: "/api/order", Query: "id=7", Time: clock, Note: false},
	}
	if diff := cmp.Diff(want, v.Requests()); diff != "" {
		t.Errorf("Requests() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[3], v.Last()); diff != "" {
		t.Errorf("Last() (-want +got):\n%s", diff)
	}
	counts := map[string]int{}
	for _, route := range []string{"POST /api/order", "DELETE /api/order", "/api/order", "GET /api/price", "/api/price", "GET /api/order", "/nowhere"} {
		counts[route] = v.Count(route)
	}
	wantCounts := map[string]int{"POST /api/order": 2, "DELETE /api/order": 1, "/api/order": 3, "GET /api/price": 1, "/api/price": 1, "GET /api/order": 0, "/nowhere": 0}
	if diff := cmp.Diff(wantCounts, counts); diff != "" {
		t.Errorf("Count (-want +got):\n%s", diff)
	}
	if got := v.Requests()[2].Route(); got != "POST /api/order" {
		t.Errorf("Route() = %q", got)
	}
}

func TestHandlerSeesBodyAndNote(t *testing.T) {
	type seen struct {
		Body string
		Note any
	}
	got := make(chan seen, 1)
	v := fakevenue.New(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{Body: string(b), Note: fakevenue.NoteOf(r)}
	}), fakevenue.WithNote(func(*http.Request) any { return "checked" }))
	defer v.Close()
	resp, err := v.Client().Post(v.URL()+"/api/order", "text/plain", strings.NewReader("qty=1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if diff := cmp.Diff(seen{Body: "qty=1", Note: "checked"}, <-got); diff != "" {
		t.Errorf("handler saw (-want +got):\n%s", diff)
	}
}

func TestHostsShareLogAndFailures(t *testing.T) {
	v := newVenue(t)
	dataURL := v.AddHost("data", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "data")
	}))
	v.FailNext("GET /v2/quotes", 1, 500, "", nil)
	resp, err := v.Client().Get(dataURL + "/v2/quotes")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Errorf("data host answered %d; want the injected 500", resp.StatusCode)
	}
	v.do(t, t.Context(), "GET", "/v2/account", "")
	got := v.Requests()
	want := []fakevenue.Request{{Host: "data", Method: "GET", Path: "/v2/quotes"}, {Method: "GET", Path: "/v2/account"}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(fakevenue.Request{}, "Time")); diff != "" {
		t.Errorf("Requests() (-want +got):\n%s", diff)
	}
}

func TestConcurrentUse(t *testing.T) {
	v := newVenue(t, fakevenue.WithLatency(time.Millisecond))
	v.FailNext("POST /api/order", 5, 503, "", nil)
	const n = 20
	errs := make(chan error, n)
	for range n {
		go func() {
			a := v.do(t, t.Context(), "POST", "/api/order", "")
			if a.Status != 503 && a.Status != 200 {
				errs <- errors.New("unexpected answer")
				return
			}
			errs <- nil
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := v.Count("POST /api/order"); got != n {
		t.Errorf("Count = %d; want %d", got, n)
	}
	if got := v.handled.Load(); got != n-5 {
		t.Errorf("handled %d; want %d (five failed)", got, n-5)
	}
}
