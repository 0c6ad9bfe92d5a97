package fakecoinbase

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// orderSpec is a decoded order_configuration.
type orderSpec struct {
	kind                            string // the configuration key
	baseSize, limitPrice, stopPrice decimal.Decimal
	quoteSize                       decimal.Decimal // market_market_ioc sized in the quote currency
	stopDir                         string
	endTime                         time.Time
	postOnly                        bool
}

func (sp orderSpec) isLimit() bool { return sp.kind != "market_market_ioc" }
func (sp orderSpec) isStop() bool  { return strings.HasPrefix(sp.kind, "stop_limit_") }

// isBracket is a trigger bracket: a limit at limit_price and a stop at
// stop_trigger_price on one order, the stop placing a stop-limit about 5%
// beyond the trigger when it fires.
func (sp orderSpec) isBracket() bool { return strings.HasPrefix(sp.kind, "trigger_bracket_") }
func (sp orderSpec) immediate() bool {
	return sp.kind == "sor_limit_ioc" || sp.kind == "limit_limit_fok" || sp.kind == "market_market_ioc"
}
func (sp orderSpec) hasEnd() bool { return strings.HasSuffix(sp.kind, "_gtd") }

type order struct {
	id, clientID string
	p            *product
	side         string
	spec         orderSpec
	rawConfig    json.RawMessage
	status       string
	filled       decimal.Decimal
	filledValue  decimal.Decimal
	fees         decimal.Decimal
	created      time.Time
	lastFill     time.Time
	hold         fakevenue.Hold // what a resting order holds
	triggered    bool
	// An entry's attached trigger bracket (attached.go): asked for, its
	// order id reserved at create, placed once the entry fills.
	attached       *attachedSpec
	attachedRaw    json.RawMessage
	attachedID     string
	attachedPlaced bool
	originatingID  string // on the bracket: its entry
	// pending is an entry's bracket created with it (WithAttachedAtCreate);
	// waiting is set on that bracket until the entry fills.
	pending *order
	waiting bool
}

func (o *order) working() bool {
	return o.status == "OPEN" || o.status == "PENDING" || o.status == "QUEUED"
}

// failure is a business refusal: the create answer's reason and the
// preview's.
type failure struct {
	code, preview, message string
	newOrder               bool // the reason is a new_order_failure_reason
}

var errInsufficient = &failure{code: "INSUFFICIENT_FUND", preview: "PREVIEW_INSUFFICIENT_FUND", message: "Insufficient balance in source account"}

// configFields is every field an order_configuration variant may carry;
// which are required and allowed depends on the variant.
type configFields struct {
	QuoteSize     *string `json:"quote_size"`
	BaseSize      *string `json:"base_size"`
	LimitPrice    *string `json:"limit_price"`
	StopPrice     *string `json:"stop_price"`
	StopDirection *string `json:"stop_direction"`
	StopTrigger   *string `json:"stop_trigger_price"`
	EndTime       *string `json:"end_time"`
	PostOnly      *bool   `json:"post_only"`
}

// variantFields lists the fields each supported variant requires (r) and
// allows (a).
var variantFields = map[string]struct{ required, allowed []string }{
	"market_market_ioc":         {nil, []string{"base_size", "quote_size"}}, // exactly one: see marketSize
	"limit_limit_gtc":           {[]string{"base_size", "limit_price"}, []string{"post_only"}},
	"limit_limit_gtd":           {[]string{"base_size", "limit_price", "end_time"}, []string{"post_only"}},
	"limit_limit_fok":           {[]string{"base_size", "limit_price"}, nil},
	"sor_limit_ioc":             {[]string{"base_size", "limit_price"}, nil},
	"stop_limit_stop_limit_gtc": {[]string{"base_size", "limit_price", "stop_price", "stop_direction"}, nil},
	"stop_limit_stop_limit_gtd": {[]string{"base_size", "limit_price", "stop_price", "stop_direction", "end_time"}, nil},
	"trigger_bracket_gtc":       {[]string{"base_size", "limit_price", "stop_trigger_price"}, nil},
	"trigger_bracket_gtd":       {[]string{"base_size", "limit_price", "stop_trigger_price", "end_time"}, nil},
}

func decimalText(s string) bool {
	if s == "" || s == "." || strings.Count(s, ".") > 1 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

func strictDecode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// parseConfig decodes order_configuration, refusing at the gateway what
// is malformed (400) and with a failure what is not supported.
func parseConfig(cfg map[string]json.RawMessage) (orderSpec, *response, *failure) {
	if len(cfg) != 1 {
		r := invalidArgument("order_configuration must set exactly one variant")
		return orderSpec{}, &r, nil
	}
	var sp orderSpec
	var raw json.RawMessage
	for k, v := range cfg {
		sp.kind, raw = k, v
	}
	rules, known := variantFields[sp.kind]
	if !known {
		return sp, nil, &failure{code: "UNSUPPORTED_ORDER_CONFIGURATION", preview: "PREVIEW_INVALID_ORDER_CONFIG", newOrder: true,
			message: "the fake venue does not support " + sp.kind}
	}
	var f configFields
	if err := strictDecode(raw, &f); err != nil {
		r := invalidArgument(sp.kind + ": " + err.Error())
		return sp, &r, nil
	}
	present := map[string]bool{
		"quote_size": f.QuoteSize != nil, "base_size": f.BaseSize != nil, "limit_price": f.LimitPrice != nil,
		"stop_price": f.StopPrice != nil, "stop_direction": f.StopDirection != nil, "end_time": f.EndTime != nil, "post_only": f.PostOnly != nil,
		"stop_trigger_price": f.StopTrigger != nil,
	}
	for name, has := range present {
		req, allowed := slices.Contains(rules.required, name), slices.Contains(rules.allowed, name)
		if req && !has {
			r := invalidArgument(sp.kind + "." + name + " is required")
			return sp, &r, nil
		}
		if has && !req && !allowed {
			r := invalidArgument(sp.kind + "." + name + " is not allowed")
			return sp, &r, nil
		}
	}
	for _, d := range []struct {
		src *string
		dst *decimal.Decimal
		n   string
	}{{f.BaseSize, &sp.baseSize, "base_size"}, {f.QuoteSize, &sp.quoteSize, "quote_size"}, {f.LimitPrice, &sp.limitPrice, "limit_price"}, {f.StopPrice, &sp.stopPrice, "stop_price"},
		{f.StopTrigger, &sp.stopPrice, "stop_trigger_price"}} {
		if d.src == nil {
			continue
		}
		if !decimalText(*d.src) {
			r := invalidArgument(sp.kind + "." + d.n + ": invalid decimal " + strconv.Quote(*d.src))
			return sp, &r, nil
		}
		*d.dst = decimal.RequireFromString(*d.src)
	}
	if f.StopDirection != nil {
		sp.stopDir = *f.StopDirection
		if sp.stopDir != "STOP_DIRECTION_STOP_UP" && sp.stopDir != "STOP_DIRECTION_STOP_DOWN" {
			r := invalidArgument("invalid stop_direction " + strconv.Quote(sp.stopDir))
			return sp, &r, nil
		}
	}
	if f.EndTime != nil {
		t, err := time.Parse(time.RFC3339, *f.EndTime)
		if err != nil {
			r := invalidArgument("end_time must be RFC 3339")
			return sp, &r, nil
		}
		sp.endTime = t
	}
	sp.postOnly = f.PostOnly != nil && *f.PostOnly
	if r := marketSize(sp.kind, f); r != nil {
		return sp, r, nil
	}
	return sp, nil, nil
}

func offGrid(v, unit decimal.Decimal) bool { return unit.IsPositive() && !v.Mod(unit).IsZero() }

// check applies Coinbase's order rules to a decoded request, as preview
// and create both do. It returns the order to execute.
// checkConfig reads an order configuration and checks the order it
// describes, as create and preview both do: bad is a malformed request,
// fail an order the venue refuses.
func (s *Server) checkConfig(productID, side string, cfg map[string]json.RawMessage) (sp orderSpec, o *order, bad *response, fail *failure) {
	sp, bad, fail = parseConfig(cfg)
	if bad != nil || fail != nil {
		return sp, nil, bad, fail
	}
	o, fail = s.check(productID, side, sp)
	return sp, o, nil, fail
}

func (s *Server) check(productID, side string, sp orderSpec) (*order, *failure) {
	p, found := s.products.Get(productID)
	if !found {
		return nil, &failure{code: "INVALID_PRODUCT_ID", preview: "PREVIEW_INVALID_PRODUCT_ID", newOrder: true, message: "Invalid product_id"}
	}
	if side != "BUY" && side != "SELL" {
		return nil, &failure{code: "INVALID_SIDE", preview: "PREVIEW_INVALID_SIDE", newOrder: true, message: "Invalid side"}
	}
	touch := p.ask
	if side == "SELL" {
		touch = p.bid
	}
	if sp.quoteSize.IsPositive() {
		sp.baseSize = baseForQuote(sp.quoteSize, touch, p.baseInc)
	}
	o := &order{p: p, side: side, spec: sp}
	switch {
	case p.spec.TradingDisabled:
		return nil, &failure{code: "ORDER_ENTRY_DISABLED", preview: "PREVIEW_INVALID_ORDER_CONFIG", newOrder: true, message: "Trading is disabled for this product"}
	case offGrid(sp.baseSize, p.baseInc):
		return nil, &failure{code: "INVALID_SIZE_PRECISION", preview: "PREVIEW_INVALID_SIZE_PRECISION", newOrder: true, message: "Invalid order size precision"}
	case sp.isLimit() && offGrid(sp.limitPrice, p.priceInc), (sp.isStop() || sp.isBracket()) && offGrid(sp.stopPrice, p.priceInc):
		return nil, &failure{code: "INVALID_PRICE_PRECISION", preview: "PREVIEW_INVALID_PRICE_PRECISION", newOrder: true, message: "Invalid price precision"}
	case !sp.baseSize.IsPositive() || sp.baseSize.LessThan(p.baseMin):
		return nil, &failure{code: "INVALID_BASE_SIZE_TOO_SMALL", preview: "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL", message: "Order size is too small. Minimum size is " + p.spec.BaseMinSize}
	case p.baseMax.IsPositive() && sp.baseSize.GreaterThan(p.baseMax):
		return nil, &failure{code: "INVALID_BASE_SIZE_TOO_LARGE", preview: "PREVIEW_INVALID_BASE_SIZE_TOO_LARGE", message: "Order size is too large. Maximum size is " + p.spec.BaseMaxSize}
	case sp.isLimit() && !sp.limitPrice.IsPositive():
		return nil, &failure{code: "INVALID_LIMIT_PRICE", preview: "PREVIEW_INVALID_LIMIT_PRICE", newOrder: true, message: "Invalid limit price"}
	}
	value := touch
	if sp.isLimit() {
		value = sp.limitPrice
	}
	if p.quoteMin.IsPositive() && sp.baseSize.Mul(value).LessThan(p.quoteMin) {
		return nil, &failure{code: "INVALID_QUOTE_SIZE_TOO_SMALL", preview: "PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL", message: "Order value is too small. Minimum is " + p.spec.QuoteMinSize + " " + p.quote}
	}
	if sp.hasEnd() && !sp.endTime.After(s.now()) {
		return nil, &failure{code: "INVALID_END_TIME", preview: "PREVIEW_INVALID_END_TIME", message: "end_time must be in the future"}
	}
	if sp.isStop() {
		up := sp.stopDir == "STOP_DIRECTION_STOP_UP"
		if (up && !sp.stopPrice.GreaterThan(p.last)) || (!up && !sp.stopPrice.LessThan(p.last)) {
			return nil, &failure{code: "INVALID_STOP_PRICE", preview: "PREVIEW_INVALID_STOP_PRICE", message: "Stop price would trigger immediately"}
		}
	}
	if sp.isBracket() {
		// A sell bracket's stop guards against a fall, a buy's against a
		// rise: a trigger the last price has already passed would fire at
		// once, and the stop must be on the far side of the limit.
		sell := side == "SELL"
		if (sell && !sp.stopPrice.LessThan(p.last)) || (!sell && !sp.stopPrice.GreaterThan(p.last)) {
			return nil, &failure{code: "INVALID_STOP_PRICE", preview: "PREVIEW_INVALID_STOP_PRICE", message: "Stop trigger price would trigger immediately"}
		}
		if (sell && !sp.stopPrice.LessThan(sp.limitPrice)) || (!sell && !sp.stopPrice.GreaterThan(sp.limitPrice)) {
			return nil, &failure{code: "INVALID_LIMIT_PRICE", preview: "PREVIEW_INVALID_LIMIT_PRICE", newOrder: true, message: "Invalid limit price for the stop trigger price"}
		}
	}
	marketable := sp.kind == "market_market_ioc" || (!sp.isStop() &&
		((side == "BUY" && !sp.limitPrice.LessThan(p.ask)) || (side == "SELL" && !sp.limitPrice.GreaterThan(p.bid))))
	if marketable && sp.postOnly {
		return nil, &failure{code: "INVALID_LIMIT_PRICE_POST_ONLY", preview: "PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY", newOrder: true, message: "Post-only order would cross the book"}
	}
	if !s.canPayLocked(o) {
		return nil, errInsufficient
	}
	return o, nil
}

// cost is what a buy holds (limit price, or the ask for a market order,
// plus the taker fee) or a sell delivers (its size).
func (s *Server) cost(o *order) (asset string, amount decimal.Decimal) {
	if o.side == "SELL" {
		return o.p.base, o.spec.baseSize
	}
	price := o.p.ask
	if o.spec.isLimit() {
		price = o.spec.limitPrice
	}
	return o.p.quote, price.Mul(o.spec.baseSize).Mul(decimal.NewFromInt(1).Add(s.takerFee))
}

func (s *Server) canPayLocked(o *order) bool {
	asset, amount := s.cost(o)
	return !s.acct(asset).Free.LessThan(amount)
}

// executeLocked places a checked order on the one-level book: marketable
// orders fill in full at the touch, immediate ones that cannot fill
// expire, the others rest with their funds held.
func (s *Server) executeLocked(o *order) {
	now := s.now()
	o.created, o.status = now, "OPEN"
	p := o.p
	touch := p.ask
	if o.side == "SELL" {
		touch = p.bid
	}
	marketable := o.spec.kind == "market_market_ioc" || (!o.spec.isStop() &&
		((o.side == "BUY" && !o.spec.limitPrice.LessThan(p.ask)) || (o.side == "SELL" && !o.spec.limitPrice.GreaterThan(p.bid))))
	switch {
	case marketable:
		s.fillLocked(o, touch, false)
	case o.spec.immediate():
		o.status = "EXPIRED"
	default:
		asset, amount := s.cost(o)
		o.hold = s.acct(asset).Hold(amount)
	}
}

func (s *Server) releaseLocked(o *order) { o.hold.Release() }

// fillLocked fills the rest of o at price and settles balances; fees are
// charged in the quote currency.
func (s *Server) fillLocked(o *order, price decimal.Decimal, maker bool) {
	s.releaseLocked(o)
	p := o.p
	qty := o.spec.baseSize.Sub(o.filled)
	notional := price.Mul(qty)
	rate := s.takerFee
	if maker {
		rate = s.makerFee
	}
	fee := notional.Mul(rate)
	base, quote := s.acct(p.base), s.acct(p.quote)
	if o.side == "BUY" {
		quote.Free = quote.Free.Sub(notional.Add(fee))
		base.Free = base.Free.Add(qty)
	} else {
		base.Free = base.Free.Sub(qty)
		quote.Free = quote.Free.Add(notional.Sub(fee))
	}
	now := s.now()
	s.recordFillLocked(o, qty, price, fee, maker, now)
	o.filled, o.filledValue, o.fees = o.filled.Add(qty), o.filledValue.Add(notional), o.fees.Add(fee)
	o.status, o.lastFill = "FILLED", now
	p.last, p.lastTime = price, now
	p.tradeSeq++
	s.placeAttachedLocked(o)
}

// matchLocked triggers stops and fills resting orders the book crosses.
func (s *Server) matchLocked(p *product) {
	for _, o := range s.orders {
		if o.p != p || !o.working() || o.waiting {
			continue
		}
		if o.spec.isBracket() {
			s.matchBracketLocked(o)
			continue
		}
		if o.spec.isStop() && !o.triggered {
			up := o.spec.stopDir == "STOP_DIRECTION_STOP_UP"
			if (up && !p.last.LessThan(o.spec.stopPrice)) || (!up && !p.last.GreaterThan(o.spec.stopPrice)) {
				o.triggered = true
			} else {
				continue
			}
		}
		if (o.side == "BUY" && !o.spec.limitPrice.LessThan(p.ask)) || (o.side == "SELL" && !o.spec.limitPrice.GreaterThan(p.bid)) {
			s.fillLocked(o, o.spec.limitPrice, true)
		}
	}
}

// bracketSlippage is how far beyond its trigger a bracket's stop-limit
// rests: "a limit price 5% higher for BUYS and 5% lower for SELLS".
var bracketSlippage = decimal.RequireFromString("0.05")

// matchBracketLocked runs a trigger bracket: its limit fills when the
// book reaches limit_price; once the last price reaches the trigger, its
// stop is a stop-limit 5% beyond the trigger, which fills at the touch
// while the touch is within that limit.
func (s *Server) matchBracketLocked(o *order) {
	p := o.p
	sell := o.side == "SELL"
	if !o.triggered && ((sell && !p.last.GreaterThan(o.spec.stopPrice)) || (!sell && !p.last.LessThan(o.spec.stopPrice))) {
		o.triggered = true
	}
	if !o.triggered {
		if (!sell && !o.spec.limitPrice.LessThan(p.ask)) || (sell && !o.spec.limitPrice.GreaterThan(p.bid)) {
			s.fillLocked(o, o.spec.limitPrice, true)
		}
		return
	}
	if sell {
		if limit := o.spec.stopPrice.Mul(decimal.NewFromInt(1).Sub(bracketSlippage)); !p.bid.LessThan(limit) {
			s.fillLocked(o, p.bid, false)
		}
		return
	}
	if limit := o.spec.stopPrice.Mul(decimal.NewFromInt(1).Add(bracketSlippage)); !p.ask.GreaterThan(limit) {
		s.fillLocked(o, p.ask, false)
	}
}

// expireLocked ends good-till-date orders whose end time has passed.
func (s *Server) expireLocked() {
	now := s.now()
	for _, o := range s.orders {
		if o.working() && o.spec.hasEnd() && !now.Before(o.spec.endTime) {
			s.releaseLocked(o)
			o.status = "EXPIRED"
		}
	}
}

func (f *failure) errorResponse() map[string]any {
	er := map[string]any{"error": f.code, "message": f.message, "error_details": "", "preview_failure_reason": f.preview}
	if f.newOrder {
		er["new_order_failure_reason"] = f.code
	}
	return er
}

type createBody struct {
	ClientOrderID         string                     `json:"client_order_id"`
	ProductID             string                     `json:"product_id"`
	Side                  string                     `json:"side"`
	OrderConfiguration    map[string]json.RawMessage `json:"order_configuration"`
	AttachedOrderConfig   map[string]json.RawMessage `json:"attached_order_configuration"`
	SelfTradePreventionID string                     `json:"self_trade_prevention_id"`
	RetailPortfolioID     string                     `json:"retail_portfolio_id"`
	PreviewID             string                     `json:"preview_id"`
}

func (s *Server) handleCreate(_ *http.Request, body []byte) response {
	var b createBody
	if err := strictDecode(body, &b); err != nil {
		return invalidArgument("invalid request body: " + err.Error())
	}
	if b.ClientOrderID == "" {
		return invalidArgument("client_order_id is required")
	}
	raw, _ := json.Marshal(b.OrderConfiguration)
	// Coinbase: "If the ID provided is not unique, the order will not be
	// created and the order corresponding with that ID will be returned
	// instead."
	if prev, dup := s.byClientID[b.ClientOrderID]; dup {
		return ok(map[string]any{"success": true, "success_response": map[string]any{"order_id": prev.id, "product_id": prev.p.spec.ID,
			"side": prev.side, "client_order_id": prev.clientID, "attached_order_id": prev.attachedID}, "order_configuration": prev.rawConfig})
	}
	attached, bad := parseAttached(b.AttachedOrderConfig)
	if bad != nil {
		return *bad
	}
	_, o, bad, fail := s.checkConfig(b.ProductID, b.Side, b.OrderConfiguration)
	if bad != nil {
		return *bad
	}
	if fail == nil {
		fail = checkAttached(o, attached)
	}
	if fail != nil {
		return ok(map[string]any{"success": false, "error_response": fail.errorResponse(), "order_configuration": json.RawMessage(raw)})
	}
	o.id, o.clientID, o.rawConfig = fakevenue.NewUUID(), b.ClientOrderID, raw
	if attached != nil {
		o.attached, o.attachedID = attached, fakevenue.NewUUID()
		o.attachedRaw, _ = json.Marshal(b.AttachedOrderConfig)
	}
	s.executeLocked(o)
	s.orders = append(s.orders, o)
	s.byClientID[o.clientID] = o
	s.created.Add(1)
	if attached != nil && s.attachAtCreate && !o.attachedPlaced {
		s.createAttachedLocked(o)
	}
	return ok(map[string]any{"success": true, "success_response": map[string]any{"order_id": o.id, "product_id": o.p.spec.ID,
		"side": o.side, "client_order_id": o.clientID, "attached_order_id": o.attachedID}, "order_configuration": json.RawMessage(raw)})
}

type previewBody struct {
	ProductID          string                     `json:"product_id"`
	Side               string                     `json:"side"`
	OrderConfiguration map[string]json.RawMessage `json:"order_configuration"`
	// Preview takes Create Order's body, attached order included.
	AttachedOrderConfig map[string]json.RawMessage `json:"attached_order_configuration"`
	RetailPortfolioID   string                     `json:"retail_portfolio_id"`
}

func (s *Server) handlePreview(_ *http.Request, body []byte) response {
	var b previewBody
	if err := strictDecode(body, &b); err != nil {
		return invalidArgument("invalid request body: " + err.Error())
	}
	attached, bad := parseAttached(b.AttachedOrderConfig)
	if bad != nil {
		return *bad
	}
	sp, o, bad, fail := s.checkConfig(b.ProductID, b.Side, b.OrderConfiguration)
	if bad != nil {
		return *bad
	}
	if fail == nil {
		fail = checkAttached(o, attached)
	}
	errs := []string{}
	total, commission := decimal.Zero, decimal.Zero
	bid, ask := "", ""
	if p, found := s.products.Get(b.ProductID); found {
		bid, ask = fx(p.bid), fx(p.ask)
	}
	if fail != nil {
		errs = append(errs, fail.preview)
	} else {
		_, amount := s.cost(o)
		if o.side == "BUY" {
			total = amount
			commission = amount.Sub(amount.Div(decimal.NewFromInt(1).Add(s.takerFee)))
		}
	}
	return ok(map[string]any{"order_total": fx(total), "commission_total": fx(commission), "errs": errs, "warning": []string{},
		"quote_size": "", "base_size": fx(sp.baseSize), "best_bid": bid, "best_ask": ask, "is_max": false, "preview_id": fakevenue.NewUUID(), "slippage": "0"})
}

var timeInForce = map[string]string{
	"market_market_ioc":         "IMMEDIATE_OR_CANCEL",
	"sor_limit_ioc":             "IMMEDIATE_OR_CANCEL",
	"limit_limit_gtc":           "GOOD_UNTIL_CANCELLED",
	"limit_limit_gtd":           "GOOD_UNTIL_DATE_TIME",
	"limit_limit_fok":           "FILL_OR_KILL",
	"stop_limit_stop_limit_gtc": "GOOD_UNTIL_CANCELLED",
	"stop_limit_stop_limit_gtd": "GOOD_UNTIL_DATE_TIME",
	"trigger_bracket_gtc":       "GOOD_UNTIL_CANCELLED",
	"trigger_bracket_gtd":       "GOOD_UNTIL_DATE_TIME",
}

func (o *order) json() map[string]any {
	typ, trigger := "LIMIT", "INVALID_ORDER_TYPE"
	switch {
	case o.spec.kind == "market_market_ioc":
		typ = "MARKET"
	case o.spec.isStop(), o.spec.isBracket():
		typ, trigger = "STOP_LIMIT", "STOP_PENDING"
		if o.spec.isBracket() {
			typ = "BRACKET"
		}
		if o.triggered {
			trigger = "STOP_TRIGGERED"
		}
	}
	avg, pct := decimal.Zero, decimal.Zero
	if o.filled.IsPositive() {
		avg = o.filledValue.Div(o.filled)
		pct = o.filled.Div(o.spec.baseSize).Mul(decimal.NewFromInt(100))
	}
	var lastFill any
	fills := "0"
	if !o.lastFill.IsZero() {
		lastFill, fills = o.lastFill.Format(time.RFC3339Nano), "1"
	}
	return map[string]any{
		"order_id": o.id, "product_id": o.p.spec.ID, "user_id": "fake-user", "order_configuration": o.rawConfig,
		"side": o.side, "client_order_id": o.clientID, "status": o.status, "time_in_force": timeInForce[o.spec.kind],
		"created_time": o.created.Format(time.RFC3339Nano), "completion_percentage": fx(pct), "filled_size": fx(o.filled),
		"average_filled_price": fx(avg), "fee": "", "number_of_fills": fills,
		"filled_value": fx(o.filledValue), "pending_cancel": false, "size_in_quote": o.spec.quoteSize.IsPositive(), "total_fees": fx(o.fees),
		"size_inclusive_of_fees": false, "total_value_after_fees": fx(o.filledValue.Add(o.fees)), "trigger_status": trigger,
		"order_type": typ, "reject_reason": "REJECT_REASON_UNSPECIFIED", "settled": o.status == "FILLED", "product_type": "SPOT",
		"reject_message": "", "cancel_message": "", "order_placement_source": "RETAIL_ADVANCED",
		"outstanding_hold_amount": fx(o.hold.Amount), "is_liquidation": false, "last_fill_time": lastFill, "edit_history": []any{},
		"leverage": "", "margin_type": "UNKNOWN_MARGIN_TYPE", "retail_portfolio_id": "default",
		"attached_order_id": o.attachedID, "originating_order_id": o.originatingID, "attached_order_configuration": o.attachedJSON(),
	}
}

// attachedJSON is an entry's attached_order_configuration as it was
// sent, null on other orders.
func (o *order) attachedJSON() any {
	if o.attachedRaw == nil {
		return nil
	}
	return o.attachedRaw
}

func (s *Server) handleGetOrder(r *http.Request, _ []byte) response {
	id := strings.TrimPrefix(r.URL.Path, Prefix+"/orders/historical/")
	for _, o := range s.orders {
		if o.id == id {
			return ok(map[string]any{"order": o.json()})
		}
	}
	return notFound("order with this orderID was not found")
}

var orderStatuses = []string{"PENDING", "OPEN", "FILLED", "CANCELLED", "EXPIRED", "FAILED", "UNKNOWN_ORDER_STATUS", "QUEUED", "CANCEL_QUEUED", "EDIT_QUEUED"}

func (s *Server) handleListOrders(r *http.Request, _ []byte) response {
	q := r.URL.Query()
	if resp, ok := checkQuery(q, "order_ids", "product_ids", "product_type", "order_status", "time_in_forces", "order_types",
		"order_side", "start_date", "end_date", "order_placement_source", "contract_expiry_type", "asset_filters",
		"retail_portfolio_id", "limit", "cursor", "sort_by", "user_native_currency", "use_simplified_total_value_calculation"); !ok {
		return resp
	}
	statuses := q["order_status"]
	for _, st := range statuses {
		if !slices.Contains(orderStatuses, st) {
			return invalidArgument("invalid order_status " + strconv.Quote(st))
		}
	}
	if slices.Contains(statuses, "OPEN") && len(statuses) > 1 {
		return invalidArgument("OPEN is not allowed with other order statuses")
	}
	var start time.Time
	if v := q.Get("start_date"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return invalidArgument("start_date must be RFC 3339")
		}
		start = t
	}
	products, ids := q["product_ids"], q["order_ids"]
	var matched []*order
	for i := len(s.orders) - 1; i >= 0; i-- { // newest first
		o := s.orders[i]
		switch {
		case len(products) > 0 && !slices.Contains(products, o.p.spec.ID),
			len(ids) > 0 && !slices.Contains(ids, o.id),
			!start.IsZero() && o.created.Before(start),
			len(statuses) > 0 && !slices.Contains(statuses, o.status):
			continue
		}
		matched = append(matched, o)
	}
	from, to, next, resp, good := page(q, len(matched), 100, min(1000, s.pageMax))
	if !good {
		return resp
	}
	out := []any{}
	for _, o := range matched[from:to] {
		out = append(out, o.json())
	}
	return ok(map[string]any{"orders": out, "sequence": "0", "has_next": next != "", "cursor": next})
}

func (s *Server) handleBatchCancel(_ *http.Request, body []byte) response {
	var b struct {
		OrderIDs []string `json:"order_ids"`
	}
	if err := strictDecode(body, &b); err != nil {
		return invalidArgument("invalid request body: " + err.Error())
	}
	if len(b.OrderIDs) == 0 {
		return invalidArgument("order_ids is required")
	}
	if len(b.OrderIDs) > 100 {
		return invalidArgument("at most 100 order_ids per request")
	}
	results := []any{}
	for _, id := range b.OrderIDs {
		var target *order
		for _, o := range s.orders {
			if o.id == id {
				target = o
				break
			}
		}
		// Finished orders are as unknown to the cancel path as missing ones.
		if target == nil || !target.working() {
			results = append(results, map[string]any{"success": false, "failure_reason": "UNKNOWN_CANCEL_ORDER", "order_id": id})
			continue
		}
		s.releaseLocked(target)
		target.status = "CANCELLED"
		results = append(results, map[string]any{"success": true, "failure_reason": "UNKNOWN_CANCEL_FAILURE_REASON", "order_id": id})
	}
	return ok(map[string]any{"results": results})
}
