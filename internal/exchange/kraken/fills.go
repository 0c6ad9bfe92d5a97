package kraken

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

const (
	pathTradesHistory = "/0/private/TradesHistory"
	// maxTradePages bounds how far back Fills reads (50 trades a page, 2
	// on the call counter each).
	maxTradePages = 5
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
	Count  *int                 `json:"count"`
}

var _ exchange.FillLister = (*Exchange)(nil)

// Fills implements exchange.FillLister with FillHistory's pager, newest
// first: up to maxTradePages pages, fewer once Limit fills are in. Kraken's
// trade history has no pair filter, so a symbol is applied here. Fees are
// taken to be in the quote asset, which is Kraken's default;
// TradesHistory does not say otherwise per trade.
func (e *Exchange) Fills(ctx context.Context, f exchange.FillFilter) ([]trade.Fill, error) {
	q := exchange.FillQuery{Symbol: f.Symbol, Since: f.Since, Until: f.Until}
	return venueorder.ListFills(ctx, f, q, maxTradePages, e.fillHistory)
}

// mapFill reads one TradesHistory entry. A trade without its order, time
// or amounts, or with one unreadable, is an error: dropping it would leave
// a hole in the history that no later read fills.
func (e *Exchange) mapFill(ctx context.Context, id string, w tradeWire) (trade.Fill, error) {
	if id == "" || w.OrderTxID == "" || w.Time == "" || w.Vol == "" || w.Price == "" || w.Fee == "" {
		return trade.Fill{}, fmt.Errorf("trade %q without its id, ordertxid, time, vol, price or fee", id)
	}
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
	if fill.Time.IsZero() {
		return trade.Fill{}, fmt.Errorf("trade %s: time 0", id)
	}
	return fill, nil
}
