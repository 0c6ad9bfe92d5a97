// Package fakekraken is an in-process Kraken Spot venue for tests: an
// httptest server that speaks Kraken's REST wire format closely enough
// that the adapter cannot tell it from the real API.
//
// It checks what Kraken checks on private calls (the API-Key header, the
// API-Sign HMAC-SHA512 over the exact body, and that every nonce is larger
// than the last one the key used, else "EAPI:Invalid nonce"), validates
// orders against the pair's rules (tick_size, lot_decimals, ordermin,
// costmin, status), answers in Kraken's {"error":[…],"result":…}
// envelopes with Kraken's error strings, and keeps balances: resting
// orders hold funds (BalanceEx hold_trade), market and marketable limit
// orders fill at the book (and are listed by TradesHistory), cancels
// release the hold. Balance and BalanceEx both answer. TradesHistory
// pages newest first by ofs, 50 trades a page (WithTradesPageSize), with
// start (exclusive), end (inclusive) and count; WithTradeHistory gives the
// account thousands of past trades to page through. A test can move
// prices, fill orders partly, inject failures and inspect what it
// received. It is a regular package (not _test) so end-to-end CLI tests
// can start it too.
//
// CancelAllOrdersAfter keeps a real timer: when it runs out, every
// working order is canceled, whether or not anyone is still calling.
//
// Simplifications: one price level per side with unlimited size, fees at
// a flat maker/taker rate in the quote asset, no margin, no conditional
// close, no iceberg, trailing or take-profit orders.
//
// The fake never logs or prints the credentials it was given.
package fakekraken

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// Server is a fake Kraken Spot venue. All methods are safe for concurrent
// use.
type Server struct {
	// Front's URL is the REST base URL (paths start /0/). Its Count is
	// replaced: Kraken's paths name the call, so a path alone counts.
	fakevenue.Front[Request]
	v *fakevenue.Venue

	apiKey string
	secret []byte

	clock   func() time.Time
	latency time.Duration
	ws      wsEndpoint // the WebSocket v2 endpoint (ws.go)
	wsAuth  wsPrivate  // the authenticated one (wsprivate.go)

	mu        sync.Mutex
	lastNonce uint64
	// nonceWindow is the key's nonce window: a nonce up to this much below
	// the largest one used is still accepted once. recentNonces are the
	// nonces used within the window, each accepted only once.
	nonceWindow  uint64
	recentNonces map[uint64]bool
	assets       map[string]*asset        // by id
	pairs        fakevenue.Listing[*pair] // by id
	orders       []*order
	byTxID       map[string]*order
	trades       []*tradeRec
	tradeIDs     map[string]bool
	placed       atomic.Int64 // read without the lock
	makerFee     decimal.Decimal
	takerFee     decimal.Decimal

	deadMan    deadMan // CancelAllOrdersAfter (deadman.go)
	tradesPage int     // trades a TradesHistory page holds
	seedTrades int     // WithTradeHistory's, until New adds them
}

// Option configures a Server.
type Option func(*Server)

// WithLatency delays every request by d, as a venue across a network
// would, so benchmarks can count round trips.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// WithNonceWindow gives the key a nonce window of n (Kraken's API key
// setting): a nonce that arrives after a larger one is accepted, once, if
// it is no more than n below the largest nonce used.
func WithNonceWindow(n uint64) Option { return func(s *Server) { s.nonceWindow = n } }

// New starts a fake venue that accepts apiKey and verifies signatures with
// apiSecretBase64 (Kraken's base64 private key), with the pairs of
// DefaultPairs and balances of 100000 USD, 1 BTC, 10 ETH and 100 SOL.
// Close it when done. It panics on a secret that is not base64, which is
// a mistake in the test.
func New(apiKey, apiSecretBase64 string, opts ...Option) *Server {
	secret, err := base64.StdEncoding.DecodeString(apiSecretBase64)
	if err != nil {
		panic("fakekraken: the API secret must be base64")
	}
	s := &Server{
		clock:      time.Now,
		apiKey:     apiKey,
		secret:     secret,
		assets:     map[string]*asset{},
		byTxID:     map[string]*order{},
		tradeIDs:   map[string]bool{},
		makerFee:   decimal.RequireFromString("0.0016"),
		tradesPage: tradesPage,
		takerFee:   decimal.RequireFromString("0.0026"),
	}
	for _, a := range DefaultAssets() {
		s.assets[a.ID] = &asset{spec: a}
	}
	for _, p := range DefaultPairs() {
		s.addPair(p)
	}
	for id, amount := range map[string]string{"ZUSD": "100000", "XXBT": "1", "XETH": "10", "SOL": "100"} {
		s.assets[id].Free = decimal.RequireFromString(amount)
	}
	for _, o := range opts {
		o(s)
	}
	s.seedHistoryLocked() // no request can arrive yet
	s.v = fakevenue.New(http.HandlerFunc(s.serveHTTP),
		fakevenue.WithLatency(s.latency),
		fakevenue.WithClock(s.clock),
		fakevenue.WithFailureContentType("application/json; charset=utf-8"),
		fakevenue.WithNote(func(r *http.Request) any {
			return keyHeaders{apiKey: r.Header.Get("API-Key") != "", apiSign: r.Header.Get("API-Sign") != ""}
		}))
	s.Front = fakevenue.NewFront(s.v, request)
	return s
}

// Request is one request the fake received. The API-Key and API-Sign
// headers are reduced to whether they were present, so a dump of requests
// never shows them.
type Request struct {
	fakevenue.Request
	APIKey  bool
	APISign bool
}

// keyHeaders is what the log keeps of a request's credentials.
type keyHeaders struct{ apiKey, apiSign bool }

func request(r fakevenue.Request) Request {
	h, _ := r.Note.(keyHeaders)
	return Request{Request: r, APIKey: h.apiKey, APISign: h.apiSign}
}

// Count returns how many requests hit path (e.g. "/0/private/AddOrder").
func (s *Server) Count(path string) int { return s.v.Count(path) }

// OrdersPlaced counts orders the venue accepted (validate=true excluded).
func (s *Server) OrdersPlaced() int { return int(s.placed.Load()) }

// LastNonce is the largest nonce the key has used successfully.
func (s *Server) LastNonce() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastNonce
}

// Failure is one injected failure, used by the next matching request.
type Failure = fakevenue.Failure

// ErrorNext answers the next request to path ("" any) with Kraken's error
// envelope holding errs, HTTP 200, without acting on it.
func (s *Server) ErrorNext(path string, errs ...string) {
	b, _ := json.Marshal(map[string]any{"error": errs})
	s.v.FailNext(path, 1, http.StatusOK, string(b), nil)
}

// RateLimitNext answers the next request with "EService:Throttled:
// <unix time>", Kraken's answer to too many concurrent requests, naming
// the time retryAfter from now.
func (s *Server) RateLimitNext(retryAfter time.Duration) {
	s.ErrorNext("", fmt.Sprintf("EService:Throttled: %d", s.clock().Add(retryAfter).Unix()))
}

// CounterLimitNext answers the next request with "EAPI:Rate limit
// exceeded", Kraken's answer when the key's call counter is over its
// limit.
func (s *Server) CounterLimitNext() { s.ErrorNext("", "EAPI:Rate limit exceeded") }

// addOrderPath places an order; Kraken takes it by any method.
const addOrderPath = "/0/private/AddOrder"

// FailNextOrderAfterAccept places the next order and then answers with
// HTTP status and a proxy's error page instead of Kraken's answer.
func (s *Server) FailNextOrderAfterAccept(status int) {
	s.FailNextAfterAccept(addOrderPath, status, fmt.Sprintf("error code: %d", status), http.Header{"Content-Type": {"text/plain"}})
}

// DropNextOrderAfterAccept places the next order and then drops the
// connection without answering.
func (s *Server) DropNextOrderAfterAccept() {
	s.DropNextAfterAccept(addOrderPath)
}

// params are a request's parameters as strings, from the query of a GET
// or the form or JSON body of a POST.
type params map[string]string

func (p params) get(name string) string { return p[name] }

func (p params) has(name string) bool { _, ok := p[name]; return ok }

// parseParams reads a private body the way Kraken accepts it: form-encoded
// or JSON.
func parseParams(body, contentType string) (params, bool) {
	p := params{}
	if strings.HasPrefix(contentType, "application/json") {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &raw); err != nil {
			return nil, false
		}
		for k, v := range raw {
			var s string
			if json.Unmarshal(v, &s) == nil {
				p[k] = s
			} else {
				p[k] = strings.TrimSpace(string(v))
			}
		}
		return p, true
	}
	vs, err := url.ParseQuery(body)
	if err != nil {
		return nil, false
	}
	for k := range vs {
		p[k] = vs.Get(k)
	}
	return p, true
}

type handler func(s *Server, p params) (any, string)

// endpoints map paths to handlers; a handler returns a result or one
// Kraken error string. Private ones are POST and authenticated.
var publicEndpoints = map[string]handler{
	"/0/public/Time":       (*Server).handleTime,
	"/0/public/AssetPairs": (*Server).handleAssetPairs,
	"/0/public/Ticker":     (*Server).handleTicker,
	"/0/public/Depth":      (*Server).handleDepth,
	"/0/public/OHLC":       (*Server).handleOHLC,
}

var privateEndpoints = map[string]handler{
	"/0/private/Balance":      (*Server).handleBalance,
	"/0/private/BalanceEx":    (*Server).handleBalanceEx,
	"/0/private/AddOrder":     (*Server).handleAddOrder,
	"/0/private/QueryOrders":  (*Server).handleQueryOrders,
	"/0/private/OpenOrders":   (*Server).handleOpenOrders,
	"/0/private/ClosedOrders": (*Server).handleClosedOrders,
	"/0/private/CancelOrder":  (*Server).handleCancelOrder,
	"/0/private/CancelAll":    (*Server).handleCancelAll,

	"/0/private/CancelAllOrdersAfter": (*Server).handleCancelAllOrdersAfter,
	"/0/private/AmendOrder":           (*Server).handleAmendOrder,
	"/0/private/TradesHistory":        (*Server).handleTradesHistory,

	"/0/private/WithdrawMethods": (*Server).handleWithdrawMethods,
}

// serveHTTP answers one request in Kraken's envelope; the harness has
// logged it and applied latency and injected failures.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // the harness has read it whole already
	result, kerr, status := s.dispatch(r, string(body))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	var b []byte
	if kerr != "" {
		b, _ = json.Marshal(map[string]any{"error": []string{kerr}})
	} else {
		b, _ = json.Marshal(map[string]any{"error": []string{}, "result": result})
	}
	_, _ = w.Write(b)
}

// dispatch authenticates and runs the handler under the lock.
func (s *Server) dispatch(r *http.Request, body string) (any, string, int) {
	path := r.URL.Path
	if h, ok := publicEndpoints[path]; ok {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			return nil, "EGeneral:Invalid arguments", http.StatusOK
		}
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, "EGeneral:Invalid arguments", http.StatusOK
		}
		p := params{}
		for k := range q {
			p[k] = q.Get(k)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		res, kerr := h(s, p)
		return res, kerr, http.StatusOK
	}
	h, ok := privateEndpoints[path]
	if !ok {
		return nil, "EGeneral:Unknown method", http.StatusNotFound
	}
	if r.Method != http.MethodPost {
		return nil, "EGeneral:Invalid arguments", http.StatusOK
	}
	p, ok := parseParams(body, r.Header.Get("Content-Type"))
	if !ok {
		return nil, "EGeneral:Invalid arguments", http.StatusOK
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if kerr := s.authenticateLocked(r, path, p, body); kerr != "" {
		return nil, kerr, http.StatusOK
	}
	res, kerr := h(s, p)
	return res, kerr, http.StatusOK
}

// authenticateLocked applies Kraken's rules for private calls: the key,
// the signature over path + SHA256(nonce + body as sent), and a nonce
// larger than any the key used before. Only a request that passes all
// three uses up its nonce.
func (s *Server) authenticateLocked(r *http.Request, path string, p params, body string) string {
	key := r.Header.Get("API-Key")
	if key == "" || !hmac.Equal([]byte(key), []byte(s.apiKey)) {
		return "EAPI:Invalid key"
	}
	nonceText := p.get("nonce")
	nonce, err := strconv.ParseUint(nonceText, 10, 64)
	if err != nil || nonce == 0 {
		return "EAPI:Invalid nonce"
	}
	got, err := base64.StdEncoding.DecodeString(r.Header.Get("API-Sign"))
	if err != nil || !hmac.Equal(got, Sign(s.secret, path, nonceText, body)) {
		return "EAPI:Invalid signature"
	}
	return s.useNonceLocked(nonce)
}

// useNonceLocked accepts a nonce larger than any used, or, within the
// key's nonce window, a lower one not used before.
func (s *Server) useNonceLocked(nonce uint64) string {
	if nonce <= s.lastNonce {
		if s.nonceWindow == 0 || s.lastNonce-nonce >= s.nonceWindow || s.recentNonces[nonce] {
			return "EAPI:Invalid nonce"
		}
		s.recentNonces[nonce] = true
		return ""
	}
	s.lastNonce = nonce
	if s.nonceWindow > 0 {
		if s.recentNonces == nil {
			s.recentNonces = map[uint64]bool{}
		}
		for n := range s.recentNonces {
			if nonce-n >= s.nonceWindow {
				delete(s.recentNonces, n)
			}
		}
		s.recentNonces[nonce] = true
	}
	return ""
}

// Sign computes the raw API-Sign MAC for path, nonce and body with the
// decoded secret: HMAC-SHA512(secret, path + SHA256(nonce + body)). Tests
// use it to build requests by hand.
func Sign(secret []byte, path, nonce, body string) []byte {
	inner := sha256.Sum256([]byte(nonce + body))
	mac := hmac.New(sha512.New, secret)
	mac.Write([]byte(path))
	mac.Write(inner[:])
	return mac.Sum(nil)
}

func (s *Server) handleTime(p params) (any, string) {
	now := s.clock()
	return map[string]any{"unixtime": now.Unix(), "rfc1123": now.UTC().Format(http.TimeFormat)}, ""
}
