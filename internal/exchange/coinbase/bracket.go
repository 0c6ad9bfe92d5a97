package coinbase

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// PlacesOCO implements exchange.OCOPlacer with a trigger bracket
// (order_configuration trigger_bracket_gtc, or trigger_bracket_gtd with an
// expiry): one order on a position already held, a limit at limit_price
// and a stop at stop_trigger_price, whichever comes first closing the
// position. Coinbase's stop places a stop-limit with a limit price it sets
// itself, about 5% beyond the trigger (see doc.go), so a stop-loss limit
// of the trader's choosing (--stop-loss-limit) is not taken: refused
// before anything is sent, never silently replaced by Coinbase's.
func (e *Exchange) PlacesOCO(req trade.OrderRequest) bool {
	return req.Exits != nil && !req.Exits.StopLossLimit.Valid
}

// stopLossLimitRefusal is why --stop-loss-limit is refused with any
// trigger bracket, an OCO's or one attached to an entry.
const stopLossLimitRefusal = "coinbase's trigger bracket sets its stop-loss limit itself (a stop-limit about 5% beyond the stop-loss trigger): " +
	"a stop-loss limit of your own cannot be honoured there; leave it out to accept Coinbase's, or place the exits on another venue"

// LinkRefusal implements exchange.LinkRefuser.
func (e *Exchange) LinkRefusal(req trade.OrderRequest) string {
	switch {
	case req.Exits == nil:
		return ""
	case req.Exits.OCO && req.Exits.StopLossLimit.Valid:
		return stopLossLimitRefusal
	case !req.Exits.OCO:
		return attachedRefusal(req)
	}
	return ""
}

// ExitNote implements exchange.ExitNoter: a trigger bracket's stop is not
// a stop market order but the stop-limit Coinbase places when it fires;
// and a bracket attached to a good-till-date entry is good till canceled
// all the same, the only attached variant Coinbase takes.
func (e *Exchange) ExitNote(req trade.OrderRequest) string {
	if !req.Exits.Pair() {
		// Not a trigger bracket: refused, with nothing to note.
		return ""
	}
	beyond := "below"
	if req.ExitSide() == trade.Buy {
		beyond = "above"
	}
	note := fmt.Sprintf("coinbase places the stop-loss as a stop-limit when %s trades, its limit set by Coinbase about 5%% %s it",
		req.Exits.StopLoss.Decimal, beyond)
	if _, expires := req.Expiry(); !req.Exits.OCO && req.Type == trade.Limit && (expires || req.EffectiveTIF() == trade.Day) {
		note += "; the exits are good till canceled (Coinbase attaches only trigger_bracket_gtc), though the entry expires"
	}
	return note
}

var (
	_ exchange.OCOPlacer   = (*Exchange)(nil)
	_ exchange.LinkRefuser = (*Exchange)(nil)
	_ exchange.ExitNoter   = (*Exchange)(nil)
)

// prepareOCO checks an OCO locally — the request, what a trigger bracket
// can express, each leg against the product's increments and sizes — and
// returns the body: the exit side, base_size, the take-profit as
// limit_price and the stop-loss as stop_trigger_price.
func (e *Exchange) prepareOCO(ctx context.Context, req trade.OrderRequest, clientID string) (createBody, error) {
	if err := venueorder.Invalid(venueName, req.Validate()); err != nil {
		return createBody{}, err
	}
	if !exchange.CanLink(e, req) {
		return createBody{}, refuse("%s", e.LinkRefusal(req))
	}
	rules, err := e.rulesFor(ctx, req.Symbol)
	if err != nil {
		return createBody{}, err
	}
	switch {
	case rules.Halted != "":
		return createBody{}, refuse("%s takes no new orders on coinbase: %s", req.Symbol, rules.Halted)
	case rules.LimitOnly || rules.PostOnly:
		// A triggered stop is not a post-only limit order.
		return createBody{}, refuse("%s is in limit-only or post-only mode on coinbase: a trigger bracket is refused", req.Symbol)
	}
	for _, leg := range []trade.OrderRequest{req.TakeProfitRequest(""), req.StopLossRequest("")} {
		if leg.Type == trade.Stop {
			// Checked for its tick and size: value it at its trigger.
			leg.Type, leg.Price = trade.StopLimit, leg.StopPrice
		}
		if err := venueorder.CheckRules(venueName, leg, rules.instrument()); err != nil {
			return createBody{}, err
		}
	}
	body := &configBody{BaseSize: req.Qty.String(), LimitPrice: req.Price.Decimal.String(), StopTriggerPrice: req.Exits.StopLoss.Decimal.String()}
	var cfg orderConfig
	if end, gtd := endTime(req, e.Now()); gtd {
		body.EndTime = end
		cfg.TriggerBracketGTD = body
	} else {
		cfg.TriggerBracketGTC = body
	}
	return createBody{ClientOrderID: clientID, ProductID: rules.ProductID, Side: strings.ToUpper(string(req.Side)), OrderConfiguration: cfg}, nil
}

// bracketLegs shows a trigger bracket, one order on Coinbase, as tradectl's
// OCO: the order is the take-profit (its limit, its status and fills as
// Coinbase reports them), and its stop is a stop-loss leg carrying the
// same order id and the trigger as its stop price. The leg's status follows
// trigger_status: a stop that has fired (STOP_TRIGGERED) carries the
// order's status and fills; one that has not is working while the order
// is, and canceled once the take-profit has filled it (one cancels the
// other).
func bracketLegs(o trade.Order, trigger decimal.NullDecimal, triggered bool) trade.Order {
	o.ListID, o.Leg = o.ID, trade.LegTakeProfit
	sl := trade.Order{ID: o.ID, ClientID: o.ClientID, Symbol: o.Symbol, Side: o.Side, Type: trade.Stop, TimeInForce: o.TimeInForce,
		Status: o.Status, Qty: o.Qty, StopPrice: trigger, FeeAsset: o.FeeAsset, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		ExpiresAt: o.ExpiresAt, Exchange: o.Exchange, Profile: o.Profile, ListID: o.ID, Leg: trade.LegStopLoss}
	switch {
	case triggered:
		sl.FilledQty, sl.AvgFillPrice, sl.Fee = o.FilledQty, o.AvgFillPrice, o.Fee
	case o.Status == trade.StatusFilled || o.Status == trade.StatusPartiallyFilled:
		// The limit is what filled; the stop never fired.
		if o.Status == trade.StatusFilled {
			sl.Status = trade.StatusCanceled
		}
	}
	o.Legs = []trade.Order{sl}
	return o
}
