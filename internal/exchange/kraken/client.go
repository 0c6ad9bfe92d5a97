package kraken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
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

// newClient builds the HTTP client on venuehttp's core.
func (e *Exchange) newClient(hc *http.Client) *venuehttp.Client {
	return venuehttp.New(venuehttp.Config{
		Venue: venueName, Title: "Kraken", BaseURL: e.baseURL, HTTPClient: hc,
		Timeout: defaultRequestTimeout, MaxBody: maxBody, Logger: e.Log, Now: e.Now, Sign: e.sign,
		DecodeError: func(r *venuehttp.Request, a *venuehttp.Answer) *exchange.Error {
			c := call{path: r.Path, private: r.Signed, cost: r.Cost, placement: r.Placement, clientID: r.ClientID}
			return e.toError(httpError(a.Status, a.Header, a.Body, e.Now()), c)
		},
	})
}

// do sends c and decodes the result into out (when non-nil). An
// "EAPI:Invalid nonce" is answered by one retry with a fresh nonce: Kraken
// refused the request before acting on it, so repeating it, even a
// placement, cannot duplicate anything.
func (e *Exchange) do(ctx context.Context, c call, out any) error {
	if err := ctx.Err(); err != nil {
		return canceled(c, err)
	}
	if c.private {
		if _, err := e.credentialsFor(ctx); err != nil {
			return err
		}
		// Signed calls of this Exchange go one at a time from nonce to
		// answer; see Exchange.private.
		select {
		case e.private <- struct{}{}:
			defer func() { <-e.private }()
		case <-ctx.Done():
			return canceled(c, ctx.Err())
		}
	}
	for attempt := 0; ; attempt++ {
		r := &venuehttp.Request{Method: c.method(), Path: c.path, Signed: c.private, Placement: c.placement,
			ClientID: c.clientID, Cost: c.cost, Attempt: attempt}
		if c.private {
			r.Limiter, r.Body = e.limiter, []byte(c.params.String())
		} else {
			r.Query = c.params.String()
		}
		a, err := e.Rest.Do(ctx, r)
		if err != nil {
			return err
		}
		var env envelope
		if err := json.Unmarshal(a.Body, &env); err != nil {
			return decodeFailure(c, fmt.Errorf("undecodable answer: %w", err))
		}
		var errs []string
		for _, m := range env.Error {
			if strings.HasPrefix(m, "W") {
				e.Log.Warn("kraken: warning", "profile", e.Profile, "call", c.String(), "warning", m)
				continue
			}
			errs = append(errs, m)
		}
		if len(errs) > 0 {
			a := apiError{Status: a.Status, Errors: errs}
			if c.private && attempt == 0 && a.has(errInvalidNonce) {
				e.Log.Info("kraken: nonce refused, retrying once with a fresh one", "profile", e.Profile, "call", c.String())
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

// sign puts a fresh nonce before the parameters in the form body and signs
// exactly that body.
func (e *Exchange) sign(ctx context.Context, r *venuehttp.Request) error {
	creds, err := e.credentialsFor(ctx)
	if err != nil {
		return err
	}
	nonce, err := creds.nonces.next(ctx)
	if err != nil {
		return fmt.Errorf("kraken: %s: %w", r, err)
	}
	n := strconv.FormatUint(nonce, 10)
	body := "nonce=" + n
	if len(r.Body) > 0 {
		body += "&" + string(r.Body)
	}
	r.Body = []byte(body)
	r.Header = http.Header{
		"API-Key":      {creds.apiKey},
		"API-Sign":     {sign(creds.secret, r.Path, n, body)},
		"Content-Type": {"application/x-www-form-urlencoded"},
	}
	return nil
}

// ceilSecond rounds a wait up to whole seconds, as venues state them.
func ceilSecond(d time.Duration) time.Duration { return venuehttp.CeilSecond(d) }

// canceled reports a call that ended before anything was sent.
func canceled(c call, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("kraken: %s: %w", c, err)
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: %v", c, err), Err: err}
}

// decodeFailure reports an answer the adapter cannot read. For a placement
// the order may exist, so its outcome is unknown to the caller.
func decodeFailure(c call, err error) error {
	return venuehttp.Unreadable(venueName, c.String(), err, c.placement, c.clientID)
}
