package fakealpaca

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// takeProfitBody and stopLossBody are POST /v2/orders' take_profit and
// stop_loss objects: "take_profit{limit_price}" and "stop_loss{stop_price,
// limit_price}" with order_class bracket or oco.
type takeProfitBody struct {
	LimitPrice json.RawMessage `json:"limit_price"`
}

type stopLossBody struct {
	StopPrice  json.RawMessage `json:"stop_price"`
	LimitPrice json.RawMessage `json:"limit_price"`
}

// parseLegs reads order_class and its legs. A bracket is an entry (market
// or limit, day or gtc, equities only) with a take-profit limit and a
// stop-loss on the other side, held until the entry fills; an OCO is a
// limit order (the take-profit, at take_profit.limit_price) with its
// stop-loss leg on the same side, both working at once.
func (o *order) parseLegs(b newOrderBody) *apiError {
	switch b.OrderClass {
	case "", "simple":
		if b.TakeProfit != nil || b.StopLoss != nil {
			return unprocessable("take_profit and stop_loss need order_class bracket, oco or oto")
		}
		return nil
	case "bracket", "oco":
	default:
		return unprocessable("invalid order_class %q", b.OrderClass)
	}
	if o.asset.crypto() {
		return unprocessable("crypto orders not allowed for advanced order_class: %s", b.OrderClass)
	}
	if b.TakeProfit == nil || b.StopLoss == nil {
		return unprocessable("%s orders need take_profit and stop_loss", b.OrderClass)
	}
	tp, e := numberField("take_profit.limit_price", b.TakeProfit.LimitPrice)
	if e != nil {
		return e
	}
	stop, e := numberField("stop_loss.stop_price", b.StopLoss.StopPrice)
	if e != nil {
		return e
	}
	stopLimit, e := numberField("stop_loss.limit_price", b.StopLoss.LimitPrice)
	if e != nil {
		return e
	}
	if !tp.Valid || !stop.Valid {
		return unprocessable("take_profit.limit_price and stop_loss.stop_price are required")
	}
	if o.tif != "day" && o.tif != "gtc" {
		return unprocessable("%s orders must be day or gtc", b.OrderClass)
	}
	o.class = b.OrderClass
	exitSide := o.side
	if o.class == "bracket" {
		if o.typ != "market" && o.typ != "limit" {
			return unprocessable("bracket orders must be market or limit orders")
		}
		exitSide = map[string]string{"buy": "sell", "sell": "buy"}[o.side]
		o.legs = append(o.legs, &order{asset: o.asset, side: exitSide, typ: "limit", tif: o.tif, qty: o.qty, limit: tp, parent: o})
	} else {
		if o.typ != "limit" {
			return unprocessable("oco orders must be limit orders")
		}
		if o.limit.Valid && !o.limit.Decimal.Equal(tp.Decimal) {
			return unprocessable("limit_price must match take_profit.limit_price")
		}
		o.limit = tp
	}
	sl := &order{asset: o.asset, side: exitSide, typ: "stop", tif: o.tif, qty: o.qty, stop: stop, parent: o}
	if stopLimit.Valid {
		sl.typ, sl.limit = "stop_limit", stopLimit
	}
	o.legs = append(o.legs, sl)
	return nil
}

// addLegsLocked records a new parent's legs: held until a bracket's entry
// fills, working with an OCO's take-profit.
func (s *Server) addLegsLocked(o *order) {
	for _, l := range o.legs {
		l.id, l.clientID, l.created, l.updated = fakevenue.NewUUID(), fakevenue.NewUUID(), o.created, o.created
		l.status = "held"
		if o.class == "oco" {
			l.status = "new"
		}
		s.orders = append(s.orders, l)
		s.byID[l.id] = l
		s.byClientID[l.clientID] = l
	}
}

// group is o's parent and its legs.
func (o *order) group() []*order {
	p := o
	if o.parent != nil {
		p = o.parent
	}
	return append([]*order{p}, p.legs...)
}

// exits are the orders of o's group that form the one-cancels-other pair:
// a bracket's legs, or an OCO's parent and leg.
func (o *order) exits() []*order {
	g := o.group()
	if g[0].class == "bracket" {
		return g[1:]
	}
	return g
}

// cancelSiblingsBefore cancels the other exit of o's pair when o is about
// to fill or trigger, and reports whether o itself was canceled by its
// pair meanwhile.
func (s *Server) cancelSiblingsBefore(o *order, now time.Time) bool {
	if o.class == "" && o.parent == nil {
		return false
	}
	if !o.working() {
		return true
	}
	a := o.asset
	due := false
	switch {
	case o.stop.Valid:
		due = (o.side == "buy" && a.ask.GreaterThanOrEqual(o.stop.Decimal)) || (o.side == "sell" && a.bid.LessThanOrEqual(o.stop.Decimal))
	case o.limit.Valid:
		due = (o.side == "buy" && o.limit.Decimal.GreaterThanOrEqual(a.ask)) || (o.side == "sell" && o.limit.Decimal.LessThanOrEqual(a.bid))
	}
	isExit := o.parent != nil || o.class == "oco"
	if !due || !isExit {
		return false
	}
	for _, other := range o.exits() {
		if other != o && other.working() {
			other.status, other.updated, other.canceledAt, other.reserved = "canceled", now, now, decimal.Zero
		}
	}
	return false
}

// settleLegsLocked releases a bracket's held legs once its entry filled.
func (s *Server) settleLegsLocked(o *order, now time.Time) {
	if o.class != "bracket" || o.status != "filled" {
		return
	}
	for _, l := range o.legs {
		if l.status == "held" {
			l.status, l.updated = "new", now
		}
	}
}

// cancelGroupLocked cancels the rest of o's group: canceling a bracket's
// entry or either exit of a pair cancels what is still held or working.
func (s *Server) cancelGroupLocked(o *order) {
	if o.class == "" && o.parent == nil {
		return
	}
	for _, other := range o.group() {
		if other != o && (other.working() || other.status == "held") {
			s.cancelLocked(other)
		}
	}
}

// legsWire is a parent's legs as order objects, or null.
func (o *order) legsWire() any {
	if len(o.legs) == 0 {
		return nil
	}
	out := make([]map[string]any, 0, len(o.legs))
	for _, l := range o.legs {
		out = append(out, l.wire())
	}
	return out
}
