package coinbase

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.Amender = (*Exchange)(nil)

// PlanAmend implements exchange.Amender with Edit Order
// (POST /api/v3/brokerage/orders/edit), which changes the size and limit
// price of a limit GTC order in place; the order id stays. Other orders,
// and stop prices, are refused before anything is sent.
func (e *Exchange) PlanAmend(o trade.Order, a trade.AmendRequest) (exchange.AmendPlan, error) {
	if _, err := venueorder.CheckAmend(venueName, o, a); err != nil {
		return exchange.AmendPlan{}, err
	}
	if o.Type != trade.Limit || o.TimeInForce != trade.GTC {
		return exchange.AmendPlan{}, refuse("coinbase edits only limit gtc orders; order %s is a %s %s order: cancel it and place a new one", o.ID, o.Type, o.TimeInForce)
	}
	if err := checkOrderID(o.ID); err != nil {
		return exchange.AmendPlan{}, err
	}
	return exchange.AmendPlan{Method: "orders/edit", KeepsPriority: a.QtyDownOnly(o)}, nil
}

// editBody is Edit Order's body. Both price and size are sent, the one
// that does not change at its current value, so the edit never depends on
// how Coinbase reads an absent field.
type editBody struct {
	OrderID string `json:"order_id"`
	Price   string `json:"price"`
	Size    string `json:"size"`
}

type editResponse struct {
	Success bool `json:"success"`
	Errors  []struct {
		EditFailureReason    string `json:"edit_failure_reason"`
		PreviewFailureReason string `json:"preview_failure_reason"`
	} `json:"errors"`
}

// AmendOrder implements exchange.Amender, then reads the order back. A
// refused edit (success false) is typed by its edit_failure_reason; one
// of a finished order is reported as such after a look-up.
func (e *Exchange) AmendOrder(ctx context.Context, o trade.Order, a trade.AmendRequest, _ string) (exchange.AmendResult, error) {
	if _, err := e.PlanAmend(o, a); err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, err)
	}
	req, _ := a.Amended(o)
	body := editBody{OrderID: o.ID, Price: req.Price.Decimal.String(), Size: req.Qty.String()}
	var w editResponse
	if err := e.do(ctx, call{method: http.MethodPost, path: "/orders/edit", body: body, private: true, placement: true}, &w); err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, err)
	}
	if !w.Success {
		reason := "UNKNOWN_EDIT_ORDER_FAILURE_REASON"
		if len(w.Errors) > 0 && w.Errors[0].EditFailureReason != "" {
			reason = w.Errors[0].EditFailureReason
		}
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, e.editFailure(ctx, o.ID, reason))
	}
	got, err := e.fetchOrder(ctx, o.ID)
	if err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: edited, but reading it back failed: %w", o.ID, err)
	}
	return exchange.AmendResult{Order: got}, nil
}

// editFailure types a refused edit: an order Coinbase does not know is
// not found, a finished one is "already filled", the rest are invalid.
func (e *Exchange) editFailure(ctx context.Context, id, reason string) error {
	if reason == "ORDER_NOT_FOUND" || reason == "ONLY_OPEN_ORDERS_CAN_BE_EDITED" {
		o, err := e.fetchOrder(ctx, id)
		switch {
		case err == nil && o.Status.Terminal():
			return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Code: reason, Message: fmt.Sprintf("order %s is already %s", id, o.Status)}
		case errors.Is(err, exchange.ErrNotFound) || reason == "ORDER_NOT_FOUND":
			return &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Code: reason, Message: "no order " + id}
		}
	}
	return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Code: reason,
		Message: fmt.Sprintf("edit of order %s refused: %s", id, strings.ToLower(strings.ReplaceAll(reason, "_", " ")))}
}
