// Package fakevenue is the harness under tradectl's fake venues
// (fakebinance, fakecoinbase, fakekraken, fakealpaca): it runs a venue's
// http.Handler on httptest servers and adds what every fake needs and none
// should write again — a log of the requests received, failures injected
// into the next requests on a route, and latency added to every request so
// benchmarks can count round trips against a venue that is not next door.
//
// A fake keeps only what is its own: its routes, its wire format, its
// authentication and its order book. The harness never looks at headers,
// so the log cannot leak a key or signature; a fake that wants to remember
// something about a request's credentials says so with a Note.
package fakevenue

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Request is one request a venue received, as it arrived.
type Request struct {
	Host   string // "" for the main host, else the name given to AddHost
	Method string
	Path   string
	Query  string
	Body   string
	Time   time.Time // when it arrived, on the harness's clock
	// Note is what the venue's WithNote function said about the request,
	// e.g. whether its credentials were present; nil without one.
	Note any
}

// Route is the request's "METHOD /path", the form Count and the injection
// helpers take.
func (r Request) Route() string { return r.Method + " " + r.Path }

// Mode says how an injected failure plays out.
type Mode int

const (
	// Reject answers with the failure instead of handling the request.
	Reject Mode = iota
	// AfterAccept handles the request (an order is placed) and then
	// answers with the failure instead, like a 5xx whose outcome is unknown.
	AfterAccept
	// DropAfterAccept handles the request and closes the connection
	// without answering.
	DropAfterAccept
	// Hang holds the request unanswered until the client gives up or the
	// venue closes; the request is not handled.
	Hang
	// Drop reads the request and closes the connection without handling
	// or answering it.
	Drop
)

// Failure is one injected failure, used by the next matching requests.
type Failure struct {
	Method string // "" matches any method
	// Path "" matches any path (except the WithPassthrough ones); a path
	// ending in "*" matches every path with that prefix.
	Path   string
	Mode   Mode
	Status int // 0 means 500
	Body   string
	Header http.Header
	// Times is how many matching requests the failure is used for; 0
	// means once.
	Times int
}

func (f Failure) matches(method, path string) bool {
	if f.Method != "" && f.Method != method {
		return false
	}
	if prefix, ok := strings.CutSuffix(f.Path, "*"); ok {
		return strings.HasPrefix(path, prefix)
	}
	return f.Path == "" || f.Path == path
}

// Option configures a Venue.
type Option func(*Venue)

// WithLatency delays every request by d before it is handled (or fails),
// as a venue across a network would.
func WithLatency(d time.Duration) Option { return func(v *Venue) { v.latency = d } }

// WithClock replaces the clock that stamps Request.Time (default time.Now).
func WithClock(now func() time.Time) Option { return func(v *Venue) { v.clock = now } }

// WithNote has note describe each request as it arrives, before any
// failure or latency applies; the result is kept as Request.Note and is
// available to the handler through NoteOf. A venue uses it to record what
// it checked about the credentials without keeping the credentials.
func WithNote(note func(r *http.Request) any) Option {
	return func(v *Venue) { v.note = note }
}

// WithPassthrough exempts paths (exact) from failures that match any path,
// such as a market-stream endpoint that would otherwise take a failure
// meant for the REST API. A failure naming the path still applies.
func WithPassthrough(paths ...string) Option {
	return func(v *Venue) { v.passthrough = append(v.passthrough, paths...) }
}

// WithFailureContentType sets the Content-Type of injected failure bodies
// that carry none in their Header (default "application/json").
func WithFailureContentType(ct string) Option { return func(v *Venue) { v.failureType = ct } }

// maxBody caps what the harness reads of a request body; venues take far
// less.
const maxBody = 1 << 20

// Venue runs a venue's handlers with the request log, failure injection
// and latency. All methods are safe for concurrent use.
type Venue struct {
	clock       func() time.Time
	note        func(r *http.Request) any
	passthrough []string
	failureType string

	closing   chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	servers  []*httptest.Server
	latency  time.Duration
	log      []Request
	failures []Failure
}

// New starts a venue serving h on its main host. Close it when done.
func New(h http.Handler, opts ...Option) *Venue {
	v := &Venue{clock: time.Now, closing: make(chan struct{}), failureType: "application/json"}
	for _, o := range opts {
		o(v)
	}
	v.AddHost("", h)
	return v
}

// AddHost starts another host of the same venue (a market-data host next
// to the trading one) serving h, and returns its base URL. Its requests
// share the log, the failures and the latency, with Request.Host = name.
func (v *Venue) AddHost(name string, h http.Handler) string {
	ts := httptest.NewServer(v.wrap(name, h))
	v.mu.Lock()
	defer v.mu.Unlock()
	v.servers = append(v.servers, ts)
	return ts.URL
}

// URL is the main host's base URL, e.g. http://127.0.0.1:41234.
func (v *Venue) URL() string { return v.server().URL }

// Client returns an HTTP client for the venue's hosts.
func (v *Venue) Client() *http.Client { return v.server().Client() }

func (v *Venue) server() *httptest.Server {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.servers[0]
}

// Closing is closed when Close starts, so handlers that hold a request or
// a stream open can let go.
func (v *Venue) Closing() <-chan struct{} { return v.closing }

// Close stops every host, releasing hanging and delayed requests first.
func (v *Venue) Close() {
	v.closeOnce.Do(func() {
		close(v.closing)
		v.mu.Lock()
		servers := v.servers
		v.mu.Unlock()
		for _, ts := range servers {
			ts.Close()
		}
	})
}

// SetLatency changes the delay added to every request from now on.
func (v *Venue) SetLatency(d time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.latency = d
}

// Latency is the delay added to every request.
func (v *Venue) Latency() time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.latency
}

// Requests returns every request received so far, oldest first.
func (v *Venue) Requests() []Request {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Request(nil), v.log...)
}

// Last returns the most recent request, or a zero Request.
func (v *Venue) Last() Request {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.log) == 0 {
		return Request{}
	}
	return v.log[len(v.log)-1]
}

// Count returns how many requests hit route: "METHOD /path", or "/path"
// for any method.
func (v *Venue) Count(route string) int {
	method, path := SplitRoute(route)
	v.mu.Lock()
	defer v.mu.Unlock()
	n := 0
	for _, r := range v.log {
		if (method == "" || r.Method == method) && r.Path == path {
			n++
		}
	}
	return n
}

// Route joins method and path into the form Count takes; an empty method
// gives the bare path, which matches any method.
func Route(method, path string) string {
	if method == "" {
		return path
	}
	return method + " " + path
}

// Convert maps the log to a venue's own request type, which adds what the
// venue noted about each request.
func Convert[T any](log []Request, f func(Request) T) []T {
	var out []T
	for _, r := range log {
		out = append(out, f(r))
	}
	return out
}

// SplitRoute splits "METHOD /path" into its method and path; a bare path
// (or "") has no method.
func SplitRoute(route string) (method, path string) {
	if m, p, ok := strings.Cut(route, " "); ok {
		return m, p
	}
	return "", route
}

// Inject queues f; failures are used in the order they were queued, each
// by the first request it matches.
func (v *Venue) Inject(f Failure) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.failures = append(v.failures, f)
}

// FailNext answers the next n requests on route ("" any) with status, body
// and header, without handling them.
func (v *Venue) FailNext(route string, n int, status int, body string, header http.Header) {
	method, path := SplitRoute(route)
	v.Inject(Failure{Method: method, Path: path, Status: status, Body: body, Header: header, Times: n})
}

// RateLimitNext answers the next n requests on route with HTTP 429, body,
// header and a Retry-After of retryAfter in whole seconds, rounded up.
func (v *Venue) RateLimitNext(route string, n int, retryAfter time.Duration, body string, header http.Header) {
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Retry-After", fmt.Sprint(RetryAfterSeconds(retryAfter)))
	v.FailNext(route, n, http.StatusTooManyRequests, body, h)
}

// RetryAfterSeconds is d in whole seconds, rounded up, as venues send it.
func RetryAfterSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}

// HangNext holds the next n requests on route until the client gives up.
func (v *Venue) HangNext(route string, n int) {
	method, path := SplitRoute(route)
	v.Inject(Failure{Method: method, Path: path, Mode: Hang, Times: n})
}

// DropNext reads the next n requests on route and closes their
// connections without handling or answering them.
func (v *Venue) DropNext(route string, n int) {
	method, path := SplitRoute(route)
	v.Inject(Failure{Method: method, Path: path, Mode: Drop, Times: n})
}

// take removes one use of the first failure that matches.
func (v *Venue) take(method, path string) (Failure, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for i, f := range v.failures {
		if !f.matches(method, path) || (f.Path == "" && v.isPassthrough(path)) {
			continue
		}
		if f.Times > 1 {
			v.failures[i].Times--
		} else {
			v.failures = append(v.failures[:i], v.failures[i+1:]...)
		}
		return f, true
	}
	return Failure{}, false
}

func (v *Venue) isPassthrough(path string) bool {
	for _, p := range v.passthrough {
		if p == path {
			return true
		}
	}
	return false
}

type noteKey struct{}

// NoteOf returns the Note the venue's WithNote function made for r, for
// handlers that need what it checked.
func NoteOf(r *http.Request) any { return r.Context().Value(noteKey{}) }

func (v *Venue) wrap(host string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var note any
		if v.note != nil {
			note = v.note(r)
			r = r.WithContext(context.WithValue(r.Context(), noteKey{}, note))
		}
		v.mu.Lock()
		v.log = append(v.log, Request{Host: host, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Body: string(body), Time: v.clock(), Note: note})
		latency := v.latency
		v.mu.Unlock()

		if !v.wait(r.Context(), latency) {
			return
		}
		fail, failing := v.take(r.Method, r.URL.Path)
		if !failing {
			h.ServeHTTP(w, r)
			return
		}
		switch fail.Mode {
		case Reject:
			v.writeFailure(w, fail, nil)
		case Hang:
			v.wait(r.Context(), -1)
		case Drop:
			drop(w)
		case AfterAccept, DropAfterAccept:
			// The handler acts in full; only its answer is replaced.
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if fail.Mode == DropAfterAccept {
				drop(w)
				return
			}
			v.writeFailure(w, fail, rec.Header())
		}
	})
}

// wait sleeps d (forever when d < 0) and reports whether the request
// should go on: false when the client gave up or the venue is closing.
func (v *Venue) wait(ctx context.Context, d time.Duration) bool {
	if d == 0 {
		return true
	}
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
		return true
	case <-ctx.Done():
	case <-v.closing:
	}
	return false
}

// writeFailure answers with f. Headers the handler set (a rate-limit
// counter) go out too when it ran, except its Content-Type: the failure's
// body is not the handler's.
func (v *Venue) writeFailure(w http.ResponseWriter, f Failure, handled http.Header) {
	for k, vs := range handled {
		if k != "Content-Type" {
			w.Header()[k] = vs
		}
	}
	for k, vs := range f.Header {
		w.Header()[k] = vs
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", v.failureType)
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(f.Body))
}

// drop closes the connection without an answer, as a venue's load
// balancer does when the backend dies mid-request.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
