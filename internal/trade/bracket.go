package trade

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Exits are the exit orders linked to a request: a take-profit limit and a
// stop-loss, which rest together as a one-cancels-the-other pair (one
// filling or triggering cancels the other).
//
// On an entry (OCO false) they form a bracket: the exits rest once the
// entry has filled, on the opposite side, for the entry's quantity. With
// OCO set there is no entry: the request itself is the take-profit leg (a
// limit order at Price) and StopLoss is its stop-loss leg, on the same
// side, for the same quantity.
//
// A bracket may also carry a single exit — a take-profit alone or a
// stop-loss alone (Pair false) — which rests once the entry has filled
// with nothing to cancel. Only venues that attach one exit natively
// (exchange.ExitAttacher) take it; an OCO always has both legs.
type Exits struct {
	// TakeProfit is the take-profit leg's limit price (brackets only; an
	// OCO's take-profit is the request's Price).
	TakeProfit decimal.NullDecimal `json:"take_profit"`
	// StopLoss is the stop-loss leg's trigger price.
	StopLoss decimal.NullDecimal `json:"stop_loss"`
	// StopLossLimit makes the stop-loss leg a stop-limit at this price;
	// unset, it is a stop (market) order.
	StopLossLimit decimal.NullDecimal `json:"stop_loss_limit"`
	// OCO says the request is a pair of exits with no entry.
	OCO bool `json:"oco"`
}

// LegRole is the part an order plays in a list of linked orders.
type LegRole string

// The legs of a bracket or an OCO.
const (
	LegEntry      LegRole = "entry"
	LegTakeProfit LegRole = "take_profit"
	LegStopLoss   LegRole = "stop_loss"
)

// Linked reports whether the request carries linked exits (a bracket or an
// OCO).
func (r OrderRequest) Linked() bool { return r.Exits != nil }

// Pair reports whether the exits are a take-profit and a stop-loss that
// cancel each other (every OCO, and a bracket with both), rather than a
// bracket's single exit.
func (x *Exits) Pair() bool {
	return x != nil && (x.OCO || x.TakeProfit.Valid && x.StopLoss.Valid)
}

// ExitSide is the side the exits of a request trade: the opposite of a
// bracket's entry, the request's own side for an OCO.
func (r OrderRequest) ExitSide() Side {
	if r.Exits != nil && r.Exits.OCO {
		return r.Side
	}
	if r.Side == Buy {
		return Sell
	}
	return Buy
}

// TakeProfitPrice is the take-profit leg's limit price: Exits.TakeProfit
// on a bracket, the request's Price on an OCO.
func (r OrderRequest) TakeProfitPrice() decimal.Decimal {
	if r.Exits == nil {
		return decimal.Zero
	}
	if r.Exits.OCO {
		return r.Price.Decimal
	}
	return r.Exits.TakeProfit.Decimal
}

// StopLossRequest is the stop-loss leg as an order of its own: a stop, or
// a stop-limit with StopLossLimit, on the exit side for the request's
// quantity, under clientID.
func (r OrderRequest) StopLossRequest(clientID string) OrderRequest {
	x := r.Exits
	out := OrderRequest{Symbol: r.Symbol, Side: r.ExitSide(), Type: Stop, TimeInForce: GTC, Qty: r.Qty,
		StopPrice: x.StopLoss, ClientID: clientID}
	if x.StopLossLimit.Valid {
		out.Type, out.Price = StopLimit, x.StopLossLimit
	}
	return out
}

// TakeProfitRequest is the take-profit leg as an order of its own: a GTC
// limit on the exit side for the request's quantity, under clientID.
func (r OrderRequest) TakeProfitRequest(clientID string) OrderRequest {
	return OrderRequest{Symbol: r.Symbol, Side: r.ExitSide(), Type: Limit, TimeInForce: GTC, Qty: r.Qty,
		Price: decimal.NewNullDecimal(r.TakeProfitPrice()), ClientID: clientID}
}

// EntryRequest is the request without its exits.
func (r OrderRequest) EntryRequest() OrderRequest {
	r.Exits = nil
	return r
}

// LegClientID derives a leg's client id from its list's: the list's id
// (cut to leave room) and a suffix naming the leg, within MaxClientIDLen
// and the characters every venue accepts. The entry of a bracket, and the
// take-profit of an OCO, keep the list's id itself, so the list is found
// again by the id the trader gave or tradectl minted.
func LegClientID(listClientID string, role LegRole) string {
	suffix := "-sl"
	if role == LegTakeProfit {
		suffix = "-tp"
	}
	if n := MaxClientIDLen - len(suffix); len(listClientID) > n {
		listClientID = listClientID[:n]
	}
	return listClientID + suffix
}

// validateExits checks the linked exits against the request: prices
// positive; for a bracket, a limit or market entry whose exits bracket it
// (a buy: stop-loss below the entry below the take-profit; a sell: the
// reverse); for an OCO, a limit take-profit and a stop-loss on the far
// side of it (a sell: take-profit above the stop-loss; a buy: below). The
// market's side of the prices is the venue's to check: it is not known
// here.
func (r OrderRequest) validateExits() error {
	x := r.Exits
	if x == nil {
		return nil
	}
	if r.QuoteQty.Valid {
		return invalid("quote_qty", "cannot be combined with linked exits: the exits need the entry's quantity")
	}
	switch {
	case x.OCO && !x.StopLoss.Valid:
		return invalid("stop_loss", "is required with an OCO")
	case !x.TakeProfit.Valid && !x.StopLoss.Valid:
		return invalid("take_profit", "linked exits need a take-profit, a stop-loss or both")
	case x.StopLossLimit.Valid && !x.StopLoss.Valid:
		return invalid("stop_loss_limit", "needs a stop-loss trigger")
	}
	for _, p := range []struct {
		field string
		v     decimal.NullDecimal
	}{{"take_profit", x.TakeProfit}, {"stop_loss", x.StopLoss}, {"stop_loss_limit", x.StopLossLimit}} {
		if p.v.Valid && !p.v.Decimal.IsPositive() {
			return invalid(p.field, "must be greater than 0, got %s", p.v.Decimal)
		}
	}
	if r.PostOnly {
		return invalid("post_only", "cannot be combined with linked exits")
	}
	exitSide := r.ExitSide()
	tp, sl := r.TakeProfitPrice(), x.StopLoss.Decimal
	if x.OCO {
		if x.TakeProfit.Valid {
			return invalid("take_profit", "an OCO's take-profit is its limit price")
		}
		if r.Type != Limit {
			return invalid("type", "an OCO's take-profit leg is a limit order, got %s", r.Type)
		}
		if r.EffectiveTIF() != GTC {
			return invalid("time_in_force", "an OCO's legs rest until one fills: gtc only")
		}
	} else {
		if r.Type != Market && r.Type != Limit {
			return invalid("type", "a bracket's entry is a market or limit order, got %s", r.Type)
		}
		if !x.Pair() {
			return r.validateSingleExit()
		}
		if r.Price.Valid {
			entry := r.Price.Decimal
			if r.Side == Buy && !(sl.LessThan(entry) && entry.LessThan(tp)) {
				return invalid("take_profit", "a buy's stop-loss %s must be below its entry %s, and its take-profit %s above it", sl, entry, tp)
			}
			if r.Side == Sell && !(tp.LessThan(entry) && entry.LessThan(sl)) {
				return invalid("take_profit", "a sell's take-profit %s must be below its entry %s, and its stop-loss %s above it", tp, entry, sl)
			}
		}
	}
	if exitSide == Sell && !sl.LessThan(tp) {
		return invalid("stop_loss", "%s must be below the take-profit %s (the exits sell)", sl, tp)
	}
	if exitSide == Buy && !sl.GreaterThan(tp) {
		return invalid("stop_loss", "%s must be above the take-profit %s (the exits buy)", sl, tp)
	}
	return nil
}

// validateSingleExit checks a bracket's exits against a limit entry's
// price one at a time: a buy's take-profit above the entry and its
// stop-loss below, a sell's the reverse. A market entry's price is not
// known here.
func (r OrderRequest) validateSingleExit() error {
	x := r.Exits
	if !r.Price.Valid {
		return nil
	}
	entry := r.Price.Decimal
	if x.TakeProfit.Valid {
		tp := x.TakeProfit.Decimal
		if r.Side == Buy && !tp.GreaterThan(entry) {
			return invalid("take_profit", "a buy's take-profit %s must be above its entry %s", tp, entry)
		}
		if r.Side == Sell && !tp.LessThan(entry) {
			return invalid("take_profit", "a sell's take-profit %s must be below its entry %s", tp, entry)
		}
	}
	if x.StopLoss.Valid {
		sl := x.StopLoss.Decimal
		if r.Side == Buy && !sl.LessThan(entry) {
			return invalid("stop_loss", "a buy's stop-loss %s must be below its entry %s", sl, entry)
		}
		if r.Side == Sell && !sl.GreaterThan(entry) {
			return invalid("stop_loss", "a sell's stop-loss %s must be above its entry %s", sl, entry)
		}
	}
	return nil
}

// conformExits rounds the exits' prices to the tick as Conform rounds the
// request's own.
func (in Instrument) conformExits(x *Exits, mode RoundMode) (*Exits, error) {
	if x == nil {
		return nil, nil
	}
	out := *x
	for _, p := range []struct {
		field string
		v     *decimal.NullDecimal
	}{{"take_profit", &out.TakeProfit}, {"stop_loss", &out.StopLoss}, {"stop_loss_limit", &out.StopLossLimit}} {
		if !p.v.Valid {
			continue
		}
		orig := p.v.Decimal
		d, err := in.fit(p.field, orig, in.TickSize, mode)
		if err != nil {
			return nil, err
		}
		if !d.IsPositive() {
			return nil, invalid(p.field, "%s rounds to %s for %s (tick size %s)", orig, d, in.Symbol, in.TickSize)
		}
		p.v.Decimal = d
	}
	return &out, nil
}

// ExitLines describe the linked exits one leg a line, for confirmation
// screens and dry runs: [role, "sell 0.5 limit 110"].
func (r OrderRequest) ExitLines() [][2]string {
	if r.Exits == nil {
		return nil
	}
	leg := func(q OrderRequest) string {
		s := fmt.Sprintf("%s %s", q.Side, q.Qty)
		if q.StopPrice.Valid {
			s += " stop " + q.StopPrice.Decimal.String()
		}
		if q.Price.Valid {
			s += " limit " + q.Price.Decimal.String()
		} else {
			s += " market"
		}
		return s
	}
	when := "once the entry has filled, "
	if r.Exits.OCO {
		when = ""
	}
	if !r.Exits.Pair() {
		// A single exit: nothing for it to cancel.
		if r.Exits.TakeProfit.Valid {
			return [][2]string{{"take-profit", leg(r.TakeProfitRequest("")) + " (once the entry has filled)"}}
		}
		return [][2]string{{"stop-loss", leg(r.StopLossRequest("")) + " (once the entry has filled)"}}
	}
	return [][2]string{
		{"take-profit", leg(r.TakeProfitRequest("")) + " (" + when + "one cancels the other)"},
		{"stop-loss", leg(r.StopLossRequest("")) + " (" + when + "one cancels the other)"},
	}
}

// Describe is the exits in one phrase: " take-profit 110 stop-loss 90"
// (with " limit 89" for a stop-limit loss), "" without exits.
func (x *Exits) Describe() string {
	if x == nil {
		return ""
	}
	s := ""
	if x.OCO {
		s = " oco"
	}
	if x.TakeProfit.Valid {
		s += " take-profit " + x.TakeProfit.Decimal.String()
	}
	if x.StopLoss.Valid {
		s += " stop-loss " + x.StopLoss.Decimal.String()
	}
	if x.StopLossLimit.Valid {
		s += " limit " + x.StopLossLimit.Decimal.String()
	}
	return s
}

// SameExits reports whether two requests' exits ask for the same legs.
func SameExits(a, b *Exits) bool {
	if a == nil || b == nil {
		return a == b
	}
	eq := func(x, y decimal.NullDecimal) bool {
		return x.Valid == y.Valid && (!x.Valid || x.Decimal.Equal(y.Decimal))
	}
	return a.OCO == b.OCO && eq(a.TakeProfit, b.TakeProfit) && eq(a.StopLoss, b.StopLoss) && eq(a.StopLossLimit, b.StopLossLimit)
}
