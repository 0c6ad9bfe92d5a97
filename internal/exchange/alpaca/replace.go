package alpaca

import (
	"context"
	"fmt"
	"net/http"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.Amender = (*Exchange)(nil)

// PlanAmend implements exchange.Amender with Alpaca's replace
// (PATCH /v2/orders/{id}): a new order with a new id takes the old one's
// place, which ends "replaced"; the place in the queue is lost. A
// partially filled order is refused: its replacement's quantity would
// count from zero, not from the total tradectl's --qty means.
func (e *Exchange) PlanAmend(o trade.Order, a trade.AmendRequest) (exchange.AmendPlan, error) {
	if _, err := venueorder.CheckAmend(venueName, o, a); err != nil {
		return exchange.AmendPlan{}, err
	}
	if o.FilledQty.IsPositive() {
		return exchange.AmendPlan{}, refuse("order %s has filled %s: alpaca's replace would start the new order's quantity from zero; cancel it and place what is left", o.ID, o.FilledQty)
	}
	if !validOrderID(o.ID) {
		return exchange.AmendPlan{}, notFound("%q is not an alpaca order id", o.ID)
	}
	return exchange.AmendPlan{Method: "PATCH /v2/orders/{id}", NewID: true}, nil
}

// replaceWire is the body of PATCH /v2/orders/{id}: only the fields that
// change are sent, numbers as strings; client_order_id names the new
// order so a lost answer can be settled by looking it up.
type replaceWire struct {
	Qty           string `json:"qty,omitempty"`
	LimitPrice    string `json:"limit_price,omitempty"`
	StopPrice     string `json:"stop_price,omitempty"`
	ClientOrderID string `json:"client_order_id,omitempty"`
}

func replaceBody(a trade.AmendRequest, newClientID string) replaceWire {
	w := replaceWire{ClientOrderID: newClientID}
	if a.Qty.Valid {
		w.Qty = a.Qty.Decimal.String()
	}
	if a.Price.Valid {
		w.LimitPrice = a.Price.Decimal.String()
	}
	if a.StopPrice.Valid {
		w.StopPrice = a.StopPrice.Decimal.String()
	}
	return w
}

// AmendOrder implements exchange.Amender: the answer is the new order;
// the result names the id it replaced.
func (e *Exchange) AmendOrder(ctx context.Context, o trade.Order, a trade.AmendRequest, newClientID string) (exchange.AmendResult, error) {
	if !validOrderID(o.ID) {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, notFound("%q is not an alpaca order id", o.ID))
	}
	c := call{method: http.MethodPatch, path: "/v2/orders/{id}", pathParams: map[string]string{"id": o.ID},
		body: replaceBody(a, newClientID), placement: true, clientID: newClientID}
	var w orderWire
	if err := e.do(ctx, c, &w); err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, err)
	}
	got, err := e.mapOrder(w, nil)
	if err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, decodeFailure("PATCH /v2/orders/{id}", err, true, newClientID))
	}
	return exchange.AmendResult{Order: got, ReplacedID: o.ID}, nil
}
