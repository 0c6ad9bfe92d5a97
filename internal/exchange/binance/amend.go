package binance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.Amender = (*Exchange)(nil)

// PlanAmend implements exchange.Amender with Order Amend Keep Priority
// (PUT /api/v3/order/amend/keepPriority), which only lowers a quantity:
// the orderId and the place in the queue stay. A price or stop change, or
// a larger quantity, needs Binance's cancel-replace, which cancels the
// order and places a new one (a new id, the place lost, and a half-done
// outcome to report when the new order is refused); tradectl does not
// send it yet, so such a change is refused before anything is sent.
func (e *Exchange) PlanAmend(o trade.Order, a trade.AmendRequest) (exchange.AmendPlan, error) {
	if _, err := a.Amended(o); err != nil {
		return exchange.AmendPlan{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Message: err.Error(), Err: err}
	}
	if !a.QtyDownOnly(o) {
		return exchange.AmendPlan{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
			Message: "binance amends an order in place only to lower its quantity (order/amend/keepPriority); a price or stop change or a larger quantity would need cancel-replace, which tradectl does not send: cancel the order and place a new one"}
	}
	if _, _, err := parseOrderID(o.ID); err != nil {
		return exchange.AmendPlan{}, err
	}
	return exchange.AmendPlan{Method: "order/amend/keepPriority", KeepsPriority: true}, nil
}

// amendedWire is keepPriority's answer: the order under "amendedOrder",
// its quantity as "qty" and Binance's correctly spelt cumulativeQuoteQty.
type amendedWire struct {
	TransactTime int64 `json:"transactTime"`
	AmendedOrder struct {
		Symbol             string `json:"symbol"`
		OrderID            int64  `json:"orderId"`
		ClientOrderID      string `json:"clientOrderId"`
		Price              string `json:"price"`
		Qty                string `json:"qty"`
		ExecutedQty        string `json:"executedQty"`
		CumulativeQuoteQty string `json:"cumulativeQuoteQty"`
		Status             string `json:"status"`
		TimeInForce        string `json:"timeInForce"`
		Type               string `json:"type"`
		Side               string `json:"side"`
		WorkingTime        int64  `json:"workingTime"`
	} `json:"amendedOrder"`
}

// AmendOrder implements exchange.Amender. newClientOrderId is sent as the
// order's own client id, which Binance would otherwise replace by a
// random one. A finished order, which Binance answers -2013 "Order does
// not exist.", is reported as ErrInvalidOrder after a look-up.
func (e *Exchange) AmendOrder(ctx context.Context, o trade.Order, a trade.AmendRequest, _ string) (exchange.AmendResult, error) {
	if _, err := e.PlanAmend(o, a); err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, err)
	}
	t, err := e.resolve(ctx, exchange.OrderRef{ID: o.ID, Symbol: o.Symbol})
	if err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, err)
	}
	q := t.params().addDec("newQty", a.Qty.Decimal)
	if o.ClientID != "" {
		q.add("newClientOrderId", o.ClientID)
	}
	var w amendedWire
	c := call{method: http.MethodPut, path: "/api/v3/order/amend/keepPriority", params: q, signed: true, weight: 4, placement: true}
	if err := e.do(ctx, c, &w); err != nil {
		if errors.Is(err, exchange.ErrNotFound) {
			if got, gerr := e.GetOrder(ctx, exchange.OrderRef{ID: o.ID, Symbol: o.Symbol}); gerr == nil && !got.Status.Working() {
				err = &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
					Message: fmt.Sprintf("order %s is already %s", o.ID, strings.ReplaceAll(string(got.Status), "_", " "))}
			}
		}
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, err)
	}
	ao := w.AmendedOrder
	got, err := e.mapOrder(orderWire{Symbol: ao.Symbol, OrderID: ao.OrderID, ClientOrderID: ao.ClientOrderID, Price: ao.Price,
		OrigQty: ao.Qty, ExecutedQty: ao.ExecutedQty, CummulativeQuoteQty: ao.CumulativeQuoteQty, StopPrice: o.StopPrice.Decimal.String(),
		Status: ao.Status, TimeInForce: ao.TimeInForce, Type: ao.Type, Side: ao.Side, Time: ao.WorkingTime, UpdateTime: w.TransactTime}, t.symbol)
	if err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, decodeFailure("PUT /api/v3/order/amend/keepPriority", err, true, ""))
	}
	return exchange.AmendResult{Order: got}, nil
}
