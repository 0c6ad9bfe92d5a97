package fakekraken

import (
	"regexp"
	"strconv"
	"time"
)

// deadMan is the account's CancelAllOrdersAfter timer. It runs on a real
// time.Timer, so a client that stops refreshing (killed, cut off) gets its
// orders canceled with nobody calling the fake; gen tells a timer that
// was pushed back or disarmed from the one still due.
type deadMan struct {
	trigger time.Time // zero: disarmed
	timer   *time.Timer
	gen     uint64
	fired   int
	firedCh chan struct{} // closed and replaced at every firing
}

// deadManReason is the reason a fired timer's cancels carry. Kraken does
// not document its wording; this one says what happened.
const deadManReason = "Cancel all orders after: timer expired"

var wholeSeconds = regexp.MustCompile(`^[0-9]{1,6}$`)

// handleCancelAllOrdersAfter arms, pushes back or (timeout 0) disarms the
// timer, and answers with Kraken's currentTime and triggerTime (RFC 3339;
// "0" once disarmed). Kraken takes a timeout below 86400 seconds.
func (s *Server) handleCancelAllOrdersAfter(p params) (any, string) {
	v := p.get("timeout")
	if !wholeSeconds.MatchString(v) {
		return nil, invalidArgs("timeout")
	}
	secs, _ := strconv.Atoi(v)
	if secs >= 86400 {
		return nil, invalidArgs("timeout")
	}
	now := s.clock().UTC()
	d := &s.deadMan
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	if secs == 0 {
		d.trigger = time.Time{}
		return map[string]any{"currentTime": now.Format(time.RFC3339), "triggerTime": "0"}, ""
	}
	timeout := time.Duration(secs) * time.Second
	d.trigger = now.Add(timeout)
	gen := d.gen
	d.timer = time.AfterFunc(timeout, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.deadMan.gen == gen {
			s.fireDeadManLocked()
		}
	})
	return map[string]any{"currentTime": now.Format(time.RFC3339), "triggerTime": d.trigger.Format(time.RFC3339)}, ""
}

// fireDeadManLocked cancels every working order and disarms the timer,
// which stays disarmed until the next non-zero timeout.
func (s *Server) fireDeadManLocked() {
	for _, o := range s.orders {
		if o.working() {
			s.closeLocked(o, "canceled", deadManReason)
		}
	}
	d := &s.deadMan
	d.gen++
	d.trigger = time.Time{}
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.fired++
	if d.firedCh != nil {
		close(d.firedCh)
	}
	d.firedCh = make(chan struct{})
}

// CancelAllAfterTrigger is when the armed CancelAllOrdersAfter timer runs
// out on the fake's clock; false when it is disarmed.
func (s *Server) CancelAllAfterTrigger() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deadMan.trigger, !s.deadMan.trigger.IsZero()
}

// FireCancelAllAfter runs the armed timer out now, as if its timeout had
// passed, so a test need not wait for it; false (and nothing canceled)
// when no timer is armed.
func (s *Server) FireCancelAllAfter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deadMan.trigger.IsZero() {
		return false
	}
	s.fireDeadManLocked()
	return true
}

// WaitCancelAllAfterFired waits up to d for the timer to run out (now or
// already before: fired counts more than have been seen, seen being the
// count the caller knows of) and reports whether it did.
func (s *Server) WaitCancelAllAfterFired(seen int, d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if s.deadMan.fired > seen {
			s.mu.Unlock()
			return true
		}
		if s.deadMan.firedCh == nil {
			s.deadMan.firedCh = make(chan struct{})
		}
		ch := s.deadMan.firedCh
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return false
		case <-s.v.Closing():
			return false
		}
	}
}
