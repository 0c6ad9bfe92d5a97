package binance

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.FillLister = (*Exchange)(nil)

// tradeWire is one /api/v3/myTrades entry.
type tradeWire struct {
	Symbol          string `json:"symbol"`
	ID              int64  `json:"id"`
	OrderID         int64  `json:"orderId"`
	Price           string `json:"price"`
	Qty             string `json:"qty"`
	Commission      string `json:"commission"`
	CommissionAsset string `json:"commissionAsset"`
	Time            int64  `json:"time"`
	IsBuyer         bool   `json:"isBuyer"`
	IsMaker         bool   `json:"isMaker"`
}

func mapFill(w tradeWire, sym trade.Symbol) (trade.Fill, error) {
	f := trade.Fill{
		ID:        strconv.FormatInt(w.ID, 10),
		OrderID:   formatOrderID(w.Symbol, w.OrderID),
		Symbol:    sym,
		Side:      trade.Sell,
		FeeAsset:  w.CommissionAsset,
		Liquidity: trade.Taker,
		Time:      time.UnixMilli(w.Time).UTC(),
	}
	if w.IsBuyer {
		f.Side = trade.Buy
	}
	if w.IsMaker {
		f.Liquidity = trade.Maker
	}
	var err error
	if f.Price, err = venueorder.Decimal("price", w.Price); err != nil {
		return trade.Fill{}, err
	}
	if f.Qty, err = venueorder.Decimal("qty", w.Qty); err != nil {
		return trade.Fill{}, err
	}
	if f.Fee, err = venueorder.Decimal("commission", w.Commission); err != nil {
		return trade.Fill{}, err
	}
	return f, nil
}

// Fills implements exchange.FillLister with /api/v3/myTrades, newest
// first. Like order history, Binance keeps executions per symbol.
func (e *Exchange) Fills(ctx context.Context, f exchange.FillFilter) ([]trade.Fill, error) {
	if f.Symbol.IsZero() {
		return nil, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
			Message: "binance keeps executions per symbol: pass --symbol to list fills"}
	}
	vs, err := venueSymbol(f.Symbol)
	if err != nil {
		return nil, fmt.Errorf("fills: %w", err)
	}
	q := newQuery().add("symbol", vs)
	if !f.Since.IsZero() {
		q.add("startTime", strconv.FormatInt(f.Since.UnixMilli(), 10))
	}
	q.add("limit", "1000")
	var ws []tradeWire
	if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/myTrades", params: q, signed: true, weight: 20}, &ws); err != nil {
		return nil, fmt.Errorf("fills: %w", err)
	}
	out := make([]trade.Fill, 0, len(ws))
	for _, w := range ws {
		fill, err := mapFill(w, f.Symbol)
		if err != nil {
			return nil, fmt.Errorf("fills: %w", decodeFailure("GET /api/v3/myTrades", err, false, ""))
		}
		if !f.Since.IsZero() && fill.Time.Before(f.Since) {
			continue
		}
		out = append(out, fill)
	}
	slices.SortStableFunc(out, func(a, b trade.Fill) int { return b.Time.Compare(a.Time) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}
