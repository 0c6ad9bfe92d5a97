package fakebinance

import (
	"encoding/json"
	"net/url"

	"github.com/shopspring/decimal"
)

// handleAmendKeepPriority lowers a working order's quantity in place, as
// PUT /api/v3/order/amend/keepPriority does: symbol with orderId or
// origClientOrderId names it; newQty must be above 0 and below its
// quantity, on the LOT_SIZE grid; newClientOrderId becomes its client id
// (a random one when absent). The orderId and the order's place stay.
func (s *Server) handleAmendKeepPriority(p params) response {
	o, e := s.findOrder(p)
	if e != nil {
		return errorResponse(e)
	}
	if o == nil || !o.working() {
		return errorResponse(errNoSuchOrder)
	}
	qty, _, e := decParam(p, "newQty", true)
	if e != nil {
		return errorResponse(e)
	}
	sym := o.sym
	if !qty.IsPositive() || !qty.LessThan(o.qty) {
		return errorResponse(errBody(400, -2038, "The requested modification to the order is not allowed."))
	}
	if (sym.minQty.IsPositive() && qty.LessThan(sym.minQty)) || offGrid(qty, sym.minQty, sym.step) {
		return errorResponse(filterFailure("LOT_SIZE"))
	}
	orig := o.clientID
	if id := p.get("newClientOrderId"); id != "" {
		if !clientIDParam.MatchString(id) {
			return errorResponse(illegal("newClientOrderId"))
		}
		o.clientID = id
	} else {
		o.clientID = randomClientID()
	}
	s.unlockLocked(o)
	o.qty = qty
	if !qty.GreaterThan(o.executed) {
		o.status = "FILLED"
	} else {
		lock := o.price
		if o.typ == "STOP_LOSS" {
			lock = o.stopPrice
		}
		s.lockLocked(o, lock)
	}
	now := s.now().UnixMilli()
	o.updated = now
	return jsonResponse(map[string]any{
		"transactTime": now, "executionId": now,
		"amendedOrder": map[string]any{
			"symbol": sym.spec.Symbol, "orderId": o.id, "orderListId": -1, "origClientOrderId": orig, "clientOrderId": o.clientID,
			"price": fx(o.price), "qty": fx(o.qty), "executedQty": fx(o.executed), "preventedQty": fx(decimal.Zero), "quoteOrderQty": fx(o.quoteQty),
			"cumulativeQuoteQty": fx(o.cumQuote), "status": o.status, "timeInForce": o.tif, "type": o.typ, "side": o.side,
			"workingTime": o.created, "selfTradePreventionMode": "EXPIRE_MAKER",
		},
	})
}

// handleCancelReplace cancels an order and places a new one, as
// POST /api/v3/order/cancelReplace does: cancelOrderId or
// cancelOrigClientOrderId names the order; the new-order parameters are
// those of POST /api/v3/order. With cancelReplaceMode STOP_ON_FAILURE a
// refused cancel places nothing (-2022, HTTP 400); a new order refused
// after the cancel went through is -2021 "partially failed", HTTP 409,
// with both halves' results under data.
func (s *Server) handleCancelReplace(p params) response {
	switch p.get("cancelReplaceMode") {
	case "STOP_ON_FAILURE", "ALLOW_FAILURE":
	case "":
		return errorResponse(mandatory("cancelReplaceMode"))
	default:
		return errorResponse(errBody(400, -1100, "Illegal characters found in parameter 'cancelReplaceMode'."))
	}
	find := params{query: url.Values{}, body: url.Values{}}
	find.query.Set("symbol", p.get("symbol"))
	if id := p.get("cancelOrderId"); id != "" {
		find.query.Set("orderId", id)
	}
	if id := p.get("cancelOrigClientOrderId"); id != "" {
		find.query.Set("origClientOrderId", id)
	}
	o, e := s.findOrder(find)
	if e != nil {
		return errorResponse(e)
	}
	if o == nil || !o.working() {
		return cancelReplaceAnswer(400, -2022, "Order cancel-replace failed.", "FAILURE", "NOT_ATTEMPTED",
			errUnknownOrder, nil)
	}
	canceled := s.cancelLocked(o, p.get("cancelNewClientOrderId"))
	placed := s.handleNewOrder(p)
	if placed.status != 200 {
		return cancelReplaceAnswer(409, -2021, "Order cancel-replace partially failed.", "SUCCESS", "FAILURE",
			canceled, json.RawMessage(placed.body))
	}
	b, _ := json.Marshal(map[string]any{"cancelResult": "SUCCESS", "newOrderResult": "SUCCESS",
		"cancelResponse": canceled, "newOrderResponse": json.RawMessage(placed.body)})
	return response{status: 200, body: b}
}

func cancelReplaceAnswer(status, code int, msg, cancelResult, newResult string, cancelResp, newResp any) response {
	b, _ := json.Marshal(map[string]any{"code": code, "msg": msg, "data": map[string]any{
		"cancelResult": cancelResult, "newOrderResult": newResult, "cancelResponse": cancelResp, "newOrderResponse": newResp}})
	return response{status: status, body: b}
}
