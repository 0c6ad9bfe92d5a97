package binance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/tradectl/tradectl/internal/trade"
)

// fillsConcurrency bounds the myTrades requests in flight for one account:
// each weighs 20, and the weight limiter paces them anyway, so more would
// only queue.
const fillsConcurrency = 4

// myTradesPage is Binance's largest myTrades page.
const myTradesPage = 1000

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

// allFills pages through one symbol's executions from the first (fromId
// 0) on, page entries at a time, so a position's cost basis sees every
// fill, not only the latest thousand.
func (e *Exchange) allFills(ctx context.Context, sym trade.Symbol, page int) ([]trade.Fill, error) {
	vs, err := venueSymbol(sym)
	if err != nil {
		return nil, err
	}
	var out []trade.Fill
	from := int64(0)
	for {
		q := newQuery().add("symbol", vs).add("fromId", strconv.FormatInt(from, 10)).add("limit", strconv.Itoa(page))
		var ws []tradeWire
		if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/myTrades", params: q, signed: true, weight: 20}, &ws); err != nil {
			return nil, err
		}
		for _, w := range ws {
			f, err := mapFill(w, sym)
			if err != nil {
				return nil, decodeFailure("GET /api/v3/myTrades", err, false, "")
			}
			out = append(out, f)
			from = max(from, w.ID+1)
		}
		if len(ws) < page {
			return out, nil
		}
	}
}
