package cmdutil

import (
	"context"
	"errors"
	"os"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/confirm"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/placement"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/trade"
)

// Exit codes. This table, the README's and the reference page are one
// contract with every script that calls tradectl; change all three together.
const (
	ExitOK               = 0
	ExitInternal         = 1
	ExitUsage            = 2 // bad flag, argument, config or order validation
	ExitNotFound         = 3
	ExitAuth             = 4
	ExitRejected         = 5 // refused by the venue: funds, invalid order, duplicate
	ExitUnavailable      = 6 // network, timeout or venue unavailable
	ExitRateLimited      = 7
	ExitPartial          = 8  // some targets failed
	ExitUnknownOutcome   = 9  // an order may or may not exist
	ExitConditionTimeout = 10 // --timeout passed before --until held or a followed order finished
	ExitNotFilled        = 11 // a followed order ended canceled or expired
	ExitDeclined         = 12 // a person answered no to a confirmation
	ExitTriggered        = 13 // a dead-man switch fired and canceled the orders
	ExitInterrupted      = 130
)

// ExitCodes documents every code with its machine-readable error code.
var ExitCodes = []struct {
	Code    int
	Name    string
	Meaning string
}{
	{ExitOK, "ok", "success"},
	{ExitInternal, "internal", "internal error (a bug: please report it)"},
	{ExitUsage, "usage", "usage or validation error: bad flag, argument, config (including an unknown profile), or an order that breaks the instrument's rules; nothing was sent"},
	{ExitNotFound, "not_found", "order or symbol not found"},
	{ExitAuth, "auth", "authentication failed or credentials missing"},
	{ExitRejected, "rejected", "refused by the venue: insufficient funds, invalid order, duplicate client id"},
	{ExitUnavailable, "unavailable", "network error, timeout or venue unavailable"},
	{ExitRateLimited, "rate_limited", "rate limited by the venue; retry after the time given"},
	{ExitPartial, "partial", "partial result: some targets failed"},
	{ExitUnknownOutcome, "unknown_outcome", "an order may or may not exist; look it up by its client id"},
	{ExitConditionTimeout, "condition_timeout", "`watch --until`, `order watch` or `--wait`: the timeout passed before the condition held or the order finished"},
	{ExitNotFilled, "not_filled", "`order watch` or `--wait`: the order ended canceled or expired (a rejection exits 5)"},
	{ExitDeclined, "declined", "the confirmation was answered no (or not at all); nothing was sent"},
	{ExitTriggered, "triggered", "`deadman`: the switch fired (its heartbeat went stale, or the venue's timer could not be refreshed) and the account's open orders were canceled"},
	{ExitInterrupted, "interrupted", "interrupted (Ctrl-C)"},
}

// Classification is how an error is reported to a script.
type Classification struct {
	Exit      int
	Code      string // machine-readable, e.g. "insufficient_funds"
	Retryable bool
}

// Classify maps an error to its exit code and error code. It is the only
// place that decides; internal/app calls it once per process.
func Classify(ctx context.Context, err error) Classification {
	var (
		usage   *UsageError
		partial *PartialError
		verr    *trade.ValidationError
		fsErr   *SetupError
		cfgErr  *config.Error
	)
	switch {
	case err == nil:
		return Classification{ExitOK, "", false}
	case errors.As(err, &partial):
		return Classification{ExitPartial, "partial", true}
	case errors.Is(err, ErrInterrupted) || (errors.Is(err, context.Canceled) && ctx != nil && ctx.Err() != nil):
		return Classification{ExitInterrupted, "interrupted", false}
	case errors.Is(err, ErrConditionTimeout):
		return Classification{ExitConditionTimeout, "condition_timeout", true}
	case errors.Is(err, ErrNotFilled):
		return Classification{ExitNotFilled, "not_filled", false}
	case errors.Is(err, exchange.ErrUnknownOutcome):
		return Classification{ExitUnknownOutcome, "unknown_outcome", false}
	case errors.Is(err, confirm.ErrDeclined):
		return Classification{ExitDeclined, "declined", false}
	case errors.Is(err, ErrTriggered):
		return Classification{ExitTriggered, "triggered", false}
	case errors.As(err, &usage), errors.As(err, &verr), errors.As(err, &fsErr), errors.As(err, &cfgErr),
		errors.Is(err, confirm.ErrNeedsYes), errors.Is(err, placement.ErrKeyConflict),
		errors.Is(err, risk.ErrBadOverride), errors.Is(err, risk.ErrBadTolerance),
		errors.Is(err, risk.ErrSlippageNotMarket), errors.Is(err, risk.ErrMarketableLimit):
		return Classification{ExitUsage, "usage", false}
	case errors.Is(err, exchange.ErrNotFound):
		return Classification{ExitNotFound, "not_found", false}
	case errors.Is(err, exchange.ErrAuth):
		return Classification{ExitAuth, "auth", false}
	case errors.Is(err, exchange.ErrInsufficientFunds):
		return Classification{ExitRejected, "insufficient_funds", false}
	case errors.Is(err, exchange.ErrDuplicateClientID):
		return Classification{ExitRejected, "duplicate_client_id", false}
	case errors.Is(err, exchange.ErrInvalidOrder):
		return Classification{ExitRejected, "invalid_order", false}
	case errors.Is(err, ErrRefused), errors.Is(err, risk.ErrRefused):
		return Classification{ExitRejected, "rejected", false}
	case errors.Is(err, exchange.ErrRateLimited):
		return Classification{ExitRateLimited, "rate_limited", true}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return Classification{ExitUnavailable, "timeout", true}
	case errors.Is(err, exchange.ErrUnavailable):
		return Classification{ExitUnavailable, "unavailable", true}
	}
	return Classification{ExitInternal, "internal", false}
}
