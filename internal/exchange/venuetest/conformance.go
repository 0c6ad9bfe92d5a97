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
// fresh exchange and fake that open returns, the fake's rate limit, hang
// and balance driving the suite's hooks. adjust, if not nil, sets what
// the venue models beyond them (Harness.RejectsCrossedStops).
func RunConformance[S SuiteFake](t *testing.T, sym trade.Symbol, open func(t *testing.T) (exchange.Exchange, S), adjust func(*exchangetest.Harness)) {
	exchangetest.Run(t, func(t *testing.T) exchangetest.Harness {
		ex, srv := open(t)
		h := exchangetest.Harness{
			Exchange:        ex,
			Symbol:          sym,
			InjectRateLimit: srv.RateLimitNext,
			InjectHang:      srv.HangNext,
			Fund:            srv.SetBalance,
		}
		if adjust != nil {
			adjust(&h)
		}
		return h
	})
}
