package exchange

import (
	"errors"
	"strings"
	"time"
)

// The kinds of failure every adapter reports. Match them with errors.Is;
// use errors.As with *Error for the venue's code, message and retry-after.
var (
	ErrNotFound          = errors.New("not found")
	ErrInsufficientFunds = errors.New("insufficient funds")
	ErrInvalidOrder      = errors.New("invalid order")
	ErrAuth              = errors.New("authentication failed")
	ErrRateLimited       = errors.New("rate limited")
	ErrUnavailable       = errors.New("venue unavailable")
	// ErrDuplicateClientID means the venue already has an order with this
	// client id; the caller looks that order up instead of placing another.
	ErrDuplicateClientID = errors.New("duplicate client order id")
	// ErrUnknownOutcome means a placement may or may not have reached the
	// venue: the caller must look the order up by client id, never resend
	// under a new id.
	ErrUnknownOutcome = errors.New("order outcome unknown")
)

// ErrSymbolNeeded is the cause (Error.Err) of a refusal a symbol would
// have avoided: the venue finds an order, or keeps its history, only per
// symbol. Adapters say so in the venue's words; the command that was run
// names its own flag for it.
var ErrSymbolNeeded = errors.New("the symbol is needed")

// Error is a venue failure of one of the kinds above.
type Error struct {
	Kind       error         // one of the Err* sentinels
	Venue      string        // registry name, e.g. "binance"
	Code       string        // the venue's own code, e.g. "-2010"
	Message    string        // the venue's message, never a secret
	RetryAfter time.Duration // for ErrRateLimited (and ErrUnavailable when the venue says)
	ClientID   string        // for ErrUnknownOutcome: the id to look the order up by
	Err        error         // underlying cause, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Venue != "" {
		b.WriteString(e.Venue)
		b.WriteString(": ")
	}
	b.WriteString(e.Kind.Error())
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Code != "" {
		b.WriteString(" (code ")
		b.WriteString(e.Code)
		b.WriteString(")")
	}
	if e.RetryAfter > 0 {
		b.WriteString("; retry after ")
		b.WriteString(e.RetryAfter.String())
	}
	if e.ClientID != "" {
		b.WriteString("; client id ")
		b.WriteString(e.ClientID)
	}
	if e.Err != nil && e.Message == "" {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrX) true for an *Error of kind ErrX.
func (e *Error) Is(target error) bool { return e.Kind == target }

// Unwrap exposes the cause.
func (e *Error) Unwrap() error { return e.Err }

// RetryAfter returns how long the venue asked us to wait, if it did.
func RetryAfter(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

// Retryable reports whether repeating the same call may succeed: rate limits
// and unavailability are, everything else (validation, auth, funds, not
// found, unknown outcome) is not. A placement is never simply repeated on
// ErrUnknownOutcome; it is reconciled by client id first.
func Retryable(err error) bool {
	return errors.Is(err, ErrRateLimited) || errors.Is(err, ErrUnavailable)
}
