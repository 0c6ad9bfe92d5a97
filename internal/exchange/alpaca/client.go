package alpaca

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"

	"github.com/go-resty/resty/v2"

	"github.com/tradectl/tradectl/internal/exchange"
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
	pathParams map[string]string // escaped by resty
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

// do sends c and decodes a 2xx body into out (when non-nil and the answer
// has a body). It never retries: Alpaca has no rejection that is safe to
// repeat blindly except 429, which the caller sees with its RetryAfter.
func (e *Exchange) do(ctx context.Context, c call, out any) error {
	status, header, body, err := e.send(ctx, c)
	if err != nil {
		return err
	}
	if status >= 200 && status < 300 {
		if out == nil || len(body) == 0 {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			return decodeFailure(c.String()+": undecodable answer", err, c.placement, c.clientID)
		}
		return nil
	}
	ae := decodeError(status, header, body, e.now())
	if status == http.StatusTooManyRequests {
		e.limiterFor(c.host).pause(ae.RetryAfter)
	}
	return toError(ae, c)
}

func (e *Exchange) limiterFor(h host) *limiter {
	if h == dataHost {
		return e.dataLimiter
	}
	return e.tradeLimiter
}

// send performs one HTTP exchange and returns the raw answer. Errors are
// already typed.
func (e *Exchange) send(ctx context.Context, c call) (int, http.Header, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, nil, canceled(c, err)
	}
	creds, err := e.credentialsFor(ctx)
	if err != nil {
		return 0, nil, nil, err
	}
	lim := e.limiterFor(c.host)
	paused, err := lim.acquire(ctx)
	if err != nil {
		return 0, nil, nil, canceled(c, err)
	}
	if paused > 0 {
		return 0, nil, nil, &exchange.Error{Kind: exchange.ErrRateLimited, Venue: venueName, RetryAfter: paused,
			Message: "Alpaca asked us to pause after a rate-limit answer; nothing was sent"}
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
	client := e.trading
	if c.host == dataHost {
		client = e.data
	}
	r := client.R().
		SetContext(rctx).
		SetHeader("APCA-API-KEY-ID", creds.keyID).
		SetHeader("APCA-API-SECRET-KEY", creds.secret)
	if len(c.query) > 0 {
		r.SetQueryParamsFromValues(c.query)
	}
	if len(c.pathParams) > 0 {
		r.SetPathParams(c.pathParams)
	}
	if c.body != nil {
		r.SetHeader("Content-Type", "application/json").SetBody(c.body)
	}
	resp, err := r.Execute(c.method, c.path)
	if err != nil {
		return 0, nil, nil, transportError(ctx, c, err, wrote.Load())
	}
	lim.observe(resp.Header())
	return resp.StatusCode(), resp.Header(), resp.Body(), nil
}

// canceled reports a call that ended before anything was sent. A canceled
// context stays recognisable with errors.Is.
func canceled(c call, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("alpaca: %s: %w", c, err)
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: %v", c, err), Err: err}
}

// transportError types a failed exchange. Only the cause of a *url.Error
// is kept: the URL adds nothing the call name does not say.
func transportError(ctx context.Context, c call, err error, wrote bool) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil {
		err = ctx.Err() // the caller's cancel or deadline, not our per-request timeout
	}
	if errors.Is(err, resty.ErrResponseBodyTooLarge) {
		wrote = true
	}
	if c.placement && wrote {
		return &exchange.Error{Kind: exchange.ErrUnknownOutcome, Venue: venueName, ClientID: c.clientID, Err: err,
			Message: fmt.Sprintf("%s: no answer after the order was sent (%v); look it up by its client id before trying again", c, err)}
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("alpaca: %s: %w", c, err)
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: %v", c, err), Err: err}
}

// decodeFailure reports an answer the adapter cannot read. For a placement
// the order exists but is unreadable, so its outcome is unknown to the
// caller, who must look it up.
func decodeFailure(what string, err error, placement bool, clientID string) error {
	kind := exchange.ErrUnavailable
	if placement {
		kind = exchange.ErrUnknownOutcome
	} else {
		clientID = ""
	}
	return &exchange.Error{Kind: kind, Venue: venueName, ClientID: clientID, Message: fmt.Sprintf("%s: %v", what, err), Err: err}
}
