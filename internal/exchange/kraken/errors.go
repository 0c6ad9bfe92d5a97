package kraken

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// Kraken answers errors as HTTP 200 with {"error":["EOrder:Insufficient
// funds"]}: "<severity E|W><category>:<description>". These are the
// messages the adapter acts on (docs.kraken.com spot-errors and the REST
// rate-limit guide).
const (
	errInvalidKey       = "EAPI:Invalid key"
	errInvalidSignature = "EAPI:Invalid signature"
	errInvalidNonce     = "EAPI:Invalid nonce"
	errPermission       = "EGeneral:Permission denied"
	errRateLimit        = "EAPI:Rate limit exceeded"
	errOrderRateLimit   = "EOrder:Rate limit exceeded"
	errTooManyRequests  = "EGeneral:Too many requests"
	errLockout          = "EGeneral:Temporary lockout"
	errThrottled        = "EService:Throttled"
	errInsufficient     = "EOrder:Insufficient funds"
	errUnknownOrder     = "EOrder:Unknown order"
	errUnknownPair      = "EQuery:Unknown asset pair"
	errUnavailable      = "EService:Unavailable"
	errBusy             = "EService:Busy"
	errInternal         = "EGeneral:Internal error"
	// errDuplicateOrder is Kraken's answer to a cl_ord_id already used by
	// an open order. The reference material does not name the string; this
	// is the form Kraken's EOrder messages take, and classify matches any
	// EOrder message about a duplicate, so a variation still maps right.
	errDuplicateOrder = "EOrder:Duplicate order"
)

// lockoutWait is the wait reported for "EGeneral:Temporary lockout", which
// names no time. Kraken's support pages describe API blocks of 15 minutes.
const lockoutWait = 15 * time.Minute

// orderRateLimitWait is reported for "EOrder:Rate limit exceeded", the
// per-pair trading-engine limit. Its counter decays by at least one a
// second on every tier, so a short wait lets the next order through.
const orderRateLimitWait = 2 * time.Second

// apiError is a failed answer: Kraken's error strings, or what the HTTP
// layer said when the answer was not Kraken's envelope.
type apiError struct {
	Status     int      // HTTP status
	Errors     []string // Kraken's E… strings; empty for HTTP-level failures
	Msg        string   // for HTTP-level failures: status and an excerpt
	RetryAfter time.Duration
}

func (a apiError) message() string {
	if len(a.Errors) > 0 {
		return strings.Join(a.Errors, "; ")
	}
	return a.Msg
}

// has reports whether any error starts with prefix (Kraken appends
// details after a colon, e.g. "EGeneral:Invalid arguments:volume").
func (a apiError) has(prefix string) bool {
	for _, e := range a.Errors {
		if strings.HasPrefix(e, prefix) {
			return true
		}
	}
	return false
}

// httpError describes a non-200 answer without quoting more than a short,
// printable excerpt of it.
func httpError(status int, header http.Header, body []byte, now time.Time) apiError {
	return apiError{Status: status, Msg: venuehttp.StatusMessage(status, body), RetryAfter: venuehttp.RetryAfter(header, now)}
}

// throttledUntil reads "EService:Throttled: 1700000000" (a unix time).
func (a apiError) throttledUntil() (time.Time, bool) {
	for _, e := range a.Errors {
		rest, ok := strings.CutPrefix(e, errThrottled)
		if !ok {
			continue
		}
		rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
		if n, err := strconv.ParseInt(rest, 10, 64); err == nil && n > 0 {
			return time.Unix(n, 0), true
		}
		return time.Time{}, false
	}
	return time.Time{}, false
}

// classify maps a failed answer to one of exchange's kinds. placement says
// the request was a new order, for which a server-side failure leaves the
// outcome unknown.
func classify(a apiError, placement bool) error {
	if len(a.Errors) == 0 {
		switch {
		case a.Status == http.StatusTooManyRequests:
			return exchange.ErrRateLimited
		case a.Status >= 500 && placement:
			return exchange.ErrUnknownOutcome
		}
		// Other statuses mean the request did not reach Kraken properly
		// (a proxy, Cloudflare, a wrong base_url): nothing was done.
		return exchange.ErrUnavailable
	}
	switch {
	case a.has(errInvalidKey), a.has(errInvalidSignature), a.has(errInvalidNonce), a.has(errPermission):
		return exchange.ErrAuth
	case a.has(errRateLimit), a.has(errOrderRateLimit), a.has(errTooManyRequests), a.has(errLockout), a.has(errThrottled):
		return exchange.ErrRateLimited
	case a.has(errInsufficient), a.has("EOrder:Insufficient margin"), a.has("EFunding:Insufficient funds"):
		return exchange.ErrInsufficientFunds
	case a.has(errUnknownOrder), a.has(errUnknownPair), a.has("EQuery:Unknown asset"):
		return exchange.ErrNotFound
	case a.has(errUnavailable), a.has(errBusy), a.has("EService:Market in cancel_only mode"),
		a.has("EService:Market in post_only mode"), a.has("EService:Market in limit_only mode"), a.has("EService:Deadline elapsed"):
		// Refused before the matching engine acted.
		return exchange.ErrUnavailable
	case a.has(errInternal), a.has("EService:"), a.has("EDatabase:"):
		if placement {
			return exchange.ErrUnknownOutcome
		}
		return exchange.ErrUnavailable
	case a.has(errDuplicateOrder), duplicateClientID(a.Errors):
		return exchange.ErrDuplicateClientID
	}
	// EOrder:Invalid price, EOrder:Order minimum not met, EOrder:Tick size
	// check failed, EGeneral:Invalid arguments… and anything else: the
	// request itself was wrong.
	return exchange.ErrInvalidOrder
}

func duplicateClientID(errs []string) bool {
	for _, e := range errs {
		if strings.HasPrefix(e, "EOrder:") && strings.Contains(strings.ToLower(e), "duplicate") {
			return true
		}
	}
	return false
}

// toError builds the typed error callers see. It quotes only Kraken's own
// messages, never the request (whose headers carry the key and signature).
func (e *Exchange) toError(a apiError, c call) *exchange.Error {
	kind := classify(a, c.placement)
	if kind == exchange.ErrInvalidOrder && (c.path == pathQueryOrders || c.path == pathCancelOrder) && a.has("EOrder:Invalid order") {
		// Looking up or canceling an order, "invalid order" can only mean
		// the id names none.
		kind = exchange.ErrNotFound
	}
	msg := a.message()
	if kind == exchange.ErrUnknownOutcome {
		msg = c.String() + ": " + msg
	}
	out := venuehttp.NewError(venueName, venuehttp.Failure{Kind: kind, Message: msg, RetryAfter: a.RetryAfter}, c.clientID)
	switch kind {
	case exchange.ErrAuth:
		switch {
		case a.has(errInvalidKey):
			out.Message += " (check api_key and that the key is enabled)"
		case a.has(errInvalidSignature):
			out.Message += " (check api_secret: it is the key's base64 private key)"
		case a.has(errInvalidNonce):
			out.Message += " (another client may be using this key with larger nonces; give tradectl its own key or raise the key's nonce window)"
		case a.has(errPermission):
			out.Message += " (the key lacks the permission this call needs)"
		}
	case exchange.ErrRateLimited:
		if out.RetryAfter == 0 {
			if until, ok := a.throttledUntil(); ok {
				if d := until.Sub(e.Now()); d > 0 {
					out.RetryAfter = ceilSecond(d)
				} else {
					out.RetryAfter = time.Second
				}
			} else if a.has(errLockout) {
				out.RetryAfter = lockoutWait
			} else if a.has(errOrderRateLimit) {
				out.RetryAfter = orderRateLimitWait
			} else {
				out.RetryAfter = e.limiter.exceeded(c.cost)
			}
		}
	}
	return out
}
