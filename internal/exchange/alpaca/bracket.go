package alpaca

import (
	"context"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// Brackets implements exchange.Bracketer with order_class bracket: a
// market or limit entry, day or gtc, of a stock (Alpaca takes advanced
// order classes on equities only; a crypto symbol is written BASE-QUOTE,
// a stock as its ticker).
func (e *Exchange) Brackets(req trade.OrderRequest) bool {
	tif := req.EffectiveTIF()
	return req.Symbol.Quote == "" && (req.Type == trade.Market || req.Type == trade.Limit) && (tif == trade.Day || tif == trade.GTC)
}

// PlacesOCO implements exchange.OCOPlacer with order_class oco: a limit
// take-profit and its stop-loss, day or gtc, on a stock.
func (e *Exchange) PlacesOCO(req trade.OrderRequest) bool {
	tif := req.EffectiveTIF()
	return req.Symbol.Quote == "" && (tif == trade.Day || tif == trade.GTC)
}

var (
	_ exchange.Bracketer = (*Exchange)(nil)
	_ exchange.OCOPlacer = (*Exchange)(nil)
)

// takeProfitWire and stopLossWire are POST /v2/orders' take_profit and
// stop_loss objects.
type takeProfitWire struct {
	LimitPrice string `json:"limit_price"`
}

type stopLossWire struct {
	StopPrice  string `json:"stop_price"`
	LimitPrice string `json:"limit_price,omitempty"`
}

// prepareLinked checks a bracket or an OCO — the request, each leg
// against the symbol's rules, Alpaca's restrictions on the first order —
// and returns the body: the first order (the entry, or the OCO's
// take-profit limit) with order_class, take_profit and stop_loss.
func (e *Exchange) prepareLinked(ctx context.Context, req trade.OrderRequest, clientID string) (orderRequestWire, error) {
	if err := venueorder.Invalid(venueName, req.Validate()); err != nil {
		return orderRequestWire{}, err
	}
	if !exchange.CanLink(e, req) {
		return orderRequestWire{}, refuse("alpaca takes brackets (market or limit entries) and OCO pairs on stocks only, day or gtc")
	}
	body, err := e.prepare(ctx, req.EntryRequest(), clientID)
	if err != nil {
		return orderRequestWire{}, err
	}
	r, err := e.ruleFor(ctx, req.Symbol)
	if err != nil {
		return orderRequestWire{}, err
	}
	for _, leg := range []trade.OrderRequest{req.TakeProfitRequest(""), req.StopLossRequest("")} {
		if err := venueorder.CheckRules(venueName, leg, r.instrument()); err != nil {
			return orderRequestWire{}, err
		}
	}
	x := req.Exits
	body.OrderClass = "bracket"
	if x.OCO {
		body.OrderClass = "oco"
	}
	body.TakeProfit = &takeProfitWire{LimitPrice: req.TakeProfitPrice().String()}
	body.StopLoss = &stopLossWire{StopPrice: x.StopLoss.Decimal.String()}
	if x.StopLossLimit.Valid {
		body.StopLoss.LimitPrice = x.StopLossLimit.Decimal.String()
	}
	return body, nil
}

// linkLegs marks a parent of order_class bracket or oco and its nested
// legs: the list is the parent's id, a bracket's exits name it as their
// parent, and each exit's leg follows from its type (a limit is the
// take-profit, a stop or stop-limit the stop-loss).
func linkLegs(o trade.Order, class string, legs []trade.Order) trade.Order {
	if class != "bracket" && class != "oco" {
		return o
	}
	o.ListID, o.Leg = o.ID, trade.LegEntry
	if class == "oco" {
		o.Leg = trade.LegTakeProfit
	}
	for _, l := range legs {
		l.ListID, l.Leg = o.ID, trade.LegTakeProfit
		if l.Type == trade.Stop || l.Type == trade.StopLimit {
			l.Leg = trade.LegStopLoss
		}
		if class == "bracket" {
			l.ParentID = o.ID
		}
		o.Legs = append(o.Legs, l)
	}
	return o
}
