package fakealpaca

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// replaceBody is PATCH /v2/orders/{id} as Alpaca documents it: qty,
// time_in_force, limit_price, stop_price, trail and client_order_id, each
// overriding the old order's; unknown fields are refused.
type replaceBody struct {
	Qty           json.RawMessage `json:"qty"`
	TimeInForce   string          `json:"time_in_force"`
	LimitPrice    json.RawMessage `json:"limit_price"`
	StopPrice     json.RawMessage `json:"stop_price"`
	Trail         json.RawMessage `json:"trail"`
	ClientOrderID string          `json:"client_order_id"`
}

// handleReplaceOrder replaces a working order by a new one, as Alpaca
// does: the answer is the new order (status pending_new, "replaces" the
// old id); the old one ends "replaced" with "replaced_by" the new id.
func (s *Server) handleReplaceOrder(_ *http.Request, body []byte, id string) response {
	old, e := s.orderByID(id)
	if e != nil {
		return errorResponse(e)
	}
	if !old.working() {
		return errorResponse(errBody(http.StatusUnprocessableEntity, 42210000, "order is already in %q state", old.status))
	}
	var b replaceBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return errorResponse(unprocessable("invalid request body"))
	}
	n := *old
	n.filled, n.avgPrice, n.reserved, n.triggered = decimal.Zero, decimal.Zero, decimal.Zero, false
	n.filledAt, n.canceledAt, n.replaces, n.replacedBy = old.filledAt, old.canceledAt, old.id, ""
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *decimal.NullDecimal
		ok   bool
	}{{"qty", b.Qty, nil, true}, {"limit_price", b.LimitPrice, &n.limit, old.limit.Valid}, {"stop_price", b.StopPrice, &n.stop, old.stop.Valid}} {
		v, e := numberField(f.name, f.raw)
		if e != nil {
			return errorResponse(e)
		}
		if !v.Valid {
			continue
		}
		if !f.ok || !v.Decimal.IsPositive() {
			return errorResponse(unprocessable("invalid %s", f.name))
		}
		if f.dst == nil {
			n.qty = v.Decimal
		} else {
			*f.dst = v
		}
	}
	for _, p := range []decimal.NullDecimal{n.limit, n.stop} {
		if p.Valid && !priceOK(old.asset, p.Decimal) {
			return errorResponse(errBody(http.StatusUnprocessableEntity, 42210000, "invalid price %s. sub-penny increment does not fulfill minimum pricing criteria", p.Decimal))
		}
	}
	if b.TimeInForce != "" {
		n.tif = b.TimeInForce
	}
	n.clientID = b.ClientOrderID
	if n.clientID == "" {
		n.clientID = fakevenue.NewUUID()
	}
	if _, dup := s.byClientID[n.clientID]; dup {
		return errorResponse(unprocessable("client_order_id must be unique"))
	}
	if n.side == "buy" {
		// The old order's hold is freed by the replacement.
		cost := n.qty.Mul(n.refPrice())
		if bp := s.buyingPowerLocked().Add(old.reserved); cost.GreaterThan(bp) {
			return jsonResponse(http.StatusForbidden, map[string]any{"code": 40310000, "message": "insufficient buying power"})
		}
		n.reserved = cost
	}
	now := s.now()
	if !now.After(s.lastCreated) {
		now = s.lastCreated.Add(1)
	}
	s.lastCreated = now
	n.id, n.status, n.created, n.updated = fakevenue.NewUUID(), "pending_new", now, now
	old.status, old.updated, old.replacedBy, old.reserved = "replaced", now, n.id, decimal.Zero
	s.orders = append(s.orders, &n)
	s.byID[n.id] = &n
	s.byClientID[n.clientID] = &n
	return jsonResponse(http.StatusOK, n.wire())
}

// priceOK applies the price rules of a new order: crypto prices on the
// asset's increment, stock prices in cents (4 decimals below $1).
func priceOK(a *asset, v decimal.Decimal) bool {
	if a.crypto() {
		return multipleOf(v, a.priceInc)
	}
	places := int32(2)
	if v.LessThan(decimal.NewFromInt(1)) {
		places = 4
	}
	return v.Equal(v.Truncate(places))
}
