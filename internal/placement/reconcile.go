package placement

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/trade"
)

// scanLimit is how many recent orders a venue's list is searched when it
// cannot look an order up by client id directly.
const scanLimit = 500

// Reconcile settles the intents earlier processes left pending on the
// profile: each is looked up by client id and recorded as placed (found)
// or not placed (certainly absent); one that stays unknown is left pending
// with a warning. It does nothing when another process holds the
// profile's lock — that process is placing and settles them itself — and
// returns the intents still pending.
func Reconcile(ctx context.Context, d Deps, o Options) ([]journal.Intent, error) {
	if d.Exchange == nil || d.Journal == nil || d.Profile == "" {
		return nil, errors.New("placement: exchange, journal and profile are required")
	}
	pending, err := d.Journal.Pending(ctx, d.Profile)
	if err != nil || len(pending) == 0 {
		return nil, err
	}
	release, ok, err := tryLock(d.LockDir, d.Profile)
	if err != nil {
		return pending, err
	}
	if !ok {
		return nil, nil
	}
	defer release()
	p := newPlacer(d, o)
	p.settlePending(ctx, "")
	return d.Journal.Pending(ctx, d.Profile)
}

// settlePending settles every pending intent of the profile except the
// one for client id except, which the caller handles itself.
func (p *placer) settlePending(ctx context.Context, except string) {
	pending, err := p.d.Journal.Pending(ctx, p.d.Profile)
	if err != nil {
		p.log.Warn("could not read pending orders from the journal", "profile", p.d.Profile, "err", err)
		return
	}
	for _, in := range pending {
		if in.ClientID == except {
			continue
		}
		if in.Exchange != p.d.Exchange.Name() {
			// The profile now points at another venue: looking the order up
			// here would "prove" it absent where it never was sent.
			p.log.Warn("an earlier order on this profile was sent to another exchange and stays pending; point the profile back to settle it",
				"profile", p.d.Profile, "exchange", in.Exchange, "client_id", in.ClientID)
			continue
		}
		if _, _, err := p.settle(ctx, in); err != nil {
			p.log.Warn("an earlier order's outcome is still unknown; it stays pending in the journal",
				"profile", p.d.Profile, "client_id", in.ClientID, "order", describe(in.Request), "err", err)
		}
	}
}

// settle looks up a pending intent. settled is true when it was found
// (Result.Order set) or proved absent (Result.Order zero); otherwise err
// is the unknown-outcome error and the intent stays pending.
func (p *placer) settle(ctx context.Context, in journal.Intent) (Result, bool, error) {
	jctx := p.journalCtx(ctx)
	o, result, lerr := p.lookup(ctx, in, in.UpdatedAt, true)
	switch result {
	case journal.Found:
		p.recordPlaced(jctx, in, o, false)
		return Result{Order: o, ClientID: in.ClientID}, true, nil
	case journal.Absent:
		msg := "proved absent by a later command: the order never reached the venue"
		if err := p.d.Journal.RecordNotPlaced(jctx, in.ID, in.ErrorCode, msg); err != nil {
			p.log.Warn("the journal could not record the outcome", "client_id", in.ClientID, "err", err)
		}
		return Result{ClientID: in.ClientID}, true, nil
	}
	if lerr == nil {
		lerr = errors.New("the venue gave no answer")
	}
	return Result{}, false, p.unknown(jctx, in, lerr)
}

// lookup finds the order of in by client id, trying up to Lookups times
// while the venue is unavailable or slow. sentAt is when the order was
// last sent (zero: long ago). With record, every step goes to the journal
// (in.ID must be set).
func (p *placer) lookup(ctx context.Context, in journal.Intent, sentAt time.Time, record bool) (trade.Order, journal.LookupResult, error) {
	ref := exchange.OrderRef{ClientID: in.ClientID, Symbol: in.Request.Symbol}
	note := func(n int, r journal.LookupResult, orderID, msg string) {
		if !record {
			return
		}
		if err := p.d.Journal.RecordLookup(p.journalCtx(ctx), in.ID, journal.Lookup{Attempt: n, Result: r, OrderID: orderID, Message: msg}); err != nil {
			p.log.Warn("the journal could not record a look-up", "client_id", in.ClientID, "err", err)
		}
	}
	var last error
	windowWaited := false
	for n := 1; n <= p.o.Retry.Lookups; n++ {
		if n > 1 && last != nil {
			wait, ok := p.waitFor(ctx, n-1, last)
			if !ok {
				break
			}
			if err := sleep(ctx, wait); err != nil {
				break
			}
		}
		actx, cancel := p.attemptCtx(ctx)
		o, err := p.d.Exchange.GetOrder(actx, ref)
		cancel()
		switch {
		case err == nil && (o.ClientID == "" || o.ClientID == in.ClientID):
			note(n, journal.Found, o.ID, fmt.Sprintf("order %s %s", o.ID, o.Status))
			return o, journal.Found, nil
		case err == nil:
			last = fmt.Errorf("a look-up of client id %s answered with order %s of client id %s", in.ClientID, o.ID, o.ClientID)
			note(n, journal.Unknown, "", last.Error())
			return trade.Order{}, journal.Unknown, last
		case errors.Is(err, exchange.ErrNotFound):
			if left := p.windowLeft(sentAt); left > 0 && !windowWaited {
				note(n, journal.Absent, "", fmt.Sprintf("not found yet; the venue may still accept it for %s, looking again then", left.Round(time.Millisecond)))
				if err := sleep(ctx, left); err != nil {
					last = err
					return trade.Order{}, journal.Unknown, last
				}
				windowWaited, last = true, nil
				n-- // the wait was the venue's rule, not a failed look-up
				continue
			}
			note(n, journal.Absent, "", "")
			return trade.Order{}, journal.Absent, nil
		case errors.Is(err, exchange.ErrInvalidOrder):
			// The venue cannot find an order by client id this way (it
			// needs more than the symbol); its order list can.
			o, result, serr := p.scan(ctx, in)
			msg := ""
			if serr != nil {
				msg = serr.Error()
			}
			note(n, result, o.ID, "searched the venue's open and recent orders; "+msg)
			return o, result, serr
		default:
			last = err
			note(n, journal.Unknown, "", err.Error())
			if ctx.Err() != nil || !retryableRead(err) {
				return trade.Order{}, journal.Unknown, last
			}
		}
	}
	return trade.Order{}, journal.Unknown, last
}

// scan searches the open and most recent orders of the intent's symbol.
func (p *placer) scan(ctx context.Context, in journal.Intent) (trade.Order, journal.LookupResult, error) {
	actx, cancel := p.attemptCtx(ctx)
	defer cancel()
	orders, err := p.d.Exchange.ListOrders(actx, exchange.ListFilter{Scope: exchange.ListAll, Symbol: in.Request.Symbol, Limit: scanLimit})
	if err != nil {
		return trade.Order{}, journal.Unknown, err
	}
	for _, o := range orders {
		if o.ClientID == in.ClientID {
			return o, journal.Found, nil
		}
	}
	if len(orders) >= scanLimit {
		return trade.Order{}, journal.Unknown, fmt.Errorf("client id %s is not among the %d most recent orders, and older ones cannot be searched", in.ClientID, scanLimit)
	}
	return trade.Order{}, journal.Absent, nil
}

// retryableRead reports whether a failed look-up may succeed if repeated:
// the venue was unavailable, rate limited, or this attempt timed out.
func retryableRead(err error) bool {
	return exchange.Retryable(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, exchange.ErrUnknownOutcome)
}

// windowLeft is how long the venue may still accept an order sent at
// sentAt, for venues with an accept window.
func (p *placer) windowLeft(sentAt time.Time) time.Duration {
	aw, ok := p.d.Exchange.(AcceptWindower)
	if !ok || sentAt.IsZero() {
		return 0
	}
	w := aw.AcceptWindow()
	left := w - time.Since(sentAt)
	return min(max(left, 0), w)
}
