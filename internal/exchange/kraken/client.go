package kraken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
)

// call is one REST request.
type call struct {
	path    string // "/0/public/Ticker", "/0/private/AddOrder"
	params  *form  // query of a public GET; body of a private POST, nonce excluded
	private bool
	cost    int // on the REST call counter
	// placement marks a new order: failures after the request was written
	// leave its outcome unknown instead of merely unavailable.
	placement bool
	clientID  string
}

func (c call) method() string {
	if c.private {
		return http.MethodPost
	}
	return http.MethodGet
}

func (c call) String() string { return c.method() + " " + c.path }

// envelope is every Kraken answer: {"error":[…],"result":…}.
type envelope struct {
	Error  []string        `json:"error"`
	Result json.RawMessage `json:"result"`
}

// do sends c and decodes the result into out (when non-nil). An
// "EAPI:Invalid nonce" is answered by one retry with a fresh nonce: Kraken
// refused the request before acting on it, so repeating it, even a
// placement, cannot duplicate anything.
func (e *Exchange) do(ctx context.Context, c call, out any) error {
	if err := ctx.Err(); err != nil {
		return canceled(c, err)
	}
	var creds *credentials
	if c.private {
		var err error
		if creds, err = e.credentialsFor(ctx); err != nil {
			return err
		}
		throttled, err := e.limiter.acquire(ctx, c.cost)
		if err != nil {
			return canceled(c, err)
		}
		if throttled > 0 {
			return &exchange.Error{Kind: exchange.ErrRateLimited, Venue: venueName, RetryAfter: ceilSecond(throttled),
				Message: fmt.Sprintf("%s: Kraken throttled this key; nothing was sent", c)}
		}
		select {
		case e.private <- struct{}{}:
			defer func() { <-e.private }()
		case <-ctx.Done():
			return canceled(c, ctx.Err())
		}
	}
	for attempt := 0; ; attempt++ {
		status, header, body, err := e.send(ctx, c, creds)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return e.toError(httpError(status, header, body, e.now()), c)
		}
		var env envelope
		if err := json.Unmarshal(body, &env); err != nil {
			return decodeFailure(c, fmt.Errorf("undecodable answer: %w", err))
		}
		var errs []string
		for _, m := range env.Error {
			if strings.HasPrefix(m, "W") {
				e.log.Warn("kraken: warning", "profile", e.profile, "call", c.String(), "warning", m)
				continue
			}
			errs = append(errs, m)
		}
		if len(errs) > 0 {
			a := apiError{Status: status, Errors: errs}
			if c.private && attempt == 0 && a.has(errInvalidNonce) {
				e.log.Info("kraken: nonce refused, retrying once with a fresh one", "profile", e.profile, "call", c.String())
				continue
			}
			if until, ok := a.throttledUntil(); ok {
				e.limiter.throttle(until)
			}
			return e.toError(a, c)
		}
		if out == nil {
			return nil
		}
		if len(env.Result) == 0 || string(env.Result) == "null" {
			return decodeFailure(c, errors.New("answer without a result"))
		}
		if err := json.Unmarshal(env.Result, out); err != nil {
			return decodeFailure(c, fmt.Errorf("undecodable result: %w", err))
		}
		return nil
	}
}

// send performs one HTTP exchange and returns the raw answer. Errors are
// already typed.
func (e *Exchange) send(ctx context.Context, c call, creds *credentials) (int, http.Header, []byte, error) {
	req := e.rc.R().SetResponseBodyLimit(maxBody)
	target := c.path
	if c.private {
		nonce, err := creds.nonces.next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return 0, nil, nil, canceled(c, ctx.Err())
			}
			return 0, nil, nil, fmt.Errorf("kraken: %s: %w", c, err)
		}
		n := strconv.FormatUint(nonce, 10)
		body := "nonce=" + n
		if p := c.params.String(); p != "" {
			body += "&" + p
		}
		req.SetHeader("API-Key", creds.apiKey).
			SetHeader("API-Sign", sign(creds.secret, c.path, n, body)).
			SetHeader("Content-Type", "application/x-www-form-urlencoded").
			SetBody(body)
	} else if q := c.params.String(); q != "" {
		target += "?" + q
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
	resp, err := req.SetContext(rctx).Execute(c.method(), target)
	if err != nil {
		return 0, nil, nil, transportError(ctx, c, err, wrote.Load())
	}
	return resp.StatusCode(), resp.Header(), resp.Body(), nil
}

// ceilSecond rounds a wait up to whole seconds, as venues state them.
func ceilSecond(d time.Duration) time.Duration {
	if r := d % time.Second; r != 0 {
		return d - r + time.Second
	}
	return d
}

// canceled reports a call that ended before anything was sent.
func canceled(c call, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("kraken: %s: %w", c, err)
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: %v", c, err), Err: err}
}

// transportError types a failed exchange. *url.Error quotes the URL, so
// only its cause is kept (Kraken URLs carry no secrets, but a base_url
// with credentials in it might).
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
		return fmt.Errorf("kraken: %s: %w", c, err)
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: %v", c, err), Err: err}
}

// decodeFailure reports an answer the adapter cannot read. For a placement
// the order may exist, so its outcome is unknown to the caller.
func decodeFailure(c call, err error) error {
	if c.placement {
		return &exchange.Error{Kind: exchange.ErrUnknownOutcome, Venue: venueName, ClientID: c.clientID, Err: err,
			Message: fmt.Sprintf("%s: %v; the order may or may not have been placed: look it up by its client id", c, err)}
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: %v", c, err), Err: err}
}
