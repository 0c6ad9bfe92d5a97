package fakecoinbase

import (
	"encoding/json"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// attachedSpec is an entry's attached_order_configuration: a trigger
// bracket sized by the venue as its entry. Coinbase's Create and Preview
// Orders references: "The configuration of the attached order. Only
// TriggerBracketGtc is eligible. Size field must be omitted as the size
// of the attached order is the same as that of the parent order."
type attachedSpec struct {
	limitPrice, stopPrice decimal.Decimal
}

// parseAttached decodes attached_order_configuration as the references
// describe it: exactly trigger_bracket_gtc, with limit_price and
// stop_trigger_price and no size. A malformed one is a 400.
func parseAttached(cfg map[string]json.RawMessage) (*attachedSpec, *response) {
	if cfg == nil {
		return nil, nil
	}
	raw, ok := cfg["trigger_bracket_gtc"]
	if len(cfg) != 1 || !ok {
		r := invalidArgument("attached_order_configuration: only trigger_bracket_gtc is eligible")
		return nil, &r
	}
	var f configFields
	if err := strictDecode(raw, &f); err != nil {
		r := invalidArgument("attached_order_configuration.trigger_bracket_gtc: " + err.Error())
		return nil, &r
	}
	switch {
	case f.BaseSize != nil || f.QuoteSize != nil:
		r := invalidArgument("attached_order_configuration: size field must be omitted as the size of the attached order is the same as that of the parent order")
		return nil, &r
	case f.LimitPrice == nil || f.StopTrigger == nil:
		r := invalidArgument("attached_order_configuration.trigger_bracket_gtc: limit_price and stop_trigger_price are required")
		return nil, &r
	case f.StopPrice != nil || f.StopDirection != nil || f.EndTime != nil || f.PostOnly != nil:
		r := invalidArgument("attached_order_configuration.trigger_bracket_gtc takes limit_price and stop_trigger_price only")
		return nil, &r
	}
	var sp attachedSpec
	for _, d := range []struct {
		src *string
		dst *decimal.Decimal
		n   string
	}{{f.LimitPrice, &sp.limitPrice, "limit_price"}, {f.StopTrigger, &sp.stopPrice, "stop_trigger_price"}} {
		if !decimalText(*d.src) {
			r := invalidArgument("attached_order_configuration.trigger_bracket_gtc." + d.n + ": invalid decimal " + strconv.Quote(*d.src))
			return nil, &r
		}
		*d.dst = decimal.RequireFromString(*d.src)
	}
	return &sp, nil
}

// checkAttached refuses exits the entry o cannot carry: an entry that is
// not a market or limit order, prices off the tick, or prices on the
// wrong side of the entry (a buy's stop below its price and take-profit
// above; a sell's the reverse), the entry's price being its limit or, for
// a market order, the touch it takes.
func checkAttached(o *order, a *attachedSpec) *failure {
	if a == nil {
		return nil
	}
	p := o.p
	if o.spec.isStop() || o.spec.isBracket() {
		return &failure{code: "INVALID_ORDER_CONFIGURATION", preview: "PREVIEW_INVALID_ORDER_CONFIG", newOrder: true,
			message: "an attached order needs a market or limit parent order"}
	}
	if !a.limitPrice.IsPositive() || !a.stopPrice.IsPositive() {
		return &failure{code: "INVALID_LIMIT_PRICE", preview: "PREVIEW_INVALID_LIMIT_PRICE", newOrder: true, message: "Invalid attached order price"}
	}
	if offGrid(a.limitPrice, p.priceInc) || offGrid(a.stopPrice, p.priceInc) {
		return &failure{code: "INVALID_PRICE_PRECISION", preview: "PREVIEW_INVALID_PRICE_PRECISION", newOrder: true, message: "Invalid price precision"}
	}
	entry := o.spec.limitPrice
	if !o.spec.isLimit() {
		entry = p.ask
		if o.side == "SELL" {
			entry = p.bid
		}
	}
	buy := o.side == "BUY"
	if (buy && !a.stopPrice.LessThan(entry)) || (!buy && !a.stopPrice.GreaterThan(entry)) {
		return &failure{code: "INVALID_STOP_PRICE", preview: "PREVIEW_INVALID_STOP_PRICE", message: "Attached stop trigger price is on the wrong side of the parent order"}
	}
	if (buy && !a.limitPrice.GreaterThan(entry)) || (!buy && !a.limitPrice.LessThan(entry)) {
		return &failure{code: "INVALID_LIMIT_PRICE", preview: "PREVIEW_INVALID_LIMIT_PRICE", newOrder: true, message: "Attached limit price is on the wrong side of the parent order"}
	}
	return nil
}

// placeAttachedLocked places a filled entry's trigger bracket for the
// size filled (attachedOrder), or starts the one created with it. An
// entry that ends without filling never places it.
func (s *Server) placeAttachedLocked(entry *order) {
	if entry.attached == nil || entry.attachedPlaced || entry.status != "FILLED" {
		return
	}
	entry.attachedPlaced = true
	if b := entry.pending; b != nil {
		if b.status == "PENDING" {
			b.waiting = false
			s.executeLocked(b)
		}
		return
	}
	b := s.attachedOrder(entry, entry.filled)
	s.executeLocked(b)
	s.orders = append(s.orders, b)
	s.byClientID[b.clientID] = b
}

// createAttachedLocked creates a resting entry's bracket with it, PENDING
// (WithAttachedAtCreate): it holds nothing and is not matched until the
// entry fills.
func (s *Server) createAttachedLocked(entry *order) {
	b := s.attachedOrder(entry, entry.spec.baseSize)
	b.status, b.created, b.waiting = "PENDING", s.now(), true
	entry.pending = b
	s.orders = append(s.orders, b)
	s.byClientID[b.clientID] = b
}

// attachedOrder is entry's trigger bracket for size: the other side, its
// own order id (the one the create answer named as attached_order_id) and
// client id, and originating_order_id naming the entry.
func (s *Server) attachedOrder(entry *order, size decimal.Decimal) *order {
	side := "SELL"
	if entry.side == "SELL" {
		side = "BUY"
	}
	sp := orderSpec{kind: "trigger_bracket_gtc", baseSize: size, limitPrice: entry.attached.limitPrice, stopPrice: entry.attached.stopPrice}
	raw, _ := json.Marshal(map[string]any{"trigger_bracket_gtc": map[string]string{
		"base_size": sp.baseSize.String(), "limit_price": sp.limitPrice.String(), "stop_trigger_price": sp.stopPrice.String()}})
	return &order{id: entry.attachedID, clientID: fakevenue.NewUUID(), p: entry.p, side: side, spec: sp, rawConfig: raw, originatingID: entry.id}
}
