package fakecoinbase

import (
	"encoding/json"
	"net/http"

	"github.com/shopspring/decimal"
)

// editFailed is an edit answer with success false and one reason, as
// Coinbase reports a refused edit (HTTP 200, errors[].edit_failure_reason).
func editFailed(reason string) response {
	return ok(map[string]any{"success": false, "errors": []any{map[string]any{
		"edit_failure_reason": reason, "preview_failure_reason": "UNKNOWN_PREVIEW_FAILURE_REASON"}}})
}

// handleEdit edits a working limit GTC order in place, as POST
// /api/v3/brokerage/orders/edit does: order_id names it, price and size
// are its new limit and total size. The order id stays; the order is
// judged against the book again (a crossing price fills, a crossing
// post-only is refused).
func (s *Server) handleEdit(_ *http.Request, body []byte) response {
	var b struct {
		OrderID string `json:"order_id"`
		Price   string `json:"price"`
		Size    string `json:"size"`
	}
	if err := strictDecode(body, &b); err != nil {
		return invalidArgument("invalid request body: " + err.Error())
	}
	var o *order
	for _, x := range s.orders {
		if x.id == b.OrderID {
			o = x
		}
	}
	switch {
	case o == nil:
		return editFailed("ORDER_NOT_FOUND")
	case !o.working():
		return editFailed("ONLY_OPEN_ORDERS_CAN_BE_EDITED")
	case o.spec.kind != "limit_limit_gtc":
		return editFailed("ONLY_LIMIT_ORDER_EDITS_SUPPORTED")
	}
	sp := o.spec
	for _, f := range []struct {
		text   string
		dst    *decimal.Decimal
		reason string
	}{{b.Price, &sp.limitPrice, "INVALID_EDITED_PRICE"}, {b.Size, &sp.baseSize, "INVALID_EDITED_SIZE"}} {
		if f.text == "" {
			continue
		}
		if !decimalText(f.text) {
			return editFailed(f.reason)
		}
		*f.dst = decimal.RequireFromString(f.text)
	}
	switch {
	case sp.limitPrice.Equal(o.spec.limitPrice) && sp.baseSize.Equal(o.spec.baseSize):
		return editFailed("EDIT_REQUEST_EQUAL_TO_ORIGINAL_REQUEST")
	case !sp.baseSize.GreaterThan(o.filled):
		return editFailed("CANNOT_EDIT_TO_BELOW_FILLED_SIZE")
	}
	old := o.spec
	s.releaseLocked(o)
	if _, fail := s.check(o.p.spec.ID, o.side, sp); fail != nil {
		o.spec = old
		asset, amount := s.cost(o)
		o.hold = s.acct(asset).Hold(amount)
		return editFailed("COMMANDER_REJECTED_EDIT_ORDER")
	}
	o.spec = sp
	cfg, _ := json.Marshal(map[string]any{sp.kind: map[string]any{"base_size": fx(sp.baseSize), "limit_price": fx(sp.limitPrice), "post_only": sp.postOnly}})
	o.rawConfig = cfg
	p := o.p
	touch := p.ask
	if o.side == "SELL" {
		touch = p.bid
	}
	if (o.side == "BUY" && !sp.limitPrice.LessThan(p.ask)) || (o.side == "SELL" && !sp.limitPrice.GreaterThan(p.bid)) {
		s.fillLocked(o, touch, false)
	} else {
		asset, amount := s.cost(o)
		o.hold = s.acct(asset).Hold(amount)
	}
	return ok(map[string]any{"success": true, "errors": []any{}})
}
