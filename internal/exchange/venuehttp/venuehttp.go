// Package venuehttp is the HTTP core the venue adapters share: it owns the
// transport, the per-request timeout, the response-size limit, the typing
// of transport failures (canceled, unavailable, or unknown outcome for a
// placement that may have reached the venue), rate-limit pauses, request
// tracing and the *exchange.Error builder. An adapter supplies what is its
// own: a signer, a decoder for its error bodies, its limiters and its
// endpoints.
//
// Plain net/http carries the requests: the query and body an adapter signs
// are sent byte for byte, nothing is retried behind the adapter's back (a
// blind resend of a placement is exactly what must never happen), and no
// library logs a URL that may carry a signature.
package venuehttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
)

// DefaultTimeout bounds one HTTP exchange when Config.Timeout is zero; the
// caller's context may end it sooner.
const DefaultTimeout = 15 * time.Second

// DefaultMaxBody bounds an answer when Config.MaxBody is zero.
const DefaultMaxBody = 32 << 20

// ErrBodyTooLarge is the cause of a failure whose answer exceeded the size
// limit. The request was sent in full by then, so for a placement the
// outcome is unknown.
var ErrBodyTooLarge = errors.New("answer larger than the size limit")

// Config describes one venue's client.
type Config struct {
	Venue string // registry name, e.g. "binance": errors and logs carry it
	Title string // the venue as prose names it, e.g. "Binance"
	// BaseURL is where requests go unless a Request names its own.
	BaseURL    string
	HTTPClient *http.Client // shared transport; copied, never modified
	Timeout    time.Duration
	MaxBody    int64
	// RefuseRedirects answers a 3xx as it is instead of following it: Go
	// forwards custom headers (keys, secrets) to wherever a redirect points.
	RefuseRedirects bool
	// Header is sent with every request (User-Agent and Accept are set
	// unless given here).
	Header http.Header
	Logger *slog.Logger
	Now    func() time.Time

	// Sign adds the signature of a Signed request: headers, query or body.
	// It runs after the limiter admitted the request and before every
	// attempt, so timestamps and nonces are fresh; what it signs must be
	// what it leaves in the request, which is sent byte for byte.
	Sign func(ctx context.Context, r *Request) error
	// DecodeError turns a non-2xx answer into the venue's code, message
	// and kind, usually through NewError. Without it an answer is
	// reported as unavailable with its status.
	DecodeError func(r *Request, a *Answer) *exchange.Error
	// PauseStatuses are the statuses after which the request's limiter
	// stops all sending for the failure's RetryAfter (429 when empty).
	PauseStatuses []int
	// MinPause is the shortest such pause, for venues that often omit
	// Retry-After.
	MinPause time.Duration
	// EmptyOK lets a 2xx answer without a body satisfy any out value.
	EmptyOK bool
}

// Request is one call as an adapter describes it.
type Request struct {
	Method string
	// Path is below the base URL, already escaped; logs and errors name
	// the call by it.
	Path string
	// Query is the encoded query string, sent as it is.
	Query  string
	Header http.Header
	Body   []byte
	// BaseURL overrides Config.BaseURL (a venue's second host).
	BaseURL string

	// Signed requests go through Config.Sign; their query is never logged.
	Signed bool
	// Placement marks a new order: failures after the request was written
	// leave its outcome unknown instead of merely unavailable.
	Placement bool
	ClientID  string
	// Lookup marks a read of one named thing (a symbol, an order) for
	// decoders where a 4xx about it means not found.
	Lookup bool

	// Limiter paces the request; nil sends at once.
	Limiter Limiter
	Cost    int
	// Attempt counts the adapter's retries of the same call, from 0.
	Attempt int
}

// String names the call in errors and logs: method and path, no query.
func (r *Request) String() string { return r.Method + " " + r.Path }

// Answer is a response the venue gave.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Failure is a venue's reading of an error answer, turned into an
// *exchange.Error by NewError.
type Failure struct {
	Kind       error // one of exchange's Err* kinds
	Code       string
	Message    string
	RetryAfter time.Duration
}

// Client sends one venue's requests. It is safe for concurrent use.
type Client struct {
	cfg  Config
	http *http.Client
	log  *slog.Logger
	now  func() time.Time
}

// New builds a client from cfg.
func New(cfg Config) *Client {
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		cp := *cfg.HTTPClient
		hc = &cp
	}
	if cfg.RefuseRedirects {
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Title == "" {
		cfg.Title = cfg.Venue
	}
	if len(cfg.PauseStatuses) == 0 {
		cfg.PauseStatuses = []int{http.StatusTooManyRequests}
	}
	c := &Client{cfg: cfg, http: hc, log: cfg.Logger, now: cfg.Now}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// SetTimeout changes the per-request timeout (tests shorten it).
func (c *Client) SetTimeout(d time.Duration) { c.cfg.Timeout = d }

// Do sends r and returns a 2xx answer. Every error is typed: transport
// failures, rate-limit pauses, and non-2xx answers through
// Config.DecodeError and Error.
func (c *Client) Do(ctx context.Context, r *Request) (*Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, c.canceled(r, err)
	}
	var waited time.Duration
	if r.Limiter != nil {
		start := c.now()
		paused, err := r.Limiter.Acquire(ctx, r.Cost)
		waited = c.now().Sub(start)
		if err != nil {
			return nil, c.canceled(r, err)
		}
		if paused > 0 {
			c.log.Debug("http: not sent, rate-limit pause", "venue", c.cfg.Venue, "method", r.Method, "path", r.Path,
				"attempt", r.Attempt, "pause", paused.Round(time.Millisecond))
			return nil, &exchange.Error{Kind: exchange.ErrRateLimited, Venue: c.cfg.Venue, RetryAfter: CeilSecond(paused),
				Message: fmt.Sprintf("%s: %s asked us to pause after a rate-limit answer; nothing was sent", r, c.cfg.Title)}
		}
	}
	if r.Signed && c.cfg.Sign != nil {
		if err := c.cfg.Sign(ctx, r); err != nil {
			if ctx.Err() != nil {
				return nil, c.canceled(r, ctx.Err())
			}
			return nil, err
		}
	}
	start := time.Now()
	a, err := c.send(ctx, r)
	attrs := []any{"venue", c.cfg.Venue, "method", r.Method, "path", r.Path}
	if !r.Signed && r.Query != "" {
		attrs = append(attrs, "query", r.Query)
	}
	attrs = append(attrs, "attempt", r.Attempt+1)
	if err != nil {
		attrs = append(attrs, "duration", time.Since(start).Round(time.Millisecond), "error", err)
	} else {
		attrs = append(attrs, "status", a.Status, "duration", time.Since(start).Round(time.Millisecond))
	}
	if waited >= time.Millisecond {
		attrs = append(attrs, "rate_limit_wait", waited.Round(time.Millisecond))
	}
	c.log.Debug("http", attrs...)
	if err != nil {
		return nil, err
	}
	if r.Limiter != nil {
		r.Limiter.Observe(a.Header)
	}
	if a.Status >= 200 && a.Status < 300 {
		return a, nil
	}
	var xe *exchange.Error
	if c.cfg.DecodeError != nil {
		xe = c.cfg.DecodeError(r, a)
	} else {
		xe = NewError(c.cfg.Venue, Failure{Kind: ServerSide(r), Message: StatusMessage(a.Status, a.Body),
			RetryAfter: RetryAfter(a.Header, c.now())}, r.ClientID)
	}
	if r.Limiter != nil && c.pauses(a.Status) {
		r.Limiter.Pause(max(xe.RetryAfter, c.cfg.MinPause))
	}
	return nil, xe
}

func (c *Client) pauses(status int) bool {
	for _, s := range c.cfg.PauseStatuses {
		if s == status {
			return true
		}
	}
	return false
}

// send performs one HTTP exchange. Its errors are typed.
func (c *Client) send(ctx context.Context, r *Request) (*Answer, error) {
	base := r.BaseURL
	if base == "" {
		base = c.cfg.BaseURL
	}
	target := base + r.Path
	if r.Query != "" {
		target += "?" + r.Query
	}
	rctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var wrote atomic.Bool
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(rctx, r.Method, target, body)
	if err != nil {
		// The URL is not quoted: a signed query is part of it.
		return nil, &exchange.Error{Kind: exchange.ErrUnavailable, Venue: c.cfg.Venue, Message: fmt.Sprintf("%s: bad request URL", r)}
	}
	req.Header.Set("User-Agent", "tradectl")
	req.Header.Set("Accept", "application/json")
	for _, h := range []http.Header{c.cfg.Header, r.Header} {
		for k, v := range h {
			req.Header[http.CanonicalHeaderKey(k)] = v
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, r, err, wrote.Load())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBody+1))
	if err == nil && int64(len(b)) > c.cfg.MaxBody {
		err = ErrBodyTooLarge
	}
	if err != nil {
		// An answer has begun, so the request was written in full.
		return nil, c.transportError(ctx, r, err, true)
	}
	return &Answer{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// canceled reports a call that ended before anything was sent. A canceled
// context stays recognisable with errors.Is; a deadline is the venue being
// too slow for the caller, so unavailable.
func (c *Client) canceled(r *Request, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %s: %w", c.cfg.Venue, r, err)
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: c.cfg.Venue, Message: fmt.Sprintf("%s: %v", r, err), Err: err}
}

// transportError types a failed exchange. net/http's *url.Error quotes the
// whole URL, signature included, so only its cause is kept.
func (c *Client) transportError(ctx context.Context, r *Request, err error, wrote bool) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil {
		err = ctx.Err() // the caller's cancel or deadline, not our per-request timeout
	}
	if r.Placement && wrote {
		return &exchange.Error{Kind: exchange.ErrUnknownOutcome, Venue: c.cfg.Venue, ClientID: r.ClientID, Err: err,
			Message: fmt.Sprintf("%s: no answer after the order was sent (%v); look it up by its client id before trying again", r, err)}
	}
	return c.canceled(r, err)
}

// NewError builds the error callers see from a venue's failure. An
// unknown outcome carries the client id to look the order up by. It
// quotes only the venue's words, never the request, whose query, headers
// or body carry keys and signatures.
func NewError(venue string, f Failure, clientID string) *exchange.Error {
	out := &exchange.Error{Kind: f.Kind, Venue: venue, Code: f.Code, Message: f.Message, RetryAfter: f.RetryAfter}
	if f.Kind == exchange.ErrUnknownOutcome {
		out.ClientID = clientID
		out.Message += "; the order may or may not have been placed: look it up by its client id before trying again"
	}
	return out
}

// ServerSide is the kind of a venue-side failure: for a placement the
// order may exist, so its outcome is unknown; otherwise the venue is
// unavailable.
func ServerSide(r *Request) error {
	if r.Placement {
		return exchange.ErrUnknownOutcome
	}
	return exchange.ErrUnavailable
}

// Unreadable reports an answer the adapter cannot read; what names the
// call and the problem. For a placement the order may exist but be
// unreadable, so its outcome is unknown to the caller, who must look it
// up.
func Unreadable(venue, what string, err error, placement bool, clientID string) error {
	if placement {
		return &exchange.Error{Kind: exchange.ErrUnknownOutcome, Venue: venue, ClientID: clientID, Err: err,
			Message: fmt.Sprintf("%s: %v; the order may or may not have been placed: look it up by its client id before trying again", what, err)}
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venue, Err: err, Message: fmt.Sprintf("%s: %v", what, err)}
}

// Unreadable reports a 2xx answer to r that cannot be read.
func (c *Client) Unreadable(r *Request, err error) error {
	return Unreadable(c.cfg.Venue, r.String()+": unreadable answer", err, r.Placement, r.ClientID)
}

// CeilSecond rounds a wait up to whole seconds, as venues state them.
func CeilSecond(d time.Duration) time.Duration {
	if r := d % time.Second; r != 0 {
		return d - r + time.Second
	}
	return d
}
