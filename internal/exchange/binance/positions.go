package binance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// fillsConcurrency bounds the myTrades requests in flight for one account:
// each weighs 20, and the weight limiter paces them anyway, so more would
// only queue.
const fillsConcurrency = 4

// FillsFor reads every execution of each symbol, the symbols at once (at
// most fillsConcurrency requests in flight, each through the weight
// limiter), oldest first within a symbol. Binance lists executions only
// per symbol; the dashboard derives positions, average cost and realised
// P&L from them. The first failure cancels the rest and is returned.
func (e *Exchange) FillsFor(ctx context.Context, symbols []trade.Symbol) ([]trade.Fill, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	per := make([][]trade.Fill, len(symbols))
	errs := make([]error, len(symbols))
	sem := make(chan struct{}, fillsConcurrency)
	var wg sync.WaitGroup
	for i, sym := range symbols {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			per[i], errs[i] = e.allFills(ctx, sym, myTradesPage)
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	// Report the failure that caused the cancel, not the cancels it caused.
	var first error
	for i, err := range errs {
		if err == nil {
			continue
		}
		err = fmt.Errorf("fills of %s: %w", symbols[i], err)
		if first == nil || (errors.Is(first, context.Canceled) && !errors.Is(err, context.Canceled)) {
			first = err
		}
	}
	if first != nil {
		return nil, first
	}
	return slices.Concat(per...), nil
}

// allFills reads one symbol's executions from the first on, page
// entries a page (FillHistory's pager), so a position's cost basis sees
// every fill, not only the latest thousand.
func (e *Exchange) allFills(ctx context.Context, sym trade.Symbol, page int) ([]trade.Fill, error) {
	return e.pageFills(ctx, exchange.FillQuery{Symbol: sym, Limit: page})
}

// pageFills reads q's pages to the end, oldest first.
func (e *Exchange) pageFills(ctx context.Context, q exchange.FillQuery) ([]trade.Fill, error) {
	var out []trade.Fill
	for {
		p, err := e.fillHistory(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Fills...)
		if p.Next == "" {
			return out, nil
		}
		q.Cursor = p.Next
	}
}
