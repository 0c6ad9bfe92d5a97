package alpaca

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// apiError is a non-2xx answer: Alpaca's {"code","message"} body when it
// sent one, plus what the HTTP layer said.
type apiError struct {
	Status     int
	Code       int  // 0 when the body carried none
	HasBody    bool // the body was Alpaca's JSON error object
	Message    string
	RetryAfter time.Duration
}

// decodeError reads an error answer. It never fails: an unreadable body
// becomes a message with the HTTP status and a short, printable excerpt.
func decodeError(status int, header http.Header, body []byte, now time.Time) apiError {
	e := apiError{Status: status}
	var wire struct {
		Code    json.Number `json:"code"`
		Message *string     `json:"message"`
	}
	if err := json.Unmarshal(body, &wire); err == nil && wire.Message != nil {
		e.HasBody = true
		e.Message = venuehttp.Excerpt([]byte(*wire.Message), 300)
		if n, err := strconv.Atoi(string(wire.Code)); err == nil {
			e.Code = n
		}
	}
	if e.Message == "" {
		e.Message = venuehttp.StatusMessage(status, body)
	}
	if status == http.StatusTooManyRequests {
		e.RetryAfter = retryAfter(header, now)
	}
	return e
}

// retryAfter reads Retry-After (seconds or an HTTP date), else
// X-RateLimit-Reset (unix seconds at which the window resets).
func retryAfter(h http.Header, now time.Time) time.Duration {
	if d := venuehttp.RetryAfter(h, now); d > 0 {
		return d
	}
	if s := strings.TrimSpace(h.Get("X-RateLimit-Reset")); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 && n < 1e11 {
			if d := time.Unix(n, 0).Sub(now); d > 0 {
				// The reset is whole seconds; round up so a caller who
				// waits exactly this long lands in the new window.
				return min(d.Truncate(time.Second)+time.Second, venuehttp.MaxRetryAfter)
			}
		}
	}
	return 0
}

// authWords mark a 403 that is about the key rather than the order.
var authWords = []string{"unauthorized", "not authorized", "forbidden", "api key", "permission", "subscription"}

// classify maps an error answer to one of exchange's kinds (reference
// section 4: 401/403 keys, 403 buying power, 404, 422 input, 429, 5xx).
func classify(e apiError, c call) error {
	msg := strings.ToLower(e.Message)
	switch {
	case e.Status == http.StatusTooManyRequests:
		return exchange.ErrRateLimited
	case e.Status >= 500:
		// The order may exist: Alpaca can fail after accepting it.
		if c.placement {
			return exchange.ErrUnknownOutcome
		}
		return exchange.ErrUnavailable
	case e.Status == http.StatusUnauthorized:
		return exchange.ErrAuth
	case e.Status == http.StatusForbidden:
		switch {
		case strings.Contains(msg, "insufficient"):
			// "insufficient buying power", "insufficient qty available
			// for order", "insufficient balance for USD".
			return exchange.ErrInsufficientFunds
		case c.placement && !containsAny(msg, authWords):
			// Wash-trade, pattern-day-trader and shorting refusals are
			// about this order, not about the key.
			return exchange.ErrInvalidOrder
		}
		return exchange.ErrAuth
	case e.Status == http.StatusNotFound:
		if !e.HasBody {
			return exchange.ErrUnavailable // a wrong base_url, not a missing order
		}
		return exchange.ErrNotFound
	case e.Status == http.StatusUnprocessableEntity || e.Status == http.StatusBadRequest:
		if strings.Contains(msg, "client_order_id") && strings.Contains(msg, "unique") {
			return exchange.ErrDuplicateClientID
		}
		if c.lookup && strings.Contains(msg, "symbol") {
			return exchange.ErrNotFound
		}
		return exchange.ErrInvalidOrder
	case e.Status >= 300 && e.Status < 400:
		return exchange.ErrUnavailable // redirects are refused; see newRestyClient
	}
	return exchange.ErrInvalidOrder
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// toError builds the typed error callers see. It quotes only Alpaca's own
// message, never the request headers (which carry the secret).
func toError(e apiError, c call) *exchange.Error {
	f := venuehttp.Failure{Kind: classify(e, c), Message: e.Message, RetryAfter: e.RetryAfter}
	if e.Code != 0 {
		f.Code = strconv.Itoa(e.Code)
	}
	out := venuehttp.NewError(venueName, f, c.clientID)
	switch f.Kind {
	case exchange.ErrAuth:
		switch {
		case e.Status == http.StatusUnauthorized:
			out.Message += " (check api_key and api_secret, and that paper: matches the keys: paper keys work only against paper trading)"
		case strings.Contains(strings.ToLower(e.Message), "sip"):
			out.Message += " (SIP quotes need a market data subscription; set feed: iex)"
		}
	case exchange.ErrUnavailable:
		if e.Status >= 300 && e.Status < 400 {
			out.Message += " (Alpaca does not redirect: check base_url and data_url)"
		} else if e.Status == http.StatusNotFound {
			out.Message += fmt.Sprintf(" (%s: check base_url and data_url)", c)
		}
	}
	return out
}
