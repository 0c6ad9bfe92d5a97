package binance

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

const venueName = "binance"

// apiError is a non-2xx answer: Binance's {"code","msg"} body when it sent
// one, plus what the HTTP layer said.
type apiError struct {
	Status     int
	Code       int // 0 when the body carried none
	Msg        string
	RetryAfter time.Duration
}

// decodeError reads an error answer. It never fails: an unreadable body
// becomes a message with the HTTP status and a short, printable excerpt.
func decodeError(status int, header http.Header, body []byte, now time.Time) apiError {
	e := apiError{Status: status}
	var wire struct {
		Code *int   `json:"code"`
		Msg  string `json:"msg"`
	}
	if err := json.Unmarshal(body, &wire); err == nil && wire.Code != nil {
		e.Code, e.Msg = *wire.Code, wire.Msg
	} else {
		e.Msg = venuehttp.StatusMessage(status, body)
	}
	e.RetryAfter = venuehttp.RetryAfter(header, now)
	// A ban message names its end in ms since the epoch; it outranks a
	// missing header.
	if e.RetryAfter == 0 {
		if m := bannedUntil().FindStringSubmatch(e.Msg); m != nil {
			if ms, err := strconv.ParseInt(m[1], 10, 64); err == nil {
				if d := time.UnixMilli(ms).Sub(now); d > 0 {
					e.RetryAfter = d.Round(time.Second)
				}
			}
		}
	}
	return e
}

// bannedUntil is compiled on first use, not when every tradectl command
// starts.
var bannedUntil = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`banned until (\d{12,14})`) })

// classify maps an error answer to one of exchange's kinds. placement says
// the request was a new order, for which a server-side failure leaves the
// outcome unknown (Binance: "5XX … execution status is UNKNOWN").
func classify(e apiError, placement bool) error {
	msg := strings.ToLower(e.Msg)
	switch {
	case e.Status == http.StatusTooManyRequests || e.Status == http.StatusTeapot,
		e.Code == -1003, // TOO_MANY_REQUESTS
		e.Code == -1015: // TOO_MANY_ORDERS
		return exchange.ErrRateLimited
	case e.Code == -1007, e.Code == -1006, e.Code == -1000, e.Code == -1001,
		e.Status >= 500 && e.Code != -1008:
		// Timeouts, message-bus and internal errors: the order may exist.
		if placement {
			return exchange.ErrUnknownOutcome
		}
		return exchange.ErrUnavailable
	case e.Code == -1008: // server overloaded: rejected before processing
		return exchange.ErrUnavailable
	case e.Code == -1021, e.Code == -1022, e.Code == -2014, e.Code == -2015, e.Code == -1002,
		e.Status == http.StatusUnauthorized, e.Status == http.StatusForbidden:
		return exchange.ErrAuth
	case e.Code == -2010:
		switch {
		case strings.Contains(msg, "insufficient balance"):
			return exchange.ErrInsufficientFunds
		case strings.Contains(msg, "duplicate order"):
			return exchange.ErrDuplicateClientID
		}
		return exchange.ErrInvalidOrder
	case e.Code == -2011:
		if strings.Contains(msg, "unknown order") {
			return exchange.ErrNotFound
		}
		return exchange.ErrInvalidOrder
	case e.Code == -2013, e.Code == -1121, e.Code == -2026:
		return exchange.ErrNotFound
	case e.Status == http.StatusNotFound && e.Code == 0:
		return exchange.ErrUnavailable // wrong base_url or endpoint, not a missing order
	}
	// -1013 filter failures, -11xx parameter errors and any other 4xx: the
	// request itself was wrong.
	return exchange.ErrInvalidOrder
}

// toError builds the typed error callers see. It quotes only Binance's own
// message, never the request (which carries the key's signature).
func toError(e apiError, placement bool, clientID string) *exchange.Error {
	f := venuehttp.Failure{Kind: classify(e, placement), Message: e.Msg, RetryAfter: e.RetryAfter}
	if e.Code != 0 {
		f.Code = strconv.Itoa(e.Code)
	}
	out := venuehttp.NewError(venueName, f, clientID)
	switch f.Kind {
	case exchange.ErrAuth:
		switch e.Code {
		case -1021:
			out.Message += " (the local clock differs from Binance's: fix the system clock or set sync_clock: true in the profile)"
		case -2014, -2015:
			out.Message += " (check api_key, its permissions and IP whitelist)"
		case -1022:
			out.Message += " (check api_secret and key_type)"
		}
	}
	return out
}
