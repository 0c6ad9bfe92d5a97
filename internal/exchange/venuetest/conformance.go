package venuetest

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/exchangetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// SuiteFake is what the conformance suite's hooks need of a fake venue.
type SuiteFake interface {
	RateLimitNext(retryAfter time.Duration)
	HangNext()
	SetBalance(asset string, amount decimal.Decimal)
}

// RunConformance runs the conformance suite on sym, each property on a
// fresh adapter opened on a fresh fake of a's (started with opts), the
// fake's rate limit, hang and balance driving the suite's hooks (and its
// cancel-all-after timer, when it keeps one). adjust,
// if not nil, sets what the venue models beyond them
// (Harness.RejectsCrossedStops).
func RunConformance[S interface {
	Fake
	SuiteFake
}, E exchange.Exchange, O any](t *testing.T, a Adapter[S, E, O], sym trade.Symbol, adjust func(*exchangetest.Harness), opts ...O) {
	exchangetest.Run(t, func(t *testing.T) exchangetest.Harness {
		f := a.Fixture(t, opts...)
		h := exchangetest.Harness{
			Exchange:        f.Open(t, nil),
			Symbol:          sym,
			InjectRateLimit: f.Srv.RateLimitNext,
			InjectHang:      f.Srv.HangNext,
			Fund:            f.Srv.SetBalance,
		}
		if timer, ok := any(f.Srv).(interface{ FireCancelAllAfter() bool }); ok {
			h.FireCancelAllAfter = func() { timer.FireCancelAllAfter() }
		}
		if adjust != nil {
			adjust(&h)
		}
		return h
	})
}
