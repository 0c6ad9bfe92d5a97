package binance

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
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

// newClient builds the HTTP client: the venue's signing, error decoding and
// 429/418 bans on venuehttp's core.
func (e *Exchange) newClient(hc *http.Client) *venuehttp.Client {
	return venuehttp.New(venuehttp.Config{
		Venue: venueName, Title: "Binance", BaseURL: e.baseURL, HTTPClient: hc,
		Timeout: defaultRequestTimeout, MaxBody: maxBody, Logger: e.Log, Now: e.Now,
		Sign: e.sign,
		DecodeError: func(r *venuehttp.Request, a *venuehttp.Answer) *exchange.Error {
			if r.Path == pathCancelReplace {
				if xe := cancelReplaceError(a); xe != nil {
					return xe
				}
			}
			return toError(decodeError(a.Status, a.Header, a.Body, e.venueNow()), r.Placement, r.ClientID)
		},
		PauseStatuses: []int{http.StatusTooManyRequests, http.StatusTeapot},
	})
}

// do sends c and decodes a 2xx body into out (when non-nil). A -1021
// (timestamp outside recvWindow) is answered by one clock sync and one
// retry: Binance rejected the request before acting on it, so repeating
// it, even a placement, cannot duplicate anything.
func (e *Exchange) do(ctx context.Context, c call, out any) error {
	for attempt := 0; ; attempt++ {
		if c.signed && ctx.Err() == nil {
			// Before the limiter: a profile without keys spends no weight.
			if _, err := e.credentialsFor(ctx); err != nil {
				return err
			}
		}
		r := &venuehttp.Request{Method: c.method, Path: c.path, Query: c.params.String(), Signed: c.signed,
			Placement: c.placement, ClientID: c.clientID, Limiter: e.limiter, Cost: c.weight, Attempt: attempt}
		err := e.Rest.JSON(ctx, r, out)
		var xe *exchange.Error
		if attempt == 0 && c.signed && errors.As(err, &xe) && xe.Code == "-1021" {
			if err := e.syncClockNow(ctx); err == nil {
				e.Log.Info("binance: clock skew corrected, retrying", "profile", e.Profile, "offset_ms", e.offsetMS.Load())
				continue
			} else {
				e.Log.Warn("binance: clock sync failed", "profile", e.Profile, "err", err)
			}
		}
		return err
	}
}

// sign appends recvWindow, timestamp and the signature of exactly the
// query that is sent, and adds the key header.
func (e *Exchange) sign(ctx context.Context, r *venuehttp.Request) error {
	creds, err := e.credentialsFor(ctx)
	if err != nil {
		return err
	}
	if e.syncClock && !e.synced.Load() {
		if err := e.syncClockNow(ctx); err != nil {
			return err
		}
	}
	payload := r.Query
	if payload != "" {
		payload += "&"
	}
	payload += "recvWindow=" + strconv.Itoa(e.recvWindow) + "&timestamp=" + strconv.FormatInt(e.venueNow().UnixMilli(), 10)
	r.Query = payload + "&signature=" + url.QueryEscape(creds.signer.sign([]byte(payload)))
	r.Header = http.Header{"X-Mbx-Apikey": {creds.apiKey}}
	return nil
}

// syncClockNow measures the venue clock offset with /api/v3/time, taking
// the midpoint of the round trip as the moment the server read its clock.
func (e *Exchange) syncClockNow(ctx context.Context) error {
	var t struct {
		ServerTime int64 `json:"serverTime"`
	}
	before := e.Now()
	if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/time", weight: 1}, &t); err != nil {
		return err
	}
	after := e.Now()
	if t.ServerTime <= 0 {
		return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: "GET /api/v3/time: no serverTime in the answer"}
	}
	mid := before.Add(after.Sub(before) / 2)
	e.offsetMS.Store(t.ServerTime - mid.UnixMilli())
	e.synced.Store(true)
	return nil
}
