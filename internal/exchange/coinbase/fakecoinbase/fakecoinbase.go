// Package fakecoinbase is an in-process Coinbase Advanced Trade venue for
// tests: an httptest server that speaks the REST API's JSON closely enough
// that the adapter cannot tell it from the real one.
//
// It authenticates private endpoints the way Coinbase documents: a new
// ES256 JWT per request, verified with the key's public half (raw r‖s
// signature), header alg/kid/nonce/typ, claims iss "cdp", sub, nbf, exp
// (at most two minutes), and uri "METHOD host/path"; a nonce is accepted
// once. Public /market endpoints need no token. It keeps products with
// realistic increments, accounts whose holds follow resting orders, a one
// level book per product, orders with Coinbase's statuses and client_order_id
// dedupe (a repeated id returns the existing order), and it lets a test
// inject failures (429, 5xx after a create was accepted, dropped
// connections, hangs) and inspect what it received.
//
// It is a regular package (not _test) so end-to-end CLI tests can start it
// too. It never logs or returns tokens.
package fakecoinbase

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Prefix is the REST API prefix every endpoint lives under.
const Prefix = "/api/v3/brokerage"

// Server is a fake Coinbase Advanced Trade venue. All methods are safe for
// concurrent use.
type Server struct {
	ts *httptest.Server

	keyName string
	pub     *ecdsa.PublicKey

	closing   chan struct{}
	closeOnce sync.Once

	clock func() time.Time

	mu           sync.Mutex
	products     map[string]*product
	productOrder []string
	accounts     map[string]*account
	orders       []*order
	byClientID   map[string]*order
	nonces       map[string]bool
	failures     []Failure
	requests     []Request
	created      int
	takerFee     decimal.Decimal
	makerFee     decimal.Decimal
	pageMax      int
}

// Option configures a Server.
type Option func(*Server)

// WithClock replaces the venue's clock (default time.Now); tokens are
// judged against it.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.clock = now } }

// WithProducts replaces the default products.
func WithProducts(specs ...ProductSpec) Option {
	return func(s *Server) {
		s.products = map[string]*product{}
		s.productOrder = nil
		for _, sp := range specs {
			s.addProduct(sp)
		}
	}
}

// WithFees sets the maker and taker fee rates, charged in the quote
// currency (default 0.004 and 0.006, Coinbase's entry tier).
func WithFees(maker, taker decimal.Decimal) Option {
	return func(s *Server) { s.makerFee, s.takerFee = maker, taker }
}

// WithPageMax caps the page size of accounts and order lists (default 250
// and the venue's own limits), so tests can exercise cursors.
func WithPageMax(n int) Option { return func(s *Server) { s.pageMax = n } }

// New starts a fake venue that accepts JWTs from the CDP key keyName whose
// public key is pub, with DefaultProducts and balances of 100000 USD, 1 BTC,
// 10 ETH and 100 SOL. Close it when done.
func New(keyName string, pub *ecdsa.PublicKey, opts ...Option) *Server {
	s := &Server{
		keyName:    keyName,
		pub:        pub,
		closing:    make(chan struct{}),
		clock:      time.Now,
		products:   map[string]*product{},
		accounts:   map[string]*account{},
		byClientID: map[string]*order{},
		nonces:     map[string]bool{},
		takerFee:   decimal.RequireFromString("0.006"),
		makerFee:   decimal.RequireFromString("0.004"),
		pageMax:    250,
	}
	for _, sp := range DefaultProducts() {
		s.addProduct(sp)
	}
	for _, o := range opts {
		o(s)
	}
	for cur, amount := range map[string]string{"USD": "100000", "BTC": "1", "ETH": "10", "SOL": "100"} {
		s.acct(cur).available = decimal.RequireFromString(amount)
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the base URL, e.g. http://127.0.0.1:41234 (without the API prefix).
func (s *Server) URL() string { return s.ts.URL }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close stops the server, releasing hanging requests first.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.ts.Close()
	})
}

func (s *Server) now() time.Time { return s.clock().UTC() }

// Request is one request the fake received. The token is reduced to
// whether it passed, why not, and its uri claim, so a dump of requests
// never shows it.
type Request struct {
	Method string
	Path   string
	Query  string
	Body   string
	// Authenticated says a valid JWT came with the request; AuthError
	// says why one was refused ("" when none was sent or it passed).
	Authenticated bool
	AuthError     string
	URI           string // the token's uri claim, when it decoded
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests hit method and path ("" matches any
// method); path is the full path, e.g. fakecoinbase.Prefix+"/orders".
func (s *Server) Count(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if (method == "" || r.Method == method) && r.Path == path {
			n++
		}
	}
	return n
}

// LastRequest returns the most recent request, or a zero Request.
func (s *Server) LastRequest() Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		return Request{}
	}
	return s.requests[len(s.requests)-1]
}

// OrdersCreated counts orders the venue created (dedupe answers and
// refusals excluded).
func (s *Server) OrdersCreated() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created
}

// FailureMode says how an injected failure plays out.
type FailureMode int

const (
	// Reject answers with the failure instead of handling the request.
	Reject FailureMode = iota
	// AfterAccept handles the request (an order is created) and then
	// answers with the failure, like a 5xx whose outcome is unknown.
	AfterAccept
	// DropAfterAccept handles the request and closes the connection
	// without answering.
	DropAfterAccept
	// Hang holds the request unanswered until the client gives up or the
	// server closes.
	Hang
)

// Failure is one injected failure, used by the next matching request.
type Failure struct {
	Method string // "" matches any method
	Path   string // "" matches any path; else the full path
	Mode   FailureMode
	Status int
	Body   string
	Header http.Header
}

// Inject queues f; each failure is used once, in order.
func (s *Server) Inject(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f)
}

// RateLimitNext answers the next request with HTTP 429 and a Retry-After
// of retryAfter (whole seconds, rounded up).
func (s *Server) RateLimitNext(retryAfter time.Duration) {
	secs := int((retryAfter + time.Second - 1) / time.Second)
	h := http.Header{}
	h.Set("Retry-After", fmt.Sprint(secs))
	s.Inject(Failure{Status: http.StatusTooManyRequests, Header: h,
		Body: `{"error":"RESOURCE_EXHAUSTED","code":8,"message":"Too many requests","details":[]}`})
}

// HangNext holds the next request until the client gives up.
func (s *Server) HangNext() { s.Inject(Failure{Mode: Hang}) }

// FailNextCreateAfterAccept creates the next order and then answers with
// status and a gateway error body.
func (s *Server) FailNextCreateAfterAccept(status int) {
	s.Inject(Failure{Method: http.MethodPost, Path: Prefix + "/orders", Mode: AfterAccept, Status: status,
		Body: `{"error":"INTERNAL","code":13,"message":"internal error","details":[]}`})
}

// DropNextCreateAfterAccept creates the next order and then drops the
// connection without answering.
func (s *Server) DropNextCreateAfterAccept() {
	s.Inject(Failure{Method: http.MethodPost, Path: Prefix + "/orders", Mode: DropAfterAccept})
}

func (s *Server) takeFailure(method, path string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.failures {
		if (f.Method == "" || f.Method == method) && (f.Path == "" || f.Path == path) {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
			return f, true
		}
	}
	return Failure{}, false
}

// response is what a handler produced, written by serveHTTP so injected
// failures can replace it after the handler acted.
type response struct {
	status int
	body   []byte
	ctype  string
}

func jsonResponse(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		return response{status: 500, body: []byte(`{"error":"INTERNAL","code":13,"message":"internal error","details":[]}`)}
	}
	return response{status: status, body: b}
}

func ok(v any) response { return jsonResponse(http.StatusOK, v) }

// gatewayError is grpc-gateway's error document, which Coinbase answers
// non-2xx requests with.
func gatewayError(status int, code int, name, message string) response {
	return jsonResponse(status, map[string]any{"error": name, "code": code, "message": message, "details": []any{}})
}

func invalidArgument(message string) response {
	return gatewayError(http.StatusBadRequest, 3, "INVALID_ARGUMENT", message)
}

func notFound(message string) response {
	return jsonResponse(http.StatusNotFound, map[string]any{"error": "NOT_FOUND", "error_details": message, "message": message})
}

// route is one endpoint: private ones need a valid token.
type route struct {
	private bool
	handle  func(s *Server, r *http.Request, body []byte) response
}

// match finds the route for method and path below Prefix.
func match(method, rest string) (route, bool) {
	switch {
	case method == http.MethodGet && rest == "/time":
		return route{handle: (*Server).handleTime}, true
	case method == http.MethodGet && rest == "/market/products":
		return route{handle: (*Server).handleProducts}, true
	case method == http.MethodGet && strings.HasPrefix(rest, "/market/products/") && strings.HasSuffix(rest, "/ticker"):
		return route{handle: (*Server).handleTicker}, true
	case method == http.MethodGet && strings.HasPrefix(rest, "/market/products/"):
		return route{handle: (*Server).handleProduct}, true
	case method == http.MethodGet && rest == "/products":
		return route{private: true, handle: (*Server).handleProducts}, true
	case method == http.MethodGet && rest == "/best_bid_ask":
		return route{private: true, handle: (*Server).handleBestBidAsk}, true
	case method == http.MethodGet && rest == "/key_permissions":
		return route{private: true, handle: (*Server).handleKeyPermissions}, true
	case method == http.MethodGet && rest == "/accounts":
		return route{private: true, handle: (*Server).handleAccounts}, true
	case method == http.MethodPost && rest == "/orders":
		return route{private: true, handle: (*Server).handleCreate}, true
	case method == http.MethodPost && rest == "/orders/preview":
		return route{private: true, handle: (*Server).handlePreview}, true
	case method == http.MethodPost && rest == "/orders/batch_cancel":
		return route{private: true, handle: (*Server).handleBatchCancel}, true
	case method == http.MethodGet && rest == "/orders/historical/batch":
		return route{private: true, handle: (*Server).handleListOrders}, true
	case method == http.MethodGet && strings.HasPrefix(rest, "/orders/historical/"):
		return route{private: true, handle: (*Server).handleGetOrder}, true
	}
	return route{}, false
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body)}

	rest, underPrefix := strings.CutPrefix(r.URL.Path, Prefix)
	rt, found := match(r.Method, rest)
	var authErr string
	if found && rt.private {
		var uri string
		uri, authErr = s.authenticate(r)
		rec.URI = uri
		rec.Authenticated = authErr == ""
		if r.Header.Get("Authorization") != "" {
			rec.AuthError = authErr
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()

	fail, failing := s.takeFailure(r.Method, r.URL.Path)
	if failing {
		switch fail.Mode {
		case Reject:
			writeFailure(w, fail)
			return
		case Hang:
			select {
			case <-r.Context().Done():
			case <-s.closing:
			}
			return
		}
	}

	var resp response
	switch {
	case !underPrefix || !found:
		// Coinbase's edge answers unknown paths with a bare 404 page.
		resp = response{status: http.StatusNotFound, body: []byte("404 page not found\n"), ctype: "text/plain; charset=utf-8"}
	case rt.private && authErr != "":
		resp = response{status: http.StatusUnauthorized, body: []byte("Unauthorized\n"), ctype: "text/plain; charset=utf-8"}
	default:
		s.mu.Lock()
		s.expireLocked()
		resp = rt.handle(s, r, body)
		s.mu.Unlock()
	}

	if failing && fail.Mode == DropAfterAccept {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if failing && fail.Mode == AfterAccept {
		writeFailure(w, fail)
		return
	}
	ctype := resp.ctype
	if ctype == "" {
		ctype = "application/json"
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

func writeFailure(w http.ResponseWriter, f Failure) {
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(f.Body))
}

func (s *Server) handleTime(_ *http.Request, _ []byte) response {
	now := s.now()
	return ok(map[string]any{
		"iso":          now.Format(time.RFC3339Nano),
		"epochSeconds": fmt.Sprint(now.Unix()),
		"epochMillis":  fmt.Sprint(now.UnixMilli()),
	})
}

func (s *Server) String() string { return fmt.Sprintf("fakecoinbase(%s)", s.URL()) }
