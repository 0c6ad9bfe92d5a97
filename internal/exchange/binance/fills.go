package binance

import (
	"context"
	"fmt"
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

// mapFill reads one myTrades entry. A trade without its id, order id or
// time, or with an unreadable or missing amount, is an error: dropping it
// would leave a hole in the history that no later read fills.
func mapFill(w tradeWire, sym trade.Symbol) (trade.Fill, error) {
	switch {
	case w.ID <= 0:
		return trade.Fill{}, fmt.Errorf("trade without an id")
	case w.OrderID <= 0:
		return trade.Fill{}, fmt.Errorf("trade %d without an orderId", w.ID)
	case w.Time <= 0:
		return trade.Fill{}, fmt.Errorf("trade %d without a time", w.ID)
	case w.Price == "" || w.Qty == "" || w.Commission == "":
		return trade.Fill{}, fmt.Errorf("trade %d without price, qty or commission", w.ID)
	}
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
// first. Like order history, Binance keeps executions per symbol. Without
// a time range it is one request for the latest thousand; with one, it
// reads the range with FillHistory's pager.
func (e *Exchange) Fills(ctx context.Context, f exchange.FillFilter) ([]trade.Fill, error) {
	if f.Symbol.IsZero() {
		return nil, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Err: exchange.ErrSymbolNeeded,
			Message: "binance keeps executions per symbol: fills are listed only with one"}
	}
	var out []trade.Fill
	var err error
	if f.Since.IsZero() && f.Until.IsZero() {
		out, err = e.latestFills(ctx, f.Symbol)
	} else {
		out, err = e.pageFills(ctx, exchange.FillQuery{Symbol: f.Symbol, Since: f.Since, Until: f.Until})
	}
	if err != nil {
		return nil, fmt.Errorf("fills: %w", err)
	}
	slices.SortStableFunc(out, func(a, b trade.Fill) int { return b.Time.Compare(a.Time) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// latestFills reads the symbol's most recent thousand executions: myTrades
// without fromId or times answers the most recent ones.
func (e *Exchange) latestFills(ctx context.Context, sym trade.Symbol) ([]trade.Fill, error) {
	vs, err := venueSymbol(sym)
	if err != nil {
		return nil, err
	}
	ws, err := e.myTrades(ctx, newQuery().add("symbol", vs).add("limit", strconv.Itoa(myTradesPage)))
	if err != nil {
		return nil, err
	}
	out := make([]trade.Fill, 0, len(ws))
	for _, w := range ws {
		fill, err := mapFill(w, sym)
		if err != nil {
			return nil, decodeFailure("GET "+pathMyTrades, err, false, "")
		}
		out = append(out, fill)
	}
	return out, nil
}
