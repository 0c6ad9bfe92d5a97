package coinbase

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
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

// do sends c and decodes a 2xx body into out (when non-nil).
func (e *Exchange) do(ctx context.Context, c call, out any) error {
	status, header, body, err := e.send(ctx, c)
	if err != nil {
		return err
	}
	if status >= 200 && status < 300 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			return decodeFailure(c.String(), err, c.placement, c.clientID)
		}
		return nil
	}
	ae := decodeHTTPError(status, header, body, e.now())
	if status == http.StatusTooManyRequests {
		e.bucketFor(c).pause(max(ae.RetryAfter, minPause))
	}
	return toError(ae, c.placement, c.clientID)
}

func (e *Exchange) bucketFor(c call) *bucket {
	if c.private {
		return e.private
	}
	return e.public
}

// send performs one HTTP exchange and returns the raw answer. Errors are
// already typed.
func (e *Exchange) send(ctx context.Context, c call) (int, http.Header, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, nil, canceled(c, err)
	}
	base := e.marketURL
	var creds *credentials
	if c.private {
		base = e.baseURL
		var err error
		if creds, err = e.credentialsFor(ctx); err != nil {
			return 0, nil, nil, err
		}
	}
	paused, err := e.bucketFor(c).take(ctx)
	if err != nil {
		return 0, nil, nil, canceled(c, err)
	}
	if paused > 0 {
		return 0, nil, nil, &exchange.Error{Kind: exchange.ErrRateLimited, Venue: venueName, RetryAfter: paused,
			Message: "Coinbase answered 429 to an earlier request; nothing was sent"}
	}

	target := base + apiPrefix + c.path
	u, err := url.Parse(target)
	if err != nil {
		return 0, nil, nil, &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: bad request URL", c)}
	}
	rctx, cancel := context.WithTimeout(ctx, e.requestTimeout)
	defer cancel()
	var wrote atomic.Bool
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
	req := e.rc.R().SetContext(rctx)
	if creds != nil {
		// A fresh token per request, as Coinbase requires; the uri claim
		// names the exact host and path, without the query.
		tok, err := signJWT(creds.keyName, creds.key, jwtURI(c.method, u.Host, u.EscapedPath()), e.now(), rand.Reader)
		if err != nil {
			return 0, nil, nil, &exchange.Error{Kind: exchange.ErrAuth, Venue: venueName, Message: fmt.Sprintf("%s: %v", c, err), Err: err}
		}
		req.SetHeader("Authorization", "Bearer "+tok)
	}
	if len(c.query) > 0 {
		req.SetQueryParamsFromValues(c.query)
	}
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			return 0, nil, nil, fmt.Errorf("coinbase: %s: encode body: %w", c, err)
		}
		req.SetHeader("Content-Type", "application/json").SetBody(b)
	}
	resp, err := req.Execute(c.method, target)
	if err != nil {
		return 0, nil, nil, transportError(ctx, c, err, wrote.Load())
	}
	return resp.StatusCode(), resp.Header(), resp.Body(), nil
}

// canceled reports a call that ended before anything was sent.
func canceled(c call, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("coinbase: %s: %w", c, err)
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: %v", c, err), Err: err}
}

// transportError types a failed exchange. net/http's *url.Error quotes the
// URL; only its cause is kept, to keep messages short.
func transportError(ctx context.Context, c call, err error, wrote bool) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil {
		err = ctx.Err() // the caller's cancel or deadline, not our per-request timeout
	}
	if c.placement && wrote {
		return &exchange.Error{Kind: exchange.ErrUnknownOutcome, Venue: venueName, ClientID: c.clientID, Err: err,
			Message: fmt.Sprintf("%s: no answer after the order was sent (%v); look it up by its client id before trying again", c, err)}
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("coinbase: %s: %w", c, err)
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: %v", c, err), Err: err}
}

// decodeFailure reports an answer the adapter cannot read. For a placement
// the order may exist, so its outcome is unknown to the caller.
func decodeFailure(what string, err error, placement bool, clientID string) error {
	kind := exchange.ErrUnavailable
	if placement {
		kind = exchange.ErrUnknownOutcome
	} else {
		clientID = ""
	}
	return &exchange.Error{Kind: kind, Venue: venueName, ClientID: clientID, Message: fmt.Sprintf("%s: unreadable answer: %v", what, err), Err: err}
}
