package alpaca

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// orderWire is Alpaca's order object ([AL-docs] entities/order-v2.yaml).
// Nullable numbers arrive as null and stay "".
type orderWire struct {
	ID             string `json:"id"`
	ClientOrderID  string `json:"client_order_id"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
	SubmittedAt    string `json:"submitted_at"`
	Symbol         string `json:"symbol"`
	AssetClass     string `json:"asset_class"`
	Notional       string `json:"notional"`
	Qty            string `json:"qty"`
	FilledQty      string `json:"filled_qty"`
	FilledAvgPrice string `json:"filled_avg_price"`
	OrderType      string `json:"order_type"`
	Type           string `json:"type"`
	Side           string `json:"side"`
	TimeInForce    string `json:"time_in_force"`
	LimitPrice     string `json:"limit_price"`
	StopPrice      string `json:"stop_price"`
	TrailPercent   string `json:"trail_percent"`
	TrailPrice     string `json:"trail_price"`
	Status         string `json:"status"`
	ExtendedHours  bool   `json:"extended_hours"`
	// OrderClass and Legs: a bracket's or an OCO's parent and its nested
	// legs (bracket.go).
	OrderClass string      `json:"order_class"`
	Legs       []orderWire `json:"legs"`
}

// statusFromWire maps Alpaca's statuses. Statuses in which the order can
// still fill count as working (open, or partially_filled once something
// filled — see mapStatus); replaced means a new order took over.
var statusFromWire = map[string]trade.OrderStatus{
	"new":                  trade.StatusOpen,
	"accepted":             trade.StatusOpen,
	"pending_new":          trade.StatusOpen, // placement is asynchronous
	"accepted_for_bidding": trade.StatusOpen,
	"held":                 trade.StatusOpen, // a bracket leg waiting for its parent
	"suspended":            trade.StatusOpen,
	"stopped":              trade.StatusOpen, // a fill is guaranteed but not yet done
	"pending_cancel":       trade.StatusOpen, // may still fill until confirmed
	"pending_replace":      trade.StatusOpen,
	"done_for_day":         trade.StatusOpen, // resumes next session unless it expires
	"calculated":           trade.StatusOpen, // settled by quantities in mapStatus
	"partially_filled":     trade.StatusPartiallyFilled,
	"filled":               trade.StatusFilled,
	"canceled":             trade.StatusCanceled,
	"replaced":             trade.StatusCanceled,
	"expired":              trade.StatusExpired,
	"rejected":             trade.StatusRejected,
}

// mapStatus refines the table by quantities: a working order with fills
// is partially filled, and "calculated" (done for the day, settlement
// pending) is filled when everything filled.
func mapStatus(status string, qty, filled decimal.Decimal) (trade.OrderStatus, error) {
	s, err := venueorder.FromWire(statusFromWire, "order status", status)
	if err != nil {
		return "", err
	}
	if status == "calculated" && qty.IsPositive() && !filled.LessThan(qty) {
		return trade.StatusFilled, nil
	}
	if s == trade.StatusOpen && filled.IsPositive() {
		return trade.StatusPartiallyFilled, nil
	}
	return s, nil
}

// typeFromWire maps order types.
var typeFromWire = map[string]trade.OrderType{
	"market":        trade.Market,
	"limit":         trade.Limit,
	"stop":          trade.Stop,
	"stop_limit":    trade.StopLimit,
	"trailing_stop": trade.TrailingStop,
}

// tifFromWire maps time in force. opg and cls (the opening and closing
// auctions) are session orders that tradectl's domain has no name for;
// they show as day.
var tifFromWire = map[string]trade.TimeInForce{
	"day": trade.Day,
	"gtc": trade.GTC,
	"ioc": trade.IOC,
	"fok": trade.FOK,
	"opg": trade.Day,
	"cls": trade.Day,
}

var sideFromWire = map[string]trade.Side{"buy": trade.Buy, "sell": trade.Sell}

// mapOrder turns an order object into a trade.Order. as resolves crypto
// symbols written without a slash and may be nil.
func (e *Exchange) mapOrder(w orderWire, as *assetSet) (trade.Order, error) {
	sym, err := symbolFromVenue(w.Symbol, w.AssetClass, as)
	if err != nil {
		return trade.Order{}, err
	}
	wireType := w.Type
	if wireType == "" {
		wireType = w.OrderType
	}
	typ, err := venueorder.FromWire(typeFromWire, "order type", wireType)
	if err != nil {
		return trade.Order{}, err
	}
	tif, err := venueorder.FromWire(tifFromWire, "time in force", w.TimeInForce)
	if err != nil {
		return trade.Order{}, err
	}
	side, err := venueorder.FromWire(sideFromWire, "side", w.Side)
	if err != nil {
		return trade.Order{}, err
	}
	o := trade.Order{
		ID: w.ID, ClientID: w.ClientOrderID, Symbol: sym, Side: side, Type: typ, TimeInForce: tif,
		Exchange: venueName, Profile: e.Profile,
	}
	if o.ID == "" {
		return trade.Order{}, errors.New("order without an id")
	}
	if o.Qty, err = venueorder.Decimal("qty", w.Qty); err != nil {
		return trade.Order{}, err
	}
	if o.FilledQty, err = venueorder.Decimal("filled_qty", w.FilledQty); err != nil {
		return trade.Order{}, err
	}
	if o.Qty.IsNegative() || o.FilledQty.IsNegative() {
		return trade.Order{}, fmt.Errorf("negative quantity (qty %s, filled %s)", o.Qty, o.FilledQty)
	}
	if w.Qty == "" && w.Notional != "" {
		// A notional order (placed elsewhere) has no quantity until it
		// fills; what has filled is all that is known.
		o.Qty = o.FilledQty
	}
	if o.Status, err = mapStatus(w.Status, o.Qty, o.FilledQty); err != nil {
		return trade.Order{}, err
	}
	if o.Price, err = venueorder.OptionalDecimal("limit_price", w.LimitPrice); err != nil {
		return trade.Order{}, err
	}
	if o.StopPrice, err = venueorder.OptionalDecimal("stop_price", w.StopPrice); err != nil {
		return trade.Order{}, err
	}
	if o.AvgFillPrice, err = venueorder.OptionalDecimal("filled_avg_price", w.FilledAvgPrice); err != nil {
		return trade.Order{}, err
	}
	if err := readTrail(&o, w); err != nil {
		return trade.Order{}, err
	}
	if !o.FilledQty.IsPositive() {
		o.AvgFillPrice = decimal.NullDecimal{}
	}
	// Alpaca's order object carries no fees (crypto fees are account
	// activities), so Fee stays zero with no asset.
	if o.CreatedAt, err = venueorder.Time("created_at", w.CreatedAt); err != nil {
		return trade.Order{}, err
	}
	if o.CreatedAt.IsZero() {
		if o.CreatedAt, err = venueorder.Time("submitted_at", w.SubmittedAt); err != nil {
			return trade.Order{}, err
		}
	}
	if o.UpdatedAt, err = venueorder.Time("updated_at", w.UpdatedAt); err != nil {
		return trade.Order{}, err
	}
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = o.CreatedAt
	}
	if len(w.Legs) > 0 {
		legs := make([]trade.Order, 0, len(w.Legs))
		for _, lw := range w.Legs {
			l, err := e.mapOrder(lw, as)
			if err != nil {
				return trade.Order{}, fmt.Errorf("leg %s: %w", lw.ID, err)
			}
			legs = append(legs, l)
		}
		o = linkLegs(o, w.OrderClass, legs)
	}
	return o, nil
}

// mapOne maps an order, loading the asset list only for a crypto symbol
// written without its slash.
func (e *Exchange) mapOne(ctx context.Context, w orderWire, what string) (trade.Order, error) {
	var as *assetSet
	if w.AssetClass == classCrypto && !strings.Contains(w.Symbol, "/") {
		as, _ = e.assetSet(ctx) // the suffix guess stands in when this fails
	}
	o, err := e.mapOrder(w, as)
	if err != nil {
		return trade.Order{}, decodeFailure(what, err, false, "")
	}
	return o, nil
}

// orderRequestWire is the body of POST /v2/orders. Numbers go as strings
// (reference: "Numbers are sent and returned as strings").
type orderRequestWire struct {
	Symbol        string `json:"symbol"`
	Qty           string `json:"qty,omitempty"`
	Notional      string `json:"notional,omitempty"`
	Side          string `json:"side"`
	Type          string `json:"type"`
	TimeInForce   string `json:"time_in_force"`
	LimitPrice    string `json:"limit_price,omitempty"`
	StopPrice     string `json:"stop_price,omitempty"`
	TrailPercent  string `json:"trail_percent,omitempty"`
	TrailPrice    string `json:"trail_price,omitempty"`
	ExtendedHours bool   `json:"extended_hours,omitempty"`
	ClientOrderID string `json:"client_order_id"`
	// OrderClass, TakeProfit and StopLoss link exits (bracket.go).
	OrderClass string          `json:"order_class,omitempty"`
	TakeProfit *takeProfitWire `json:"take_profit,omitempty"`
	StopLoss   *stopLossWire   `json:"stop_loss,omitempty"`
}

// clientIDDigits keeps a minted client id within both tradectl's and
// Alpaca's (48) length limits.
const clientIDDigits = 24

var typeToWire = map[trade.OrderType]string{
	trade.Market: "market", trade.Limit: "limit", trade.Stop: "stop", trade.StopLimit: "stop_limit",
	trade.TrailingStop: "trailing_stop",
}

// toWire maps a checked request to Alpaca's body, refusing locally what
// Alpaca would refuse: post-only (no such feature), FOK or day on crypto,
// plain stops on crypto, fractional stock quantities outside day orders.
func toWire(req trade.OrderRequest, r assetRule, clientID string, extendedHours bool) (orderRequestWire, error) {
	if req.PostOnly {
		return orderRequestWire{}, refuse("alpaca has no post-only orders: place a plain limit order")
	}
	typ, ok := typeToWire[req.Type]
	if !ok {
		return orderRequestWire{}, refuse("unsupported order type %q", req.Type)
	}
	tif := req.EffectiveTIF()
	if req.QuoteSized() {
		return notionalToWire(req, r, clientID, tif)
	}
	if r.crypto() {
		switch {
		case req.Type == trade.Stop:
			return orderRequestWire{}, refuse("alpaca crypto orders are market, limit or stop-limit; %s needs a limit price too", req.Symbol)
		case req.Trailing():
			return orderRequestWire{}, refuse("alpaca takes trailing stops on stocks only, not on %s", req.Symbol)
		case tif == trade.FOK:
			return orderRequestWire{}, refuse("alpaca does not accept FOK for crypto: use ioc or gtc")
		case tif == trade.Day:
			return orderRequestWire{}, refuse("alpaca crypto orders are gtc or ioc, not day")
		}
	} else if !req.Qty.Equal(req.Qty.Truncate(0)) {
		if !r.Fractionable {
			return orderRequestWire{}, refuse("%s is not fractionable on alpaca: whole shares only", req.Symbol)
		}
		switch {
		case req.Type == trade.Market && tif == trade.GTC:
			// Alpaca takes fractional orders as day orders only; for a
			// market order day and gtc differ in nothing but the name.
			tif = trade.Day
		case tif != trade.Day:
			return orderRequestWire{}, refuse("alpaca takes fractional quantities only on day orders: make it a day order or a whole number of shares")
		}
	}
	w := orderRequestWire{
		Symbol:        r.VenueSymbol,
		Qty:           req.Qty.String(),
		Side:          string(req.Side),
		Type:          typ,
		TimeInForce:   string(tif),
		ClientOrderID: clientID,
	}
	if req.Price.Valid {
		w.LimitPrice = req.Price.Decimal.String()
	}
	if req.StopPrice.Valid {
		w.StopPrice = req.StopPrice.Decimal.String()
	}
	if req.TrailPct.Valid {
		w.TrailPercent = req.TrailPct.Decimal.String()
	}
	if req.TrailAmount.Valid {
		w.TrailPrice = req.TrailAmount.Decimal.String()
	}
	// Alpaca accepts extended hours only on limit day orders of stocks.
	w.ExtendedHours = extendedHours && !r.crypto() && req.Type == trade.Limit && tif == trade.Day
	return w, nil
}

// refuse is an ErrInvalidOrder from Alpaca for a request it would refuse.
func refuse(format string, args ...any) error { return venueorder.Refusef(venueName, format, args...) }

// prepare checks req locally (shape, instrument rules, Alpaca's own
// restrictions) and returns the body to send. A bad request never
// reaches Alpaca.
func (e *Exchange) prepare(ctx context.Context, req trade.OrderRequest, clientID string) (orderRequestWire, error) {
	if err := venueorder.CheckRequest(venueName, req); err != nil {
		return orderRequestWire{}, err
	}
	if err := venueorder.CheckExpiry(venueName, req, false); err != nil {
		return orderRequestWire{}, err
	}
	r, err := e.ruleFor(ctx, req.Symbol)
	if err != nil {
		return orderRequestWire{}, err
	}
	if !r.Tradable {
		return orderRequestWire{}, refuse("%s is not tradable on alpaca", req.Symbol)
	}
	// Alpaca values market orders against its own quote.
	if err := venueorder.CheckRules(venueName, req, r.instrument()); err != nil {
		return orderRequestWire{}, err
	}
	return toWire(req, r, clientID, e.extendedHours)
}

// PlaceOrder implements exchange.Exchange. Alpaca accepts orders
// asynchronously: the answer is usually pending_new (status open) with
// nothing filled, even for a market order; GetOrder shows later fills.
// A bracket or an OCO is one order with its legs: only the body differs,
// and the answer is the parent with the legs.
func (e *Exchange) PlaceOrder(ctx context.Context, req trade.OrderRequest) (trade.Order, error) {
	prepare := e.prepare
	if req.Linked() {
		prepare = e.prepareLinked
	}
	clientID := req.ClientID
	if clientID == "" {
		clientID = venueorder.NewClientID(clientIDDigits)
	}
	body, err := prepare(ctx, req, clientID)
	if err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", err)
	}
	var w orderWire
	c := call{method: http.MethodPost, path: "/v2/orders", body: body, placement: true, clientID: clientID}
	if err := e.do(ctx, c, &w); err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", err)
	}
	o, err := e.mapOrder(w, nil)
	if err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", decodeFailure("POST /v2/orders", err, true, clientID))
	}
	return o, nil
}

// validOrderID reports whether id can be an Alpaca order id (a UUID).
// Alpaca answers other ids with 422 rather than 404, and an id goes into
// the URL path, so anything else is refused before sending.
func validOrderID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') && (r < 'A' || r > 'F') && r != '-' {
			return false
		}
	}
	return true
}

func notFound(format string, args ...any) error {
	return &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Message: fmt.Sprintf(format, args...)}
}

func (e *Exchange) orderByID(ctx context.Context, id string) (trade.Order, error) {
	if !validOrderID(id) {
		return trade.Order{}, notFound("no order has id %q: alpaca order ids are UUIDs", id)
	}
	var w orderWire
	c := call{method: http.MethodGet, path: "/v2/orders/{id}", pathParams: map[string]string{"id": id}}
	if err := e.do(ctx, c, &w); err != nil {
		return trade.Order{}, err
	}
	return e.mapOne(ctx, w, "GET /v2/orders/{id}")
}

func (e *Exchange) orderByClientID(ctx context.Context, clientID string) (trade.Order, error) {
	var w orderWire
	// The colon is part of Alpaca's path, not a port or a scheme.
	c := call{method: http.MethodGet, path: "/v2/orders:by_client_order_id", query: url.Values{"client_order_id": {clientID}}}
	if err := e.do(ctx, c, &w); err != nil {
		return trade.Order{}, err
	}
	return e.mapOne(ctx, w, "GET /v2/orders:by_client_order_id")
}

// find resolves a reference to the order as it stands. A symbol given with
// the reference must match, so a cancel never reaches another symbol's
// order by mistake.
func (e *Exchange) find(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	// Alpaca's client ids are unique per account: no symbol needed.
	byClientID := func(ctx context.Context, clientID string, _ trade.Symbol) (trade.Order, error) {
		return e.orderByClientID(ctx, clientID)
	}
	o, err := venueorder.Lookup(ctx, venueName, ref, e.orderByID, byClientID)
	if err != nil {
		return trade.Order{}, err
	}
	if !ref.Symbol.IsZero() && ref.Symbol != o.Symbol {
		return trade.Order{}, notFound("order %s is on %s, not %s", ref, o.Symbol, ref.Symbol)
	}
	return o, nil
}

// GetOrder implements exchange.Exchange, by id (/v2/orders/{id}) or by
// client id (/v2/orders:by_client_order_id), open or finished.
func (e *Exchange) GetOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	o, err := e.find(ctx, ref)
	if err != nil {
		return trade.Order{}, fmt.Errorf("get order %s: %w", ref, err)
	}
	return o, nil
}

// cancelID cancels one order by id and reads it back: Alpaca answers a
// cancel with 204 and no body, and may report pending_cancel for a moment.
func (e *Exchange) cancelID(ctx context.Context, id string) (trade.Order, error) {
	c := call{method: http.MethodDelete, path: "/v2/orders/{id}", pathParams: map[string]string{"id": id}}
	if err := e.do(ctx, c, nil); err != nil {
		return trade.Order{}, err
	}
	return e.settle(ctx, id)
}

// settle reads an order until it is no longer pending_cancel, for at most
// cancelSettle; after that it returns the order as it stands (still
// working: the cancel may yet lose to a fill).
func (e *Exchange) settle(ctx context.Context, id string) (trade.Order, error) {
	deadline := e.Now().Add(e.cancelSettle)
	for {
		var w orderWire
		c := call{method: http.MethodGet, path: "/v2/orders/{id}", pathParams: map[string]string{"id": id}}
		if err := e.do(ctx, c, &w); err != nil {
			return trade.Order{}, err
		}
		if w.Status != "pending_cancel" || !e.Now().Before(deadline) {
			return e.mapOne(ctx, w, "GET /v2/orders/{id}")
		}
		if err := e.sleep(ctx, e.cancelPoll); err != nil {
			return trade.Order{}, fmt.Errorf("alpaca: waiting for cancel of %s: %w", id, err)
		}
	}
}

// CancelOrder implements exchange.Exchange. A client id is first resolved
// to the order's id.
func (e *Exchange) CancelOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	id := ref.ID
	if id == "" || !ref.Symbol.IsZero() {
		o, err := e.find(ctx, ref)
		if err != nil {
			return trade.Order{}, fmt.Errorf("cancel order %s: %w", ref, err)
		}
		id = o.ID
	} else if !validOrderID(id) {
		return trade.Order{}, fmt.Errorf("cancel order %s: %w", ref, notFound("no order has id %q: alpaca order ids are UUIDs", id))
	}
	o, err := e.cancelID(ctx, id)
	if err != nil {
		return trade.Order{}, fmt.Errorf("cancel order %s: %w", ref, err)
	}
	return o, nil
}

// listQuery builds GET /v2/orders parameters. Alpaca filters by open,
// closed or all; finer status filters, and limits under them, are applied
// locally, so the venue is asked for a full page then.
func listQuery(f exchange.ListFilter) url.Values {
	status := "all"
	if f.Scope == exchange.ListOpen {
		status = "open"
	}
	exact := len(f.Statuses) == 0
	if len(f.Statuses) > 0 {
		working, terminal := 0, 0
		for _, s := range f.Statuses {
			if s.Working() {
				working++
			} else {
				terminal++
			}
		}
		switch {
		case terminal == 0:
			status = "open"
		case working == 0 && status != "open":
			status = "closed"
		}
	}
	limit := maxListPage
	if exact && f.Limit > 0 && f.Limit < maxListPage {
		limit = f.Limit
	}
	q := url.Values{"status": {status}, "limit": {strconv.Itoa(limit)}, "direction": {"desc"}}
	if !f.Symbol.IsZero() {
		q.Set("symbols", venueSymbol(f.Symbol))
	}
	if !f.Since.IsZero() {
		// after is exclusive and compares submission times; a second of
		// slack, then Apply keeps exactly what Since means.
		q.Set("after", f.Since.Add(-time.Second).UTC().Format(time.RFC3339))
	}
	return q
}

// maxListPage is Alpaca's largest page of orders.
const maxListPage = 500

func (e *Exchange) listWire(ctx context.Context, q url.Values) ([]orderWire, error) {
	var ws []orderWire
	if err := e.do(ctx, call{method: http.MethodGet, path: "/v2/orders", query: q}, &ws); err != nil {
		return nil, err
	}
	return ws, nil
}

func (e *Exchange) mapAll(ctx context.Context, ws []orderWire, what string) ([]trade.Order, error) {
	out := make([]trade.Order, 0, len(ws))
	for _, w := range ws {
		o, err := e.mapOne(ctx, w, what)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// ListOrders implements exchange.Exchange: one page of up to 500 orders,
// newest first.
func (e *Exchange) ListOrders(ctx context.Context, f exchange.ListFilter) ([]trade.Order, error) {
	ws, err := e.listWire(ctx, listQuery(f))
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	os, err := e.mapAll(ctx, ws, "GET /v2/orders")
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	venueorder.NewestFirst(os)
	return f.Apply(os), nil
}

// cancelAllEntry is one element of DELETE /v2/orders' 207 answer.
type cancelAllEntry struct {
	ID     string          `json:"id"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// CancelAll implements exchange.Exchange. Without a symbol it is Alpaca's
// DELETE /v2/orders; with one, Alpaca has no filter, so the symbol's open
// orders are listed and canceled one by one. Failures on some orders do
// not stop the others: what was canceled is returned with the errors.
func (e *Exchange) CancelAll(ctx context.Context, sym trade.Symbol) ([]trade.Order, error) {
	if !sym.IsZero() {
		return e.cancelSymbol(ctx, sym)
	}
	var entries []cancelAllEntry
	if err := e.do(ctx, call{method: http.MethodDelete, path: "/v2/orders"}, &entries); err != nil {
		return nil, fmt.Errorf("cancel all: %w", err)
	}
	var out []trade.Order
	var errs []error
	for _, en := range entries {
		if en.Status >= 300 {
			ae := decodeError(en.Status, http.Header{}, en.Body, e.Now())
			errs = append(errs, fmt.Errorf("cancel all: order %s: %w", en.ID, toError(ae, call{method: http.MethodDelete, path: "/v2/orders/{id}"})))
			continue
		}
		var w orderWire
		if len(en.Body) > 0 && json.Unmarshal(en.Body, &w) == nil && w.ID != "" && w.Status != "pending_cancel" {
			if o, err := e.mapOne(ctx, w, "DELETE /v2/orders"); err == nil && !o.Status.Working() {
				out = append(out, o)
				continue
			}
		}
		if !validOrderID(en.ID) {
			errs = append(errs, fmt.Errorf("cancel all: %w", decodeFailure("DELETE /v2/orders", fmt.Errorf("entry without a usable order id %q", en.ID), false, "")))
			continue
		}
		// The answer showed the cancel requested, not done: read back.
		o, err := e.settle(ctx, en.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("cancel all: order %s: %w", en.ID, err))
			continue
		}
		out = append(out, o)
	}
	return out, errors.Join(errs...)
}

func (e *Exchange) cancelSymbol(ctx context.Context, sym trade.Symbol) ([]trade.Order, error) {
	ws, err := e.listWire(ctx, listQuery(exchange.ListFilter{Scope: exchange.ListOpen, Symbol: sym}))
	if err != nil {
		return nil, fmt.Errorf("cancel all %s: %w", sym, err)
	}
	open, err := e.mapAll(ctx, ws, "GET /v2/orders")
	if err != nil {
		return nil, fmt.Errorf("cancel all %s: %w", sym, err)
	}
	var out []trade.Order
	var errs []error
	for _, o := range open {
		if o.Symbol != sym || !o.Status.Working() {
			continue
		}
		c, err := e.cancelID(ctx, o.ID)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return out, fmt.Errorf("cancel all %s: %w", sym, err)
			}
			errs = append(errs, fmt.Errorf("cancel all %s: order %s: %w", sym, o.ID, err))
			continue
		}
		out = append(out, c)
	}
	return out, errors.Join(errs...)
}
