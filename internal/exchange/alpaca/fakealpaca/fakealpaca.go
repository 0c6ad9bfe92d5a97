// Package fakealpaca is an in-process Alpaca venue for tests: two httptest
// servers, one for the Trading API and one for the Market Data API, that
// speak Alpaca's wire format closely enough that the adapter cannot tell
// them from the real hosts.
//
// It checks what Alpaca checks: both key headers on every request (401
// {"code":40110000,"message":"request is not authorized"} otherwise), order
// fields, sub-penny prices, crypto increments, fractionable assets, buying
// power and available quantity (403), and client_order_id uniqueness across
// all orders, open or not (422). It answers with Alpaca's JSON shapes —
// strings for trading numbers, JSON numbers for market data — and with
// X-RateLimit-Limit/-Remaining/-Reset headers, enforcing its own per-minute
// limit with 429.
//
// Placement is asynchronous as on Alpaca: POST /v2/orders answers
// pending_new with nothing filled; the order is processed before the next
// request the fake serves, so a marketable order is filled on the next read
// and a resting one becomes new. Buy orders hold buying power until filled
// or canceled; fills move cash and build positions with an average entry
// price. Crypto positions are named without the slash ("BTCUSD"), as
// Alpaca names them. Every fill is a FILL activity
// (GET /v2/account/activities/FILL, paged by page_token), and SeedFills
// adds thousands of older ones.
//
// Tests can inject failures (429, a 5xx after the order was accepted, a
// dropped connection, a hang) and inspect what the fake received. It is a
// regular package (not _test) so end-to-end CLI tests can start it too. The
// fake never logs or prints the credentials it was given.
package fakealpaca

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// Server is a fake Alpaca account. All methods are safe for concurrent use.
type Server struct {
	// Front's URL is the Trading API's (base_url); its Client serves
	// both hosts, and its failures hit either.
	fakevenue.Front[Request]
	v       *fakevenue.Venue // the trading host, with the data host added
	dataURL string

	keyID  string
	secret string

	clock   func() time.Time
	latency time.Duration
	stream  tradeStream // the trading stream (tradestream.go)
	data    dataStream  // the market data stream (datastream.go)

	mu          sync.Mutex
	assets      fakevenue.Listing[*asset] // by Alpaca symbol: "AAPL", "BTC/USD"
	cash        decimal.Decimal
	positions   map[string]*position // by Alpaca symbol of the asset
	orders      []*order
	byID        map[string]*order
	byClientID  map[string]*order
	fills       []Fill    // FILL activities, as they happened
	seed        *fillSeed // WithSeededFills, applied after the other options
	compactFill bool
	lastCreated time.Time
	placed      atomic.Int64 // read without the lock
	rateLimit   int
	rateMinute  int64
	rateUsed    int
	accountID   string
	barsPage    int // WithBarsPageSize
}

// Option configures a Server.
type Option func(*Server)

// WithAssets replaces the default assets.
func WithAssets(specs ...AssetSpec) Option {
	return func(s *Server) {
		s.assets.Reset()
		for _, sp := range specs {
			s.addAsset(sp)
		}
	}
}

// WithRateLimit sets the trading API's requests per minute (default 200,
// Alpaca's documented limit); beyond it the fake answers 429.
func WithRateLimit(n int) Option { return func(s *Server) { s.rateLimit = n } }

// WithLatency delays every request on either host by d, as a venue across
// a network would, so benchmarks can count round trips.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// New starts a fake account that accepts keyID and secret in the
// APCA-API-KEY-ID and APCA-API-SECRET-KEY headers, with the default assets
// (AAPL, MSFT, TSLA fractionable stocks; BTC/USD, ETH/USD crypto; a
// non-tradable OLD stock) and 100000 USD of cash. Close it when done.
func New(keyID, secret string, opts ...Option) *Server {
	s := &Server{
		keyID:      keyID,
		secret:     secret,
		clock:      time.Now,
		positions:  map[string]*position{},
		byID:       map[string]*order{},
		byClientID: map[string]*order{},
		cash:       decimal.NewFromInt(100000),
		rateLimit:  200,
		accountID:  fakevenue.NewUUID(),
	}
	for _, sp := range DefaultAssets() {
		s.addAsset(sp)
	}
	for _, o := range opts {
		o(s)
	}
	if s.seed != nil {
		s.SeedFills(s.seed.n, s.seed.start, s.seed.every)
	}
	s.v = fakevenue.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, tradingRoutes, true) }),
		fakevenue.WithLatency(s.latency),
		fakevenue.WithClock(s.clock),
		fakevenue.WithFailureContentType("application/json; charset=UTF-8"),
		fakevenue.WithNote(func(r *http.Request) any { return s.authorized(r) }))
	s.Front = fakevenue.NewFront(s.v, request)
	s.dataURL = s.v.AddHost(dataHost, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, dataRoutes, false) }))
	return s
}

// dataHost names the Market Data API host in the harness's log.
const dataHost = "data"

// DataURL is the Market Data API base URL (data_url).
func (s *Server) DataURL() string { return s.dataURL }

func (s *Server) now() time.Time { return s.clock().UTC() }

// Request is one request the fake received. The key headers are reduced to
// whether they matched, so a dump of requests never shows them.
type Request struct {
	fakevenue.Request
	Data       bool // true for the market data host
	Authorized bool
}

func request(r fakevenue.Request) Request {
	auth, _ := r.Note.(bool)
	return Request{Request: r, Data: r.Host == dataHost, Authorized: auth}
}

// OrdersPlaced counts orders the venue accepted.
func (s *Server) OrdersPlaced() int { return int(s.placed.Load()) }

// Failure is one injected failure, used by the next matching request on
// either host.
type Failure = fakevenue.Failure

// RateLimitNext answers the next request with 429, Retry-After of
// retryAfter (whole seconds, rounded up) and the X-RateLimit headers of a
// spent window that resets then.
func (s *Server) RateLimitNext(retryAfter time.Duration) {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "200")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.now().Unix()+fakevenue.RetryAfterSeconds(retryAfter), 10))
	s.v.RateLimitNext("", 1, retryAfter, `{"code":42910000,"message":"rate limit exceeded"}`, h)
}

// orderRoute places an order.
const orderRoute = "POST /v2/orders"

// FailNextOrderAfterAccept places the next order and then answers status
// with an internal-error body.
func (s *Server) FailNextOrderAfterAccept(status int) {
	s.FailNextAfterAccept(orderRoute, status, `{"code":50010000,"message":"internal server error occurred"}`, nil)
}

// DropNextOrderAfterAccept places the next order and then drops the
// connection without answering.
func (s *Server) DropNextOrderAfterAccept() {
	s.DropNextAfterAccept(orderRoute)
}

// apiError is Alpaca's error body.
type apiError struct {
	status  int
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func errBody(status, code int, format string, args ...any) *apiError {
	return &apiError{status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Alpaca's codes are the HTTP status followed by a sequence.
func unprocessable(format string, args ...any) *apiError {
	return errBody(http.StatusUnprocessableEntity, 40010001, format, args...)
}

var (
	errUnauthorized  = errBody(http.StatusUnauthorized, 40110000, "request is not authorized")
	errOrderNotFound = errBody(http.StatusNotFound, 40410000, "order not found")
)

// response is what a handler produced, written by serve so injected
// failures can replace it after the handler acted.
type response struct {
	status int
	body   []byte
	text   bool // plain text rather than JSON
}

func jsonResponse(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		return response{status: 500, body: []byte(`{"code":50010000,"message":"internal server error occurred"}`)}
	}
	return response{status: status, body: b}
}

func errorResponse(e *apiError) response { return jsonResponse(e.status, e) }

// handler serves one route with the lock held; rest is the path after the
// route's prefix (an order id).
type handler func(s *Server, r *http.Request, body []byte, rest string) response

type route struct {
	method string
	path   string // exact, or a prefix when it ends in "/"
	handle handler
}

var tradingRoutes = []route{
	{http.MethodGet, "/v2/account", (*Server).handleAccount},
	{http.MethodGet, "/v2/assets", (*Server).handleAssets},
	{http.MethodGet, "/v2/positions", (*Server).handlePositions},
	{http.MethodGet, "/v2/account/activities/", (*Server).handleActivities},
	{http.MethodPost, "/v2/orders", (*Server).handleNewOrder},
	{http.MethodGet, "/v2/orders", (*Server).handleListOrders},
	{http.MethodDelete, "/v2/orders", (*Server).handleCancelAll},
	{http.MethodGet, "/v2/orders:by_client_order_id", (*Server).handleOrderByClientID},
	{http.MethodGet, "/v2/orders/", (*Server).handleGetOrder},
	{http.MethodDelete, "/v2/orders/", (*Server).handleCancelOrder},
	{http.MethodPatch, "/v2/orders/", (*Server).handleReplaceOrder},
}

var dataRoutes = []route{
	{http.MethodGet, "/v2/stocks/quotes/latest", (*Server).handleStockQuotes},
	{http.MethodGet, "/v2/stocks/trades/latest", (*Server).handleStockTrades},
	{http.MethodGet, "/v1beta3/crypto/us/latest/quotes", (*Server).handleCryptoQuotes},
	{http.MethodGet, "/v1beta3/crypto/us/latest/trades", (*Server).handleCryptoTrades},
	{http.MethodGet, "/v1beta3/crypto/us/latest/orderbooks", (*Server).handleCryptoOrderbooks},
	{http.MethodGet, "/v1beta3/crypto/us/bars", (*Server).handleCryptoBars},
	{http.MethodGet, "/v2/stocks/bars", (*Server).handleStockBars},
}

func match(routes []route, method, path string) (route, string, bool) {
	for _, rt := range routes {
		if rt.method != method {
			continue
		}
		if strings.HasSuffix(rt.path, "/") {
			if rest, ok := strings.CutPrefix(path, rt.path); ok && rest != "" && !strings.Contains(rest, "/") {
				return rt, rest, true
			}
			continue
		}
		if path == rt.path {
			return rt, "", true
		}
	}
	return route{}, "", false
}

func (s *Server) authorized(r *http.Request) bool {
	key := r.Header.Get("APCA-API-KEY-ID")
	sec := r.Header.Get("APCA-API-SECRET-KEY")
	okKey := subtle.ConstantTimeCompare([]byte(key), []byte(s.keyID)) == 1
	okSec := subtle.ConstantTimeCompare([]byte(sec), []byte(s.secret)) == 1
	return okKey && okSec && s.keyID != ""
}

// serve answers one request on either host; the harness has logged it
// and applied latency and injected failures.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, routes []route, trading bool) {
	body, _ := io.ReadAll(r.Body) // the harness has read it whole already
	auth, _ := fakevenue.NoteOf(r).(bool)
	s.mu.Lock()
	resp, header := s.serveLocked(r, routes, trading, auth, body)
	s.mu.Unlock()

	for k, vs := range header {
		w.Header()[k] = vs
	}
	if resp.status == http.StatusNoContent {
		w.WriteHeader(resp.status)
		return
	}
	if resp.text {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// serveLocked counts the request against the rate limit, authenticates,
// processes orders placed by earlier requests and runs the handler.
func (s *Server) serveLocked(r *http.Request, routes []route, trading, auth bool, body []byte) (response, http.Header) {
	header := http.Header{}
	if trading {
		now := s.now()
		if m := now.Unix() / 60; m != s.rateMinute {
			s.rateMinute, s.rateUsed = m, 0
		}
		s.rateUsed++
		reset := (s.rateMinute + 1) * 60
		header.Set("X-RateLimit-Limit", strconv.Itoa(s.rateLimit))
		header.Set("X-RateLimit-Remaining", strconv.Itoa(max(s.rateLimit-s.rateUsed, 0)))
		header.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
		if s.rateUsed > s.rateLimit {
			header.Set("Retry-After", strconv.FormatInt(max(reset-now.Unix(), 1), 10))
			return errorResponse(errBody(http.StatusTooManyRequests, 42910000, "rate limit exceeded")), header
		}
	}
	if !auth {
		return errorResponse(errUnauthorized), header
	}
	rt, rest, ok := match(routes, r.Method, r.URL.Path)
	if !ok {
		// Go's own 404, not Alpaca's JSON: a wrong path is a client bug.
		return response{status: http.StatusNotFound, body: []byte("404 page not found\n"), text: true}, header
	}
	s.processLocked()
	return rt.handle(s, r, body, rest), header
}
