// Package fakebinance is an in-process Binance Spot venue for tests: an
// httptest server that speaks Binance's wire format closely enough that the
// adapter cannot tell it from the real REST API and market streams.
//
// It checks what Binance checks (API key header, HMAC-SHA256 or Ed25519
// signature over the exact query+body bytes, timestamp against recvWindow on
// its own clock, symbol filters, balances), answers with Binance's JSON
// shapes, error codes and X-MBX-USED-WEIGHT-1M headers, keeps an order book
// of one price level per side, and lets a test inject failures and inspect
// what it received. myTrades pages as Binance's does (fromId, limit up to
// 1000, startTime and endTime at most 24 hours apart, orderId, and only
// the parameter combinations Binance accepts), and WithTradeHistory gives
// the account thousands of past executions to page through. It is a regular package (not _test) so end-to-end CLI
// tests can start it too.
//
// The fake never logs or prints the credentials it was given.
package fakebinance

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// Server is a fake Binance Spot venue. All methods are safe for concurrent use.
type Server struct {
	fakevenue.Front[Request] // its Close is the Server's own
	v                        *fakevenue.Venue

	apiKey string
	secret []byte
	edPub  ed25519.PublicKey

	closing <-chan struct{} // the harness's, for streams to let go

	clock   func() time.Time
	latency time.Duration

	mu             sync.Mutex
	clockOffset    time.Duration
	symbols        fakevenue.Listing[*symbol]
	balances       map[string]*balance
	orders         []*order
	trades         []*tradeRec
	nextOrderID    int64
	nextListID     int64
	nextTradeID    int64
	nextUpdateID   int64
	commission     decimal.Decimal
	weightMinute   int64
	weightUsed     int
	weightLimit    int
	placed         atomic.Int64 // read without the lock
	streamsOff     bool
	streamInterval time.Duration
	wsConns        map[*websocket.Conn]struct{}
	wsAccepted     int
	bookChanged    chan struct{} // closed and replaced on every book change
	seeds          []historySeed // WithTradeHistory's, until New applies them
	users          userStreams   // the user data stream (userstream.go)
}

// Option configures a Server.
type Option func(*Server)

// WithEd25519PublicKey makes the fake verify Ed25519 signatures (base64, as
// Binance's asymmetric keys use) instead of HMAC with the secret.
func WithEd25519PublicKey(pub ed25519.PublicKey) Option {
	return func(s *Server) { s.edPub = pub }
}

// WithClock replaces the venue's clock (default time.Now), so a test can
// pin the minute that request weight is counted in.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.clock = now } }

// WithSymbols replaces the default symbols.
func WithSymbols(specs ...SymbolSpec) Option {
	return func(s *Server) {
		s.symbols.Reset()
		for _, sp := range specs {
			s.addSymbol(sp)
		}
	}
}

// WithWeightLimit sets the REQUEST_WEIGHT limit per minute the fake
// advertises in exchangeInfo and enforces with HTTP 429 (default 6000).
func WithWeightLimit(n int) Option { return func(s *Server) { s.weightLimit = n } }

// WithStreamInterval sets how often the market stream repeats the book
// when nothing changes (default 100ms).
func WithStreamInterval(d time.Duration) Option { return func(s *Server) { s.streamInterval = d } }

// WithLatency delays every request by d, as a venue across a network
// would, so benchmarks can count round trips.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// New starts a fake venue that accepts apiKey and signs with apiSecret
// (HMAC-SHA256), with default symbols BTCUSDT, ETHUSDT, BNBUSDT, ETHBTC and
// a halted OLDUSDT, and balances of 100000 USDT, 1 BTC, 10 ETH and 10 BNB.
// Close it when done.
func New(apiKey, apiSecret string, opts ...Option) *Server {
	s := &Server{
		clock:          time.Now,
		apiKey:         apiKey,
		secret:         []byte(apiSecret),
		balances:       map[string]*balance{},
		nextOrderID:    1,
		nextTradeID:    1,
		nextUpdateID:   1000,
		commission:     decimal.RequireFromString("0.001"),
		weightLimit:    6000,
		streamInterval: 100 * time.Millisecond,
		wsConns:        map[*websocket.Conn]struct{}{},
		bookChanged:    make(chan struct{}),
	}
	for _, sp := range DefaultSymbols() {
		s.addSymbol(sp)
	}
	for asset, amount := range map[string]string{"USDT": "100000", "BTC": "1", "ETH": "10", "BNB": "10"} {
		s.balances[asset] = &balance{Free: decimal.RequireFromString(amount)}
	}
	for _, o := range opts {
		o(s)
	}
	s.seedHistoryLocked() // no request can arrive yet
	s.v = fakevenue.New(http.HandlerFunc(s.serveHTTP),
		fakevenue.WithLatency(s.latency),
		fakevenue.WithClock(s.clock),
		fakevenue.WithPassthrough(streamPath),
		fakevenue.WithFailureContentType("application/json;charset=UTF-8"),
		fakevenue.WithNote(func(r *http.Request) any { return r.Header.Get("X-MBX-APIKEY") != "" }))
	s.Front = fakevenue.NewFront(s.v, request)
	s.closing = s.v.Closing()
	return s
}

// WSURL is the market-stream base URL (ws://…); combined streams live under
// /stream?streams=….
func (s *Server) WSURL() string { return "ws" + strings.TrimPrefix(s.v.URL(), "http") }

// Close stops the server, releasing hanging requests and streams first.
func (s *Server) Close() {
	s.mu.Lock()
	for c := range s.wsConns {
		c.CloseNow()
	}
	s.mu.Unlock()
	s.v.Close()
}

// now is the venue's clock: the real clock shifted by SetClockOffset, so a
// test can make the client's clock look skewed.
func (s *Server) now() time.Time { return s.clock().Add(s.clockOffset) }

// SetClockOffset runs the venue's clock d ahead of the real one (negative:
// behind). Signed requests are judged against it, and /api/v3/time reports it.
func (s *Server) SetClockOffset(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clockOffset = d
}

// SetBalance sets asset's free balance; locked funds stay as they are.
func (s *Server) SetBalance(asset string, free decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bal(asset).Free = free
}

// Balance returns asset's free and locked amounts.
func (s *Server) Balance(asset string) (free, locked decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bal(asset)
	return b.Free, b.Held
}

// SetUsedWeight sets the request weight already used in the current minute,
// as if other clients on the same IP had spent it.
func (s *Server) SetUsedWeight(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.weightMinute = s.now().Unix() / 60
	s.weightUsed = n
}

// UsedWeight is the request weight charged in the current minute, as the
// last X-MBX-USED-WEIGHT-1M header said it.
func (s *Server) UsedWeight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.weightMinute != s.now().Unix()/60 {
		return 0
	}
	return s.weightUsed
}

// Request is one request the fake received. The API key header is reduced
// to whether it was present, so a dump of requests never shows it.
type Request struct {
	fakevenue.Request
	APIKey bool
}

func request(r fakevenue.Request) Request {
	apiKey, _ := r.Note.(bool)
	return Request{Request: r, APIKey: apiKey}
}

// OrdersPlaced counts orders the venue accepted (order/test excluded).
func (s *Server) OrdersPlaced() int { return int(s.placed.Load()) }

// The failure modes, as the harness defines them.
const (
	Reject          = fakevenue.Reject
	AfterAccept     = fakevenue.AfterAccept
	DropAfterAccept = fakevenue.DropAfterAccept
	Hang            = fakevenue.Hang
)

// Failure is one injected failure, used by the next matching request. A
// failure for any path spares the market stream.
type Failure = fakevenue.Failure

// RateLimitNext answers the next request with HTTP 429, code -1003 and a
// Retry-After of retryAfter (whole seconds, rounded up, as Binance sends).
func (s *Server) RateLimitNext(retryAfter time.Duration) {
	s.v.RateLimitNext("", 1, retryAfter,
		`{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."}`, nil)
}

// orderRoute places an order.
const orderRoute = "POST /api/v3/order"

// FailNextOrderAfterAccept places the next order and then answers status
// with Binance's "unknown execution status" body.
func (s *Server) FailNextOrderAfterAccept(status int) {
	s.FailNextAfterAccept(orderRoute, status,
		`{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}`, nil)
}

// DropNextOrderAfterAccept places the next order and then drops the
// connection without answering.
func (s *Server) DropNextOrderAfterAccept() {
	s.DropNextAfterAccept(orderRoute)
}

// DisableStreams makes the market-stream endpoint refuse connections
// (HTTP 503), so clients must fall back to polling.
func (s *Server) DisableStreams(off bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streamsOff = off
}

// DropStreams closes every open market-stream connection abruptly.
func (s *Server) DropStreams() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.wsConns {
		c.CloseNow()
	}
}

// StreamConnections counts market-stream connections accepted so far.
func (s *Server) StreamConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wsAccepted
}

// apiError is Binance's error body.
type apiError struct {
	status int
	Code   int    `json:"code"`
	Msg    string `json:"msg"`
}

func errBody(status, code int, msg string) *apiError {
	return &apiError{status: status, Code: code, Msg: msg}
}

func mandatory(name string) *apiError {
	return errBody(400, -1102, fmt.Sprintf("Mandatory parameter '%s' was not sent, was empty/null, or malformed.", name))
}

var errInvalidSymbol = errBody(400, -1121, "Invalid symbol.")

// response is what a handler produced, written by serveHTTP so injected
// failures can replace it after the handler acted.
type response struct {
	status int
	body   []byte
	header http.Header
}

func jsonResponse(v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		return response{status: 500, body: []byte(`{"code":-1000,"msg":"An unknown error occurred while processing the request."}`)}
	}
	return response{status: 200, body: b}
}

func errorResponse(e *apiError) response {
	b, _ := json.Marshal(e)
	return response{status: e.status, body: b}
}

type endpoint struct {
	signed bool
	// weight returns the request weight Binance charges for these params.
	weight func(p params) int
	handle func(s *Server, p params) response
}

func fixed(n int) func(params) int { return func(params) int { return n } }

func oneOrMany(one, many int) func(params) int {
	return func(p params) int {
		if p.get("symbol") != "" {
			return one
		}
		return many
	}
}

// endpoints are keyed by "METHOD path"; weights follow the reference's table.
var endpoints = map[string]endpoint{
	"GET /api/v3/time":                     {weight: fixed(1), handle: (*Server).handleTime},
	"GET /api/v3/exchangeInfo":             {weight: fixed(20), handle: (*Server).handleExchangeInfo},
	"GET /api/v3/ticker/bookTicker":        {weight: oneOrMany(2, 4), handle: (*Server).handleBookTicker},
	"GET /api/v3/ticker/price":             {weight: oneOrMany(2, 4), handle: (*Server).handlePrice},
	"GET /api/v3/ticker/24hr":              {weight: ticker24hWeight, handle: (*Server).handleTicker24h},
	"GET /api/v3/depth":                    {weight: depthWeight, handle: (*Server).handleDepth},
	"GET /api/v3/klines":                   {weight: fixed(2), handle: (*Server).handleKlines},
	"POST /api/v3/order":                   {signed: true, weight: fixed(1), handle: (*Server).handleNewOrder},
	"POST /api/v3/order/test":              {signed: true, weight: fixed(1), handle: (*Server).handleTestOrder},
	"POST /api/v3/orderList/oco":           {signed: true, weight: fixed(1), handle: (*Server).handleNewOCO},
	"POST /api/v3/orderList/otoco":         {signed: true, weight: fixed(1), handle: (*Server).handleNewOTOCO},
	"GET /api/v3/orderList":                {signed: true, weight: fixed(4), handle: (*Server).handleQueryOrderList},
	"GET /api/v3/order":                    {signed: true, weight: fixed(4), handle: (*Server).handleQueryOrder},
	"DELETE /api/v3/order":                 {signed: true, weight: fixed(1), handle: (*Server).handleCancelOrder},
	"GET /api/v3/openOrders":               {signed: true, weight: oneOrMany(6, 80), handle: (*Server).handleOpenOrders},
	"DELETE /api/v3/openOrders":            {signed: true, weight: fixed(1), handle: (*Server).handleCancelOpenOrders},
	"GET /api/v3/allOrders":                {signed: true, weight: fixed(20), handle: (*Server).handleAllOrders},
	"GET /api/v3/account":                  {signed: true, weight: fixed(20), handle: (*Server).handleAccount},
	"GET /api/v3/myTrades":                 {signed: true, weight: fixed(20), handle: (*Server).handleMyTrades},
	"PUT /api/v3/order/amend/keepPriority": {signed: true, weight: fixed(4), handle: (*Server).handleAmendKeepPriority},
	"POST /api/v3/order/cancelReplace":     {signed: true, weight: fixed(1), handle: (*Server).handleCancelReplace},
}

const streamPath = "/stream"

// serveHTTP answers one request; the harness has logged it and applied
// latency and injected failures.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == streamPath {
		s.serveStream(w, r)
		return
	}
	ep, ok := endpoints[r.Method+" "+r.URL.Path]
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"code":-1000,"msg":"Unknown endpoint."}`))
		return
	}
	body, _ := io.ReadAll(r.Body) // the harness has read it whole already
	p, perr := parseParams(r.URL.RawQuery, string(body), r.Header.Get("Content-Type"))

	s.mu.Lock()
	resp, used := s.serveLocked(r, ep, p, perr, string(body))
	s.mu.Unlock()
	if ep.signed {
		s.accountChanged() // user data streams look for order changes
	}

	w.Header().Set("X-MBX-USED-WEIGHT-1M", fmt.Sprint(used))
	for k, vs := range resp.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// serveLocked charges weight, authenticates and runs the handler. It
// returns the response and the minute's used weight for the header.
func (s *Server) serveLocked(r *http.Request, ep endpoint, p params, perr *apiError, body string) (response, int) {
	minute := s.now().Unix() / 60
	if minute != s.weightMinute {
		s.weightMinute, s.weightUsed = minute, 0
	}
	s.weightUsed += ep.weight(p)
	if s.weightUsed > s.weightLimit {
		resp := errorResponse(errBody(429, -1003, fmt.Sprintf("Too much request weight used; current limit is %d request weight per 1 MINUTE.", s.weightLimit)))
		resp.header = http.Header{"Retry-After": {fmt.Sprint(60 - s.now().Unix()%60)}}
		return resp, s.weightUsed
	}
	if perr != nil {
		return errorResponse(perr), s.weightUsed
	}
	if ep.signed {
		if e := s.authenticate(r, p, body); e != nil {
			return errorResponse(e), s.weightUsed
		}
	}
	return ep.handle(s, p), s.weightUsed
}
