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
// dedupe (a repeated id returns the existing order), every fill it makes in
// List Fills (paged, with SeedFills for thousands of older ones), and it lets a test
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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// Prefix is the REST API prefix every endpoint lives under.
const Prefix = "/api/v3/brokerage"

// Server is a fake Coinbase Advanced Trade venue. All methods are safe for
// concurrent use.
type Server struct {
	// Front's URL is the base URL, without the API prefix; its Count
	// takes the full path, e.g. fakecoinbase.Prefix+"/orders".
	fakevenue.Front[Request]
	v *fakevenue.Venue

	keyName string
	pub     *ecdsa.PublicKey

	clock   func() time.Time
	latency time.Duration
	ws      wsEndpoint     // the market-data WebSocket (ws.go)
	wsUser  wsUserEndpoint // the user channel's (wsuser.go)

	mu         sync.Mutex
	products   fakevenue.Listing[*product]
	accounts   map[string]*account
	orders     []*order
	fills      []Fill    // every execution, in the order it was recorded
	seed       *fillSeed // WithSeededFills, applied after the other options
	byClientID map[string]*order
	nonces     map[string]bool
	created    atomic.Int64 // read without the lock
	takerFee   decimal.Decimal
	makerFee   decimal.Decimal
	pageMax    int
	// attachAtCreate creates an entry's attached order with the entry
	// (WithAttachedAtCreate).
	attachAtCreate bool
}

// Option configures a Server.
type Option func(*Server)

// WithClock replaces the venue's clock (default time.Now); tokens are
// judged against it.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.clock = now } }

// WithPageMax caps the page size of accounts, order lists and fills
// (default 250, and the venue's own limits), so tests can exercise cursors.
func WithPageMax(n int) Option { return func(s *Server) { s.pageMax = n } }

// WithLatency delays every request by d, as a venue across a network
// would, so benchmarks can count round trips.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// WithAttachedAtCreate creates an entry's attached trigger bracket with the
// entry, PENDING until the entry fills, and leaves it when the entry is
// canceled. Coinbase's references say neither when the attached order
// appears nor what canceling its entry does to it; by default the fake
// places it when the entry fills, and this is the other reading a client
// must handle.
func WithAttachedAtCreate() Option { return func(s *Server) { s.attachAtCreate = true } }

// New starts a fake venue that accepts JWTs from the CDP key keyName whose
// public key is pub, with DefaultProducts and balances of 100000 USD, 1 BTC,
// 10 ETH and 100 SOL. Close it when done.
func New(keyName string, pub *ecdsa.PublicKey, opts ...Option) *Server {
	s := &Server{
		keyName:    keyName,
		pub:        pub,
		clock:      time.Now,
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
	if s.seed != nil {
		s.SeedFills(s.seed.n, s.seed.start, s.seed.every)
	}
	for cur, amount := range map[string]string{"USD": "100000", "BTC": "1", "ETH": "10", "SOL": "100"} {
		s.acct(cur).Free = decimal.RequireFromString(amount)
	}
	s.v = fakevenue.New(http.HandlerFunc(s.serveHTTP),
		fakevenue.WithLatency(s.latency),
		fakevenue.WithClock(s.clock),
		fakevenue.WithNote(s.checkToken))
	s.Front = fakevenue.NewFront(s.v, request)
	return s
}

func (s *Server) now() time.Time { return s.clock().UTC() }

// Request is one request the fake received. The token is reduced to
// whether it passed, why not, and its uri claim, so a dump of requests
// never shows it.
type Request struct {
	fakevenue.Request
	// Authenticated says a valid JWT came with the request; AuthError
	// says why one was refused ("" when none was sent or it passed).
	Authenticated bool
	AuthError     string
	URI           string // the token's uri claim, when it decoded
}

// tokenCheck is what the fake found of a private request's token; it is
// checked once, as the request arrives, because a nonce is good once.
type tokenCheck struct {
	private bool
	uri     string
	err     string // "" when the token passed
	sent    bool
}

// checkToken authenticates private requests as they arrive, so even a
// request an injected failure answers has its token judged and its nonce
// used, as at the venue's edge.
func (s *Server) checkToken(r *http.Request) any {
	rest, _ := strings.CutPrefix(r.URL.Path, Prefix)
	rt, found := match(r.Method, rest)
	if !found || !rt.private {
		return tokenCheck{}
	}
	uri, err := s.authenticate(r)
	return tokenCheck{private: true, uri: uri, err: err, sent: r.Header.Get("Authorization") != ""}
}

func request(r fakevenue.Request) Request {
	out := Request{Request: r}
	if tc, _ := r.Note.(tokenCheck); tc.private {
		out.URI, out.Authenticated = tc.uri, tc.err == ""
		if tc.sent {
			out.AuthError = tc.err
		}
	}
	return out
}

// OrdersCreated counts orders the venue created (dedupe answers and
// refusals excluded).
func (s *Server) OrdersCreated() int { return int(s.created.Load()) }

// RateLimitNext answers the next request with HTTP 429 and a Retry-After
// of retryAfter (whole seconds, rounded up).
func (s *Server) RateLimitNext(retryAfter time.Duration) {
	s.v.RateLimitNext("", 1, retryAfter, `{"error":"RESOURCE_EXHAUSTED","code":8,"message":"Too many requests","details":[]}`, nil)
}

// Failure is a scripted answer for requests matching Method and Path.
type Failure = fakevenue.Failure

// createRoute creates an order.
const createRoute = http.MethodPost + " " + Prefix + "/orders"

// FailNextCreateAfterAccept creates the next order and then answers with
// status and a gateway error body.
func (s *Server) FailNextCreateAfterAccept(status int) {
	s.FailNextAfterAccept(createRoute, status, `{"error":"INTERNAL","code":13,"message":"internal error","details":[]}`, nil)
}

// DropNextCreateAfterAccept creates the next order and then drops the
// connection without answering.
func (s *Server) DropNextCreateAfterAccept() {
	s.DropNextAfterAccept(createRoute)
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
	case method == http.MethodGet && strings.HasPrefix(rest, "/market/products/") && strings.HasSuffix(rest, "/candles"):
		return route{handle: (*Server).handleCandles}, true
	case method == http.MethodGet && rest == "/market/product_book":
		return route{handle: (*Server).handleProductBook}, true
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
	case method == http.MethodPost && rest == "/orders/edit":
		return route{private: true, handle: (*Server).handleEdit}, true
	case method == http.MethodPost && rest == "/orders/batch_cancel":
		return route{private: true, handle: (*Server).handleBatchCancel}, true
	case method == http.MethodGet && rest == "/orders/historical/fills":
		return route{private: true, handle: (*Server).handleFills}, true
	case method == http.MethodGet && rest == "/orders/historical/batch":
		return route{private: true, handle: (*Server).handleListOrders}, true
	case method == http.MethodGet && strings.HasPrefix(rest, "/orders/historical/"):
		return route{private: true, handle: (*Server).handleGetOrder}, true
	}
	return route{}, false
}

// serveHTTP answers one request; the harness has logged it, checked its
// token and applied latency and injected failures.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rest, underPrefix := strings.CutPrefix(r.URL.Path, Prefix)
	rt, found := match(r.Method, rest)
	tc, _ := fakevenue.NoteOf(r).(tokenCheck)
	var resp response
	switch {
	case !underPrefix || !found:
		// Coinbase's edge answers unknown paths with a bare 404 page.
		resp = response{status: http.StatusNotFound, body: []byte("404 page not found\n"), ctype: "text/plain; charset=utf-8"}
	case rt.private && tc.err != "":
		resp = response{status: http.StatusUnauthorized, body: []byte("Unauthorized\n"), ctype: "text/plain; charset=utf-8"}
	default:
		body, _ := io.ReadAll(r.Body) // the harness has read it whole already
		s.mu.Lock()
		s.expireLocked()
		resp = rt.handle(s, r, body)
		s.mu.Unlock()
	}
	ctype := resp.ctype
	if ctype == "" {
		ctype = "application/json"
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

func (s *Server) handleTime(_ *http.Request, _ []byte) response {
	now := s.now()
	return ok(map[string]any{
		"iso":          now.Format(time.RFC3339Nano),
		"epochSeconds": fmt.Sprint(now.Unix()),
		"epochMillis":  fmt.Sprint(now.UnixMilli()),
	})
}
