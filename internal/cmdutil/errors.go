// Package cmdutil is shared by every command: the Factory that hands out
// lazily built dependencies, the typed CLI errors and their exit codes,
// and helpers for flags.
package cmdutil

import (
	"github.com/tradectl/tradectl/internal/deadman"
	"github.com/tradectl/tradectl/internal/orderfollow"

	"errors"
	"fmt"
	"strings"
)

// UsageError is a mistake in how the command was called (exit 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef builds a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// SetupError is a problem with the machine's setup the user must fix —
// an unwritable data directory, a missing config file (exit 2).
type SetupError struct{ Err error }

func (e *SetupError) Error() string { return e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

// PartialError says some targets of a multi-target command failed (exit 8);
// their results were already printed.
type PartialError struct {
	Failed, Total int
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%d of %d failed", e.Failed, e.Total)
}

// ErrInterrupted is returned when the user pressed Ctrl-C.
var ErrInterrupted = errors.New("interrupted")

// ErrConditionTimeout means --timeout passed before a watched condition
// held or a followed order finished (exit 10).
var ErrConditionTimeout = orderfollow.ErrTimedOut

// ErrNotFilled means a followed order ended canceled or expired (exit 11).
var ErrNotFilled = orderfollow.ErrNotFilled

// ErrTriggered means a dead-man switch fired and canceled the account's
// open orders (exit 13).
var ErrTriggered = deadman.ErrTriggered

// ErrRefused marks a refusal by tradectl itself on the venue's behalf
// (a risk limit, a slippage guard) — exit 5 like a venue rejection.
var ErrRefused = orderfollow.ErrRejected

// SilentError has already been reported to the user; only the exit code
// remains to be set.
type SilentError struct {
	Err error
}

func (e *SilentError) Error() string { return e.Err.Error() }
func (e *SilentError) Unwrap() error { return e.Err }

// WrapOp adds the operation to an error for the user, unless the venue
// adapter already said it: adapters name their operation too, and
// "balances: balances: …" helps nobody.
func WrapOp(op string, err error) error {
	if err == nil {
		return nil
	}
	if strings.HasPrefix(err.Error(), op+":") || strings.HasPrefix(err.Error(), op+" ") {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// InDocumentError is an outcome the command's one output document already
// states (order create --wait: the order with its wait's outcome). The
// message still goes to stderr and the exit code is Err's, but no second
// JSON document follows the first.
type InDocumentError struct{ Err error }

func (e *InDocumentError) Error() string { return e.Err.Error() }
func (e *InDocumentError) Unwrap() error { return e.Err }
