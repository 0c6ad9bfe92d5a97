package paper

import (
	"context"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.OrderBookReader = (*Exchange)(nil)

// OrderBook returns the simulated book now: the very book a market order
// placed at this instant would take from (sim.BookLevels a side at most).
// With a price source it is the source's book where it shows depth, else
// the one-level book of its quote (see the package documentation).
func (e *Exchange) OrderBook(ctx context.Context, sym trade.Symbol, depth int) (trade.Book, error) {
	if err := ctx.Err(); err != nil {
		return trade.Book{}, err
	}
	if e.source != nil {
		return e.liveBook(ctx, sym, depth)
	}
	p, err := e.pathOf(sym)
	if err != nil {
		return trade.Book{}, err
	}
	b := p.Book(e.clock())
	return trade.Book{
		Symbol: b.Symbol,
		Time:   b.Time,
		Bids:   bookLevels(b.Bids, depth),
		Asks:   bookLevels(b.Asks, depth),
	}, nil
}

func bookLevels(in []sim.Level, depth int) []trade.BookLevel {
	if depth > 0 && len(in) > depth {
		in = in[:depth]
	}
	out := make([]trade.BookLevel, len(in))
	for i, l := range in {
		out[i] = trade.BookLevel{Price: l.Price, Qty: l.Qty}
	}
	return out
}
