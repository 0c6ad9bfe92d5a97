package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.Amender = (*Exchange)(nil)

// PlanAmend implements exchange.Amender. A lone quantity cut goes out as
// Order Amend Keep Priority (PUT /api/v3/order/amend/keepPriority): the
// orderId and the place in the queue stay. Any other change is a
// cancel-replace (POST /api/v3/order/cancelReplace, STOP_ON_FAILURE): the
// order is canceled and a new one placed under a new id, its place lost.
// A partially filled order is not cancel-replaced: the new order's
// quantity would count from zero, not from the total --qty means.
func (e *Exchange) PlanAmend(o trade.Order, a trade.AmendRequest) (exchange.AmendPlan, error) {
	if _, err := venueorder.CheckAmend(venueName, o, a); err != nil {
		return exchange.AmendPlan{}, err
	}
	if _, _, err := parseOrderID(o.ID); err != nil {
		return exchange.AmendPlan{}, err
	}
	if a.QtyDownOnly(o) {
		return exchange.AmendPlan{Method: "order/amend/keepPriority", KeepsPriority: true}, nil
	}
	if o.FilledQty.IsPositive() {
		return exchange.AmendPlan{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
			Message: fmt.Sprintf("order %s has filled %s: a cancel-replace would start the new order's quantity from zero; lower its quantity alone (kept in place), or cancel it and place what is left", o.ID, o.FilledQty)}
	}
	return exchange.AmendPlan{Method: "order/cancelReplace", NewID: true}, nil
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

// AmendOrder implements exchange.Amender. On keepPriority,
// newClientOrderId is the order's own client id, which Binance would
// otherwise replace by a random one; a finished order, which Binance
// answers -2013 "Order does not exist.", is reported as ErrInvalidOrder
// after a look-up. A cancel-replace gives the new order newClientID.
func (e *Exchange) AmendOrder(ctx context.Context, o trade.Order, a trade.AmendRequest, newClientID string) (exchange.AmendResult, error) {
	plan, err := e.PlanAmend(o, a)
	if err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, err)
	}
	t, err := e.resolve(ctx, exchange.OrderRef{ID: o.ID, Symbol: o.Symbol})
	if err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, err)
	}
	if plan.NewID {
		return e.cancelReplace(ctx, o, a, t, newClientID)
	}
	q := t.params().addDec("newQty", a.Qty.Decimal)
	if o.ClientID != "" {
		q.add("newClientOrderId", o.ClientID)
	}
	var w amendedWire
	c := call{method: http.MethodPut, path: "/api/v3/order/amend/keepPriority", params: q, signed: true, weight: 4, placement: true}
	if err := e.do(ctx, c, &w); err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, e.finished(ctx, o, err))
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

const pathCancelReplace = "/api/v3/order/cancelReplace"

// cancelReplaceWire is cancelReplace's 200 answer.
type cancelReplaceWire struct {
	CancelResult     string    `json:"cancelResult"`
	NewOrderResult   string    `json:"newOrderResult"`
	NewOrderResponse orderWire `json:"newOrderResponse"`
}

// cancelReplace cancels o and places the amended order under newClientID
// in one request, STOP_ON_FAILURE: a refused cancel places nothing.
func (e *Exchange) cancelReplace(ctx context.Context, o trade.Order, a trade.AmendRequest, t target, newClientID string) (exchange.AmendResult, error) {
	req, _ := a.Amended(o)
	if newClientID == "" {
		newClientID = venueorder.NewClientID(clientIDDigits)
	}
	// The new order is checked as a placement is, so a request Binance
	// would refuse after the cancel never leaves: that is the half-done
	// case, which a local check avoids where it can.
	q, err := e.prepare(ctx, req, newClientID)
	if err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, err)
	}
	q.add("cancelReplaceMode", "STOP_ON_FAILURE").add("cancelOrderId", strconv.FormatInt(t.orderID, 10))
	var w cancelReplaceWire
	c := call{method: http.MethodPost, path: pathCancelReplace, params: q, signed: true, weight: 1, placement: true, clientID: newClientID}
	if err := e.do(ctx, c, &w); err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, e.finished(ctx, o, err))
	}
	got, err := e.mapOrder(w.NewOrderResponse, t.symbol)
	if err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, decodeFailure("POST "+pathCancelReplace, err, true, newClientID))
	}
	return exchange.AmendResult{Order: got, ReplacedID: o.ID}, nil
}

// cancelReplaceError reads cancelReplace's failure answers, which say
// which half happened under data: -2022 (HTTP 400), nothing happened —
// the cancel was refused and no order placed; -2021 (HTTP 409), half
// happened — the order was canceled and the new one refused, so nothing
// of it is working any more. Other answers are left to toError.
func cancelReplaceError(a *venuehttp.Answer) *exchange.Error {
	var b struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Data *struct {
			CancelResult     string          `json:"cancelResult"`
			NewOrderResult   string          `json:"newOrderResult"`
			CancelResponse   json.RawMessage `json:"cancelResponse"`
			NewOrderResponse json.RawMessage `json:"newOrderResponse"`
		} `json:"data"`
	}
	if json.Unmarshal(a.Body, &b) != nil || b.Data == nil {
		return nil
	}
	why := func(raw json.RawMessage) string {
		var m struct {
			Code int    `json:"code"`
			Msg  string `json:"msg"`
		}
		if json.Unmarshal(raw, &m) != nil || m.Msg == "" {
			return "no reason given"
		}
		return fmt.Sprintf("%s (%d)", m.Msg, m.Code)
	}
	d := b.Data
	switch {
	case d.CancelResult == "SUCCESS" && d.NewOrderResult == "FAILURE":
		return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Code: strconv.Itoa(b.Code),
			Message: "cancel-replace half done: the order WAS CANCELED, and the new order was refused: " + why(d.NewOrderResponse) + "; nothing of it is working now — place it again if you still want it"}
	case d.CancelResult == "FAILURE":
		kind := exchange.ErrInvalidOrder
		if strings.Contains(why(d.CancelResponse), "Unknown order") {
			kind = exchange.ErrNotFound
		}
		return &exchange.Error{Kind: kind, Venue: venueName, Code: strconv.Itoa(b.Code),
			Message: "cancel-replace not done: the cancel was refused (" + why(d.CancelResponse) + "), so no new order was placed; the order is as it was"}
	}
	return nil
}

// finished words a not-found answer about an order that exists but has
// finished as the refusal it is (ErrInvalidOrder, "already canceled"), as
// a cancel of it is reported; any other error is returned as it is.
func (e *Exchange) finished(ctx context.Context, o trade.Order, err error) error {
	if !errors.Is(err, exchange.ErrNotFound) {
		return err
	}
	got, gerr := e.GetOrder(ctx, exchange.OrderRef{ID: o.ID, Symbol: o.Symbol})
	if gerr != nil || got.Status.Working() {
		return err
	}
	return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
		Message: fmt.Sprintf("order %s is already %s", o.ID, strings.ReplaceAll(string(got.Status), "_", " "))}
}
