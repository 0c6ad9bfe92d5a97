package fakebinance

import (
	"net/url"
	"strconv"

	"github.com/shopspring/decimal"
)

// orderList is an OCO or OTOCO order list (Binance Spot API: "New Order
// list - OCO", POST /api/v3/orderList/oco, and "New Order list - OTOCO",
// POST /api/v3/orderList/otoco). An OCO's two legs rest together and one
// filling or triggering expires the other; an OTOCO's working order rests
// first and its two pending legs (status PENDING_NEW) become an OCO once
// it has filled completely. Canceling any order of a list cancels the
// list.
type orderList struct {
	id          int64
	clientID    string
	contingency string // "OCO" or "OTO"
	working     *order // OTOCO only
	legs        []*order
}

func (l *orderList) orders() []*order {
	if l.working == nil {
		return l.legs
	}
	return append([]*order{l.working}, l.legs...)
}

// listIDOf is the order's orderListId: -1 unless it is part of a list.
func (o *order) listIDOf() int64 {
	if o.list == nil {
		return -1
	}
	return o.list.id
}

// legParams turns the prefixed parameters of one leg ("aboveType",
// "pendingBelowStopPrice" …) into the parameters of a lone order, so the
// leg is checked as New order checks one.
func legParams(p params, prefix, side, qty string) params {
	v := url.Values{}
	v.Set("symbol", p.get("symbol"))
	v.Set("side", side)
	v.Set("quantity", qty)
	for wire, name := range map[string]string{"Type": "type", "Price": "price", "StopPrice": "stopPrice",
		"TimeInForce": "timeInForce", "ClientOrderId": "newClientOrderId"} {
		if val := p.get(prefix + wire); val != "" {
			v.Set(name, val)
		}
	}
	return params{query: v}
}

// checkPair enforces the OCO pairing: "One of the orders must be a
// LIMIT_MAKER/TAKE_PROFIT/TAKE_PROFIT_LIMIT order and the other must be
// STOP_LOSS or STOP_LOSS_LIMIT"; for a SELL the limit is the above order,
// for a BUY the below order.
func checkPair(side string, above, below *order) *apiError {
	isStop := func(o *order) bool { return o.typ == "STOP_LOSS" || o.typ == "STOP_LOSS_LIMIT" }
	isLimit := func(o *order) bool {
		return o.typ == "LIMIT_MAKER" || o.typ == "TAKE_PROFIT" || o.typ == "TAKE_PROFIT_LIMIT"
	}
	limit, stop := above, below
	if side == "BUY" {
		limit, stop = below, above
	}
	if !isLimit(limit) || !isStop(stop) {
		return errBody(400, -1169, "Invalid tag number.")
	}
	return nil
}

// parseLegs reads an OCO pair with the given parameter prefixes.
func (s *Server) parseLegs(p params, abovePrefix, belowPrefix, side, qty string) (above, below *order, e *apiError) {
	for _, name := range []string{abovePrefix + "Type", belowPrefix + "Type"} {
		if p.get(name) == "" {
			return nil, nil, mandatory(name)
		}
	}
	if above, e = s.parseOrder(legParams(p, abovePrefix, side, qty)); e != nil {
		return nil, nil, e
	}
	if below, e = s.parseOrder(legParams(p, belowPrefix, side, qty)); e != nil {
		return nil, nil, e
	}
	return above, below, checkPair(side, above, below)
}

// handleNewOCO is POST /api/v3/orderList/oco.
func (s *Server) handleNewOCO(p params) response {
	for _, name := range []string{"symbol", "side", "quantity"} {
		if p.get(name) == "" {
			return errorResponse(mandatory(name))
		}
	}
	// The deprecated /api/v3/order/oco's parameters are not this endpoint's.
	for _, old := range []string{"price", "stopPrice", "stopLimitPrice"} {
		if p.get(old) != "" {
			return errorResponse(notRequired(old))
		}
	}
	above, below, e := s.parseLegs(p, "above", "below", p.get("side"), p.get("quantity"))
	if e != nil {
		return errorResponse(e)
	}
	l := &orderList{clientID: p.get("listClientOrderId"), contingency: "OCO", legs: []*order{above, below}}
	if e := s.openListLocked(l); e != nil {
		return errorResponse(e)
	}
	if e := s.activateLegsLocked(l); e != nil {
		s.dropListLocked(l)
		return errorResponse(e)
	}
	return jsonResponse(s.listJSON(l, true))
}

// handleNewOTOCO is POST /api/v3/orderList/otoco.
func (s *Server) handleNewOTOCO(p params) response {
	for _, name := range []string{"symbol", "workingType", "workingSide", "workingPrice", "workingQuantity", "pendingSide", "pendingQuantity", "pendingAboveType"} {
		if p.get(name) == "" {
			return errorResponse(mandatory(name))
		}
	}
	switch p.get("workingType") {
	case "LIMIT", "LIMIT_MAKER":
	default:
		return errorResponse(errBody(400, -1116, "Invalid orderType."))
	}
	working, e := s.parseOrder(legParams(p, "working", p.get("workingSide"), p.get("workingQuantity")))
	if e != nil {
		return errorResponse(e)
	}
	above, below, e := s.parseLegs(p, "pendingAbove", "pendingBelow", p.get("pendingSide"), p.get("pendingQuantity"))
	if e != nil {
		return errorResponse(e)
	}
	l := &orderList{clientID: p.get("listClientOrderId"), contingency: "OTO", working: working, legs: []*order{above, below}}
	if e := s.openListLocked(l); e != nil {
		return errorResponse(e)
	}
	if e := s.executeLocked(working); e != nil {
		s.dropListLocked(l)
		return errorResponse(e)
	}
	for _, leg := range l.legs {
		leg.status, leg.created, leg.updated = "PENDING_NEW", working.created, working.created
	}
	if working.status == "FILLED" {
		s.armLocked(l)
	}
	return jsonResponse(s.listJSON(l, true))
}

// openListLocked gives the list and its orders their ids and client ids
// and records them.
func (s *Server) openListLocked(l *orderList) *apiError {
	for _, o := range l.orders() {
		if o.clientID == "" {
			o.clientID = randomClientID()
		}
		for _, other := range s.orders {
			if other.working() && other.clientID == o.clientID {
				return errDuplicate
			}
		}
	}
	if l.clientID == "" {
		l.clientID = randomClientID()
	}
	l.id = s.nextListID
	s.nextListID++
	for _, o := range l.orders() {
		o.list = l
		o.id = s.nextOrderID
		s.nextOrderID++
		s.orders = append(s.orders, o)
		s.placed.Add(1)
	}
	return nil
}

// dropListLocked forgets a list refused after openListLocked.
func (s *Server) dropListLocked(l *orderList) {
	for _, o := range l.orders() {
		o.lock.Release()
	}
	s.orders = s.orders[:len(s.orders)-len(l.orders())]
	s.placed.Add(-int64(len(l.orders())))
}

// activateLegsLocked puts an OCO pair on the book: each leg checked as a
// lone order would be (a LIMIT_MAKER that would take, a stop that would
// trigger at once, funds), the quantity held once for the pair.
func (s *Server) activateLegsLocked(l *orderList) *apiError {
	for i, leg := range l.legs {
		if i > 0 {
			// Only one leg can ever fill: the pair holds one amount, on
			// its last leg.
			l.legs[i-1].lock.Release()
		}
		if e := s.executeLocked(leg); e != nil {
			return e
		}
	}
	return nil
}

// armLocked places an OTOCO's pending legs once its working order has
// filled. A leg the market has already passed is expired with the list.
func (s *Server) armLocked(l *orderList) {
	for _, leg := range l.legs {
		leg.status = "NEW"
	}
	if e := s.activateLegsLocked(l); e != nil {
		for _, leg := range l.legs {
			leg.lock.Release()
			leg.status = "EXPIRED"
		}
	}
}

// settleListLocked applies what happened to o to the rest of its list: an
// OTOCO's working order filling arms the pending legs; an OCO leg filling
// expires the other; canceling any order cancels the others.
func (s *Server) settleListLocked(o *order) {
	l := o.list
	if l == nil {
		return
	}
	switch {
	case o.status == "FILLED" && o == l.working:
		s.armLocked(l)
	case o.status == "FILLED":
		s.expireSiblingsLocked(o)
	case o.status == "CANCELED":
		for _, other := range l.orders() {
			if other != o && (other.working() || other.status == "PENDING_NEW") {
				other.lock.Release()
				other.status, other.updated = "CANCELED", o.updated
			}
		}
	}
}

// expireSiblingsLocked expires the other working leg of o's OCO pair,
// releasing the pair's hold, before o fills.
func (s *Server) expireSiblingsLocked(o *order) {
	l := o.list
	if l == nil || o == l.working {
		return
	}
	for _, other := range l.legs {
		if other != o && other.working() {
			other.lock.Release()
			other.status, other.updated = "EXPIRED", s.now().UnixMilli()
		}
	}
}

// listJSON is an order list as the new-list endpoints (with reports) and
// GET /api/v3/orderList (without) answer.
func (s *Server) listJSON(l *orderList, reports bool) map[string]any {
	status, listStatus := "EXEC_STARTED", "EXECUTING"
	done := true
	for _, o := range l.orders() {
		if o.working() || o.status == "PENDING_NEW" {
			done = false
		}
	}
	if done {
		status, listStatus = "ALL_DONE", "ALL_DONE"
	}
	orders := []map[string]any{}
	rep := []map[string]any{}
	for _, o := range l.orders() {
		orders = append(orders, map[string]any{"symbol": o.sym.spec.Symbol, "orderId": o.id, "clientOrderId": o.clientID})
		rep = append(rep, o.queryJSON())
	}
	out := map[string]any{"orderListId": l.id, "contingencyType": l.contingency, "listStatusType": status,
		"listOrderStatus": listStatus, "listClientOrderId": l.clientID, "transactionTime": s.now().UnixMilli(),
		"symbol": l.legs[0].sym.spec.Symbol, "orders": orders}
	if reports {
		out["orderReports"] = rep
	}
	return out
}

// handleQueryOrderList is GET /api/v3/orderList: by orderListId or
// origClientOrderId (the list's client id).
func (s *Server) handleQueryOrderList(p params) response {
	idText, clientID := p.get("orderListId"), p.get("origClientOrderId")
	if idText == "" && clientID == "" {
		return errorResponse(errBody(400, -1102, "Param 'origClientOrderId' or 'orderListId' must be sent, but both were empty/null!"))
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if idText != "" && err != nil {
		return errorResponse(errBody(400, -1100, "Illegal characters found in parameter 'orderListId'; legal range is '^[0-9]{1,20}$'."))
	}
	for i := len(s.orders) - 1; i >= 0; i-- {
		l := s.orders[i].list
		if l != nil && ((idText != "" && l.id == id) || (idText == "" && l.clientID == clientID)) {
			return jsonResponse(s.listJSON(l, false))
		}
	}
	return errorResponse(errBody(400, -2011, "Order list does not exist."))
}

// Lists reports the client ids of every order list placed, oldest first,
// with each leg's type, for request-shape tests.
func (s *Server) Lists() []ListSummary {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ListSummary
	seen := map[*orderList]bool{}
	for _, o := range s.orders {
		if o.list == nil || seen[o.list] {
			continue
		}
		seen[o.list] = true
		sum := ListSummary{ClientID: o.list.clientID, Contingency: o.list.contingency}
		for _, leg := range o.list.orders() {
			sum.Orders = append(sum.Orders, LegSummary{ClientID: leg.clientID, Side: leg.side, Type: leg.typ,
				Qty: leg.qty, Price: leg.price, StopPrice: leg.stopPrice, Status: leg.status})
		}
		out = append(out, sum)
	}
	return out
}

// ListSummary is one order list as the fake holds it.
type ListSummary struct {
	ClientID    string
	Contingency string
	Orders      []LegSummary
}

// LegSummary is one order of a list.
type LegSummary struct {
	ClientID, Side, Type, Status string
	Qty, Price, StopPrice        decimal.Decimal
}
