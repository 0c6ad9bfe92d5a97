// Package orderevents delivers an account's order changes and fills as they
// happen, on every venue: pushed by the venue's order-event stream where it
// has one (exchange.OrderEventStreamer), polled over REST where it has not.
//
// A pushed stream can miss what happened while it was down, so every time
// it (re)connects the account is reconciled over REST — the open orders,
// every order this follower knew to be working, and the fills since the
// last event seen (minus a margin for clocks and late writes) — and what
// changed is emitted. The follower remembers what it has emitted, so a fill
// is delivered exactly once however it arrives (pushed, reconciled, or
// both), and an order is never reported in a state older than one already
// reported.
package orderevents

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// Options tune Follow. Zero values take the defaults.
type Options struct {
	// Symbol, when set, keeps only that symbol's events.
	Symbol trade.Symbol
	// PollInterval is the wait between REST reads when the venue pushes
	// nothing (default 2s).
	PollInterval time.Duration
	// FillMargin widens the fill look-back of a reconciliation before the
	// last event seen, for venue clocks and late writes (default 1m).
	FillMargin time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log gets the stream's fallbacks (nil: discard).
	Log *slog.Logger
}

func (o *Options) defaults() {
	if o.PollInterval <= 0 {
		o.PollInterval = 2 * time.Second
	}
	if o.FillMargin <= 0 {
		o.FillMargin = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Follow calls fn with every order change (Kind EventOrder, Order set) and
// every fill (Kind EventFill, Fill set) on ex from now on, until ctx ends
// (it returns ctx.Err()) or fn or a REST read that retrying cannot cure
// returns an error. What already stood when Follow started (open orders,
// past fills) is the baseline, not an event. fn is never called with
// EventConnected, and never concurrently.
func Follow(ctx context.Context, ex exchange.Exchange, opts Options, fn func(exchange.OrderEvent) error) error {
	opts.defaults()
	f := &follower{ctx: ctx, ex: ex, opts: opts, fn: fn, start: opts.Now(),
		orders: map[string]orderState{}, fills: map[string]bool{}, symbols: map[string]trade.Symbol{}}
	if st, ok := ex.(exchange.OrderEventStreamer); ok {
		err := st.StreamOrderEvents(ctx, f.pushed)
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		var fe *fnError
		if errors.As(err, &fe) {
			return fe.err
		}
		// The stream failed for good: polling still delivers every change.
		opts.Log.Warn(ex.Name()+": order event stream unavailable, polling instead", "every", opts.PollInterval, "err", err)
	}
	return f.poll(ctx)
}

// fnError marks an error of the caller's fn (or of a reconciliation) so it
// passes through the stream untouched and is not taken for a stream failure.
type fnError struct{ err error }

func (e *fnError) Error() string { return e.err.Error() }
func (e *fnError) Unwrap() error { return e.err }

// orderState is what was last emitted (or taken as the baseline) for one
// order: enough to tell a newer state from an older or the same one.
type orderState struct {
	status trade.OrderStatus
	filled decimal.Decimal
}

type follower struct {
	ctx   context.Context // Follow's, for the reconciliations a stream triggers
	ex    exchange.Exchange
	opts  Options
	fn    func(exchange.OrderEvent) error
	start time.Time

	baselined bool
	orders    map[string]orderState
	fills     map[string]bool
	symbols   map[string]trade.Symbol // of the orders recorded, for look-ups
	// lastSeen is the latest event time seen; reconciliations read fills
	// from it (less the margin).
	lastSeen time.Time
}

// pushed handles one event of the venue's stream.
func (f *follower) pushed(ev exchange.OrderEvent) error {
	var err error
	switch ev.Kind {
	case exchange.EventConnected:
		err = f.reconcile(f.ctx)
		if err != nil && f.ctx.Err() == nil && exchange.Retryable(err) {
			// The venue is busy; the stream goes on, and the next connect
			// (or the polling fallback's next round) reconciles again.
			f.opts.Log.Warn(f.ex.Name()+": reconciling after a connect failed", "err", err)
			return nil
		}
	case exchange.EventOrder, exchange.EventFill:
		err = f.offer(ev)
	}
	if err != nil {
		return &fnError{err}
	}
	return nil
}

// poll reconciles every PollInterval: the venue's REST reads are the stream.
func (f *follower) poll(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		err := f.reconcile(ctx)
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		wait := f.opts.PollInterval
		if err != nil {
			var fe *fnError
			if errors.As(err, &fe) || !exchange.Retryable(err) {
				return unwrapFn(err)
			}
			if d, ok := exchange.RetryAfter(err); ok && d > wait {
				wait = d
			}
			f.opts.Log.Info(f.ex.Name()+": order poll failed, retrying", "in", wait, "err", err)
		}
		timer.Reset(wait)
	}
}

func unwrapFn(err error) error {
	var fe *fnError
	if errors.As(err, &fe) {
		return fe.err
	}
	return err
}

// reconcile reads the account over REST and emits what changed since the
// last state seen, in the order the venue says it happened. The first one
// only records the baseline.
func (f *follower) reconcile(ctx context.Context) error {
	open, err := f.ex.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListOpen, Symbol: f.opts.Symbol})
	if err != nil {
		return fmt.Errorf("reconcile open orders: %w", err)
	}
	var found []exchange.OrderEvent
	for _, o := range open {
		found = append(found, exchange.OrderEvent{Kind: exchange.EventOrder, Order: &o, Time: o.UpdatedAt})
	}
	// An order known to be working that is no longer open ended while we
	// were not looking: one look-up each says how.
	stillOpen := make(map[string]bool, len(open))
	for _, o := range open {
		stillOpen[o.ID] = true
	}
	for id, st := range f.orders {
		if stillOpen[id] || st.status.Terminal() {
			continue
		}
		o, err := f.lookUp(ctx, id)
		if err != nil {
			if errors.Is(err, exchange.ErrNotFound) {
				continue
			}
			return fmt.Errorf("reconcile order %s: %w", id, err)
		}
		found = append(found, exchange.OrderEvent{Kind: exchange.EventOrder, Order: &o, Time: o.UpdatedAt})
	}
	if fl, ok := f.ex.(exchange.FillLister); ok {
		since := f.start
		if f.lastSeen.After(since) {
			since = f.lastSeen
		}
		since = since.Add(-f.opts.FillMargin)
		fills, err := f.recentFills(ctx, fl, since)
		if err != nil {
			return fmt.Errorf("reconcile fills: %w", err)
		}
		for _, fill := range fills {
			found = append(found, exchange.OrderEvent{Kind: exchange.EventFill, Fill: &fill, Time: fill.Time})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Time.Before(found[j].Time) })
	for _, ev := range found {
		if err := f.offer(ev); err != nil {
			return err
		}
	}
	f.baselined = true
	return nil
}

// recentFills reads the fills since since. A venue that keeps executions
// per symbol (Binance) refuses a read without one: then the symbols of the
// orders this follower knows are read one by one, which covers every fill
// of an order it has seen; an order placed and filled on a new symbol
// while the stream was down is only seen once a later order names it.
func (f *follower) recentFills(ctx context.Context, fl exchange.FillLister, since time.Time) ([]trade.Fill, error) {
	fills, err := fl.Fills(ctx, exchange.FillFilter{Symbol: f.opts.Symbol, Since: since})
	if err == nil || !f.opts.Symbol.IsZero() || !errors.Is(err, exchange.ErrInvalidOrder) {
		return fills, err
	}
	seen := map[trade.Symbol]bool{}
	var out []trade.Fill
	for _, sym := range f.symbols {
		if seen[sym] {
			continue
		}
		seen[sym] = true
		got, err := fl.Fills(ctx, exchange.FillFilter{Symbol: sym, Since: since})
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	// Newest first, as one read would have listed them.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out, nil
}

// lookUp finds a known order by id; the symbol is needed by venues that
// key orders by it.
func (f *follower) lookUp(ctx context.Context, id string) (trade.Order, error) {
	return f.ex.GetOrder(ctx, exchange.OrderRef{ID: id, Symbol: f.symbols[id]})
}

// offer emits ev unless it was emitted already, is older than what was
// emitted, or belongs to the baseline.
func (f *follower) offer(ev exchange.OrderEvent) error {
	if ev.Time.After(f.lastSeen) {
		f.lastSeen = ev.Time
	}
	switch ev.Kind {
	case exchange.EventFill:
		if ev.Fill == nil || (!f.opts.Symbol.IsZero() && ev.Fill.Symbol != f.opts.Symbol) {
			return nil
		}
		if ev.Order != nil {
			f.record(*ev.Order) // the fill reports it; an identical order event adds nothing
		}
		// Some venues number executions per symbol (Binance).
		key := ev.Fill.Symbol.String() + "/" + ev.Fill.ID
		if f.fills[key] {
			return nil
		}
		f.fills[key] = true
		if !f.baselined {
			return nil // history: it stood before Follow started
		}
		return f.fn(ev)
	case exchange.EventOrder:
		if ev.Order == nil || (!f.opts.Symbol.IsZero() && ev.Order.Symbol != f.opts.Symbol) {
			return nil
		}
		if !f.newer(*ev.Order) {
			return nil
		}
		f.record(*ev.Order)
		if !f.baselined {
			return nil
		}
		return f.fn(ev)
	}
	return nil
}

// newer says whether o is a later state than the one recorded for it: more
// filled, or as filled and further along (working → terminal).
func (f *follower) newer(o trade.Order) bool {
	prev, ok := f.orders[o.ID]
	if !ok {
		return true
	}
	switch c := o.FilledQty.Cmp(prev.filled); {
	case c > 0:
		return true
	case c < 0:
		return false
	}
	return rank(o.Status) > rank(prev.status)
}

func (f *follower) record(o trade.Order) {
	if f.newer(o) {
		f.orders[o.ID] = orderState{status: o.Status, filled: o.FilledQty}
		f.symbols[o.ID] = o.Symbol
	}
}

// rank orders the statuses an order passes through.
func rank(s trade.OrderStatus) int {
	switch {
	case s.Terminal():
		return 2
	case s == trade.StatusPartiallyFilled:
		return 1
	default:
		return 0
	}
}
