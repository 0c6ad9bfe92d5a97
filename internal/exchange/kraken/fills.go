package kraken

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

const (
	pathTradesHistory = "/0/private/TradesHistory"
	// maxTradePages bounds how far back Fills reads (50 trades a page, 2
	// on the counter each).
	maxTradePages = 5
	tradePage     = 50
)

// tradeWire is one TradesHistory entry.
type tradeWire struct {
	OrderTxID string      `json:"ordertxid"`
	Pair      string      `json:"pair"`
	Time      json.Number `json:"time"`
	Type      string      `json:"type"`
	Price     string      `json:"price"`
	Fee       string      `json:"fee"`
	Vol       string      `json:"vol"`
	Maker     *bool       `json:"maker"`
	Misc      string      `json:"misc"`
}

type tradesHistoryResult struct {
	Trades map[string]tradeWire `json:"trades"`
	Count  int                  `json:"count"`
}

var _ exchange.FillLister = (*Exchange)(nil)

// Fills implements exchange.FillLister with TradesHistory, newest first,
// up to maxTradePages pages. Kraken's trade history has no pair filter, so
// a symbol is applied here. Fees are taken to be in the quote asset, which
// is Kraken's default; TradesHistory does not say otherwise per trade.
func (e *Exchange) Fills(ctx context.Context, f exchange.FillFilter) ([]trade.Fill, error) {
	fills, err := e.fills(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("fills: %w", err)
	}
	return fills, nil
}

func (e *Exchange) fills(ctx context.Context, f exchange.FillFilter) ([]trade.Fill, error) {
	var out []trade.Fill
	for page, ofs := 0, 0; page < maxTradePages; page++ {
		p := newForm().add("type", "all")
		if !f.Since.IsZero() {
			p.add("start", strconv.FormatInt(f.Since.Unix()-1, 10))
		}
		if ofs > 0 {
			p.add("ofs", strconv.Itoa(ofs))
		}
		c := call{path: pathTradesHistory, params: p, private: true, cost: costHistory}
		var res tradesHistoryResult
		if err := e.do(ctx, c, &res); err != nil {
			return nil, err
		}
		for id, w := range res.Trades {
			fill, err := e.mapFill(ctx, id, w)
			if err != nil {
				return nil, decodeFailure(c, err)
			}
			if (f.Symbol.IsZero() || fill.Symbol == f.Symbol) && (f.Since.IsZero() || !fill.Time.Before(f.Since)) {
				out = append(out, fill)
			}
		}
		ofs += len(res.Trades)
		if len(res.Trades) < tradePage || ofs >= res.Count || (f.Limit > 0 && len(out) >= f.Limit) {
			break
		}
	}
	slices.SortStableFunc(out, func(a, b trade.Fill) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func (e *Exchange) mapFill(ctx context.Context, id string, w tradeWire) (trade.Fill, error) {
	sym, err := e.symbolOf(ctx, w.Pair)
	if err != nil {
		return trade.Fill{}, fmt.Errorf("trade %s: %w", id, err)
	}
	fill := trade.Fill{ID: id, OrderID: w.OrderTxID, Symbol: sym, FeeAsset: sym.Quote, Liquidity: trade.Taker}
	if fill.Side, err = venueorder.FromWire(sideFromWire, "side", w.Type); err != nil {
		return trade.Fill{}, fmt.Errorf("trade %s: %w", id, err)
	}
	if w.Maker != nil && *w.Maker {
		fill.Liquidity = trade.Maker
	}
	if fill.Qty, err = venueorder.Decimal("vol", w.Vol); err != nil {
		return trade.Fill{}, fmt.Errorf("trade %s: %w", id, err)
	}
	if fill.Price, err = venueorder.Decimal("price", w.Price); err != nil {
		return trade.Fill{}, fmt.Errorf("trade %s: %w", id, err)
	}
	if fill.Fee, err = venueorder.Decimal("fee", w.Fee); err != nil {
		return trade.Fill{}, fmt.Errorf("trade %s: %w", id, err)
	}
	if fill.Time, err = unixTime(w.Time); err != nil {
		return trade.Fill{}, fmt.Errorf("trade %s: %w", id, err)
	}
	return fill, nil
}
