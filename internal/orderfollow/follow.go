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

// Follow follows order until it is terminal or ctx ends, with a spinner on
// a terminal's stderr: from the venue's pushed order events where it has
// them (exchange.OrderEventStreamer), polling GetOrder every interval
// otherwise or when the stream fails for good. It returns the order as
// last seen and an error that carries the outcome's exit code: nil when
// filled, ErrRefused when rejected, ErrNotFilled when canceled or expired,
// ErrConditionTimeout when ctx's deadline passed first.
func Follow(ctx context.Context, ex exchange.Exchange, order trade.Order, interval time.Duration, ios *iostreams.IOStreams) (trade.Order, error) {
	sp := ios.StartSpinner(progress(order))
	defer sp.Stop()
	if order.Status.Terminal() {
		return order, Outcome(order)
	}
	if st, ok := ex.(exchange.OrderEventStreamer); ok {
		next, err, done := followStream(ctx, ex, st, order, sp.SetLabel)
		if done {
			return next, err
		}
		order = next // the stream failed for good: poll from where it left off
	}
	return poll(ctx, ex, order, interval, sp.SetLabel)
}

// errFinished ends the stream once the order is terminal.
var errFinished = errors.New("order finished")

// followStream follows order on the venue's event stream. After every
// (re)connect one GetOrder reconciles what the stream may have missed;
// then the order's own events move it on. done is false when the stream
// failed for good and the caller should poll instead.
func followStream(ctx context.Context, ex exchange.Exchange, st exchange.OrderEventStreamer, order trade.Order, label func(string)) (_ trade.Order, _ error, done bool) {
	ref := exchange.OrderRef{ID: order.ID, Symbol: order.Symbol}
	var fatal error
	adopt := func(next trade.Order) {
		if newer(next, order) {
			order = next
			label(progress(order))
		}
	}
	lookUp := func() error {
		next, err := ex.GetOrder(ctx, ref)
		switch {
		case err == nil:
			adopt(next)
		case ctx.Err() != nil:
			return ctx.Err()
		case !exchange.Retryable(err):
			fatal = fmt.Errorf("follow order %s: %w", order.ID, err)
			return fatal
		}
		return nil // a passing failure: the next event or reconnect tries again
	}
	err := st.StreamOrderEvents(ctx, func(ev exchange.OrderEvent) error {
		switch ev.Kind {
		case exchange.EventConnected:
			if err := lookUp(); err != nil {
				return err
			}
		case exchange.EventOrder:
			if ev.Order != nil && ev.Order.ID == order.ID {
				adopt(*ev.Order)
			}
		case exchange.EventFill:
			if ev.Fill == nil || ev.Fill.OrderID != order.ID {
				break
			}
			if ev.Order != nil && ev.Order.ID == order.ID {
				adopt(*ev.Order)
			} else if err := lookUp(); err != nil { // the fill alone does not say the order's state
				return err
			}
		}
		if order.Status.Terminal() {
			return errFinished
		}
		return nil
	})
	switch {
	case errors.Is(err, errFinished):
		return order, Outcome(order), true
	case fatal != nil:
		return order, fatal, true
	case ctx.Err() != nil:
		return order, ended(ctx, order), true
	}
	return order, nil, false
}

// newer says whether next is a later state of the order than cur: more
// filled, or as filled and finished where cur was working.
func newer(next, cur trade.Order) bool {
	switch c := next.FilledQty.Cmp(cur.FilledQty); {
	case c != 0:
		return c > 0
	}
	return next.Status != cur.Status && !cur.Status.Terminal()
}

// ended is the error for a follow that ctx ended.
func ended(ctx context.Context, order trade.Order) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("order %s is still %s: %w", order.ID, order.Status, ErrTimedOut)
	}
	return ctx.Err()
}

// poll asks for the order every interval until it is terminal.
func poll(ctx context.Context, ex exchange.Exchange, order trade.Order, interval time.Duration, label func(string)) (trade.Order, error) {
	ref := exchange.OrderRef{ID: order.ID, Symbol: order.Symbol}
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for !order.Status.Terminal() {
		select {
		case <-ctx.Done():
			return order, ended(ctx, order)
		case <-timer.C:
		}
		next, err := ex.GetOrder(ctx, ref)
		switch {
		case err == nil:
			order = next
			label(progress(order))
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
