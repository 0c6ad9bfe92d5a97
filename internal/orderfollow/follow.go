// Package orderfollow follows an order until it finishes. It is shared by
// `order watch` and the --wait of `order create`, so neither command
// imports the other.
package orderfollow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/trade"
)

// The ways a followed order can end other than filled. The command layer
// maps them to exit codes (10, 5 and 11).
var (
	// ErrTimedOut means the wait ended before the order did.
	ErrTimedOut = errors.New("the deadline passed first")
	// ErrRejected means the venue rejected the order.
	ErrRejected = errors.New("refused")
	// ErrNotFilled means the order ended canceled or expired.
	ErrNotFilled = errors.New("order ended without filling")
)

// Follow polls order until it is terminal or ctx ends, with a spinner on
// a terminal's stderr. It returns the order as last seen and an error
// that carries the outcome's exit code: nil when filled, ErrRefused when
// rejected, ErrNotFilled when canceled or expired, ErrConditionTimeout
// when ctx's deadline passed first.
func Follow(ctx context.Context, ex exchange.Exchange, order trade.Order, interval time.Duration, ios *iostreams.IOStreams) (trade.Order, error) {
	sp := ios.StartSpinner(progress(order))
	defer sp.Stop()
	ref := exchange.OrderRef{ID: order.ID, Symbol: order.Symbol}
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for !order.Status.Terminal() {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return order, fmt.Errorf("order %s is still %s: %w", order.ID, order.Status, ErrTimedOut)
			}
			return order, ctx.Err()
		case <-timer.C:
		}
		next, err := ex.GetOrder(ctx, ref)
		switch {
		case err == nil:
			order = next
			sp.SetLabel(progress(order))
		case ctx.Err() != nil:
			continue // the select above reports why
		case !exchange.Retryable(err):
			return order, fmt.Errorf("follow order %s: %w", order.ID, err)
		}
		timer.Reset(interval)
	}
	return order, Outcome(order)
}

// Outcome maps a finished order to the error that carries its exit code.
func Outcome(o trade.Order) error {
	switch o.Status {
	case trade.StatusFilled:
		return nil
	case trade.StatusRejected:
		reason := o.RejectReason
		if reason == "" {
			reason = "no reason given"
		}
		return fmt.Errorf("order %s was rejected (%s): %w", o.ID, reason, ErrRejected)
	default:
		return fmt.Errorf("order %s ended %s with %s of %s filled: %w", o.ID, o.Status, o.FilledQty, o.Qty, ErrNotFilled)
	}
}

func progress(o trade.Order) string {
	return fmt.Sprintf("order %s %s %s %s: %s, filled %s of %s", o.ID, o.Side, o.Qty, o.Symbol, o.Status, o.FilledQty, o.Qty)
}
