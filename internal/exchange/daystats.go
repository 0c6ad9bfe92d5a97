package exchange

import (
	"context"

	"github.com/tradectl/tradectl/internal/trade"
)

// DayStatsReader is implemented by venues whose quotes lack the rolling
// 24-hour figures but which serve them from a separate request. Only
// `quote` asks for them, alongside Quotes, so the pre-trade quotes of the
// order path keep costing what they do.
type DayStatsReader interface {
	// DayStats returns the 24-hour figures of syms, keyed by symbol. A
	// figure the venue does not report is nil, never zero. An unknown
	// symbol is an error wrapping ErrNotFound.
	DayStats(ctx context.Context, syms []trade.Symbol) (map[trade.Symbol]trade.Stats24h, error)
}
