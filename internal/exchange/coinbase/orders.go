package coinbase

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// configBody is every field an order_configuration variant may carry;
// omitempty leaves each variant with exactly its own fields.
type configBody struct {
	QuoteSize        string `json:"quote_size,omitempty"`
	BaseSize         string `json:"base_size,omitempty"`
	LimitPrice       string `json:"limit_price,omitempty"`
	StopPrice        string `json:"stop_price,omitempty"`
	StopTriggerPrice string `json:"stop_trigger_price,omitempty"`
	StopDirection    string `json:"stop_direction,omitempty"`
	EndTime          string `json:"end_time,omitempty"`
	PostOnly         *bool  `json:"post_only,omitempty"`
}

// orderConfig is Coinbase's order_configuration: exactly one variant set.
type orderConfig struct {
	MarketIOC         *configBody `json:"market_market_ioc,omitempty"`
	SorLimitIOC       *configBody `json:"sor_limit_ioc,omitempty"`
	LimitGTC          *configBody `json:"limit_limit_gtc,omitempty"`
	LimitGTD          *configBody `json:"limit_limit_gtd,omitempty"`
	LimitFOK          *configBody `json:"limit_limit_fok,omitempty"`
	StopLimitGTC      *configBody `json:"stop_limit_stop_limit_gtc,omitempty"`
	StopLimitGTD      *configBody `json:"stop_limit_stop_limit_gtd,omitempty"`
	TriggerBracketGTC *configBody `json:"trigger_bracket_gtc,omitempty"`
	TriggerBracketGTD *configBody `json:"trigger_bracket_gtd,omitempty"`
}

// variant is how one order_configuration key reads in the domain.
type variant struct {
	typ trade.OrderType
	tif trade.TimeInForce
	// bracket is a trigger bracket: a take-profit limit with its stop,
	// tradectl's OCO (see bracketLegs).
	bracket bool
}

// variantOf returns the set variant, its body and its domain reading.
// Trigger brackets read as their take-profit limit, with the stop as a
// leg (bracketLegs); "day" stands for every good-till-date order, since
// tradectl places GTD orders only for day orders (readExpiry tells an
// expiry from a day).
func (c orderConfig) variantOf() (variant, *configBody, bool) {
	for _, v := range []struct {
		body *configBody
		variant
	}{
		{c.MarketIOC, variant{typ: trade.Market, tif: trade.IOC}},
		{c.SorLimitIOC, variant{typ: trade.Limit, tif: trade.IOC}},
		{c.LimitGTC, variant{typ: trade.Limit, tif: trade.GTC}},
		{c.LimitGTD, variant{typ: trade.Limit, tif: trade.Day}},
		{c.LimitFOK, variant{typ: trade.Limit, tif: trade.FOK}},
		{c.StopLimitGTC, variant{typ: trade.StopLimit, tif: trade.GTC}},
		{c.StopLimitGTD, variant{typ: trade.StopLimit, tif: trade.Day}},
		{c.TriggerBracketGTC, variant{typ: trade.Limit, tif: trade.GTC, bracket: true}},
		{c.TriggerBracketGTD, variant{typ: trade.Limit, tif: trade.Day, bracket: true}},
	} {
		if v.body != nil {
			return v.variant, v.body, true
		}
	}
	return variant{}, nil, false
}

// orderWire is an order as GET orders/historical returns it.
type orderWire struct {
	OrderID            string      `json:"order_id"`
	ProductID          string      `json:"product_id"`
	Side               string      `json:"side"`
	ClientOrderID      string      `json:"client_order_id"`
	Status             string      `json:"status"`
	TimeInForce        string      `json:"time_in_force"`
	CreatedTime        string      `json:"created_time"`
	LastFillTime       string      `json:"last_fill_time"`
	FilledSize         string      `json:"filled_size"`
	AverageFilledPrice string      `json:"average_filled_price"`
	TotalFees          string      `json:"total_fees"`
	OrderType          string      `json:"order_type"`
	TriggerStatus      string      `json:"trigger_status"`
	RejectReason       string      `json:"reject_reason"`
	RejectMessage      string      `json:"reject_message"`
	OrderConfiguration orderConfig `json:"order_configuration"`
	// An entry placed with exits names its trigger bracket and what was
	// asked of it; the bracket names its entry (see bracket_attached.go).
	AttachedOrderID            string       `json:"attached_order_id"`
	OriginatingOrderID         string       `json:"originating_order_id"`
	AttachedOrderConfiguration *orderConfig `json:"attached_order_configuration"`
}

// statusFromWire maps Coinbase's order statuses. Queued states are still
// working: a CANCEL_QUEUED order can yet fill.
var statusFromWire = map[string]trade.OrderStatus{
	"PENDING":       trade.StatusOpen,
	"QUEUED":        trade.StatusOpen,
	"OPEN":          trade.StatusOpen,
	"EDIT_QUEUED":   trade.StatusOpen,
	"CANCEL_QUEUED": trade.StatusOpen,
	"FILLED":        trade.StatusFilled,
	"CANCELLED":     trade.StatusCanceled,
	"EXPIRED":       trade.StatusExpired,
	"FAILED":        trade.StatusRejected,
}

// tifFromWire reads time_in_force when the configuration does not say.
var tifFromWire = map[string]trade.TimeInForce{
	"GOOD_UNTIL_CANCELLED": trade.GTC,
	"GOOD_UNTIL_DATE_TIME": trade.Day,
	"IMMEDIATE_OR_CANCEL":  trade.IOC,
	"FILL_OR_KILL":         trade.FOK,
}

var sideFromWire = map[string]trade.Side{"BUY": trade.Buy, "SELL": trade.Sell}

// optDec reads a price Coinbase writes as "" or "0" when the order has none.
func optDec(field, s string) (decimal.NullDecimal, error) {
	d, err := venueorder.Decimal(field, s)
	return venueorder.PositiveOrNull(d), err
}

// mapOrder turns an order object into a trade.Order.
func (e *Exchange) mapOrder(w orderWire) (trade.Order, error) {
	status, err := venueorder.FromWire(statusFromWire, "order status", w.Status)
	if err != nil {
		return trade.Order{}, err
	}
	side, err := venueorder.FromWire(sideFromWire, "side", w.Side)
	if err != nil {
		return trade.Order{}, err
	}
	sym, err := symbolOf(w.ProductID)
	if err != nil {
		return trade.Order{}, err
	}
	v, body, ok := w.OrderConfiguration.variantOf()
	if !ok {
		return trade.Order{}, fmt.Errorf("order %s has no order_configuration tradectl knows", w.OrderID)
	}
	if tif, ok := tifFromWire[w.TimeInForce]; ok && v.typ != trade.Market {
		v.tif = tif
	}
	o := trade.Order{
		ID: w.OrderID, ClientID: w.ClientOrderID, Symbol: sym, Side: side, Type: v.typ, TimeInForce: v.tif,
		PostOnly: body.PostOnly != nil && *body.PostOnly, Status: status, FeeAsset: sym.Quote,
		Exchange: venueName, Profile: e.Profile,
	}
	// Prices Coinbase writes as "" or "0" when the order has none are null.
	var fs venueorder.Fields
	o.Qty = fs.Decimal("base_size", body.BaseSize)
	o.FilledQty = fs.Decimal("filled_size", w.FilledSize)
	o.Fee = fs.Decimal("total_fees", w.TotalFees)
	o.AvgFillPrice = venueorder.PositiveOrNull(fs.Decimal("average_filled_price", w.AverageFilledPrice))
	if v.typ != trade.Market {
		o.Price = venueorder.PositiveOrNull(fs.Decimal("limit_price", body.LimitPrice))
	}
	if v.typ == trade.StopLimit {
		o.StopPrice = venueorder.PositiveOrNull(fs.Decimal("stop_price", body.StopPrice))
	}
	var trigger decimal.NullDecimal
	if v.bracket {
		trigger = venueorder.PositiveOrNull(fs.Decimal("stop_trigger_price", body.StopTriggerPrice))
	}
	if err := fs.Err(); err != nil {
		return trade.Order{}, err
	}
	if o.Qty.IsZero() {
		// A market order sized in quote currency (placed elsewhere) has no
		// base size; what it bought is its size.
		o.Qty = o.FilledQty
	}
	if !o.FilledQty.IsPositive() {
		o.AvgFillPrice = decimal.NullDecimal{}
	}
	if status == trade.StatusOpen && o.FilledQty.IsPositive() {
		o.Status = trade.StatusPartiallyFilled
	}
	if status == trade.StatusRejected {
		o.RejectReason = firstNonEmpty(w.RejectMessage, w.RejectReason)
	}
	readExpiry(&o, body)
	if t, ok := parseTime(w.CreatedTime); ok {
		o.CreatedAt = t
	}
	o.UpdatedAt = o.CreatedAt
	if t, ok := parseTime(w.LastFillTime); ok && t.After(o.UpdatedAt) {
		o.UpdatedAt = t
	}
	if v.bracket {
		o = bracketLegs(o, trigger, w.TriggerStatus == "STOP_TRIGGERED")
		if w.OriginatingOrderID != "" {
			o = asAttached(o, w.OriginatingOrderID)
		}
	}
	if c := w.AttachedOrderConfiguration; c != nil && (c.TriggerBracketGTC != nil || c.TriggerBracketGTD != nil) {
		// Only a trigger bracket may be attached; an empty or other
		// configuration is not an exit tradectl can show.
		if o, err = attachedLegs(o, w.AttachedOrderID, *w.AttachedOrderConfiguration); err != nil {
			return trade.Order{}, err
		}
	}
	return o, nil
}

// createBody is the create and preview request; preview sends no client id.
type createBody struct {
	ClientOrderID      string      `json:"client_order_id,omitempty"`
	ProductID          string      `json:"product_id"`
	Side               string      `json:"side"`
	OrderConfiguration orderConfig `json:"order_configuration"`
	// AttachedOrderConfiguration is an entry's exits: a trigger bracket
	// without base_size (see bracket_attached.go).
	AttachedOrderConfiguration *orderConfig `json:"attached_order_configuration,omitempty"`
}

type createResponse struct {
	Success bool `json:"success"`
	// Older answers put these at the top level.
	FailureReason   string `json:"failure_reason"`
	OrderID         string `json:"order_id"`
	SuccessResponse *struct {
		OrderID       string `json:"order_id"`
		ProductID     string `json:"product_id"`
		Side          string `json:"side"`
		ClientOrderID string `json:"client_order_id"`
		// AttachedOrderID names the trigger bracket attached to the entry.
		AttachedOrderID string `json:"attached_order_id"`
	} `json:"success_response"`
	ErrorResponse *errorBody `json:"error_response"`
	// OrderConfiguration is the configuration of the order answered for,
	// which for a client id Coinbase already knew is the earlier order's.
	OrderConfiguration *orderConfig `json:"order_configuration"`
}

// createdID returns the order id of a successful create, or the typed
// refusal of an unsuccessful one.
func (r createResponse) createdID() (string, error) {
	if !r.Success {
		ae := apiError{Status: http.StatusOK}
		if r.ErrorResponse != nil {
			ae.fromBody(*r.ErrorResponse)
		}
		if ae.Code == "" && ae.Reason == "" {
			ae.Code = r.FailureReason
			ae.Message = strings.ToLower(strings.ReplaceAll(firstNonEmpty(r.FailureReason, "order refused without a reason"), "_", " "))
		}
		return "", toError(ae, false, "")
	}
	id := r.OrderID
	if r.SuccessResponse != nil && r.SuccessResponse.OrderID != "" {
		id = r.SuccessResponse.OrderID
	}
	if id == "" {
		return "", errors.New("success without an order_id")
	}
	return id, nil
}

type previewResponse struct {
	Errs    []json.RawMessage `json:"errs"`
	Warning []json.RawMessage `json:"warning"`
}

// reasons reads errs entries: enum strings in practice, objects carrying
// a failure reason in some versions.
func reasons(raw []json.RawMessage) []string {
	var out []string
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			if s != "" {
				out = append(out, s)
			}
			continue
		}
		var b errorBody
		if json.Unmarshal(r, &b) == nil {
			if s := firstNonEmpty(b.PreviewFailureReason, b.NewOrderFailureReason, b.Error, b.Message); s != "" {
				out = append(out, s)
				continue
			}
		}
		if s := excerpt(r); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// checkSupported refuses what Coinbase Advanced Trade cannot express,
// before any request is made.
func checkSupported(req trade.OrderRequest) error {
	tif := req.EffectiveTIF()
	switch req.Type {
	case trade.Market:
		if tif == trade.FOK {
			return refuse("coinbase market orders are immediate-or-cancel: time in force fok is not available (use a limit order with time in force fok)")
		}
	case trade.Stop:
		return refuse("coinbase advanced trade has no stop (stop-market) orders: give a limit price too for a stop-limit order")
	case trade.StopLimit:
		if tif == trade.IOC || tif == trade.FOK {
			return refuse("coinbase stop-limit orders are gtc or day, not %s", tif)
		}
	}
	return nil
}

// Stop directions: which way the price must move to trigger.
const (
	stopUp   = "STOP_DIRECTION_STOP_UP"
	stopDown = "STOP_DIRECTION_STOP_DOWN"
)

// endOfUTCDay is when a day order expires: Coinbase has no "day" time in
// force, so a day order is good-till-date until the next 00:00 UTC.
func endOfUTCDay(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// buildConfig maps a checked request to its order_configuration. stopDir
// is used by stop-limit orders only.
func buildConfig(req trade.OrderRequest, now time.Time, stopDir string) (orderConfig, error) {
	if err := checkSupported(req); err != nil {
		return orderConfig{}, err
	}
	size := req.Qty.String()
	price := ""
	if req.Price.Valid {
		price = req.Price.Decimal.String()
	}
	postOnly := req.PostOnly
	end, gtd := endTime(req, now)
	var c orderConfig
	switch req.Type {
	case trade.Market:
		c.MarketIOC = &configBody{BaseSize: size}
		if req.QuoteSized() {
			c.MarketIOC = &configBody{QuoteSize: req.QuoteQty.Decimal.String()}
		}
	case trade.Limit:
		switch tif := req.EffectiveTIF(); {
		case gtd:
			c.LimitGTD = &configBody{BaseSize: size, LimitPrice: price, EndTime: end, PostOnly: &postOnly}
		case tif == trade.GTC:
			c.LimitGTC = &configBody{BaseSize: size, LimitPrice: price, PostOnly: &postOnly}
		case tif == trade.IOC:
			c.SorLimitIOC = &configBody{BaseSize: size, LimitPrice: price}
		case tif == trade.FOK:
			c.LimitFOK = &configBody{BaseSize: size, LimitPrice: price}
		}
	case trade.StopLimit:
		body := &configBody{BaseSize: size, LimitPrice: price, StopPrice: req.StopPrice.Decimal.String(), StopDirection: stopDir}
		if gtd {
			body.EndTime = end
			c.StopLimitGTD = body
		} else {
			c.StopLimitGTC = body
		}
	}
	return c, nil
}

// stopDirection compares the stop price with the current price: a stop
// above the market triggers on the way up, one below on the way down. At
// exactly the market price the side decides (a buy stop guards against a
// rise, a sell stop against a fall).
func (e *Exchange) stopDirection(ctx context.Context, req trade.OrderRequest) (string, error) {
	qs, err := e.Quotes(ctx, []trade.Symbol{req.Symbol})
	if err != nil {
		return "", fmt.Errorf("current price for the stop direction: %w", err)
	}
	ref := qs[0].Last
	if !ref.IsPositive() {
		ref = qs[0].Mid()
	}
	stop := req.StopPrice.Decimal
	switch {
	case !ref.IsPositive():
		return "", &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: "no current price for " + req.Symbol.String() + " to choose the stop direction"}
	case stop.GreaterThan(ref):
		return stopUp, nil
	case stop.LessThan(ref):
		return stopDown, nil
	case req.Side == trade.Buy:
		return stopUp, nil
	}
	return stopDown, nil
}

// refuse is an ErrInvalidOrder from Coinbase for a request it would refuse.
func refuse(format string, args ...any) error { return venueorder.Refusef(venueName, format, args...) }

// prepare checks req locally (shape, what Coinbase supports, then the
// product's increments and sizes) and returns the body to send. A bad
// request never reaches Coinbase.
func (e *Exchange) prepare(ctx context.Context, req trade.OrderRequest, clientID string) (createBody, error) {
	switch {
	case req.Linked() && req.Exits.OCO:
		return e.prepareOCO(ctx, req, clientID)
	case req.Linked():
		return e.prepareAttached(ctx, req, clientID)
	}
	if err := venueorder.CheckRequest(venueName, req); err != nil {
		return createBody{}, err
	}
	// Advanced Trade has no trailing-stop order configuration (see
	// doc.go): refused before anything is sent, never emulated.
	if err := venueorder.CheckTrailing(venueName, req, false, false); err != nil {
		return createBody{}, err
	}
	if err := checkSupported(req); err != nil {
		return createBody{}, err
	}
	if err := venueorder.CheckQuoteSized(venueName, req, quoteSizedSides...); err != nil {
		return createBody{}, err
	}
	rules, err := e.rulesFor(ctx, req.Symbol)
	if err != nil {
		return createBody{}, err
	}
	switch {
	case rules.Halted != "":
		return createBody{}, refuse("%s takes no new orders on coinbase: %s", req.Symbol, rules.Halted)
	case rules.LimitOnly && req.Type == trade.Market:
		return createBody{}, refuse("%s is in limit-only mode on coinbase: market orders are refused", req.Symbol)
	case rules.PostOnly && !(req.Type == trade.Limit && req.PostOnly):
		return createBody{}, refuse("%s is in post-only mode on coinbase: only post-only limit orders are accepted", req.Symbol)
	}
	// Coinbase sizes market orders against its book.
	if err := venueorder.CheckRules(venueName, req, rules.instrument()); err != nil {
		return createBody{}, err
	}
	dir := ""
	if req.Type == trade.StopLimit {
		if dir, err = e.stopDirection(ctx, req); err != nil {
			return createBody{}, err
		}
	}
	cfg, err := buildConfig(req, e.Now(), dir)
	if err != nil {
		return createBody{}, err
	}
	return createBody{ClientOrderID: clientID, ProductID: rules.ProductID, Side: strings.ToUpper(string(req.Side)), OrderConfiguration: cfg}, nil
}

// newClientID generates a UUID v4, the form Coinbase's own SDK uses and
// within tradectl's client id alphabet.
func newClientID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// sameOrder reports whether o is what req asks for: Coinbase answers a
// repeated client_order_id with the existing order, which is the caller's
// order when it is a retry and a different one when the id was reused.
func sameOrder(o trade.Order, req trade.OrderRequest) bool {
	// A quote-sized order's quantity is what it filled, not what was asked.
	if o.Symbol != req.Symbol || o.Side != req.Side || o.Type != req.Type || !(req.QuoteSized() || o.Qty.Equal(req.Qty)) {
		return false
	}
	for _, p := range [][2]decimal.NullDecimal{{o.Price, req.Price}, {o.StopPrice, req.StopPrice}} {
		if p[0].Valid != p[1].Valid || (p[1].Valid && !p[0].Decimal.Equal(p[1].Decimal)) {
			return false
		}
	}
	return true
}

// PlaceOrder implements exchange.Exchange. The create answer names the
// order (order_id, product, side, client id) and nothing of its execution:
// a limit or stop order is reported from it and what was sent (see
// accepted), one request; a market order is read back for its fill. Coinbase answers a client id it already knows with the
// earlier order; an answer whose product, side or configuration differs
// from the request is that earlier order, refused as a duplicate.
func (e *Exchange) PlaceOrder(ctx context.Context, req trade.OrderRequest) (trade.Order, error) {
	clientID := req.ClientID
	if clientID == "" {
		clientID = newClientID()
	}
	body, err := e.prepare(ctx, req, clientID)
	if err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", err)
	}
	c := call{method: http.MethodPost, path: "/orders", body: body, private: true, placement: true, clientID: clientID}
	var resp createResponse
	if err := e.do(ctx, c, &resp); err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", err)
	}
	id, err := resp.createdID()
	if err != nil {
		var xe *exchange.Error
		if errors.As(err, &xe) {
			return trade.Order{}, fmt.Errorf("place order: %w", err)
		}
		return trade.Order{}, fmt.Errorf("place order: %w", decodeFailure(c.String(), err, true, clientID))
	}
	if earlier, ok := e.earlierOrder(resp, id, clientID, req); ok {
		return trade.Order{}, fmt.Errorf("place order: %w", &exchange.Error{Kind: exchange.ErrDuplicateClientID, Venue: venueName,
			Message: fmt.Sprintf("client id %s already names order %s (%s), which Coinbase returned instead of placing a new one",
				clientID, id, earlier)})
	}
	attachedID := ""
	if resp.SuccessResponse != nil {
		attachedID = resp.SuccessResponse.AttachedOrderID
	}
	o, err := e.accepted(body, id, attachedID)
	if err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", decodeFailure(c.String(), err, true, clientID))
	}
	if !req.EndsAtOnce() {
		return o, nil
	}
	// A market order fills at once, an IOC or FOK limit fills or is
	// canceled at once, and the trader is owed the outcome (quantity,
	// average price, fees): reporting it as open with nothing filled
	// would misstate it, so it is read back.
	got, err := e.fetchOrder(ctx, id)
	if err != nil {
		// The order exists; only reading it back failed.
		e.Log.Warn("coinbase: order placed but not read back", "profile", e.Profile, "order_id", id, "err", err)
		return o, nil
	}
	if got.ClientID == clientID && !sameOrder(got, req) {
		return trade.Order{}, fmt.Errorf("place order: %w", &exchange.Error{Kind: exchange.ErrDuplicateClientID, Venue: venueName,
			Message: fmt.Sprintf("client id %s already names order %s (%s %s %s %s), which Coinbase returned instead of placing a new one",
				clientID, got.ID, got.Side, got.Type, got.Qty, got.Symbol)})
	}
	return got, nil
}

// accepted is an order as the create answer describes it: Coinbase gave
// it id and took it as sent (body), and says nothing of its execution.
// It is read the way GET orders/historical would read it, as OPEN with
// nothing filled — no fill price, no fees — even a market order that has
// in fact already filled; its creation time is this machine's clock when
// the answer came. A quote-sized market order's quantity is unknown until
// it fills (zero). An entry's exits are shown waiting for it, under the
// attached_order_id the answer gives. GetOrder tells the rest.
func (e *Exchange) accepted(body createBody, id, attachedID string) (trade.Order, error) {
	o, err := e.mapOrder(orderWire{OrderID: id, ProductID: body.ProductID, Side: body.Side, ClientOrderID: body.ClientOrderID,
		Status: "OPEN", OrderConfiguration: body.OrderConfiguration, AttachedOrderID: attachedID,
		AttachedOrderConfiguration: body.AttachedOrderConfiguration})
	if err != nil {
		return trade.Order{}, err
	}
	o.CreatedAt = e.Now().UTC()
	o.UpdatedAt = o.CreatedAt
	return o, nil
}

// earlierOrder reports whether the create answer is for another order
// than req — an earlier one under the same client id — and describes it.
// The answer names the order's product and side, and carries an
// order_configuration; when that configuration reads as an order, its
// type, size and prices are compared too. An answer for another client id
// (the sandbox answers with fixed orders) or one that says too little is
// taken as the order asked for.
func (e *Exchange) earlierOrder(r createResponse, id, clientID string, req trade.OrderRequest) (string, bool) {
	sr := r.SuccessResponse
	if sr == nil || sr.ClientOrderID != clientID {
		return "", false
	}
	sym, err := symbolOf(sr.ProductID)
	side, ok := sideFromWire[sr.Side]
	if err != nil || !ok {
		return "", false
	}
	if sym != req.Symbol || side != req.Side {
		return fmt.Sprintf("%s %s", side, sym), true
	}
	if r.OrderConfiguration == nil {
		return "", false
	}
	o, err := e.mapOrder(orderWire{OrderID: id, ProductID: sr.ProductID, Side: sr.Side, ClientOrderID: sr.ClientOrderID,
		Status: "OPEN", OrderConfiguration: *r.OrderConfiguration})
	if err != nil || sameOrder(o, req) {
		return "", false
	}
	return fmt.Sprintf("%s %s %s %s", o.Side, o.Type, o.Qty, o.Symbol), true
}

// ValidateOrder implements exchange.OrderValidator with orders/preview,
// which runs Coinbase's checks (funds included) without placing anything.
func (e *Exchange) ValidateOrder(ctx context.Context, req trade.OrderRequest) error {
	body, err := e.prepare(ctx, req, "")
	if err != nil {
		return fmt.Errorf("validate order: %w", err)
	}
	var resp previewResponse
	if err := e.do(ctx, call{method: http.MethodPost, path: "/orders/preview", body: body, private: true}, &resp); err != nil {
		return fmt.Errorf("validate order: %w", err)
	}
	if errs := reasons(resp.Errs); len(errs) > 0 {
		kind := failureKind(errs...)
		if kind == nil {
			kind = exchange.ErrInvalidOrder
		}
		return fmt.Errorf("validate order: %w", &exchange.Error{Kind: kind, Venue: venueName, Code: errs[0],
			Message: strings.ToLower(strings.ReplaceAll(strings.Join(errs, ", "), "_", " "))})
	}
	return nil
}

// orderIDPattern accepts Coinbase's UUID order ids (and anything shaped
// like one) and keeps other text out of the request path. It is compiled
// on first use: the {1,64} repetition makes it costly to build, and every
// tradectl command would pay for it at start-up.
var orderIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`) })

func checkOrderID(id string) error {
	if !orderIDPattern().MatchString(id) {
		return &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName,
			Message: fmt.Sprintf("no coinbase order has id %q: order ids are UUIDs such as 0b4d5c4e-5b3a-4a4e-8f51-6b0a1f6c8d2e", id)}
	}
	return nil
}

// fetchOrder reads one order by its id.
func (e *Exchange) fetchOrder(ctx context.Context, id string) (trade.Order, error) {
	if err := checkOrderID(id); err != nil {
		return trade.Order{}, err
	}
	c := call{method: http.MethodGet, path: "/orders/historical/" + url.PathEscape(id), private: true}
	var w struct {
		Order orderWire `json:"order"`
	}
	if err := e.do(ctx, c, &w); err != nil {
		return trade.Order{}, err
	}
	o, err := e.mapOrder(w.Order)
	if err != nil {
		return trade.Order{}, decodeFailure(c.String(), err, false, "")
	}
	return e.withAttached(ctx, o)
}

// ordersPageSize is the page asked of orders/historical/batch.
const ordersPageSize = 100

// clientIDScanPages bounds the history searched for a client id.
const clientIDScanPages = 10

type ordersPage struct {
	Orders  []orderWire `json:"orders"`
	HasNext bool        `json:"has_next"`
	Cursor  string      `json:"cursor"`
}

// scanOrders pages through orders/historical/batch with q, newest first,
// until visit returns true, the pages end or pages run out.
func (e *Exchange) scanOrders(ctx context.Context, q url.Values, pages int, visit func(orderWire) (stop bool, err error)) error {
	cursor := ""
	for page := 0; page < pages; page++ {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("limit", strconv.Itoa(ordersPageSize))
		if cursor != "" {
			pq.Set("cursor", cursor)
		}
		var w ordersPage
		if err := e.do(ctx, call{method: http.MethodGet, path: "/orders/historical/batch", query: pq, private: true}, &w); err != nil {
			return err
		}
		for _, o := range w.Orders {
			stop, err := visit(o)
			if err != nil || stop {
				return err
			}
		}
		if !w.HasNext || w.Cursor == "" || w.Cursor == cursor {
			return nil
		}
		cursor = w.Cursor
	}
	return nil
}

// findByClientID searches working orders first (all of them), then the
// most recent history, for the order with clientID. Coinbase cannot
// filter by client id, so this is a scan; see the package documentation.
func (e *Exchange) findByClientID(ctx context.Context, clientID string, sym trade.Symbol) (trade.Order, error) {
	base := url.Values{}
	if !sym.IsZero() {
		id, err := productID(sym)
		if err != nil {
			return trade.Order{}, err
		}
		base.Set("product_ids", id)
	}
	var found *orderWire
	visit := func(w orderWire) (bool, error) {
		if w.ClientOrderID == clientID {
			found = &w
			return true, nil
		}
		return false, nil
	}
	open := url.Values{"order_status": {"OPEN"}}
	for k, v := range base {
		open[k] = v
	}
	if err := e.scanOrders(ctx, open, maxPages, visit); err != nil {
		return trade.Order{}, err
	}
	if found == nil {
		if err := e.scanOrders(ctx, base, clientIDScanPages, visit); err != nil {
			return trade.Order{}, err
		}
	}
	if found == nil {
		return trade.Order{}, &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName,
			Message: fmt.Sprintf("no order with client id %s among the open orders and the %d most recent ones", clientID, clientIDScanPages*ordersPageSize)}
	}
	o, err := e.mapOrder(*found)
	if err != nil {
		return trade.Order{}, decodeFailure("GET "+apiPrefix+"/orders/historical/batch", err, false, "")
	}
	return e.withAttached(ctx, o)
}

// GetOrder implements exchange.Exchange.
func (e *Exchange) GetOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	o, err := venueorder.Lookup(ctx, venueName, ref, e.fetchOrder, e.findByClientID)
	if err != nil {
		return trade.Order{}, fmt.Errorf("get order %s: %w", ref, err)
	}
	return o, nil
}

type cancelResult struct {
	Success       bool   `json:"success"`
	FailureReason string `json:"failure_reason"`
	OrderID       string `json:"order_id"`
}

// maxBatchCancel is how many ids one batch_cancel takes.
const maxBatchCancel = 100

// batchCancel cancels ids in batches and returns each id's result.
func (e *Exchange) batchCancel(ctx context.Context, ids []string) (map[string]cancelResult, error) {
	out := make(map[string]cancelResult, len(ids))
	for chunk := range slices.Chunk(ids, maxBatchCancel) {
		var w struct {
			Results []cancelResult `json:"results"`
		}
		body := struct {
			OrderIDs []string `json:"order_ids"`
		}{chunk}
		if err := e.do(ctx, call{method: http.MethodPost, path: "/orders/batch_cancel", body: body, private: true}, &w); err != nil {
			return out, err
		}
		for _, r := range w.Results {
			out[r.OrderID] = r
		}
	}
	return out, nil
}

// cancelFailure types a failed result: an order Coinbase does not know
// is not found; one it refuses to cancel has usually finished already.
func cancelFailure(id string, r cancelResult, found bool) *exchange.Error {
	reason := r.FailureReason
	switch {
	case !found:
		return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: "batch_cancel gave no result for order " + id}
	case reason == "UNKNOWN_CANCEL_ORDER":
		return &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Code: reason, Message: "no order " + id}
	}
	return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Code: reason,
		Message: fmt.Sprintf("order %s cannot be canceled: %s", id, strings.ToLower(strings.ReplaceAll(firstNonEmpty(reason, "no reason given"), "_", " ")))}
}

// CancelOrder implements exchange.Exchange: a batch cancel of one, then
// the order read back. The answer says only that the cancel of that id
// succeeded, and the caller is owed what filled before it (a script
// re-places the rest from filled_qty). By client id the order is first
// found among the open orders (Coinbase cannot cancel by client id).
func (e *Exchange) CancelOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	id := ref.ID
	if id == "" {
		if ref.ClientID == "" {
			return trade.Order{}, fmt.Errorf("cancel order: %w", refuse("an order id or client id is required"))
		}
		o, err := e.findByClientID(ctx, ref.ClientID, ref.Symbol)
		if err != nil {
			return trade.Order{}, fmt.Errorf("cancel order %s: %w", ref, err)
		}
		id = o.ID
	} else if err := checkOrderID(id); err != nil {
		return trade.Order{}, fmt.Errorf("cancel order %s: %w", ref, err)
	}
	results, err := e.batchCancel(ctx, []string{id})
	if err != nil {
		return trade.Order{}, fmt.Errorf("cancel order %s: %w", ref, err)
	}
	if r, ok := results[id]; !ok || !r.Success {
		xe := cancelFailure(id, r, ok)
		// Coinbase gives finished orders the same UNKNOWN_CANCEL_ORDER as
		// missing ones; reading the order tells them apart, and "already
		// filled" beats a bare failure reason.
		if o, err := e.fetchOrder(ctx, id); err == nil && o.Status.Terminal() {
			xe = &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Code: r.FailureReason,
				Message: fmt.Sprintf("order %s is already %s", id, o.Status)}
		}
		return trade.Order{}, fmt.Errorf("cancel order %s: %w", ref, xe)
	}
	o, err := e.fetchOrder(ctx, id)
	if err != nil {
		return trade.Order{}, fmt.Errorf("cancel order %s: canceled, but reading it back failed: %w", ref, err)
	}
	if o, err = e.cancelAttached(ctx, o); err != nil {
		return trade.Order{}, fmt.Errorf("cancel order %s: canceled, but its exits: %w", ref, err)
	}
	return o, nil
}

// openOrders lists every working order, of one product or of all.
func (e *Exchange) openOrders(ctx context.Context, sym trade.Symbol) ([]trade.Order, error) {
	q := url.Values{"order_status": {"OPEN"}}
	if !sym.IsZero() {
		id, err := productID(sym)
		if err != nil {
			return nil, err
		}
		q.Set("product_ids", id)
	}
	var out []trade.Order
	err := e.scanOrders(ctx, q, maxPages, func(w orderWire) (bool, error) {
		o, err := e.mapOrder(w)
		if err != nil {
			return true, decodeFailure("order "+w.OrderID, err, false, "")
		}
		out = append(out, o)
		return false, nil
	})
	return out, err
}

// CancelAll implements exchange.Exchange: the working orders are listed
// and canceled in batches. The orders returned are those listed, marked
// canceled, rather than read back one by one.
func (e *Exchange) CancelAll(ctx context.Context, sym trade.Symbol) ([]trade.Order, error) {
	open, err := e.openOrders(ctx, sym)
	if err != nil {
		return nil, fmt.Errorf("cancel all: %w", err)
	}
	if len(open) == 0 {
		return nil, nil
	}
	ids := make([]string, len(open))
	for i, o := range open {
		ids[i] = o.ID
	}
	results, err := e.batchCancel(ctx, ids)
	var out []trade.Order
	var errs []error
	now := e.Now().UTC()
	for _, o := range open {
		r, ok := results[o.ID]
		if ok && r.Success {
			o.Status, o.UpdatedAt = trade.StatusCanceled, now
			out = append(out, o)
		} else if ok || err == nil {
			errs = append(errs, fmt.Errorf("cancel order %s: %w", o.ID, cancelFailure(o.ID, r, ok)))
		}
	}
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("cancel all: %w", errors.Join(errs...))
	}
	return out, nil
}

// wireStatus is the order_status filter for a domain status, "" when the
// venue cannot filter on it alone.
var wireStatus = map[trade.OrderStatus]string{
	trade.StatusFilled:   "FILLED",
	trade.StatusCanceled: "CANCELLED",
	trade.StatusExpired:  "EXPIRED",
	trade.StatusRejected: "FAILED",
}

// ListOrders implements exchange.Exchange. Working orders come from
// order_status=OPEN; history is filtered by product, start date and, for
// finished statuses, status at the venue, the rest locally.
func (e *Exchange) ListOrders(ctx context.Context, f exchange.ListFilter) ([]trade.Order, error) {
	q := url.Values{}
	if !f.Symbol.IsZero() {
		id, err := productID(f.Symbol)
		if err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
		q.Set("product_ids", id)
	}
	if !f.Since.IsZero() {
		q.Set("start_date", f.Since.UTC().Format(time.RFC3339))
	}
	if f.WorkingOnly() {
		// OPEN cannot be combined with other statuses in one request.
		q.Set("order_status", "OPEN")
	} else if len(f.Statuses) > 0 {
		var ws []string
		for _, s := range f.Statuses {
			w, ok := wireStatus[s]
			if !ok {
				ws = nil
				break
			}
			ws = append(ws, w)
		}
		if len(ws) > 0 {
			q["order_status"] = ws
		}
	}
	var out []trade.Order
	err := e.scanOrders(ctx, q, maxPages, func(w orderWire) (bool, error) {
		o, err := e.mapOrder(w)
		if err != nil {
			return true, decodeFailure("order "+w.OrderID, err, false, "")
		}
		if f.Match(o) {
			out = append(out, o)
		}
		return f.Limit > 0 && len(out) >= f.Limit, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	if out, err = e.foldAttached(ctx, out); err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	slices.SortStableFunc(out, func(a, b trade.Order) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return f.Apply(out), nil
}
