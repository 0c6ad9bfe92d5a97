package alpaca

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// host says which of Alpaca's two APIs a call goes to.
type host int

const (
	tradingHost host = iota
	dataHost
)

// call is one REST request.
type call struct {
	host       host
	method     string
	path       string            // may hold {placeholders} filled from pathParams
	pathParams map[string]string // path-escaped when filled in
	query      url.Values
	body       any // sent as JSON
	// placement marks a new order: failures after the request was written
	// leave its outcome unknown instead of merely unavailable.
	placement bool
	clientID  string
	// lookup marks market-data calls, where a 4xx about a symbol means
	// the symbol is unknown rather than the request malformed.
	lookup bool
}

func (c call) String() string { return c.method + " " + c.path }

// newClient builds the HTTP client on venuehttp's core. It refuses
// redirects: Go forwards custom headers (our key and secret) to wherever
// a redirect points, and Alpaca's API never redirects.
func (e *Exchange) newClient(hc *http.Client) *venuehttp.Client {
	return venuehttp.New(venuehttp.Config{
		Venue: venueName, Title: "Alpaca", BaseURL: e.baseURL, HTTPClient: hc,
		Timeout: defaultRequestTimeout, MaxBody: maxBody, RefuseRedirects: true, EmptyOK: true,
		Logger: e.Log, Now: e.Now, Sign: e.sign,
		DecodeError: func(r *venuehttp.Request, a *venuehttp.Answer) *exchange.Error {
			c := call{method: r.Method, path: r.Path, placement: r.Placement, clientID: r.ClientID, lookup: r.Lookup}
			return toError(decodeError(a.Status, a.Header, a.Body, e.Now()), c)
		},
	})
}

// do sends c and decodes a 2xx body into out (when non-nil and the answer
// has a body). It never retries: Alpaca has no rejection that is safe to
// repeat blindly except 429, which the caller sees with its RetryAfter.
func (e *Exchange) do(ctx context.Context, c call, out any) error {
	if ctx.Err() == nil {
		// Before the limiter: a profile without keys spends no allowance.
		if _, err := e.credentialsFor(ctx); err != nil {
			return err
		}
	}
	path := c.path
	for k, v := range c.pathParams {
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	r := &venuehttp.Request{Method: c.method, Path: path, Query: c.query.Encode(), Signed: true,
		Placement: c.placement, ClientID: c.clientID, Lookup: c.lookup, Limiter: e.tradeLimiter}
	if c.host == dataHost {
		r.BaseURL, r.Limiter = e.dataURL, e.dataLimiter
	}
	if err := r.SetJSON(c.body); err != nil {
		return fmt.Errorf("alpaca: %w", err)
	}
	return e.Rest.JSON(ctx, r, out)
}

// sign adds the key id and secret: Alpaca authenticates every call, market
// data included, by these two headers.
func (e *Exchange) sign(ctx context.Context, r *venuehttp.Request) error {
	creds, err := e.credentialsFor(ctx)
	if err != nil {
		return err
	}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set("APCA-API-KEY-ID", creds.keyID)
	r.Header.Set("APCA-API-SECRET-KEY", creds.secret)
	return nil
}

// decodeFailure reports an answer the adapter cannot read. For a placement
// the order exists but is unreadable, so its outcome is unknown to the
// caller, who must look it up.
func decodeFailure(what string, err error, placement bool, clientID string) error {
	return venuehttp.Unreadable(venueName, what, err, placement, clientID)
}
