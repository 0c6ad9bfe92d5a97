package coinbase

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/tradectl/tradectl/internal/exchange/venuebook"
	"github.com/tradectl/tradectl/internal/trade"
)

// productStatsWire is the part of a product the 24-hour figures come from.
type productStatsWire struct {
	ProductID                string `json:"product_id"`
	PricePercentageChange24h string `json:"price_percentage_change_24h"`
	Volume24h                string `json:"volume_24h"`
}

// mapProductStats reads a product's 24-hour figures: the change in
// percent and the base volume. Coinbase's product has no absolute change,
// high or low, and no time for the figures: those stay nil. An empty
// field stays nil; a value that is not a decimal, or a negative volume,
// is an error. The percent may end in "%", as the reference's example
// writes it ("9.43%"); the live API sends the bare number.
func mapProductStats(w productStatsWire) (trade.Stats24h, error) {
	var out trade.Stats24h
	if err := venuebook.Figures(
		venuebook.Signed("price_percentage_change_24h", strings.TrimSuffix(w.PricePercentageChange24h, "%"), &out.Change24hPct),
		venuebook.Unsigned("volume_24h", w.Volume24h, &out.Volume24h),
	); err != nil {
		return trade.Stats24h{}, err
	}
	return out, nil
}

// decodeProductStats reads one public product answer for id.
func decodeProductStats(raw []byte, id string) (trade.Stats24h, error) {
	var w productStatsWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return trade.Stats24h{}, err
	}
	if w.ProductID != id {
		return trade.Stats24h{}, fmt.Errorf("answer is for product %q, not %q", w.ProductID, id)
	}
	return mapProductStats(w)
}

// DayStats implements exchange.DayStatsReader: one public product request
// per distinct symbol (GET /market/products/{id}), all sent at once, so
// they take the round trip of the quotes they go with. Unknown symbols
// are named from the cached product list before anything is sent.
func (e *Exchange) DayStats(ctx context.Context, syms []trade.Symbol) (map[trade.Symbol]trade.Stats24h, error) {
	var ids []trade.Symbol
	seen := map[trade.Symbol]bool{}
	for _, s := range syms {
		if _, err := e.rulesFor(ctx, s); err != nil {
			return nil, fmt.Errorf("24h stats: %w", err)
		}
		if !seen[s] {
			seen[s] = true
			ids = append(ids, s)
		}
	}
	out := make(map[trade.Symbol]trade.Stats24h, len(ids))
	errs := make([]error, len(ids))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, s := range ids {
		wg.Go(func() {
			id := s.String()
			c := call{method: http.MethodGet, path: "/market/products/" + url.PathEscape(id)}
			var raw json.RawMessage
			if err := e.do(ctx, c, &raw); err != nil {
				errs[i] = fmt.Errorf("24h stats: %s: %w", id, err)
				return
			}
			st, err := decodeProductStats(raw, id)
			if err != nil {
				errs[i] = fmt.Errorf("24h stats: %w", decodeFailure(c.String(), err, false, ""))
				return
			}
			mu.Lock()
			out[s] = st
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
