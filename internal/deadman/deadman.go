// Package deadman keeps a dead-man switch on an account: while the switch is
// fed — by the process's own liveness, or by a heartbeat file a bot touches
// on every loop — the account's orders stay; when it is not, they are
// canceled.
//
// On a venue that keeps a timer of its own (exchange.CancelAllAfterer) the
// switch arms it and pushes it back while fed, and the venue cancels when
// the refreshes stop: that survives this process being killed, its machine
// being lost and its network going down. Elsewhere (client-side) the switch
// watches the feed itself and cancels every open order when it goes stale;
// that needs this process alive and connected.
package deadman

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// ErrTriggered means the switch fired: its feed went stale, or the venue's
// timer ran out because it could not be refreshed, and the account's open
// orders were (or are being) canceled.
var ErrTriggered = errors.New("dead-man switch triggered")

// ErrNoFeed refuses a client-side switch without a heartbeat file: nothing
// would ever be stale, so it would protect nothing.
var ErrNoFeed = errors.New("a client-side switch needs a heartbeat file")

// Kind names an Event.
type Kind string

// The events of a switch, in the order they can happen.
const (
	// Armed: the switch is on. Native: the venue's timer is set.
	Armed Kind = "armed"
	// Refreshed: the venue's timer was pushed back (native only).
	Refreshed Kind = "refreshed"
	// RefreshFailed: a refresh was not accepted; the venue's timer keeps
	// its last trigger time, and runs out then unless a retry lands.
	RefreshFailed Kind = "refresh_failed"
	// Triggered: the feed went stale or the timer could not be kept up.
	Triggered Kind = "triggered"
	// Canceled: one order canceled because the switch fired.
	Canceled Kind = "canceled"
	// Disarmed: a deliberate stop; native: the venue's timer is off.
	Disarmed Kind = "disarmed"
)

// Reasons a switch fires.
const (
	ReasonStale         = "heartbeat_stale"
	ReasonRefreshFailed = "refresh_failed"
)

// Who cancels when the switch fires.
const (
	ByVenue    = "venue"
	ByTradectl = "tradectl"
)

// Event is one thing that happened to the switch.
type Event struct {
	Time time.Time
	Kind Kind
	// TriggerAt is when the venue's timer runs out, on the venue's clock
	// (native: armed, refreshed, triggered); zero otherwise.
	TriggerAt time.Time
	// Deadline is when the switch fires unless it is fed again, on this
	// machine's clock.
	Deadline time.Time
	// HeartbeatAt is the heartbeat file's modification time, with one.
	HeartbeatAt time.Time
	// Reason (triggered) is ReasonStale or ReasonRefreshFailed.
	Reason string
	// By (triggered, canceled) is ByVenue or ByTradectl.
	By string
	// Order is the canceled order (canceled).
	Order *trade.Order
	// Err is what went wrong (refresh_failed).
	Err error
}

// Options configure Run.
type Options struct {
	Exchange exchange.Exchange
	// Timeout is how long the switch may go unfed.
	Timeout time.Duration
	// Heartbeat is the file whose modification time feeds the switch;
	// "" feeds it with this process's liveness (native venues only).
	Heartbeat string
	// Once arms or refreshes the venue's timer once and returns (native
	// venues only); Timeout 0 with Once disarms it.
	Once bool
	// Emit receives every event, one at a time.
	Emit func(Event) error
	// Now and Sleep are the clock; nil: the real one.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Grace is how long after the venue's trigger time the switch waits
	// before sweeping what the venue left (default 2s).
	Grace time.Duration
	// CancelTimeout bounds the cancels and the disarm that run after the
	// command's context has ended (default 30s).
	CancelTimeout time.Duration
	// Log is told when the heartbeat file cannot be read (nil: nobody).
	Log *slog.Logger
}

// Native reports whether ex keeps a dead-man timer of its own.
func Native(ex exchange.Exchange) bool {
	_, ok := ex.(exchange.CancelAllAfterer)
	return ok
}

// RefreshInterval is how often a native switch pushes the venue's timer
// back: a third of the timeout, so two refreshes in a row can be lost
// before it runs out.
func RefreshInterval(timeout time.Duration) time.Duration { return timeout / 3 }

// pollInterval is how often the heartbeat file is read: often enough to
// fire within a tenth of the timeout, never more than ten times a second.
func pollInterval(timeout time.Duration) time.Duration {
	return min(max(timeout/10, 100*time.Millisecond), time.Second)
}

// switchState is one run of the switch.
type switchState struct {
	o      Options
	native exchange.CancelAllAfterer
	start  time.Time

	fed         time.Time // when the switch was last fed
	heartbeatAt time.Time // the file's modification time, last read
	unreadable  bool      // the last read of the file failed

	armed       bool
	failing     bool      // the last refresh was refused
	target      time.Time // when the venue's timer runs out, on this machine's clock
	triggerAt   time.Time // the same on the venue's clock
	nextRefresh time.Time
}

// Run keeps the switch until it fires (ErrTriggered, after the cancels),
// ctx ends (a deliberate stop: the switch is disarmed and Run returns nil)
// or, with Once, after one refresh.
func Run(ctx context.Context, o Options) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Grace == 0 {
		o.Grace = 2 * time.Second
	}
	if o.CancelTimeout == 0 {
		o.CancelTimeout = 30 * time.Second
	}
	s := &switchState{o: o, start: o.Now()}
	s.native, _ = o.Exchange.(exchange.CancelAllAfterer)
	switch {
	case s.native == nil && o.Once:
		return fmt.Errorf("%s keeps no cancel-all-after timer of its own, so there is none to refresh once", o.Exchange.Name())
	case s.native == nil && o.Heartbeat == "":
		return ErrNoFeed
	case o.Once:
		return s.once(ctx)
	}
	return s.run(ctx)
}

func (s *switchState) emit(e Event) error {
	if e.Time.IsZero() {
		e.Time = s.o.Now()
	}
	if s.o.Heartbeat != "" && e.HeartbeatAt.IsZero() && !s.heartbeatAt.IsZero() {
		e.HeartbeatAt = s.heartbeatAt
	}
	return s.o.Emit(e)
}

// feed reads when the switch was last fed. A heartbeat counts from the
// switch's start at the earliest, so a bot started after it has a whole
// timeout to touch the file; a file that cannot be read feeds nothing.
func (s *switchState) feed(now time.Time) {
	if s.o.Heartbeat == "" {
		s.fed = now
		return
	}
	fi, err := os.Stat(s.o.Heartbeat)
	if err == nil {
		s.heartbeatAt, s.unreadable = fi.ModTime(), false
	} else if !s.unreadable {
		// Said once: the switch goes stale from the last time it was read.
		s.unreadable = true
		if s.o.Log != nil {
			s.o.Log.Warn("deadman: the heartbeat file cannot be read; it counts as not touched since it last was", "file", s.o.Heartbeat, "err", err)
		}
	}
	s.fed = s.start
	if !s.o.Once && s.heartbeatAt.Before(s.start) {
		return
	}
	s.fed = s.heartbeatAt
}

func (s *switchState) run(ctx context.Context) error {
	poll := RefreshInterval(s.o.Timeout)
	if s.o.Heartbeat != "" {
		poll = min(poll, pollInterval(s.o.Timeout))
	}
	if s.native == nil {
		poll = pollInterval(s.o.Timeout)
	}
	for {
		now := s.o.Now()
		s.feed(now)
		deadline := s.fed.Add(s.o.Timeout)
		if !now.Before(deadline) {
			return s.trigger(ctx, ReasonStale)
		}
		if s.native != nil {
			if s.failing && !now.Before(s.target) {
				return s.trigger(ctx, ReasonRefreshFailed)
			}
			if err := s.refresh(ctx, now, deadline); err != nil {
				if ctx.Err() != nil {
					return s.disarm(ctx)
				}
				return err
			}
		} else if !s.armed {
			s.armed = true
			if err := s.emit(Event{Kind: Armed, Deadline: deadline}); err != nil {
				return err
			}
		}
		wake := min(deadline.Sub(now), poll)
		if s.native != nil {
			wake = min(wake, max(s.nextRefresh.Sub(now), 0))
			if s.failing {
				wake = min(wake, s.target.Sub(now))
			}
		}
		if err := s.o.Sleep(ctx, max(wake, time.Millisecond)); err != nil {
			return s.disarm(ctx)
		}
	}
}

// refresh pushes the venue's timer back to the feed's deadline when the
// feed has moved on, at most every RefreshInterval — or sooner when the
// timer would run out before the next regular refresh. The timeout sent
// makes the venue fire when the feed turns stale, never sooner than the
// venue's minimum from now. Only the first arming's failure ends Run.
func (s *switchState) refresh(ctx context.Context, now, deadline time.Time) error {
	if s.armed && !deadline.After(s.target) {
		return nil
	}
	interval := RefreshInterval(s.o.Timeout)
	if s.armed && now.Before(s.nextRefresh) && s.target.Sub(now) > interval {
		return nil
	}
	lim := s.native.CancelAllAfterLimits()
	want := ceilStep(deadline.Sub(now), lim.Step)
	want = min(max(want, lim.Min), lim.Max)
	at, err := s.native.CancelAllAfter(ctx, want)
	if err != nil {
		if !s.armed || ctx.Err() != nil {
			return err
		}
		s.failing = true
		s.nextRefresh = now.Add(max(interval/4, time.Second))
		return s.emit(Event{Kind: RefreshFailed, TriggerAt: s.triggerAt, Deadline: s.target, Err: err})
	}
	kind := Refreshed
	if !s.armed {
		kind = Armed
	}
	s.armed, s.failing = true, false
	s.target, s.triggerAt = now.Add(want), at
	s.nextRefresh = now.Add(interval)
	return s.emit(Event{Kind: kind, TriggerAt: at, Deadline: s.target})
}

func ceilStep(d, step time.Duration) time.Duration {
	if step <= 0 || d%step == 0 {
		return d
	}
	return d - d%step + step
}

// once arms (or, Timeout 0, disarms) the venue's timer one time. With a
// heartbeat file, a stale heartbeat is not refreshed: the timer keeps
// running out and Run returns ErrTriggered.
func (s *switchState) once(ctx context.Context) error {
	if s.o.Timeout == 0 {
		return s.disarm(ctx)
	}
	now := s.o.Now()
	s.feed(now)
	deadline := now.Add(s.o.Timeout)
	if s.o.Heartbeat != "" {
		deadline = s.fed.Add(s.o.Timeout)
		if !now.Before(deadline) {
			if err := s.emit(Event{Kind: Triggered, Reason: ReasonStale, By: ByVenue, Deadline: deadline}); err != nil {
				return err
			}
			return fmt.Errorf("%w: the heartbeat is older than %s, so the venue's timer was not pushed back", ErrTriggered, s.o.Timeout)
		}
	}
	return s.refresh(ctx, now, deadline)
}

// trigger fires the switch. Native: the refreshes stop and the venue
// cancels at its trigger time; anything still open after it (an order
// placed since, a venue that did not honour its timer) is canceled here.
// Client-side: every open order is canceled here, now.
func (s *switchState) trigger(ctx context.Context, reason string) error {
	if s.native != nil {
		if err := s.emit(Event{Kind: Triggered, Reason: reason, By: ByVenue, TriggerAt: s.triggerAt, Deadline: s.target}); err != nil {
			return err
		}
		if err := s.o.Sleep(ctx, max(s.target.Sub(s.o.Now()), 0)+s.o.Grace); err != nil {
			return s.disarm(ctx)
		}
	} else if err := s.emit(Event{Kind: Triggered, Reason: reason, By: ByTradectl, Deadline: s.fed.Add(s.o.Timeout)}); err != nil {
		return err
	}
	// The cancels run even if a signal arrives meanwhile: half an account
	// canceled is the state the switch exists to avoid.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.CancelTimeout)
	defer cancel()
	canceled, err := s.o.Exchange.CancelAll(cctx, trade.Symbol{})
	for i := range canceled {
		if e := s.emit(Event{Kind: Canceled, By: ByTradectl, Order: &canceled[i]}); e != nil {
			return e
		}
	}
	if err != nil {
		return fmt.Errorf("%w (%s); canceling what was left of the open orders failed: %v", ErrTriggered, reason, err)
	}
	return fmt.Errorf("%w (%s)", ErrTriggered, reason)
}

// disarm ends a deliberate stop: native, the venue's timer is turned off
// (a failure is returned: the venue would still cancel at its trigger
// time); client-side there is nothing to turn off.
func (s *switchState) disarm(ctx context.Context) error {
	if s.native != nil && (s.armed || s.o.Once) {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.CancelTimeout)
		defer cancel()
		if _, err := s.native.CancelAllAfter(cctx, 0); err != nil {
			return fmt.Errorf("disarm the dead-man switch (the venue still cancels every order at %s): %w", trade.FormatTime(s.triggerAt), err)
		}
	}
	return s.emit(Event{Kind: Disarmed})
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
