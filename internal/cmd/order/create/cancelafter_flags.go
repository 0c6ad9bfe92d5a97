package create

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/orderfollow"
	"github.com/tradectl/tradectl/internal/orderplan"
	"github.com/tradectl/tradectl/internal/trade"
)

// CancelAfterOptions are --cancel-after and --cancel-on-timeout: two ways a
// script makes sure an order does not stay working by accident.
type CancelAfterOptions struct {
	// CancelAfter is --cancel-after: the order is good till now plus this,
	// kept by the venue itself (0: no expiry).
	CancelAfter time.Duration
	// CancelOnTimeout is --cancel-on-timeout: when --wait-timeout passes
	// first, the order is canceled before the command ends.
	CancelOnTimeout bool
	// ClientExpiry is --client-expiry: on a venue without good-till-date
	// orders, --cancel-after is kept by tradectl instead (the deadline in
	// the journal, `order expire` cancels the order then). Where the
	// venue has its own, it is used and this changes nothing.
	ClientExpiry bool
}

func addCancelAfterFlags(fl *pflag.FlagSet, f *CancelAfterOptions) {
	fl.DurationVar(&f.CancelAfter, "cancel-after", 0, "limit and stop orders: the venue ends the order after this long (good till date; paper, kraken, coinbase)")
	fl.BoolVar(&f.ClientExpiry, "client-expiry", false, "with --cancel-after on a venue without good-till-date orders (binance, alpaca): rest the order gtc, keep the deadline in the journal and let `tradectl order expire` (cron) cancel it")
	fl.BoolVar(&f.CancelOnTimeout, "cancel-on-timeout", false, "with --wait and --wait-timeout: cancel the order when the wait times out (exit 10 still)")
}

// expiryVenues names the venues that take --cancel-after, for the
// refusal on the others; it follows the README's venue-support table.
const expiryVenues = "an expiry is kept natively by paper, kraken (timeinforce=GTD, limit and stop-limit) and coinbase (limit_limit_gtd, stop_limit_stop_limit_gtd); binance spot and alpaca have no good-till-date orders"

// parseCancelAfter turns --cancel-after into the request's expiry, before
// the request is validated (an expiry on a market or ioc order is refused
// there), and checks that --cancel-on-timeout has a wait to time out.
// The expiry counts from the start of the command, rounded up to the
// second, so a confirmation prompt does not lengthen it.
func (o *CreateOptions) parseCancelAfter(cmd *cobra.Command) error {
	if cmd.Flags().Changed("cancel-after") {
		if o.CancelAfter <= 0 {
			return cmdutil.Usagef("--cancel-after must be a duration above 0, got %s", o.CancelAfter)
		}
		o.Request = o.Request.WithExpiry(trade.ExpiryAfter(o.Now(), o.CancelAfter))
	}
	if o.ClientExpiry && !cmd.Flags().Changed("cancel-after") {
		return cmdutil.Usagef("--client-expiry needs --cancel-after D: it says who keeps that deadline")
	}
	if o.CancelOnTimeout && (!o.Wait || o.WaitTimeout <= 0) {
		return cmdutil.Usagef("--cancel-on-timeout needs --wait and --wait-timeout: it cancels the order when that wait times out")
	}
	return nil
}

// expiryRefusal words orderplan's refusal of an expiry in flags.
func expiryRefusal(e *orderplan.ExpiryError) error {
	return cmdutil.Usagef("--cancel-after: %v; %s — add --client-expiry to keep the deadline in the journal and cancel it with `tradectl order expire` from cron, or use --wait --wait-timeout D --cancel-on-timeout; nothing was sent", e, expiryVenues)
}

// Who keeps an order's expiry, as the created order's "expiry" field says.
const (
	ExpiryByVenue  = "venue"
	ExpiryByClient = "client"
)

// clientDeadline takes the expiry off a request the venue cannot expire
// natively when --client-expiry asked tradectl to keep it: the request
// goes out gtc and the deadline is returned for the journal. Anywhere
// else the request is unchanged (a venue's own good-till-date is always
// preferred: it holds whether or not anything runs here).
func (o *CreateOptions) clientDeadline(ex exchange.Exchange, req trade.OrderRequest) (trade.OrderRequest, time.Time) {
	t, ok := req.Expiry()
	if !ok || !o.ClientExpiry || exchange.CanExpire(ex, req.Type) {
		return req, time.Time{}
	}
	req.ExpiresAt = nil
	return req, t
}

// cancelOnTimeout ends a wait that timed out by canceling the order, the
// same call `order cancel` makes, under a fresh --timeout (the wait's
// deadline has passed). It returns the order as it ended and the error
// that sets the exit code: the wait's timeout (exit 10) when the cancel
// went through, whatever filled; the order's own outcome when it ended
// on its own first; the cancel's error, naming the order, when the
// cancel failed and the order may still be working.
//
// Ctrl-C is not a timeout: the order is left working and the trader is
// told so. The flag is a promise about the deadline, and an interrupt
// may mean "stop waiting", not "withdraw the order".
func (o *CreateOptions) cancelOnTimeout(parent context.Context, ex exchange.Exchange, order trade.Order, waitErr error, timeout time.Duration, w *WaitResult) (trade.Order, error) {
	if !w.TimedOut {
		if errors.Is(waitErr, context.Canceled) && !order.Status.Terminal() {
			fmt.Fprintf(o.IO.ErrOut, "interrupted: order %s is still working (--cancel-on-timeout cancels at --wait-timeout, not on Ctrl-C); cancel it with: tradectl order cancel %s\n", order.ID, order.ID)
		}
		return order, waitErr
	}
	ctx, cancel := withTimeout(context.WithoutCancel(parent), timeout)
	defer cancel()
	ref := exchange.OrderRef{ID: order.ID, Symbol: order.Symbol}
	canceled, err := ex.CancelOrder(ctx, ref)
	if err == nil {
		if canceled.Qty.IsZero() {
			// The venue answered the cancel with the order's id only
			// (Kraken, Coinbase): what filled before it, which the
			// daily-loss limit counts, takes a read.
			if now, gerr := ex.GetOrder(ctx, ref); gerr == nil {
				canceled = now
			} else {
				// Failing that, the order as last seen, canceled.
				at := canceled.UpdatedAt
				canceled = order
				canceled.Status, canceled.UpdatedAt = trade.StatusCanceled, at
			}
		}
		w.CanceledOnTimeout = true
		return canceled, fmt.Errorf("order %s was canceled when the wait timed out, with %s of %s filled: %w",
			canceled.ID, canceled.FilledQty, canceled.Qty, orderfollow.ErrTimedOut)
	}
	// The order may have ended on its own between the last look and the
	// cancel (a fill, an expiry): then that is how it ended.
	if now, gerr := ex.GetOrder(ctx, ref); gerr == nil && now.Status.Terminal() {
		w.Outcome = string(now.Status)
		return now, orderfollow.Outcome(now)
	}
	return order, fmt.Errorf("the wait timed out and canceling order %s failed, so it may still be working: %w; cancel it with: tradectl order cancel %s", order.ID, err, order.ID)
}
