package fakebinance

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

type fill struct {
	Price           string `json:"price"`
	Qty             string `json:"qty"`
	Commission      string `json:"commission"`
	CommissionAsset string `json:"commissionAsset"`
	TradeID         int64  `json:"tradeId"`
}

type order struct {
	sym                   *symbol
	id                    int64
	clientID              string
	side, typ, tif        string
	price, stopPrice, qty decimal.Decimal
	executed, cumQuote    decimal.Decimal
	quoteQty              decimal.Decimal // quoteOrderQty, when the order was sized by it
	trailingDelta         int64           // BIPS; 0 for an order that does not trail
	status                string
	created, updated      int64
	lock                  fakevenue.Hold // what a resting order holds
	fills                 []fill
	list                  *orderList // nil unless part of an order list (orderlist.go)
}

func (o *order) working() bool { return o.status == "NEW" || o.status == "PARTIALLY_FILLED" }

var (
	decimalParam  = regexp.MustCompile(`^([0-9]{1,20})(\.[0-9]{1,20})?$`)
	clientIDParam = regexp.MustCompile(`^[\.A-Z\:/a-z0-9_-]{1,36}$`)
)

func illegal(name string) *apiError {
	return errBody(400, -1100, fmt.Sprintf("Illegal characters found in parameter '%s'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.", name))
}

func notRequired(name string) *apiError {
	return errBody(400, -1106, fmt.Sprintf("Parameter '%s' sent when not required.", name))
}

func filterFailure(name string) *apiError {
	return errBody(400, -1013, "Filter failure: "+name)
}

var (
	errInsufficient = errBody(400, -2010, "Account has insufficient balance for requested action.")
	errDuplicate    = errBody(400, -2010, "Duplicate order sent.")
	errUnknownOrder = errBody(400, -2011, "Unknown order sent.")
	errNoSuchOrder  = errBody(400, -2013, "Order does not exist.")
)

func decParam(p params, name string, required bool) (decimal.Decimal, bool, *apiError) {
	v := p.get(name)
	if v == "" {
		if required {
			return decimal.Zero, false, mandatory(name)
		}
		return decimal.Zero, false, nil
	}
	if !decimalParam.MatchString(v) {
		return decimal.Zero, false, illegal(name)
	}
	return decimal.RequireFromString(v), true, nil
}

// offGrid reports whether v is not min + k·unit (Binance's rule, disabled
// by a zero unit).
func offGrid(v, min, unit decimal.Decimal) bool {
	return unit.IsPositive() && !v.Sub(min).Mod(unit).IsZero()
}

// symbolParam is the mandatory symbol parameter's symbol.
func (s *Server) symbolParam(p params) (*symbol, *apiError) {
	name := p.get("symbol")
	if name == "" {
		return nil, mandatory("symbol")
	}
	sym, ok := s.symbols.Get(name)
	if !ok {
		return nil, errInvalidSymbol
	}
	return sym, nil
}

// parseOrder validates a new-order request the way Binance does before the
// matching engine: mandatory parameters, formats, then symbol filters.
func (s *Server) parseOrder(p params) (*order, *apiError) {
	sym, e := s.symbolParam(p)
	if e != nil {
		return nil, e
	}
	o := &order{sym: sym, side: p.get("side"), typ: p.get("type"), tif: p.get("timeInForce"), clientID: p.get("newClientOrderId")}
	switch o.side {
	case "":
		return nil, mandatory("side")
	case "BUY", "SELL":
	default:
		return nil, errBody(400, -1117, "Invalid side.")
	}
	var needPrice, needStop, needTIF bool
	switch o.typ {
	case "":
		return nil, mandatory("type")
	case "LIMIT":
		needPrice, needTIF = true, true
	case "LIMIT_MAKER":
		needPrice = true
	case "MARKET":
	case "STOP_LOSS", "TAKE_PROFIT":
		needStop = true
	case "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT":
		needPrice, needStop, needTIF = true, true, true
	default:
		return nil, errBody(400, -1116, "Invalid orderType.")
	}
	if needTIF {
		switch o.tif {
		case "":
			return nil, mandatory("timeInForce")
		case "GTC", "IOC", "FOK":
		default:
			return nil, errBody(400, -1115, "Invalid timeInForce.")
		}
	} else if o.tif != "" {
		return nil, notRequired("timeInForce")
	} else {
		o.tif = "GTC"
	}
	var has bool
	if e = o.parseSize(p); e != nil {
		return nil, e
	}
	if o.price, has, e = decParam(p, "price", needPrice); e != nil {
		return nil, e
	} else if has && !needPrice {
		return nil, notRequired("price")
	}
	if e = o.parseTrailingDelta(p, needStop); e != nil {
		return nil, e
	}
	if o.stopPrice, has, e = decParam(p, "stopPrice", needStop && o.trailingDelta == 0); e != nil {
		return nil, e
	} else if has && !needStop {
		return nil, notRequired("stopPrice")
	}
	if o.trailingDelta > 0 && !has {
		needStop = false // trailing from the market at placement
	}
	if o.clientID != "" && !clientIDParam.MatchString(o.clientID) {
		return nil, errBody(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.")
	}
	switch rt := p.get("newOrderRespType"); rt {
	case "", "ACK", "RESULT", "FULL":
	default:
		return nil, errBody(400, -1100, "Illegal characters found in parameter 'newOrderRespType'.")
	}
	if sym.spec.Status != "TRADING" {
		return nil, errBody(400, -1013, "Market is closed.")
	}
	if o.quoteQty.IsPositive() {
		o.qty = o.baseForQuote()
	}

	for _, pr := range []struct {
		set bool
		v   decimal.Decimal
	}{{needPrice, o.price}, {needStop, o.stopPrice}} {
		if !pr.set {
			continue
		}
		if !pr.v.IsPositive() || (sym.minPrice.IsPositive() && pr.v.LessThan(sym.minPrice)) ||
			(sym.maxPrice.IsPositive() && pr.v.GreaterThan(sym.maxPrice)) || offGrid(pr.v, sym.minPrice, sym.tick) {
			return nil, filterFailure("PRICE_FILTER")
		}
	}
	if !o.qty.IsPositive() || (sym.minQty.IsPositive() && o.qty.LessThan(sym.minQty)) ||
		(sym.maxQty.IsPositive() && o.qty.GreaterThan(sym.maxQty)) || offGrid(o.qty, sym.minQty, sym.step) {
		return nil, filterFailure("LOT_SIZE")
	}
	if o.typ == "MARKET" && sym.spec.MarketMaxQty != "" {
		if (sym.mktMinQty.IsPositive() && o.qty.LessThan(sym.mktMinQty)) ||
			(sym.mktMaxQty.IsPositive() && o.qty.GreaterThan(sym.mktMaxQty)) || offGrid(o.qty, sym.mktMinQty, sym.mktStep) {
			return nil, filterFailure("MARKET_LOT_SIZE")
		}
	}
	ref := sym.last
	if needPrice {
		ref = o.price
	} else if needStop {
		ref = o.stopPrice
	}
	if sym.minNotional.IsPositive() && o.qty.Mul(ref).LessThan(sym.minNotional) {
		if sym.spec.LegacyMinNotional {
			return nil, filterFailure("MIN_NOTIONAL")
		}
		return nil, filterFailure("NOTIONAL")
	}
	return o, nil
}

func (s *Server) handleTestOrder(p params) response {
	if _, e := s.parseOrder(p); e != nil {
		return errorResponse(e)
	}
	return jsonResponse(map[string]any{})
}

func randomClientID() string {
	b := make([]byte, 11)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) handleNewOrder(p params) response {
	o, e := s.parseOrder(p)
	if e != nil {
		return errorResponse(e)
	}
	// Binance keeps client ids unique among open orders only.
	if o.clientID != "" {
		for _, other := range s.orders {
			if other.working() && other.clientID == o.clientID {
				return errorResponse(errDuplicate)
			}
		}
	} else {
		o.clientID = randomClientID()
	}
	if e := s.executeLocked(o); e != nil {
		return errorResponse(e)
	}
	o.id = s.nextOrderID
	s.nextOrderID++
	s.orders = append(s.orders, o)
	s.placed.Add(1)

	rt := p.get("newOrderRespType")
	if rt == "" {
		rt = "ACK"
		if o.typ == "MARKET" || o.typ == "LIMIT" {
			rt = "FULL"
		}
	}
	out := map[string]any{"symbol": o.sym.spec.Symbol, "orderId": o.id, "orderListId": o.listIDOf(), "clientOrderId": o.clientID, "transactTime": o.created}
	if rt == "ACK" {
		return jsonResponse(out)
	}
	for k, v := range map[string]any{
		"price": fx(o.price), "origQty": fx(o.qty), "executedQty": fx(o.executed), "origQuoteOrderQty": fx(o.quoteQty),
		"cummulativeQuoteQty": fx(o.cumQuote), "status": o.status, "timeInForce": o.tif, "type": o.typ, "side": o.side,
		"workingTime": o.created, "selfTradePreventionMode": "EXPIRE_MAKER",
	} {
		out[k] = v
	}
	if o.stopPrice.IsPositive() {
		out["stopPrice"] = fx(o.stopPrice)
	}
	o.addTrailingDelta(out)
	if rt == "FULL" {
		fills := o.fills
		if fills == nil {
			fills = []fill{}
		}
		out["fills"] = fills
	}
	return jsonResponse(out)
}

// executeLocked runs the order against the one-level book: marketable
// orders fill in full at the touch, others rest with their funds locked.
func (s *Server) executeLocked(o *order) *apiError {
	now := s.now().UnixMilli()
	o.created, o.updated = now, now
	o.status = "NEW"
	sym := o.sym
	base, quote := s.bal(sym.spec.Base), s.bal(sym.spec.Quote)
	touch := sym.ask
	if o.side == "SELL" {
		touch = sym.bid
	}
	canPay := func(price decimal.Decimal) bool {
		if o.side == "BUY" {
			return !quote.Free.LessThan(price.Mul(o.qty))
		}
		return !base.Free.LessThan(o.qty)
	}
	switch o.typ {
	case "MARKET":
		if !canPay(touch) {
			return errInsufficient
		}
		s.fillLocked(o, touch, false)
		return nil
	case "LIMIT", "LIMIT_MAKER":
		marketable := (o.side == "BUY" && !o.price.LessThan(sym.ask)) || (o.side == "SELL" && !o.price.GreaterThan(sym.bid))
		if marketable && o.typ == "LIMIT_MAKER" {
			return errBody(400, -2010, "Order would immediately match and take.")
		}
		if !canPay(o.price) {
			return errInsufficient
		}
		switch {
		case marketable:
			s.fillLocked(o, touch, false)
		case o.tif == "IOC" || o.tif == "FOK":
			o.status = "EXPIRED"
		default:
			s.lockLocked(o, o.price)
		}
		return nil
	default: // stop and take-profit orders rest until triggered
		up := o.typ == "STOP_LOSS" || o.typ == "STOP_LOSS_LIMIT"
		if o.side == "SELL" {
			up = !up
		}
		// A buy stop triggers when the price rises to it, a sell stop when
		// it falls to it; take-profit the other way round.
		if o.trailingDelta == 0 && ((up && !o.stopPrice.GreaterThan(sym.last)) || (!up && !o.stopPrice.LessThan(sym.last))) {
			return errBody(400, -2010, "Stop price would trigger immediately.")
		}
		lockPrice := o.stopPrice
		if o.price.IsPositive() {
			lockPrice = o.price
		}
		if !lockPrice.IsPositive() {
			lockPrice = sym.last // a trailing stop without an activation price
		}
		if !canPay(lockPrice) {
			return errInsufficient
		}
		s.lockLocked(o, lockPrice)
		return nil
	}
}

func (s *Server) lockLocked(o *order, price decimal.Decimal) {
	if o.side == "BUY" {
		o.lock = s.bal(o.sym.spec.Quote).Hold(price.Mul(o.qty))
	} else {
		o.lock = s.bal(o.sym.spec.Base).Hold(o.qty)
	}
}

func (s *Server) unlockLocked(o *order) { o.lock.Release() }

// fillLocked fills the rest of o at price and settles balances, charging
// commission in the asset received.
func (s *Server) fillLocked(o *order, price decimal.Decimal, maker bool) {
	s.unlockLocked(o)
	sym := o.sym
	base, quote := s.bal(sym.spec.Base), s.bal(sym.spec.Quote)
	qty := o.qty.Sub(o.executed)
	notional := price.Mul(qty)
	var commission decimal.Decimal
	var commissionAsset string
	if o.side == "BUY" {
		commission, commissionAsset = qty.Mul(s.commission).RoundCeil(8), sym.spec.Base
		quote.Free = quote.Free.Sub(notional)
		base.Free = base.Free.Add(qty.Sub(commission))
	} else {
		commission, commissionAsset = notional.Mul(s.commission).RoundCeil(8), sym.spec.Quote
		base.Free = base.Free.Sub(qty)
		quote.Free = quote.Free.Add(notional.Sub(commission))
	}
	o.executed = o.executed.Add(qty)
	o.cumQuote = o.cumQuote.Add(notional)
	o.status = "FILLED"
	o.updated = s.now().UnixMilli()
	o.fills = append(o.fills, fill{Price: fx(price), Qty: fx(qty), Commission: fx(commission), CommissionAsset: commissionAsset, TradeID: s.nextTradeID})
	s.trades = append(s.trades, &tradeRec{sym: sym, id: s.nextTradeID, order: o, price: price, qty: qty,
		commission: commission, commissionAsset: commissionAsset, time: o.updated, maker: maker})
	s.nextTradeID++
	sym.last = price
}

// fillCrossedLocked fills resting limit orders that a moved book crosses,
// at their own limit price.
func (s *Server) fillCrossedLocked(sym *symbol) {
	for _, o := range s.orders {
		if o.sym != sym || !o.working() || (o.typ != "LIMIT" && o.typ != "LIMIT_MAKER") {
			continue
		}
		if (o.side == "BUY" && !o.price.LessThan(sym.ask)) || (o.side == "SELL" && !o.price.GreaterThan(sym.bid)) {
			s.expireSiblingsLocked(o)
			s.fillLocked(o, o.price, true)
			s.settleListLocked(o)
		}
	}
}

func (o *order) queryJSON() map[string]any {
	return o.addTrailingDelta(map[string]any{
		"symbol": o.sym.spec.Symbol, "orderId": o.id, "orderListId": o.listIDOf(), "clientOrderId": o.clientID,
		"price": fx(o.price), "origQty": fx(o.qty), "executedQty": fx(o.executed), "cummulativeQuoteQty": fx(o.cumQuote),
		"status": o.status, "timeInForce": o.tif, "type": o.typ, "side": o.side, "stopPrice": fx(o.stopPrice),
		"icebergQty": fx(decimal.Zero), "time": o.created, "updateTime": o.updated, "isWorking": o.working(),
		"workingTime": o.created, "origQuoteOrderQty": fx(o.quoteQty), "selfTradePreventionMode": "EXPIRE_MAKER",
	})
}

func (o *order) cancelJSON(cancelClientID string, now int64) map[string]any {
	return o.addTrailingDelta(map[string]any{
		"symbol": o.sym.spec.Symbol, "origClientOrderId": o.clientID, "orderId": o.id, "orderListId": o.listIDOf(),
		"clientOrderId": cancelClientID, "transactTime": now, "price": fx(o.price), "origQty": fx(o.qty),
		"executedQty": fx(o.executed), "cummulativeQuoteQty": fx(o.cumQuote), "status": o.status,
		"timeInForce": o.tif, "type": o.typ, "side": o.side, "selfTradePreventionMode": "EXPIRE_MAKER",
	})
}

// findOrder resolves symbol + orderId or origClientOrderId; the latest
// order wins for a reused client id, as on Binance.
func (s *Server) findOrder(p params) (*order, *apiError) {
	sym, e := s.symbolParam(p)
	if e != nil {
		return nil, e
	}
	idText, clientID := p.get("orderId"), p.get("origClientOrderId")
	if idText == "" && clientID == "" {
		return nil, errBody(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
	}
	var id int64
	if idText != "" {
		var err error
		if id, err = strconv.ParseInt(idText, 10, 64); err != nil {
			return nil, errBody(400, -1100, "Illegal characters found in parameter 'orderId'; legal range is '^[0-9]{1,20}$'.")
		}
	}
	for i := len(s.orders) - 1; i >= 0; i-- {
		o := s.orders[i]
		if o.sym != sym {
			continue
		}
		if (idText != "" && o.id == id) || (idText == "" && o.clientID == clientID) {
			return o, nil
		}
	}
	return nil, nil
}

func (s *Server) handleQueryOrder(p params) response {
	o, e := s.findOrder(p)
	if e != nil {
		return errorResponse(e)
	}
	if o == nil {
		return errorResponse(errNoSuchOrder)
	}
	return jsonResponse(o.queryJSON())
}

func (s *Server) cancelLocked(o *order, cancelClientID string) map[string]any {
	s.unlockLocked(o)
	now := s.now().UnixMilli()
	o.status, o.updated = "CANCELED", now
	s.settleListLocked(o)
	if cancelClientID == "" {
		cancelClientID = randomClientID()
	}
	return o.cancelJSON(cancelClientID, now)
}

func (s *Server) handleCancelOrder(p params) response {
	o, e := s.findOrder(p)
	if e != nil {
		return errorResponse(e)
	}
	if o == nil || !o.working() {
		return errorResponse(errUnknownOrder)
	}
	return jsonResponse(s.cancelLocked(o, p.get("newClientOrderId")))
}

func (s *Server) handleCancelOpenOrders(p params) response {
	name := p.get("symbol")
	if name == "" {
		return errorResponse(mandatory("symbol"))
	}
	sym, ok := s.symbols.Get(name)
	if !ok {
		return errorResponse(errInvalidSymbol)
	}
	out := []map[string]any{}
	for _, o := range s.orders {
		if o.sym == sym && o.working() {
			out = append(out, s.cancelLocked(o, ""))
		}
	}
	if len(out) == 0 {
		return errorResponse(errUnknownOrder)
	}
	return jsonResponse(out)
}

func (s *Server) handleOpenOrders(p params) response {
	var sym *symbol
	if name := p.get("symbol"); name != "" {
		var ok bool
		if sym, ok = s.symbols.Get(name); !ok {
			return errorResponse(errInvalidSymbol)
		}
	}
	out := []map[string]any{}
	for _, o := range s.orders {
		if o.working() && (sym == nil || o.sym == sym) {
			out = append(out, o.queryJSON())
		}
	}
	return jsonResponse(out)
}

// history is the window allOrders and myTrades answer: the symbol
// (mandatory), at most limit entries (default 500, at most 1000), from an
// id on and between start and end times (milliseconds, both inclusive).
type history struct {
	sym                       *symbol
	limit                     int
	from, start, end          int64
	hasFrom, hasStart, hasEnd bool
}

// readHistory reads the window; fromName is the parameter of the id to
// start from. An error ip already holds comes after the symbol's and the
// limit's, as Binance checks them first.
func (s *Server) readHistory(ip *intParams, fromName string) (history, *apiError) {
	sym, e := s.symbolParam(ip.p)
	if e != nil {
		return history{}, e
	}
	h := history{sym: sym, limit: 500}
	if l := ip.p.get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return history{}, errBody(400, -1100, "Illegal characters found in parameter 'limit'.")
		}
		h.limit = n
	}
	h.from, h.hasFrom = ip.get(fromName)
	h.start, h.hasStart = ip.get("startTime")
	h.end, h.hasEnd = ip.get("endTime")
	return h, ip.err
}

// holds says an entry of the symbol with this id and time is in the window.
func (h history) holds(sym *symbol, id, time int64) bool {
	return sym == h.sym && (!h.hasFrom || id >= h.from) && (!h.hasStart || time >= h.start) && (!h.hasEnd || time <= h.end)
}

// cut keeps limit entries: with a starting point Binance returns the
// oldest limit from it, otherwise the most recent limit; always oldest
// first.
func cut[T any](h history, match []T) []T {
	if len(match) <= h.limit {
		return match
	}
	if h.hasFrom || h.hasStart {
		return match[:h.limit]
	}
	return match[len(match)-h.limit:]
}

// intParams reads optional integer parameters, keeping the first error.
type intParams struct {
	p   params
	err *apiError
}

// get reads name; has says it was sent (and parsed).
func (ip *intParams) get(name string) (n int64, has bool) {
	v := ip.p.get(name)
	if v == "" || ip.err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		ip.err = errBody(400, -1100, fmt.Sprintf("Illegal characters found in parameter '%s'.", name))
		return 0, false
	}
	return n, true
}

func (s *Server) handleAllOrders(p params) response {
	h, e := s.readHistory(&intParams{p: p}, "orderId")
	if e != nil {
		return errorResponse(e)
	}
	var match []*order
	for _, o := range s.orders {
		if h.holds(o.sym, o.id, o.created) {
			match = append(match, o)
		}
	}
	out := []map[string]any{}
	for _, o := range cut(h, match) {
		out = append(out, o.queryJSON())
	}
	return jsonResponse(out)
}

// tradeRec is one execution, as /api/v3/myTrades reports it.
type tradeRec struct {
	sym                    *symbol
	id                     int64
	order                  *order
	price, qty, commission decimal.Decimal
	commissionAsset        string
	time                   int64
	maker                  bool
}

func (s *Server) handleMyTrades(p params) response {
	ip := &intParams{p: p}
	orderID, hasOrder := ip.get("orderId")
	h, e := s.readHistory(ip, "fromId")
	if e == nil {
		e = checkTradeWindow(h, hasOrder)
	}
	if e != nil {
		return errorResponse(e)
	}
	var match []*tradeRec
	for _, t := range s.trades {
		if h.holds(t.sym, t.id, t.time) && (!hasOrder || t.order.id == orderID) {
			match = append(match, t)
		}
	}
	out := []map[string]any{}
	for _, t := range cut(h, match) {
		out = append(out, map[string]any{
			"symbol": h.sym.spec.Symbol, "id": t.id, "orderId": t.order.id, "orderListId": t.order.listIDOf(),
			"price": fx(t.price), "qty": fx(t.qty), "quoteQty": fx(t.price.Mul(t.qty)),
			"commission": fx(t.commission), "commissionAsset": t.commissionAsset, "time": t.time,
			"isBuyer": t.order.side == "BUY", "isMaker": t.maker, "isBestMatch": true,
		})
	}
	return jsonResponse(out)
}
