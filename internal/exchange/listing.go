package exchange

import (
	"context"

	"github.com/tradectl/tradectl/internal/trade"
)

// AllInstrumentLister is implemented by venues whose rule list also holds
// symbols that take no new orders today (halted, cancel-only):
// AllInstruments lists those too, each with its Status, from the same
// cached rules as Instruments, so it costs no request more. Order paths
// keep using Instruments, which leaves them out.
type AllInstrumentLister interface {
	AllInstruments(ctx context.Context) ([]trade.Instrument, error)
}
