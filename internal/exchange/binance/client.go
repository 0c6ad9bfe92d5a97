package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync/atomic"

	"github.com/tradectl/tradectl/internal/exchange"
)

// call is one REST request.
type call struct {
	method string
	path   string
	params *query // without recvWindow, timestamp and signature
	signed bool
	weight int
	// placement marks a new order: failures after the request was written
	// leave its outcome unknown instead of merely unavailable.
	placement bool
	clientID  string
}

func (c call) String() string { return c.method + " " + c.path }

// maxBody bounds a response; exchangeInfo for every symbol is the largest
// answer Binance gives (tens of MB at most).
const maxBody = 64 << 20

// do sends c and decodes a 2xx body into out (when non-nil). A -1021
// (timestamp outside recvWindow) is answered by one clock sync and one
// retry: Binance rejected the request before acting on it, so repeating
// it, even a placement, cannot duplicate anything.
func (e *Exchange) do(ctx context.Context, c call, out any) error {
	for attempt := 0; ; attempt++ {
		status, header, body, err := e.send(ctx, c)
		if err != nil {
			return err
		}
		if status >= 200 && status < 300 {
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(body, out); err != nil {
				kind := exchange.ErrUnavailable
				if c.placement {
					kind = exchange.ErrUnknownOutcome
				}
				return &exchange.Error{Kind: kind, Venue: venueName, ClientID: clientIDIf(c),
					Message: fmt.Sprintf("%s: undecodable answer: %v", c, err), Err: err}
			}
			return nil
		}
		ae := decodeError(status, header, body, e.venueNow())
		if ae.Code == -1021 && c.signed && attempt == 0 {
			if err := e.syncClockNow(ctx); err == nil {
				e.log.Info("binance: clock skew corrected, retrying", "profile", e.profile, "offset_ms", e.offsetMS.Load())
				continue
			} else {
				e.log.Warn("binance: clock sync failed", "profile", e.profile, "err", err)
			}
		}
		if ae.Status == http.StatusTooManyRequests || ae.Status == http.StatusTeapot {
			e.limiter.ban(ae.RetryAfter)
		}
		return toError(ae, c.placement, c.clientID)
	}
}

func clientIDIf(c call) string {
	if c.placement {
		return c.clientID
	}
	return ""
}

// send performs one HTTP exchange and returns the raw answer. Errors are
// already typed.
func (e *Exchange) send(ctx context.Context, c call) (int, http.Header, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, nil, canceled(c, err)
	}
	var creds *credentials
	if c.signed {
		var err error
		if creds, err = e.credentialsFor(ctx); err != nil {
			return 0, nil, nil, err
		}
	}
	banned, err := e.limiter.acquire(ctx, c.weight)
	if err != nil {
		return 0, nil, nil, canceled(c, err)
	}
	if banned > 0 {
		return 0, nil, nil, &exchange.Error{Kind: exchange.ErrRateLimited, Venue: venueName, RetryAfter: banned,
			Message: "Binance asked us to pause after a rate-limit answer; nothing was sent"}
	}

	rawQuery := c.params.String()
	header := http.Header{}
	if c.signed {
		if e.syncClock && !e.synced.Load() {
			if err := e.syncClockNow(ctx); err != nil {
				return 0, nil, nil, err
			}
		}
		payload := rawQuery
		if payload != "" {
			payload += "&"
		}
		payload += "recvWindow=" + strconv.Itoa(e.recvWindow) + "&timestamp=" + strconv.FormatInt(e.venueNow().UnixMilli(), 10)
		rawQuery = payload + "&signature=" + url.QueryEscape(creds.signer.sign([]byte(payload)))
		header.Set("X-MBX-APIKEY", creds.apiKey)
	}
	target := e.baseURL + c.path
	if rawQuery != "" {
		target += "?" + rawQuery
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
	req := e.rest.R().SetContext(rctx)
	for k, v := range header {
		req.SetHeader(k, v[0])
	}
	resp, err := req.Execute(c.method, target)
	if err != nil {
		return 0, nil, nil, transportError(ctx, c, err, wrote.Load())
	}
	body := resp.Body()
	if used, err := strconv.Atoi(resp.Header().Get("X-MBX-USED-WEIGHT-1M")); err == nil {
		e.limiter.observe(used)
	}
	return resp.StatusCode(), resp.Header(), body, nil
}

// canceled reports a call that ended before anything was sent.
func canceled(c call, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("binance: %s: %w", c, err)
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: %v", c, err), Err: err}
}

// transportError types a failed exchange. net/http's *url.Error quotes the
// whole URL, signature included, so only its cause is kept.
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
		return fmt.Errorf("binance: %s: %w", c, err)
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: fmt.Sprintf("%s: %v", c, err), Err: err}
}

// syncClockNow measures the venue clock offset with /api/v3/time, taking
// the midpoint of the round trip as the moment the server read its clock.
func (e *Exchange) syncClockNow(ctx context.Context) error {
	var t struct {
		ServerTime int64 `json:"serverTime"`
	}
	before := e.now()
	if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/time", weight: 1}, &t); err != nil {
		return err
	}
	after := e.now()
	if t.ServerTime <= 0 {
		return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: "GET /api/v3/time: no serverTime in the answer"}
	}
	mid := before.Add(after.Sub(before) / 2)
	e.offsetMS.Store(t.ServerTime - mid.UnixMilli())
	e.synced.Store(true)
	return nil
}
