package coinbase

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// Brackets implements exchange.Bracketer with Create Order's
// attached_order_configuration: a market or limit entry carrying a
// trigger_bracket_gtc, the only attached variant Coinbase takes, sized by
// Coinbase as the entry (see doc.go). A pair of exits only (a single exit
// is not a trigger bracket), with Coinbase's own stop-loss limit, on an
// entry of a known base size: a quote-sized entry's size is what it fills,
// which tradectl cannot show or check before sending.
func (e *Exchange) Brackets(req trade.OrderRequest) bool {
	x := req.Exits
	return x != nil && !x.OCO && x.Pair() && !x.StopLossLimit.Valid && !req.QuoteSized() &&
		(req.Type == trade.Market || req.Type == trade.Limit)
}

var _ exchange.Bracketer = (*Exchange)(nil)

// attachedRefusal is LinkRefusal for exits on an entry.
func attachedRefusal(req trade.OrderRequest) string {
	x := req.Exits
	switch {
	case x.StopLossLimit.Valid:
		return stopLossLimitRefusal
	case !x.Pair():
		return "coinbase attaches only a trigger bracket to an entry, a take-profit and a stop-loss together: " +
			"give both a take-profit and a stop-loss, or place the entry and then the exit on the position it opens"
	case req.QuoteSized():
		return "coinbase sizes an attached trigger bracket as its entry, and a quote-sized entry's size is only known once it fills: " +
			"size an entry with exits in the base asset"
	}
	return ""
}

// prepareAttached checks an entry with its exits locally — the request,
// what an attached trigger bracket can express, the entry as any order,
// each exit against the product's increments and sizes — and returns the
// entry's body with attached_order_configuration: trigger_bracket_gtc
// with the take-profit as limit_price and the stop-loss as
// stop_trigger_price, and no base_size (Coinbase sizes it as the entry).
// It is gtc even on a good-till-date entry: Coinbase takes no other
// attached variant (ExitNote says so).
func (e *Exchange) prepareAttached(ctx context.Context, req trade.OrderRequest, clientID string) (createBody, error) {
	if err := venueorder.Invalid(venueName, req.Validate()); err != nil {
		return createBody{}, err
	}
	if !exchange.CanLink(e, req) {
		return createBody{}, refuse("%s", e.LinkRefusal(req))
	}
	body, err := e.prepare(ctx, req.EntryRequest(), clientID)
	if err != nil {
		return createBody{}, err
	}
	rules, err := e.rulesFor(ctx, req.Symbol)
	if err != nil {
		return createBody{}, err
	}
	if rules.LimitOnly || rules.PostOnly {
		// A triggered stop is not a post-only limit order.
		return createBody{}, refuse("%s is in limit-only or post-only mode on coinbase: a trigger bracket is refused", req.Symbol)
	}
	if err := checkExitLegs(req, rules); err != nil {
		return createBody{}, err
	}
	body.AttachedOrderConfiguration = &orderConfig{TriggerBracketGTC: &configBody{
		LimitPrice: req.Exits.TakeProfit.Decimal.String(), StopTriggerPrice: req.Exits.StopLoss.Decimal.String()}}
	return body, nil
}

// checkExitLegs checks each exit of req as an order of its own against
// the product's increments and sizes; the stop is valued at its trigger.
func checkExitLegs(req trade.OrderRequest, rules productRules) error {
	for _, leg := range []trade.OrderRequest{req.TakeProfitRequest(""), req.StopLossRequest("")} {
		if leg.Type == trade.Stop {
			leg.Type, leg.Price = trade.StopLimit, leg.StopPrice
		}
		if err := venueorder.CheckRules(venueName, leg, rules.instrument()); err != nil {
			return err
		}
	}
	return nil
}

// attachedLegs shows an entry's attached trigger bracket, as asked for
// (cfg) and before it is read itself (withAttached), as the entry's
// take-profit and stop-loss legs: the exit side, the entry's quantity,
// under attachedID (the bracket's order id, "" when not known) and the
// entry's id as list and parent. They are working while the entry may
// still fill or has filled, canceled once the entry ended otherwise.
func attachedLegs(o trade.Order, attachedID string, cfg orderConfig) (trade.Order, error) {
	body := cfg.TriggerBracketGTC
	if body == nil {
		body = cfg.TriggerBracketGTD
	}
	if body == nil {
		return o, errors.New("attached_order_configuration is not a trigger bracket")
	}
	tp, err1 := optDec("attached limit_price", body.LimitPrice)
	sl, err2 := optDec("attached stop_trigger_price", body.StopTriggerPrice)
	if err := errors.Join(err1, err2); err != nil {
		return o, err
	}
	status := trade.StatusOpen
	if o.Status.Terminal() && o.Status != trade.StatusFilled {
		status = trade.StatusCanceled
	}
	side := trade.Sell
	if o.Side == trade.Sell {
		side = trade.Buy
	}
	leg := trade.Order{ID: attachedID, Symbol: o.Symbol, Side: side, Type: trade.Limit, TimeInForce: trade.GTC, Status: status,
		Qty: o.Qty, Price: tp, FeeAsset: o.FeeAsset, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Exchange: o.Exchange,
		Profile: o.Profile, ListID: o.ID, ParentID: o.ID, Leg: trade.LegTakeProfit}
	stop := leg
	stop.Type, stop.Price, stop.StopPrice, stop.Leg = trade.Stop, decimal.NullDecimal{}, sl, trade.LegStopLoss
	o.ListID, o.Leg, o.Legs = o.ID, trade.LegEntry, []trade.Order{leg, stop}
	return o, nil
}

// asAttached marks a trigger bracket read on its own (bracketLegs) as the
// exits of the entry it was attached to: the entry's list, the entry as
// parent.
func asAttached(b trade.Order, entryID string) trade.Order {
	b.ListID, b.ParentID = entryID, entryID
	for i := range b.Legs {
		b.Legs[i].ListID, b.Legs[i].ParentID = entryID, entryID
	}
	return b
}

// joinAttached replaces an entry's legs, as asked for, with its attached
// trigger bracket as Coinbase reports it: the take-profit and the
// stop-loss with their status and fills.
func joinAttached(entry, bracket trade.Order) trade.Order {
	bracket = asAttached(bracket, entry.ID)
	tp := bracket
	tp.Legs = nil
	entry.Legs = append([]trade.Order{tp}, bracket.Legs...)
	return entry
}

// attachedID is the order id of an entry's attached trigger bracket, ""
// for any other order or when Coinbase named none.
func attachedID(o trade.Order) string {
	if o.Leg != trade.LegEntry || len(o.Legs) == 0 || o.Legs[0].ID == o.ID {
		return ""
	}
	return o.Legs[0].ID
}

// withAttached reads an entry's attached trigger bracket and shows it as
// the entry's legs. A bracket Coinbase does not know (yet) leaves the legs
// as asked for; an entry that ended without filling never gets one.
func (e *Exchange) withAttached(ctx context.Context, o trade.Order) (trade.Order, error) {
	id := attachedID(o)
	if id == "" {
		return o, nil
	}
	b, err := e.fetchOrder(ctx, id)
	switch {
	case errors.Is(err, exchange.ErrNotFound):
		return o, nil
	case err != nil:
		return trade.Order{}, fmt.Errorf("attached order %s: %w", id, err)
	}
	return joinAttached(o, b), nil
}

// cancelAttached cancels what is still working of an entry's attached
// trigger bracket once the entry is canceled. Coinbase's reference does
// not say whether canceling the entry ends its attached order, so
// tradectl cancels the bracket itself rather than leave exits for an
// entry the trader called off; one already gone is fine.
func (e *Exchange) cancelAttached(ctx context.Context, entry trade.Order) (trade.Order, error) {
	id := attachedID(entry)
	if id == "" || !entry.Legs[0].Status.Working() {
		return entry, nil
	}
	results, err := e.batchCancel(ctx, []string{id})
	if err != nil {
		return entry, fmt.Errorf("cancel attached order %s: %w", id, err)
	}
	if r, ok := results[id]; !ok || !r.Success {
		if xe := cancelFailure(id, r, ok); !errors.Is(xe, exchange.ErrNotFound) && !(ok && r.FailureReason == "UNKNOWN_CANCEL_ORDER") {
			return entry, fmt.Errorf("cancel attached order %s: %w", id, xe)
		}
	}
	return e.withAttached(ctx, entry)
}

// foldAttached shows each listed entry with its attached trigger bracket
// as its legs, the bracket no longer listed on its own; an entry whose
// bracket is not among the orders listed has it read once it has filled
// (Coinbase places the bracket for what the entry bought). A bracket whose
// entry is not listed stays, as the entry's exits (its list id the
// entry's).
func (e *Exchange) foldAttached(ctx context.Context, orders []trade.Order) ([]trade.Order, error) {
	byID := make(map[string]trade.Order, len(orders))
	for _, o := range orders {
		byID[o.ID] = o
	}
	folded := map[string]bool{}
	out := orders[:0:0]
	for _, o := range orders {
		id := attachedID(o)
		if id == "" {
			out = append(out, o)
			continue
		}
		if b, ok := byID[id]; ok {
			out, folded[id] = append(out, joinAttached(o, b)), true
			continue
		}
		if !o.FilledQty.IsPositive() {
			out = append(out, o)
			continue
		}
		joined, err := e.withAttached(ctx, o)
		if err != nil {
			return nil, err
		}
		out = append(out, joined)
	}
	kept := out[:0]
	for _, o := range out {
		if !folded[o.ID] {
			kept = append(kept, o)
		}
	}
	return kept, nil
}
