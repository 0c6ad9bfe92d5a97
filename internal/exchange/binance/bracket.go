package binance

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// Brackets implements exchange.Bracketer with an OTOCO order list
// (POST /api/v3/orderList/otoco): its working order must be LIMIT or
// LIMIT_MAKER, so only limit entries take exits here; a market entry is
// refused before anything is sent (see doc.go).
func (e *Exchange) Brackets(req trade.OrderRequest) bool { return req.Type == trade.Limit }

// PlacesOCO implements exchange.OCOPlacer with an OCO order list
// (POST /api/v3/orderList/oco).
func (e *Exchange) PlacesOCO(trade.OrderRequest) bool { return true }

var (
	_ exchange.Bracketer = (*Exchange)(nil)
	_ exchange.OCOPlacer = (*Exchange)(nil)
)

// listWire is an order list as the new-list endpoints and GET
// /api/v3/orderList answer it.
type listWire struct {
	OrderListID       int64  `json:"orderListId"`
	ContingencyType   string `json:"contingencyType"`
	ListClientOrderID string `json:"listClientOrderId"`
	Orders            []struct {
		Symbol        string `json:"symbol"`
		OrderID       int64  `json:"orderId"`
		ClientOrderID string `json:"clientOrderId"`
	} `json:"orders"`
	OrderReports []orderWire `json:"orderReports"`
}

// legFromWire names a list member's leg by its type: tradectl sends an
// entry as LIMIT, a take-profit as LIMIT_MAKER and a stop-loss as
// STOP_LOSS or STOP_LOSS_LIMIT; lists placed elsewhere may use
// TAKE_PROFIT(_LIMIT) for the profit leg.
func legFromWire(wireType string) trade.LegRole {
	switch wireType {
	case "STOP_LOSS", "STOP_LOSS_LIMIT":
		return trade.LegStopLoss
	case "LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT":
		return trade.LegTakeProfit
	}
	return trade.LegEntry
}

// legParams adds one OCO leg under prefix ("above", "pendingBelow" …):
// Type, Price, StopPrice, TimeInForce and ClientOrderId, in that order.
func legParams(q *query, prefix string, leg trade.OrderRequest) error {
	w, err := toWire(leg)
	if err != nil {
		return err
	}
	if leg.Type == trade.Limit {
		// The profit leg rests as LIMIT_MAKER: the pair's rules name it
		// (LIMIT is not an OCO leg type), and it never takes.
		w = wireOrder{Type: "LIMIT_MAKER"}
	}
	q.add(prefix+"Type", w.Type)
	if leg.Price.Valid {
		q.addDec(prefix+"Price", leg.Price.Decimal)
	}
	if leg.StopPrice.Valid {
		q.addDec(prefix+"StopPrice", leg.StopPrice.Decimal)
	}
	if w.TimeInForce != "" {
		q.add(prefix+"TimeInForce", w.TimeInForce)
	}
	q.add(prefix+"ClientOrderId", leg.ClientID)
	return nil
}

// listParams builds an OCO or OTOCO request. The list carries the
// request's client id, and so does its first order (the entry, or an OCO's
// take-profit), so an unknown outcome is settled by looking that order up
// by the id; the other legs' ids derive from it (trade.LegClientID).
func listParams(req trade.OrderRequest, vs, listID string) (path string, q *query, err error) {
	tpID := listID
	if !req.Exits.OCO {
		tpID = trade.LegClientID(listID, trade.LegTakeProfit)
	}
	tp, sl := req.TakeProfitRequest(tpID), req.StopLossRequest(trade.LegClientID(listID, trade.LegStopLoss))
	// A sell pair's take-profit is above the market and its stop below;
	// a buy pair's the reverse.
	above, below := tp, sl
	if req.ExitSide() == trade.Buy {
		above, below = sl, tp
	}
	side := strings.ToUpper(string(req.ExitSide()))
	q = newQuery().add("symbol", vs).add("listClientOrderId", listID)
	if req.Exits.OCO {
		path = "/api/v3/orderList/oco"
		q.add("side", side).addDec("quantity", req.Qty)
		if err := legParams(q, "above", above); err != nil {
			return "", nil, err
		}
		if err := legParams(q, "below", below); err != nil {
			return "", nil, err
		}
		return path, q.add("newOrderRespType", "FULL"), nil
	}
	path = "/api/v3/orderList/otoco"
	entry, err := toWire(req.EntryRequest())
	if err != nil {
		return "", nil, err
	}
	q.add("workingType", entry.Type).add("workingSide", strings.ToUpper(string(req.Side))).
		add("workingClientOrderId", listID).addDec("workingPrice", req.Price.Decimal).addDec("workingQuantity", req.Qty)
	if entry.TimeInForce != "" {
		q.add("workingTimeInForce", entry.TimeInForce)
	}
	q.add("pendingSide", side).addDec("pendingQuantity", req.Qty)
	if err := legParams(q, "pendingAbove", above); err != nil {
		return "", nil, err
	}
	if err := legParams(q, "pendingBelow", below); err != nil {
		return "", nil, err
	}
	return path, q.add("newOrderRespType", "FULL"), nil
}

// prepareList checks a bracket or an OCO locally — the request, the venue's
// entry types, each leg against the symbol's rules — and builds it.
func (e *Exchange) prepareList(ctx context.Context, req trade.OrderRequest, listID string) (string, *query, error) {
	if err := venueorder.Invalid(venueName, req.Validate()); err != nil {
		return "", nil, err
	}
	if !req.Exits.Pair() {
		// Not an exchange.ExitAttacher: an OTOCO's pending orders are a pair.
		return "", nil, venueorder.Refusef(venueName, "binance attaches exits as a take-profit and stop-loss pair (OTOCO): give both")
	}
	if !req.Exits.OCO && !e.Brackets(req) {
		return "", nil, venueorder.Refusef(venueName, "binance attaches exits to limit entries only (an OTOCO's working order is LIMIT or LIMIT_MAKER), got a %s entry", req.Type)
	}
	rules, err := e.rulesFor(ctx, req.Symbol)
	if err != nil {
		return "", nil, err
	}
	if !rules.trading() {
		return "", nil, venueorder.Refusef(venueName, "%s is not trading on binance (status %s)", req.Symbol, rules.Status)
	}
	in := rules.instrument()
	legs := []trade.OrderRequest{req.TakeProfitRequest(listID), req.StopLossRequest(listID)}
	if !req.Exits.OCO {
		legs = append(legs, req.EntryRequest())
	}
	for _, leg := range legs {
		if err := venueorder.CheckRules(venueName, leg, in); err != nil {
			return "", nil, err
		}
	}
	path, q, err := listParams(req, rules.VenueSymbol, listID)
	return path, q, err
}

// placeList sends a bracket (OTOCO) or an OCO and returns its first order
// (the entry, or the OCO's take-profit) with the others in Legs.
func (e *Exchange) placeList(ctx context.Context, req trade.OrderRequest) (trade.Order, error) {
	listID := req.ClientID
	if listID == "" {
		listID = venueorder.NewClientID(clientIDDigits)
	}
	path, params, err := e.prepareList(ctx, req, listID)
	if err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", err)
	}
	var w listWire
	if err := e.do(ctx, call{method: http.MethodPost, path: path, params: params, signed: true, weight: 1, placement: true, clientID: listID}, &w); err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", err)
	}
	orders := make([]trade.Order, 0, len(w.OrderReports))
	for _, r := range w.OrderReports {
		o, err := e.mapOrder(r, req.Symbol)
		if err != nil {
			return trade.Order{}, fmt.Errorf("place order: %w", decodeFailure("POST "+path, err, true, listID))
		}
		orders = append(orders, o)
	}
	first, ok := linkLegs(orders, listID)
	if !ok {
		return trade.Order{}, fmt.Errorf("place order: %w", decodeFailure("POST "+path,
			fmt.Errorf("the answer holds no order with client id %s", listID), true, listID))
	}
	return first, nil
}

// linkLegs returns the order with client id primary and the others of its
// list as its Legs, each exit's ParentID set to the entry when there is
// one.
func linkLegs(orders []trade.Order, primary string) (trade.Order, bool) {
	entry := ""
	for _, o := range orders {
		if o.Leg == trade.LegEntry {
			entry = o.ID
		}
	}
	var first trade.Order
	found := false
	var others []trade.Order
	for _, o := range orders {
		if o.Leg != trade.LegEntry {
			o.ParentID = entry
		}
		if !found && o.ClientID == primary {
			first, found = o, true
			continue
		}
		others = append(others, o)
	}
	first.Legs = others
	return first, found
}

// withLegs adds the rest of o's order list to it: one GET /api/v3/orderList
// and one GET /api/v3/order per other leg.
func (e *Exchange) withLegs(ctx context.Context, o trade.Order, vs string) (trade.Order, error) {
	if o.ListID == "" {
		return o, nil
	}
	var l listWire
	if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/orderList", params: newQuery().add("orderListId", o.ListID), signed: true, weight: 4}, &l); err != nil {
		return o, err
	}
	orders := []trade.Order{o}
	for _, m := range l.Orders {
		if formatOrderID(m.Symbol, m.OrderID) == o.ID {
			continue
		}
		var w orderWire
		q := newQuery().add("symbol", vs).add("orderId", strconv.FormatInt(m.OrderID, 10))
		if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/order", params: q, signed: true, weight: 4}, &w); err != nil {
			return o, err
		}
		leg, err := e.mapOrder(w, o.Symbol)
		if err != nil {
			return o, decodeFailure("GET /api/v3/order", err, false, "")
		}
		orders = append(orders, leg)
	}
	first, _ := linkLegs(orders, o.ClientID)
	return first, nil
}

// validateList checks a bracket or an OCO: every leg locally, then its
// first order at order/test (Binance has no test endpoint for order
// lists): a bracket's entry as the LIMIT it is sent as, an OCO's
// take-profit as a LIMIT_MAKER.
func (e *Exchange) validateList(ctx context.Context, req trade.OrderRequest) error {
	if _, _, err := e.prepareList(ctx, req, "validate"); err != nil {
		return fmt.Errorf("validate order: %w", err)
	}
	first := req.EntryRequest()
	if req.Exits.OCO {
		first = req.TakeProfitRequest(req.ClientID)
		first.PostOnly = true
	}
	return e.ValidateOrder(ctx, first)
}
