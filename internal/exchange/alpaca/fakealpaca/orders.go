package fakealpaca

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

type order struct {
	id, clientID     string
	asset            *asset
	side, typ, tif   string
	qty              decimal.Decimal
	notional         decimal.NullDecimal // a notional order's dollar amount
	limit, stop      decimal.NullDecimal
	trail            trail // a trailing stop's trail and high-water mark
	filled, avgPrice decimal.Decimal
	status           string
	extendedHours    bool
	triggered        bool            // a stop order whose stop price was reached
	reserved         decimal.Decimal // buying power held (buys)
	created, updated time.Time
	filledAt         time.Time
	canceledAt       time.Time
	class            string   // order_class: "", bracket or oco (linked.go)
	legs             []*order // a bracket's or an OCO's other orders
	parent           *order   // a leg's parent order
	// replaces and replacedBy link an order replaced through
	// PATCH /v2/orders/{id} and its replacement (replace.go).
	replaces, replacedBy string
}

func (o *order) working() bool {
	switch o.status {
	case "pending_new", "new", "accepted", "partially_filled":
		return true
	}
	return false
}

// OrderInfo is an order as a test sees it.
type OrderInfo struct {
	ID, ClientID, Symbol, Side, Type, TimeInForce, Status string
	Qty, FilledQty                                        decimal.Decimal
	ExtendedHours                                         bool
}

// Orders returns every order, oldest first.
func (s *Server) Orders() []OrderInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]OrderInfo, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, OrderInfo{ID: o.id, ClientID: o.clientID, Symbol: o.asset.spec.Symbol, Side: o.side, Type: o.typ,
			TimeInForce: o.tif, Status: o.status, Qty: o.qty, FilledQty: o.filled, ExtendedHours: o.extendedHours})
	}
	return out
}

func nullable(d decimal.NullDecimal) any {
	if !d.Valid {
		return nil
	}
	return d.Decimal.String()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func stampOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return stamp(t)
}

// wire is the order object ([AL-docs] entities/order-v2.yaml).
func (o *order) wire() map[string]any {
	var avg any
	if o.filled.IsPositive() {
		avg = o.avgPrice.String()
	}
	return map[string]any{
		"id": o.id, "client_order_id": o.clientID, "created_at": stamp(o.created), "updated_at": stamp(o.updated),
		"submitted_at": stamp(o.created), "filled_at": stampOrNil(o.filledAt), "expired_at": nil,
		"canceled_at": stampOrNil(o.canceledAt), "failed_at": nil, "replaced_at": nil, "replaced_by": nullString(o.replacedBy), "replaces": nullString(o.replaces),
		"asset_id": o.asset.id, "symbol": o.asset.spec.Symbol, "asset_class": o.asset.spec.Class, "notional": nullable(o.notional),
		"qty": o.qtyWire(), "filled_qty": o.filled.String(), "filled_avg_price": avg, "order_class": o.class,
		"order_type": o.typ, "type": o.typ, "side": o.side, "time_in_force": o.tif,
		"limit_price": nullable(o.limit), "stop_price": nullable(o.stop), "status": o.status,
		"extended_hours": o.extendedHours, "legs": o.legsWire(), "trail_percent": nullable(o.trail.pct), "trail_price": nullable(o.trail.price), "hwm": nullable(o.trail.hwm),
		"position_intent": map[string]string{"buy": "buy_to_open", "sell": "sell_to_close"}[o.side],
	}
}

// newOrderBody is POST /v2/orders as Alpaca documents it. Numbers may be
// strings or numbers; unknown fields are refused so an adapter sending
// something Alpaca does not know is caught here.
type newOrderBody struct {
	Symbol        string          `json:"symbol"`
	Qty           json.RawMessage `json:"qty"`
	Notional      json.RawMessage `json:"notional"`
	Side          string          `json:"side"`
	Type          string          `json:"type"`
	TimeInForce   string          `json:"time_in_force"`
	LimitPrice    json.RawMessage `json:"limit_price"`
	StopPrice     json.RawMessage `json:"stop_price"`
	TrailPercent  json.RawMessage `json:"trail_percent"`
	TrailPrice    json.RawMessage `json:"trail_price"`
	ExtendedHours bool            `json:"extended_hours"`
	ClientOrderID string          `json:"client_order_id"`
	OrderClass    string          `json:"order_class"`
	TakeProfit    *takeProfitBody `json:"take_profit"`
	StopLoss      *stopLossBody   `json:"stop_loss"`
}

var plainDecimal = regexp.MustCompile(`^[0-9]{1,20}(\.[0-9]{1,20})?$`)

// numberField reads a string or number field; absent or null is unset.
func numberField(name string, raw json.RawMessage) (decimal.NullDecimal, *apiError) {
	t := strings.TrimSpace(string(raw))
	if t == "" || t == "null" {
		return decimal.NullDecimal{}, nil
	}
	t = strings.Trim(t, `"`)
	if !plainDecimal.MatchString(t) {
		return decimal.NullDecimal{}, unprocessable("invalid %s %s", name, t)
	}
	return decimal.NewNullDecimal(decimal.RequireFromString(t)), nil
}

func multipleOf(v, unit decimal.Decimal) bool { return !unit.IsPositive() || v.Mod(unit).IsZero() }

// parseOrder validates a new order the way Alpaca does before accepting it.
func (s *Server) parseOrder(body []byte) (*order, *apiError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var b newOrderBody
	if err := dec.Decode(&b); err != nil {
		return nil, errBody(http.StatusBadRequest, 40010000, "request body format is invalid: %v", err)
	}
	if b.Symbol == "" {
		return nil, unprocessable("symbol is required")
	}
	a, ok := s.assets.Get(b.Symbol)
	if !ok {
		return nil, unprocessable("asset %q not found", b.Symbol)
	}
	if !a.spec.Tradable {
		return nil, unprocessable("asset %s is not tradable", b.Symbol)
	}
	o := &order{asset: a, side: b.Side, typ: b.Type, tif: b.TimeInForce, clientID: b.ClientOrderID, extendedHours: b.ExtendedHours}
	switch o.side {
	case "buy", "sell":
	default:
		return nil, unprocessable("invalid side")
	}
	var needLimit, needStop bool
	switch o.typ {
	case "market":
	case "limit":
		needLimit = true
	case "stop":
		needStop = true
	case "stop_limit":
		needLimit, needStop = true, true
	case "trailing_stop":
	default:
		return nil, unprocessable("invalid order type")
	}
	if a.crypto() && (o.typ == "stop" || o.typ == "trailing_stop") {
		return nil, unprocessable("invalid order type for crypto order")
	}
	switch o.tif {
	case "day", "gtc", "ioc", "fok", "opg", "cls":
	default:
		return nil, unprocessable("invalid time_in_force")
	}
	if a.crypto() && o.tif != "gtc" && o.tif != "ioc" {
		return nil, unprocessable("invalid crypto time_in_force")
	}
	qty, e := numberField("qty", b.Qty)
	if e != nil {
		return nil, e
	}
	if o.notional, e = numberField("notional", b.Notional); e != nil {
		return nil, e
	}
	if o.notional.Valid {
		if qty, e = o.sizeNotional(qty); e != nil {
			return nil, e
		}
	}
	if !qty.Valid || !qty.Decimal.IsPositive() {
		return nil, unprocessable("qty is required and must be > 0")
	}
	o.qty = qty.Decimal
	if o.limit, e = numberField("limit_price", b.LimitPrice); e != nil {
		return nil, e
	}
	if o.stop, e = numberField("stop_price", b.StopPrice); e != nil {
		return nil, e
	}
	if e = o.parseTrail(b); e != nil {
		return nil, e
	}
	switch {
	case needLimit && !o.limit.Valid:
		return nil, unprocessable("limit_price is required")
	case !needLimit && o.limit.Valid:
		return nil, unprocessable("limit_price must not be given for %s orders", o.typ)
	case needStop && !o.stop.Valid:
		return nil, unprocessable("stop_price is required")
	case !needStop && o.stop.Valid:
		return nil, unprocessable("stop_price must not be given for %s orders", o.typ)
	}
	for _, p := range []struct {
		name string
		v    decimal.NullDecimal
	}{{"limit_price", o.limit}, {"stop_price", o.stop}} {
		if !p.v.Valid {
			continue
		}
		if !p.v.Decimal.IsPositive() {
			return nil, unprocessable("%s must be > 0", p.name)
		}
		if a.crypto() {
			if !multipleOf(p.v.Decimal, a.priceInc) {
				return nil, errBody(http.StatusUnprocessableEntity, 42210000, "invalid %s %s. must be a multiple of price increment %s", p.name, p.v.Decimal, a.priceInc)
			}
			continue
		}
		// [AL-docs] orders.md: 2 decimals at or above $1, 4 below.
		places := int32(2)
		if p.v.Decimal.LessThan(decimal.NewFromInt(1)) {
			places = 4
		}
		if !p.v.Decimal.Equal(p.v.Decimal.Truncate(places)) {
			return nil, errBody(http.StatusUnprocessableEntity, 42210000, "invalid %s %s. sub-penny increment does not fulfill minimum pricing criteria", p.name, p.v.Decimal)
		}
	}
	if a.crypto() {
		if o.qty.LessThan(a.minOrder) {
			return nil, unprocessable("qty must be at least the minimum order size %s", a.minOrder)
		}
		if !multipleOf(o.qty, a.minIncr) {
			return nil, unprocessable("qty must be a multiple of %s", a.minIncr)
		}
	} else if !o.qty.Equal(o.qty.Truncate(0)) {
		switch {
		case !a.spec.Fractionable:
			return nil, unprocessable("requested asset is not fractionable")
		case o.tif != "day":
			return nil, unprocessable("fractional orders must be DAY orders")
		case !multipleOf(o.qty, decimal.New(1, -9)):
			return nil, unprocessable("qty must have at most 9 decimals")
		}
	}
	if o.extendedHours && (a.crypto() || o.typ != "limit" || o.tif != "day") {
		return nil, unprocessable("extended hours order must be DAY limit orders")
	}
	if len(o.clientID) > 48 {
		return nil, unprocessable("client_order_id must be no more than 48 characters")
	}
	if e := o.parseLegs(b); e != nil {
		return nil, e
	}
	return o, nil
}

// refPrice is what a buy reserves per unit: its limit, else the higher
// of its stop and the ask.
func (o *order) refPrice() decimal.Decimal {
	if o.limit.Valid {
		return o.limit.Decimal
	}
	if o.stop.Valid {
		return decimal.Max(o.stop.Decimal, o.asset.ask)
	}
	return o.asset.ask
}

func (s *Server) handleNewOrder(_ *http.Request, body []byte, _ string) response {
	o, e := s.parseOrder(body)
	if e != nil {
		return errorResponse(e)
	}
	if o.clientID == "" {
		o.clientID = fakevenue.NewUUID()
	}
	// Alpaca keeps client ids unique across all orders, finished or not.
	if _, dup := s.byClientID[o.clientID]; dup {
		return errorResponse(unprocessable("client_order_id must be unique"))
	}
	if o.side == "buy" {
		cost := o.qty.Mul(o.refPrice())
		if bp := s.buyingPowerLocked(); cost.GreaterThan(bp) {
			return jsonResponse(http.StatusForbidden, map[string]any{"code": 40310000, "message": "insufficient buying power",
				"buying_power": fx(bp), "cost_basis": fx(cost)})
		}
		o.reserved = cost
	} else {
		held := decimal.Zero
		if p, ok := s.positions[o.asset.spec.Symbol]; ok {
			held = p.qty
		}
		avail := held.Sub(s.heldQtyLocked(o.asset))
		if o.qty.GreaterThan(avail) {
			if o.asset.crypto() {
				base, _, _ := strings.Cut(o.asset.spec.Symbol, "/")
				return errorResponse(errBody(http.StatusForbidden, 40310000, "insufficient balance for %s (requested: %s, available: %s)", base, o.qty, avail))
			}
			return errorResponse(errBody(http.StatusForbidden, 40310000, "insufficient qty available for order (requested: %s, available: %s)", o.qty, avail))
		}
	}
	now := s.now()
	if !now.After(s.lastCreated) {
		// Keep creation times strictly increasing, as listings sort on them.
		now = s.lastCreated.Add(time.Microsecond)
	}
	s.lastCreated = now
	o.id, o.status, o.created, o.updated = fakevenue.NewUUID(), "pending_new", now, now
	s.orders = append(s.orders, o)
	s.byID[o.id] = o
	s.byClientID[o.clientID] = o
	s.placed.Add(1)
	s.addLegsLocked(o)
	return jsonResponse(http.StatusOK, o.wire())
}

// processLocked runs before every request: orders placed by earlier
// requests are accepted, and working orders fill when marketable.
func (s *Server) processLocked() {
	now := s.now()
	for _, o := range s.orders {
		if !o.working() {
			continue
		}
		if o.status == "pending_new" {
			o.status, o.updated = "new", now
		}
		if s.cancelSiblingsBefore(o, now) {
			continue
		}
		s.matchLocked(o, now)
		s.settleLegsLocked(o, now)
	}
}

// matchLocked fills o at the touch when it is marketable. Books have
// unlimited depth at the touch; IOC and FOK orders that cannot fill at
// once are canceled.
func (s *Server) matchLocked(o *order, now time.Time) {
	a := o.asset
	touch := a.ask
	if o.side == "sell" {
		touch = a.bid
	}
	if o.stop.Valid && !o.triggered {
		if (o.side == "buy" && a.ask.GreaterThanOrEqual(o.stop.Decimal)) || (o.side == "sell" && a.bid.LessThanOrEqual(o.stop.Decimal)) {
			o.triggered = true
		}
	}
	marketable := touch.IsPositive()
	switch {
	case o.typ == "trailing_stop":
		marketable = false // rests: the fake does not simulate the trail
	case o.stop.Valid && !o.triggered:
		marketable = false
	case o.limit.Valid && o.side == "buy":
		marketable = marketable && o.limit.Decimal.GreaterThanOrEqual(touch)
	case o.limit.Valid && o.side == "sell":
		marketable = marketable && o.limit.Decimal.LessThanOrEqual(touch)
	}
	if !marketable {
		if (o.tif == "ioc" || o.tif == "fok") && !(o.stop.Valid && !o.triggered) {
			o.status, o.updated, o.canceledAt, o.reserved = "canceled", now, now, decimal.Zero
		}
		return
	}
	qty := o.qty.Sub(o.filled)
	value := qty.Mul(touch)
	s.recordFillLocked(o, qty, touch, now)
	if o.side == "buy" {
		s.cash = s.cash.Sub(value)
		p, ok := s.positions[a.spec.Symbol]
		if !ok {
			p = &position{asset: a}
			s.positions[a.spec.Symbol] = p
		}
		newQty := p.qty.Add(qty)
		p.avg = p.qty.Mul(p.avg).Add(value).DivRound(newQty, 12)
		p.qty = newQty
	} else {
		s.cash = s.cash.Add(value)
		if p, ok := s.positions[a.spec.Symbol]; ok {
			p.qty = p.qty.Sub(qty)
			if !p.qty.IsPositive() {
				delete(s.positions, a.spec.Symbol)
			}
		}
	}
	o.avgPrice = o.filled.Mul(o.avgPrice).Add(value).DivRound(o.qty, 12)
	o.filled = o.qty
	o.status, o.updated, o.filledAt, o.reserved = "filled", now, now, decimal.Zero
}

func (s *Server) handleGetOrder(_ *http.Request, _ []byte, id string) response {
	o, e := s.orderByID(id)
	if e != nil {
		return errorResponse(e)
	}
	return jsonResponse(http.StatusOK, o.wire())
}

// orderByID finds an order by the id in its path; an id that is not a
// UUID is a missing one to Alpaca.
func (s *Server) orderByID(id string) (*order, *apiError) {
	if o, ok := s.byID[id]; ok {
		return o, nil
	}
	if !uuidPattern.MatchString(id) {
		return nil, unprocessable("order_id is missing")
	}
	return nil, errOrderNotFound
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (s *Server) handleOrderByClientID(r *http.Request, _ []byte, _ string) response {
	id := r.URL.Query().Get("client_order_id")
	if id == "" {
		return errorResponse(unprocessable("client_order_id is required"))
	}
	o, ok := s.byClientID[id]
	if !ok {
		return errorResponse(errOrderNotFound)
	}
	return jsonResponse(http.StatusOK, o.wire())
}

func (s *Server) cancelLocked(o *order) {
	now := s.now()
	o.status, o.updated, o.canceledAt, o.reserved = "canceled", now, now, decimal.Zero
}

func (s *Server) handleCancelOrder(_ *http.Request, _ []byte, id string) response {
	o, e := s.orderByID(id)
	if e != nil {
		return errorResponse(e)
	}
	if !o.working() {
		return errorResponse(errBody(http.StatusUnprocessableEntity, 42210000, "order is already in %q state", o.status))
	}
	s.cancelLocked(o)
	s.cancelGroupLocked(o)
	return response{status: http.StatusNoContent}
}

func (s *Server) handleCancelAll(*http.Request, []byte, string) response {
	out := []map[string]any{}
	for _, o := range s.orders {
		if !o.working() {
			continue
		}
		s.cancelLocked(o)
		out = append(out, map[string]any{"id": o.id, "status": http.StatusOK, "body": o.wire()})
	}
	return jsonResponse(http.StatusMultiStatus, out)
}

func (s *Server) handleListOrders(r *http.Request, _ []byte, _ string) response {
	q := r.URL.Query()
	status := q.Get("status")
	if status == "" {
		status = "open"
	}
	if status != "open" && status != "closed" && status != "all" {
		return errorResponse(unprocessable("invalid status"))
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return errorResponse(unprocessable("invalid limit"))
		}
		limit = n
	}
	var after, until time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"after", &after}, {"until", &until}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return errorResponse(unprocessable("invalid %s", p.name))
			}
			*p.dst = t
		}
	}
	direction := q.Get("direction")
	if direction == "" {
		direction = "desc"
	}
	if direction != "asc" && direction != "desc" {
		return errorResponse(unprocessable("invalid direction"))
	}
	symbols := map[string]bool{}
	if v := q.Get("symbols"); v != "" {
		for _, sym := range strings.Split(v, ",") {
			symbols[sym] = true
		}
	}
	var sel []*order
	for _, o := range s.orders {
		switch {
		case status == "open" && !o.working(), status == "closed" && o.working():
			continue
		case len(symbols) > 0 && !symbols[o.asset.spec.Symbol]:
			continue
		case !after.IsZero() && !o.created.After(after), !until.IsZero() && !o.created.Before(until):
			continue
		}
		sel = append(sel, o)
	}
	sort.SliceStable(sel, func(i, j int) bool {
		if direction == "asc" {
			return sel[i].created.Before(sel[j].created)
		}
		return sel[i].created.After(sel[j].created)
	})
	if len(sel) > limit {
		sel = sel[:limit]
	}
	out := make([]map[string]any, 0, len(sel))
	for _, o := range sel {
		out = append(out, o.wire())
	}
	return jsonResponse(http.StatusOK, out)
}
