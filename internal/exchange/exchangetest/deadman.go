package exchangetest

import (
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// testCancelAllAfter checks a venue's own dead-man switch
// (exchange.CancelAllAfterer): sane limits; timeouts outside them refused;
// arming answers a trigger about the timeout from now and a refresh pushes
// it back; disarming answers the zero time and leaves the orders working;
// and, when the harness can run the venue's timer out, an armed timer
// cancels the working orders while a disarmed one cancels nothing.
func testCancelAllAfter(s *suite) {
	dm, ok := s.ex.(exchange.CancelAllAfterer)
	if !ok {
		s.t.Skip("the venue keeps no cancel-all-after timer of its own")
	}
	lim := dm.CancelAllAfterLimits()
	if lim.Min <= 0 || lim.Max < lim.Min || lim.Step < 0 || (lim.Step > 0 && (lim.Min%lim.Step != 0 || lim.Max%lim.Step != 0)) {
		s.t.Fatalf("CancelAllAfterLimits %+v: want 0 < Min <= Max, both multiples of Step", lim)
	}
	for _, bad := range []time.Duration{-lim.Min, lim.Min - max(lim.Step, time.Nanosecond), lim.Max + max(lim.Step, time.Nanosecond)} {
		if lim.Check(bad) {
			s.t.Errorf("CancelAllAfterLimits.Check(%s) = true for a timeout outside %+v", bad, lim)
		}
		if _, err := dm.CancelAllAfter(s.ctx, bad); err == nil {
			s.t.Errorf("CancelAllAfter(%s): no error for a timeout outside %+v", bad, lim)
		}
	}

	// The timeout is long enough that the timer cannot run out on its own
	// during the property.
	timeout := max(lim.Min, min(lim.Max, 10*time.Minute))
	if lim.Step > 0 {
		timeout -= timeout % lim.Step
	}
	slack := max(lim.Step, time.Second) + 2*time.Second // rounding and clock skew between venue and test
	arm := func(what string) time.Time {
		s.t.Helper()
		before := time.Now()
		at, err := dm.CancelAllAfter(s.ctx, timeout)
		if err != nil {
			s.t.Fatalf("%s: CancelAllAfter(%s): %v", what, timeout, err)
		}
		if at.Before(before.Add(timeout-slack)) || at.After(time.Now().Add(timeout+slack)) {
			s.t.Errorf("%s: CancelAllAfter(%s) triggers at %s; want about %s from now", what, timeout, trade.FormatTime(at), timeout)
		}
		return at
	}
	s.t.Cleanup(func() { _, _ = dm.CancelAllAfter(s.ctx, 0) })

	first := arm("arm")
	if again := arm("refresh"); again.Before(first) {
		s.t.Errorf("a refresh moved the trigger back, from %s to %s", trade.FormatTime(first), trade.FormatTime(again))
	}
	kept := s.place(s.restingBuy())
	at, err := dm.CancelAllAfter(s.ctx, 0)
	if err != nil {
		s.t.Fatalf("CancelAllAfter(0): %v", err)
	}
	if !at.IsZero() {
		s.t.Errorf("CancelAllAfter(0) = %s; want the zero time (disarmed)", trade.FormatTime(at))
	}
	if s.h.FireCancelAllAfter == nil {
		if _, err := s.ex.CancelOrder(s.ctx, exchange.OrderRef{ID: kept.ID, Symbol: s.h.Symbol}); err != nil {
			s.t.Errorf("CancelOrder(%s): %v", kept.ID, err)
		}
		return
	}
	s.h.FireCancelAllAfter()
	if got := s.getOrder(kept); !got.Status.Working() {
		s.t.Errorf("order %s after a disarmed timer's time: %s; want it still working", kept.ID, got.Status)
	}

	arm("arm again")
	s.h.FireCancelAllAfter()
	if got := s.getOrder(kept); got.Status != trade.StatusCanceled {
		s.t.Errorf("order %s after the armed timer ran out: %s; want canceled", kept.ID, got.Status)
	}
}

func (s *suite) getOrder(o trade.Order) trade.Order {
	s.t.Helper()
	got, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: o.ID, Symbol: s.h.Symbol})
	if err != nil {
		s.t.Fatalf("GetOrder(%s): %v", o.ID, err)
	}
	return got
}
