package coinbase

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// apiError is a failed answer in any of Coinbase's shapes:
//
//   - non-2xx with grpc-gateway's {"error","code","message","details"};
//   - non-2xx with {"error","message","error_details",…};
//   - a create-order 200 with success=false and error_response
//     {"error","message","error_details","preview_failure_reason","new_order_failure_reason"};
//   - a bare text body such as "Unauthorized".
type apiError struct {
	Status     int    // HTTP status; 200 for success=false answers
	Code       string // the venue's error string, e.g. "NOT_FOUND", "INSUFFICIENT_FUND"
	Reason     string // the specific failure reason when one was given
	Message    string
	JSON       bool // the body was a JSON error document
	RetryAfter time.Duration
}

// errorBody covers both error documents; unknown fields are ignored.
type errorBody struct {
	Error                 string          `json:"error"`
	Code                  json.RawMessage `json:"code"`
	Message               string          `json:"message"`
	ErrorDetails          json.RawMessage `json:"error_details"`
	PreviewFailureReason  string          `json:"preview_failure_reason"`
	NewOrderFailureReason string          `json:"new_order_failure_reason"`
}

// genericReasons carry no information beyond "it failed".
var genericReasons = map[string]bool{
	"":                               true,
	"UNKNOWN_FAILURE_REASON":         true,
	"UNKNOWN_PREVIEW_FAILURE_REASON": true,
}

// fromBody fills code, reason and message from an error document.
func (e *apiError) fromBody(b errorBody) {
	e.Code = strings.TrimSpace(b.Error)
	for _, r := range []string{b.NewOrderFailureReason, b.PreviewFailureReason} {
		if !genericReasons[r] && e.Reason == "" {
			e.Reason = r
		}
	}
	e.Message = strings.TrimSpace(b.Message)
	if details := detailsText(b.ErrorDetails); details != "" && details != e.Message {
		if e.Message == "" {
			e.Message = details
		} else {
			e.Message += ": " + details
		}
	}
	if e.Message == "" {
		e.Message = strings.ToLower(strings.ReplaceAll(firstNonEmpty(e.Reason, e.Code), "_", " "))
	}
}

// detailsText reads error_details, a string in practice and an object in
// some gateway answers (shown compactly, bounded).
func detailsText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	return excerpt(raw)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// decodeHTTPError reads a non-2xx answer. It never fails: an unreadable
// body becomes a message with the status and a short printable excerpt.
func decodeHTTPError(status int, header http.Header, body []byte, now time.Time) apiError {
	e := apiError{Status: status}
	var b errorBody
	if err := json.Unmarshal(body, &b); err == nil && (b.Error != "" || b.Message != "" || b.NewOrderFailureReason != "" || b.PreviewFailureReason != "") {
		e.JSON = true
		e.fromBody(b)
	} else {
		e.Message = venuehttp.StatusMessage(status, body)
	}
	e.RetryAfter = retryAfter(header, now)
	return e
}

// retryAfter reads Retry-After (seconds or an HTTP date), else
// x-ratelimit-reset (seconds to wait, or a Unix time when it is that
// large). Zero when the venue said nothing.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if d := venuehttp.RetryAfter(h, now); d > 0 {
		return d
	}
	if v := strings.TrimSpace(h.Get("X-Ratelimit-Reset")); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 && f < 1e12 {
			if f > 1e9 {
				if d := time.Unix(int64(f), 0).Sub(now); d > 0 {
					return d.Round(time.Second)
				}
				return 0
			}
			return time.Duration(f * float64(time.Second)).Round(time.Millisecond)
		}
	}
	return 0
}

// excerpt keeps error pages from flooding messages.
func excerpt(body []byte) string { return venuehttp.Excerpt(body, 120) }

// failureKind maps the venue's error strings (error, failure reasons) to a
// kind, or nil when none of them says anything specific.
func failureKind(codes ...string) error {
	has := func(sub string) bool {
		for _, c := range codes {
			if strings.Contains(strings.ToUpper(c), sub) {
				return true
			}
		}
		return false
	}
	switch {
	case has("INSUFFICIENT_FUND"), has("INSUFFICIENT_LEDGER_BALANCE"), has("INSUFFICIENT_BALANCE"):
		return exchange.ErrInsufficientFunds
	case has("DUPLICATE_CLIENT"), has("DUPLICATE_ORDER"):
		return exchange.ErrDuplicateClientID
	case has("INVALID_PRODUCT_ID"), has("PRODUCT_NOT_FOUND"), has("NOT_FOUND"):
		return exchange.ErrNotFound
	case has("UNAUTHENTICATED"), has("PERMISSION_DENIED"), has("UNAUTHORIZED"):
		return exchange.ErrAuth
	case has("RESOURCE_EXHAUSTED"), has("RATE_LIMIT"):
		return exchange.ErrRateLimited
	}
	return nil
}

// classify maps a failed answer to one of exchange's kinds. placement says
// the request was a new order, for which a server-side failure leaves the
// outcome unknown.
func classify(e apiError, placement bool) error {
	serverSide := func() error {
		if placement {
			return exchange.ErrUnknownOutcome
		}
		return exchange.ErrUnavailable
	}
	switch {
	case e.Status == http.StatusTooManyRequests:
		return exchange.ErrRateLimited
	case e.Status == http.StatusUnauthorized, e.Status == http.StatusForbidden:
		return exchange.ErrAuth
	case e.Status >= 500:
		return serverSide()
	case e.Status == http.StatusNotFound && !e.JSON:
		// A bare 404 page: a wrong base_url or path, not a missing order.
		return exchange.ErrUnavailable
	case e.Status == http.StatusNotFound:
		return exchange.ErrNotFound
	case e.Status == http.StatusRequestTimeout:
		return serverSide()
	}
	if k := failureKind(e.Reason, e.Code); k != nil {
		return k
	}
	switch strings.ToUpper(e.Code) {
	case "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "UNKNOWN":
		return serverSide()
	}
	// INVALID_ARGUMENT, precision and size failures, post-only crossing and
	// any other refusal of the request itself.
	return exchange.ErrInvalidOrder
}

// toError builds the typed error callers see. It quotes only the venue's
// own words, never the request (which carries the bearer token).
func toError(e apiError, placement bool, clientID string) *exchange.Error {
	f := venuehttp.Failure{Kind: classify(e, placement), Code: firstNonEmpty(e.Reason, e.Code), Message: e.Message, RetryAfter: e.RetryAfter}
	if f.Code == "" && e.Status != 0 && e.Status != http.StatusOK {
		f.Code = strconv.Itoa(e.Status)
	}
	out := venuehttp.NewError(venueName, f, clientID)
	switch f.Kind {
	case exchange.ErrAuth:
		if e.Status == http.StatusUnauthorized {
			out.Message += " (check that api_key is the CDP key name and api_secret its EC private key, and that the system clock is right: tokens live two minutes)"
		} else if strings.Contains(strings.ToLower(e.Message), "scope") {
			out.Message += " (the API key lacks a permission this call needs: enable view and trade for it)"
		}
	}
	return out
}
