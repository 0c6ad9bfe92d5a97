package fakekraken

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// handleAmendOrder amends a working order in place, as Kraken's
// POST /0/private/AmendOrder does: txid or cl_ord_id names it; order_qty
// (the new total), limit_price and trigger_price change it; the txid
// stays. A quantity at or below what has filled cancels the rest. The
// order is then judged against the book again: a limit that now crosses
// fills, a post-only one that would is refused.
func (s *Server) handleAmendOrder(p params) (any, string) {
	o, errMsg := s.workingOrder(p)
	if errMsg != "" {
		return nil, errMsg
	}
	qty, price, price2 := o.vol, o.price, o.price2
	// read takes one decimal parameter: a quantity within the lot
	// decimals, a price within the pair decimals and on the tick.
	read := func(name string, isPrice bool, dst *decimal.Decimal) string {
		if !p.has(name) {
			return ""
		}
		v := p.get(name)
		if !decimalParam.MatchString(v) {
			return invalidArgs(name)
		}
		d := decimal.RequireFromString(v)
		switch {
		case !d.IsPositive():
			return invalidArgs(name)
		case !isPrice && decimals(d) > o.pair.spec.LotDecimals:
			return invalidArgs(name)
		case isPrice && decimals(d) > o.pair.spec.PairDecimals:
			return fmt.Sprintf("EOrder:Invalid price:%s price can only be specified up to %d decimals.", o.pair.spec.AltName, o.pair.spec.PairDecimals)
		case isPrice && o.pair.tick.IsPositive() && !d.Mod(o.pair.tick).IsZero():
			return "EOrder:Tick size check failed"
		}
		*dst = d
		return ""
	}
	// limit_price is the limit of a limit order and of a stop-loss-limit
	// (AddOrder's price2); trigger_price is a stop's price.
	limitDst, triggerDst := &price, (*decimal.Decimal)(nil)
	switch o.ordertype {
	case "limit":
	case "stop-loss":
		limitDst, triggerDst = nil, &price
	case "stop-loss-limit":
		limitDst, triggerDst = &price2, &price
	default:
		limitDst = nil
	}
	if p.has("limit_price") && limitDst == nil {
		return nil, invalidArgs("limit_price")
	}
	if p.has("trigger_price") && (triggerDst == nil || o.triggered) {
		return nil, invalidArgs("trigger_price")
	}
	if kerr := read("order_qty", false, &qty); kerr != "" {
		return nil, kerr
	}
	if limitDst != nil {
		if kerr := read("limit_price", true, limitDst); kerr != "" {
			return nil, kerr
		}
	}
	if triggerDst != nil {
		if kerr := read("trigger_price", true, triggerDst); kerr != "" {
			return nil, kerr
		}
	}
	if !qty.GreaterThan(o.volExec) {
		s.closeLocked(o, "canceled", "Amended below the executed volume")
		return map[string]any{"amend_id": s.newIDLocked("T")}, ""
	}
	old := *o
	s.releaseLocked(o)
	o.vol, o.price, o.price2 = qty, price, price2
	if kerr := s.reworkLocked(o); kerr != "" {
		// Refused: the order stands as it was, holding what it held.
		o.vol, o.price, o.price2 = old.vol, old.price, old.price2
		lock := o.price
		if o.ordertype == "stop-loss-limit" {
			lock = o.price2
		}
		s.holdLocked(o, lock)
		return nil, kerr
	}
	return map[string]any{"amend_id": s.newIDLocked("T")}, ""
}

// reworkLocked books an amended working order against the book again.
func (s *Server) reworkLocked(o *order) string {
	pr := o.pair
	touch := pr.ask
	if o.side == "sell" {
		touch = pr.bid
	}
	lock := o.price
	if o.ordertype == "stop-loss-limit" {
		lock = o.price2
	}
	if a, need := s.holdFor(o, lock); a.Free.LessThan(need) {
		return "EOrder:Insufficient funds"
	}
	if o.ordertype != "limit" {
		s.holdLocked(o, lock)
		s.triggerLocked(o)
		return ""
	}
	marketable := (o.side == "buy" && !o.price.LessThan(pr.ask)) || (o.side == "sell" && !o.price.GreaterThan(pr.bid))
	switch {
	case marketable && o.hasFlag("post"):
		return fmt.Sprintf("EOrder:Post only order (limit %s crosses the book)", o.price)
	case marketable:
		s.fillLocked(o, touch, o.vol.Sub(o.volExec), false)
	default:
		s.holdLocked(o, o.price)
	}
	return ""
}

// workingOrder finds the working order a CancelOrder or AmendOrder names,
// by txid or by cl_ord_id, as Kraken does: a finished or unknown order is
// "EOrder:Unknown order", and a request naming neither lacks txid. The
// second result is the Kraken error, empty when the order was found.
func (s *Server) workingOrder(p params) (*order, string) {
	switch {
	case p.get("txid") != "":
		if o, ok := s.byTxID[p.get("txid")]; ok && o.working() {
			return o, ""
		}
	case p.get("cl_ord_id") != "":
		cl := p.get("cl_ord_id")
		for _, o := range s.orders {
			if o.working() && sameClOrdID(o.clOrdID, cl) {
				return o, ""
			}
		}
	default:
		return nil, invalidArgs("txid")
	}
	return nil, "EOrder:Unknown order"
}
