package coinbase

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// call is one REST request.
type call struct {
	method string
	path   string // below /api/v3/brokerage, e.g. "/orders"
	query  url.Values
	body   any // sent as JSON when non-nil
	// private calls carry a JWT, go to base_url and count against the
	// per-key limit; the others are public /market calls.
	private bool
	// placement marks a new order: failures after the request was written
	// leave its outcome unknown instead of merely unavailable.
	placement bool
	clientID  string
}

func (c call) String() string { return c.method + " " + apiPrefix + c.path }

// maxBody bounds a response; the full product list is the largest answer
// (a few MB).
const maxBody = 32 << 20

// minPause is how long a 429 without Retry-After stops further requests.
const minPause = time.Second

// newClient builds the HTTP client on venuehttp's core.
func (e *Exchange) newClient(hc *http.Client) *venuehttp.Client {
	return venuehttp.New(venuehttp.Config{
		Venue: venueName, Title: "Coinbase", BaseURL: e.marketURL, HTTPClient: hc,
		Timeout: defaultRequestTimeout, MaxBody: maxBody, Logger: e.Log, Now: e.Now, Sign: e.sign,
		DecodeError: func(r *venuehttp.Request, a *venuehttp.Answer) *exchange.Error {
			return toError(decodeHTTPError(a.Status, a.Header, a.Body, e.Now()), r.Placement, r.ClientID)
		},
		MinPause: minPause,
	})
}

// do sends c and decodes a 2xx body into out (when non-nil).
func (e *Exchange) do(ctx context.Context, c call, out any) error {
	r := &venuehttp.Request{Method: c.method, Path: apiPrefix + c.path, Query: c.query.Encode(),
		Placement: c.placement, ClientID: c.clientID, Limiter: e.public}
	if c.private {
		r.BaseURL, r.Limiter, r.Signed = e.baseURL, e.private, true
		if ctx.Err() == nil {
			// Before the limiter: a profile without keys spends nothing.
			if _, err := e.credentialsFor(ctx); err != nil {
				return err
			}
		}
	}
	if err := r.SetJSON(c.body); err != nil {
		return fmt.Errorf("coinbase: %w", err)
	}
	return e.Rest.JSON(ctx, r, out)
}

// sign adds a fresh bearer token, as Coinbase requires one per request;
// its uri claim names the exact host and path, without the query. The
// sandbox takes requests unsigned.
func (e *Exchange) sign(ctx context.Context, r *venuehttp.Request) error {
	creds, err := e.credentialsFor(ctx)
	if err != nil || creds == nil {
		return err
	}
	u, err := url.Parse(r.BaseURL + r.Path)
	if err != nil {
		return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: bad request URL", r)}
	}
	tok, err := signJWT(creds.keyName, creds.key, jwtURI(r.Method, u.Host, u.EscapedPath()), e.Now(), rand.Reader)
	if err != nil {
		return &exchange.Error{Kind: exchange.ErrAuth, Venue: venueName, Message: fmt.Sprintf("%s: %v", r, err), Err: err}
	}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// decodeFailure reports an answer the adapter cannot read. For a placement
// the order may exist, so its outcome is unknown to the caller.
func decodeFailure(what string, err error, placement bool, clientID string) error {
	return venuehttp.Unreadable(venueName, what+": unreadable answer", err, placement, clientID)
}
