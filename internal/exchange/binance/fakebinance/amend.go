package fakebinance

import (
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
