package exchange

import (
	"context"
	"time"
)

// CancelAllAfterer is implemented by venues that keep a dead-man switch of
// their own: a timer, armed and pushed back by the client, that cancels
// every open order of the account when it runs out (Kraken Spot's
// CancelAllOrdersAfter). Because the venue keeps the timer, the orders are
// canceled even when the client is killed, its machine is lost or its
// network goes down; venues without one can only be protected by a
// process that is still alive to cancel (Exchange.CancelAll).
type CancelAllAfterer interface {
	// CancelAllAfter arms the timer, or pushes it back, so that it runs
	// out timeout from now; a timeout of 0 disarms it. It returns when the
	// venue says it will cancel, on the venue's clock, or the zero time
	// once disarmed. A timeout outside CancelAllAfterLimits is refused
	// before any request.
	CancelAllAfter(ctx context.Context, timeout time.Duration) (triggerAt time.Time, err error)
	// CancelAllAfterLimits are the timeouts the venue takes. They need no
	// request, so a command checks its flags against them first.
	CancelAllAfterLimits() CancelAllAfterLimits
}

// CancelAllAfterLimits bound a venue's cancel-all-after timeout.
type CancelAllAfterLimits struct {
	// Min and Max are the shortest and longest timeout (inclusive).
	Min, Max time.Duration
	// Step is the timer's resolution: a timeout must be a whole multiple
	// of it (Kraken counts whole seconds).
	Step time.Duration
}

// Check reports whether d is a timeout the venue takes: 0 (disarm), or a
// multiple of Step from Min to Max.
func (l CancelAllAfterLimits) Check(d time.Duration) bool {
	if d == 0 {
		return true
	}
	if d < l.Min || d > l.Max {
		return false
	}
	return l.Step <= 0 || d%l.Step == 0
}
