package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// orderWire is Binance's order object in all its variants: new-order
// (ACK/RESULT/FULL), query, open/all orders and cancel answers.
type orderWire struct {
	Symbol              string `json:"symbol"`
	OrderID             int64  `json:"orderId"`
	ClientOrderID       string `json:"clientOrderId"`
	OrigClientOrderID   string `json:"origClientOrderId"` // cancel answers: the order's own client id
	Price               string `json:"price"`
	OrigQty             string `json:"origQty"`
	ExecutedQty         string `json:"executedQty"`
	CummulativeQuoteQty string `json:"cummulativeQuoteQty"` // sic, Binance's spelling
	StopPrice           string `json:"stopPrice"`
	TrailingDelta       int64  `json:"trailingDelta"` // BIPS, on trailing stops only
	Status              string `json:"status"`
	TimeInForce         string `json:"timeInForce"`
	Type                string `json:"type"`
	Side                string `json:"side"`
	TransactTime        int64  `json:"transactTime"`
	Time                int64  `json:"time"`
	UpdateTime          int64  `json:"updateTime"`
	Fills               []struct {
		Price           string `json:"price"`
		Qty             string `json:"qty"`
		Commission      string `json:"commission"`
		CommissionAsset string `json:"commissionAsset"`
	} `json:"fills"`
	// Cancel-all answers report order lists (OCO …) with their legs here.
	OrderReports []orderWire `json:"orderReports"`
	// OrderListID is -1 unless the order is part of an order list
	// (bracket.go); absent from some answers.
	OrderListID *int64 `json:"orderListId"`
}

// formatOrderID makes the self-describing id "BTCUSDT:28".
func formatOrderID(venueSymbol string, id int64) string {
	return venueSymbol + ":" + strconv.FormatInt(id, 10)
}

// parseOrderID reads "BTCUSDT:28" (symbol set) or "28" (symbol empty).
func parseOrderID(id string) (venueSymbol string, orderID int64, err error) {
	vs, num, hasSym := strings.Cut(strings.TrimSpace(id), ":")
	if !hasSym {
		num, vs = vs, ""
	}
	n, perr := strconv.ParseInt(num, 10, 64)
	bad := perr != nil || n < 0
	if hasSym {
		bad = bad || vs == "" || strings.ToUpper(vs) != vs || strings.ContainsFunc(vs, func(r rune) bool {
			return (r < 'A' || r > 'Z') && (r < '0' || r > '9')
		})
	}
	if bad {
		return "", 0, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
			Message: fmt.Sprintf("%q is not a binance order id: ids look like BTCUSDT:28", id)}
	}
	return vs, n, nil
}

var statusFromWire = map[string]trade.OrderStatus{
	"NEW":              trade.StatusOpen,
	"PENDING_NEW":      trade.StatusOpen, // accepted into an order list, not yet working
	"PARTIALLY_FILLED": trade.StatusPartiallyFilled,
	"FILLED":           trade.StatusFilled,
	"CANCELED":         trade.StatusCanceled,
	"PENDING_CANCEL":   trade.StatusCanceled, // documented as unused
	"REJECTED":         trade.StatusRejected,
	"EXPIRED":          trade.StatusExpired,
	"EXPIRED_IN_MATCH": trade.StatusExpired, // self-trade prevention
}

// typeFromWire maps Binance types to the domain. Take-profit orders,
// placed elsewhere, are triggered orders like stops and shown as such.
var typeFromWire = map[string]struct {
	t        trade.OrderType
	postOnly bool
}{
	"MARKET":            {trade.Market, false},
	"LIMIT":             {trade.Limit, false},
	"LIMIT_MAKER":       {trade.Limit, true},
	"STOP_LOSS":         {trade.Stop, false},
	"STOP_LOSS_LIMIT":   {trade.StopLimit, false},
	"TAKE_PROFIT":       {trade.Stop, false},
	"TAKE_PROFIT_LIMIT": {trade.StopLimit, false},
}

var sideFromWire = map[string]trade.Side{"BUY": trade.Buy, "SELL": trade.Sell}

// mapOrder turns an order object into a trade.Order for symbol sym.
func (e *Exchange) mapOrder(w orderWire, sym trade.Symbol) (trade.Order, error) {
	status, err := venueorder.FromWire(statusFromWire, "order status", w.Status)
	if err != nil {
		return trade.Order{}, err
	}
	typ, err := venueorder.FromWire(typeFromWire, "order type", w.Type)
	if err != nil {
		return trade.Order{}, err
	}
	side, err := venueorder.FromWire(sideFromWire, "side", w.Side)
	if err != nil {
		return trade.Order{}, err
	}
	o := trade.Order{
		ID:          formatOrderID(w.Symbol, w.OrderID),
		ClientID:    w.ClientOrderID,
		Symbol:      sym,
		Side:        side,
		Type:        typ.t,
		TimeInForce: trade.TimeInForce(strings.ToLower(w.TimeInForce)),
		PostOnly:    typ.postOnly,
		Status:      status,
		Exchange:    venueName,
		Profile:     e.Profile,
	}
	if w.OrderListID != nil && *w.OrderListID >= 0 {
		o.ListID, o.Leg = strconv.FormatInt(*w.OrderListID, 10), legFromWire(w.Type)
	}
	if w.OrigClientOrderID != "" {
		// A cancel answer's clientOrderId names the cancel request.
		o.ClientID = w.OrigClientOrderID
	}
	if typ.postOnly || w.TimeInForce == "" {
		o.TimeInForce = trade.GTC
	}
	var price, stop, cumQuote decimal.Decimal
	for _, f := range []struct {
		name string
		src  string
		dst  *decimal.Decimal
	}{
		{"origQty", w.OrigQty, &o.Qty}, {"executedQty", w.ExecutedQty, &o.FilledQty},
		{"price", w.Price, &price}, {"stopPrice", w.StopPrice, &stop},
		{"cummulativeQuoteQty", w.CummulativeQuoteQty, &cumQuote},
	} {
		if *f.dst, err = venueorder.Decimal(f.name, f.src); err != nil {
			return trade.Order{}, err
		}
	}
	// Binance reports 0 for prices an order type does not have.
	o.Price, o.StopPrice = venueorder.PositiveOrNull(price), venueorder.PositiveOrNull(stop)
	if typ.t == trade.Market || typ.t == trade.Stop {
		o.Price = decimal.NullDecimal{}
	}
	if w.TrailingDelta > 0 {
		o.Type, o.TrailPct = trade.TrailingStop, trailPct(w.TrailingDelta)
	}
	if o.FilledQty.IsPositive() && cumQuote.IsPositive() {
		o.AvgFillPrice = decimal.NewNullDecimal(cumQuote.DivRound(o.FilledQty, 12).Truncate(12))
	}
	// Fees are reported on FULL placement answers only; mixed commission
	// assets (BNB discount switched on mid-order) keep the first asset.
	for _, f := range w.Fills {
		c, err := venueorder.Decimal("commission", f.Commission)
		if err != nil {
			return trade.Order{}, err
		}
		if o.FeeAsset == "" {
			o.FeeAsset = f.CommissionAsset
		}
		if f.CommissionAsset == o.FeeAsset {
			o.Fee = o.Fee.Add(c)
		}
	}
	switch {
	case w.Time != 0:
		o.CreatedAt = time.UnixMilli(w.Time).UTC()
	case w.OrigClientOrderID == "" && w.TransactTime != 0:
		// A placement answer: the transaction is the creation.
		o.CreatedAt = time.UnixMilli(w.TransactTime).UTC()
	}
	switch {
	case w.UpdateTime != 0:
		o.UpdatedAt = time.UnixMilli(w.UpdateTime).UTC()
	case w.TransactTime != 0:
		o.UpdatedAt = time.UnixMilli(w.TransactTime).UTC()
	default:
		o.UpdatedAt = o.CreatedAt
	}
	return o, nil
}

// decodeFailure reports an answer the adapter cannot read. For a placement
// the order exists but is unreadable, so its outcome is "unknown" to the
// caller, who must look it up — which the error says, as on every venue.
func decodeFailure(what string, err error, placement bool, clientID string) error {
	return venuehttp.Unreadable(venueName, what, err, placement, clientID)
}

// wireOrder is the domain → Binance mapping of one request.
type wireOrder struct {
	Type        string
	TimeInForce string // "" when the type takes none
}

// toWire maps type, post-only and time in force. Binance has no "day".
func toWire(req trade.OrderRequest) (wireOrder, error) {
	tif := req.EffectiveTIF()
	if tif == trade.Day {
		return wireOrder{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
			Message: "binance does not support time in force day: use gtc, ioc or fok"}
	}
	wireTIF := strings.ToUpper(string(tif))
	switch req.Type {
	case trade.Market:
		return wireOrder{Type: "MARKET"}, nil
	case trade.Limit:
		if req.PostOnly {
			return wireOrder{Type: "LIMIT_MAKER"}, nil
		}
		return wireOrder{Type: "LIMIT", TimeInForce: wireTIF}, nil
	case trade.Stop:
		return wireOrder{Type: "STOP_LOSS"}, nil
	case trade.StopLimit:
		return wireOrder{Type: "STOP_LOSS_LIMIT", TimeInForce: wireTIF}, nil
	case trade.TrailingStop:
		return wireOrder{Type: "STOP_LOSS"}, nil // with trailingDelta; see trailing.go
	}
	return wireOrder{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Message: fmt.Sprintf("unsupported order type %q", req.Type)}
}

// orderParams builds the new-order parameters in Binance's documented
// order. clientID is always sent for placements so the order can be found
// again after an unknown outcome.
func orderParams(req trade.OrderRequest, venueSym, clientID string) (*query, error) {
	w, err := toWire(req)
	if err != nil {
		return nil, err
	}
	q := newQuery().add("symbol", venueSym).add("side", strings.ToUpper(string(req.Side))).add("type", w.Type)
	if w.TimeInForce != "" {
		q.add("timeInForce", w.TimeInForce)
	}
	if req.QuoteSized() {
		q.addDec("quoteOrderQty", req.QuoteQty.Decimal)
	} else {
		q.addDec("quantity", req.Qty)
	}
	if req.Price.Valid {
		q.addDec("price", req.Price.Decimal)
	}
	if req.StopPrice.Valid {
		q.addDec("stopPrice", req.StopPrice.Decimal)
	}
	if req.Trailing() {
		bips, err := trailingDelta(req)
		if err != nil {
			return nil, err
		}
		q.add("trailingDelta", strconv.FormatInt(bips, 10))
	}
	if clientID != "" {
		q.add("newClientOrderId", clientID)
	}
	return q.add("newOrderRespType", "FULL"), nil
}

// clientIDDigits keeps a minted client id within Binance's allowed set
// and length (21 characters).
const clientIDDigits = 16

// prepare checks req locally (shape, then tick/step/min rules) and
// returns the parameters to send. A bad request never reaches Binance.
func (e *Exchange) prepare(ctx context.Context, req trade.OrderRequest, clientID string) (*query, error) {
	if err := venueorder.CheckRequest(venueName, req); err != nil {
		return nil, err
	}
	if err := venueorder.CheckExpiry(venueName, req, false); err != nil {
		return nil, err
	}
	if err := venueorder.CheckTrailing(venueName, req, true, false); err != nil {
		return nil, err
	}
	if _, err := trailingDelta(req); req.Trailing() && err != nil {
		return nil, err
	}
	if _, err := toWire(req); err != nil {
		return nil, err
	}
	rules, err := e.rulesFor(ctx, req.Symbol)
	if err != nil {
		return nil, err
	}
	if !rules.trading() {
		return nil, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
			Message: fmt.Sprintf("%s is not trading on binance (status %s)", req.Symbol, rules.Status)}
	}
	in := rules.instrument()
	if req.Type == trade.Market {
		in = rules.marketInstrument()
	}
	// Binance values market orders against its average price.
	if err := venueorder.CheckRules(venueName, req, in); err != nil {
		return nil, err
	}
	return orderParams(req, rules.VenueSymbol, clientID)
}

// PlaceOrder implements exchange.Exchange.
func (e *Exchange) PlaceOrder(ctx context.Context, req trade.OrderRequest) (trade.Order, error) {
	if req.Linked() {
		return e.placeList(ctx, req)
	}
	clientID := req.ClientID
	if clientID == "" {
		clientID = venueorder.NewClientID(clientIDDigits)
	}
	params, err := e.prepare(ctx, req, clientID)
	if err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", err)
	}
	var w orderWire
	if err := e.do(ctx, call{method: http.MethodPost, path: "/api/v3/order", params: params, signed: true, weight: 1, placement: true, clientID: clientID}, &w); err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", err)
	}
	o, err := e.mapOrder(w, req.Symbol)
	if err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", decodeFailure("POST /api/v3/order", err, true, clientID))
	}
	return o, nil
}

// ValidateOrder implements exchange.OrderValidator with /api/v3/order/test,
// which runs Binance's checks without reaching the matching engine.
func (e *Exchange) ValidateOrder(ctx context.Context, req trade.OrderRequest) error {
	if req.Linked() {
		return e.validateList(ctx, req)
	}
	params, err := e.prepare(ctx, req, req.ClientID)
	if err != nil {
		return fmt.Errorf("validate order: %w", err)
	}
	if err := e.do(ctx, call{method: http.MethodPost, path: "/api/v3/order/test", params: params, signed: true, weight: 1}, nil); err != nil {
		return fmt.Errorf("validate order: %w", err)
	}
	return nil
}

// target is a resolved OrderRef.
type target struct {
	venueSymbol string
	symbol      trade.Symbol
	orderID     int64
	clientID    string // used when orderID is 0
	// open is the order as the open-order search found it, when that is
	// how the symbol was learned.
	open *orderWire
}

func (t target) params() *query {
	q := newQuery().add("symbol", t.venueSymbol)
	if t.clientID != "" {
		return q.add("origClientOrderId", t.clientID)
	}
	return q.add("orderId", strconv.FormatInt(t.orderID, 10))
}

// resolve turns a reference into symbol + id. See the package doc for why
// ids carry their symbol and how a client id without one is searched.
func (e *Exchange) resolve(ctx context.Context, ref exchange.OrderRef) (target, error) {
	var hint string
	if !ref.Symbol.IsZero() {
		vs, err := venueSymbol(ref.Symbol)
		if err != nil {
			return target{}, err
		}
		hint = vs
	}
	switch {
	case ref.ID != "":
		vs, n, err := parseOrderID(ref.ID)
		if err != nil {
			return target{}, err
		}
		switch {
		case vs == "" && hint == "":
			return target{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Err: exchange.ErrSymbolNeeded,
				Message: fmt.Sprintf("binance needs the symbol to find order %s: give it, or the id as <SYMBOL>:%s (e.g. BTCUSDT:%s)", ref.ID, ref.ID, ref.ID)}
		case vs == "":
			vs = hint
		case hint != "" && hint != vs:
			return target{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
				Message: fmt.Sprintf("order %s belongs to %s, not %s", ref.ID, vs, ref.Symbol)}
		}
		sym, err := e.symbolOf(ctx, vs, ref.Symbol)
		if err != nil {
			return target{}, err
		}
		return target{venueSymbol: vs, symbol: sym, orderID: n}, nil
	case ref.ClientID != "":
		if hint != "" {
			return target{venueSymbol: hint, symbol: ref.Symbol, clientID: ref.ClientID}, nil
		}
		open, err := e.openOrders(ctx, "")
		if err != nil {
			return target{}, err
		}
		for i, w := range open {
			if w.ClientOrderID == ref.ClientID {
				sym, err := e.symbolOf(ctx, w.Symbol, trade.Symbol{})
				if err != nil {
					return target{}, err
				}
				return target{venueSymbol: w.Symbol, symbol: sym, orderID: w.OrderID, open: &open[i]}, nil
			}
		}
		return target{}, &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Err: exchange.ErrSymbolNeeded,
			Message: fmt.Sprintf("no open order has client id %s; binance finds finished orders only with their symbol", ref.ClientID)}
	}
	return target{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Message: "an order id or client id is required"}
}

// NeedsOrderSymbol implements exchange.OrderSymbolNeeder: Binance finds an
// order by orderId or origClientOrderId only within a symbol. An id as
// tradectl prints it (BTCUSDT:28) carries its own.
func (e *Exchange) NeedsOrderSymbol(ref exchange.OrderRef) bool {
	if !ref.Symbol.IsZero() {
		return false
	}
	if ref.ID != "" {
		vs, _, err := parseOrderID(ref.ID)
		return err == nil && vs == ""
	}
	return ref.ClientID != ""
}

// GetOrder implements exchange.Exchange.
func (e *Exchange) GetOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	t, err := e.resolve(ctx, ref)
	if err != nil {
		return trade.Order{}, fmt.Errorf("get order %s: %w", ref, err)
	}
	var w orderWire
	if t.open != nil {
		// The open-order search that found the symbol read the order
		// too: asking again would cost a round trip for the same answer.
		w = *t.open
	} else if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/order", params: t.params(), signed: true, weight: 4}, &w); err != nil {
		return trade.Order{}, fmt.Errorf("get order %s: %w", ref, err)
	}
	o, err := e.mapOrder(w, t.symbol)
	if err != nil {
		return trade.Order{}, fmt.Errorf("get order %s: %w", ref, decodeFailure("GET /api/v3/order", err, false, ""))
	}
	if o, err = e.withLegs(ctx, o, t.venueSymbol); err != nil {
		return trade.Order{}, fmt.Errorf("get order %s: order list %s: %w", ref, o.ListID, err)
	}
	return o, nil
}

// CancelOrder implements exchange.Exchange.
func (e *Exchange) CancelOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	t, err := e.resolve(ctx, ref)
	if err != nil {
		return trade.Order{}, fmt.Errorf("cancel order %s: %w", ref, err)
	}
	var w orderWire
	if err := e.do(ctx, call{method: http.MethodDelete, path: "/api/v3/order", params: t.params(), signed: true, weight: 1}, &w); err != nil {
		return trade.Order{}, fmt.Errorf("cancel order %s: %w", ref, err)
	}
	o, err := e.mapOrder(w, t.symbol)
	if err != nil {
		return trade.Order{}, fmt.Errorf("cancel order %s: %w", ref, decodeFailure("DELETE /api/v3/order", err, false, ""))
	}
	// Canceling one order of a list cancels the whole list on Binance;
	// the answer shows the legs as they now stand. The order is canceled
	// whatever that look-up says.
	if withLegs, err := e.withLegs(ctx, o, t.venueSymbol); err == nil {
		o = withLegs
	}
	return o, nil
}

// openOrders lists raw open orders, of one venue symbol or of all.
func (e *Exchange) openOrders(ctx context.Context, vs string) ([]orderWire, error) {
	var q *query
	weight := 80
	if vs != "" {
		q, weight = newQuery().add("symbol", vs), 6
	}
	var ws []orderWire
	if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/openOrders", params: q, signed: true, weight: weight}, &ws); err != nil {
		return nil, err
	}
	return ws, nil
}

// mapOrders maps wire orders, resolving each venue symbol once.
func (e *Exchange) mapOrders(ctx context.Context, ws []orderWire, hint trade.Symbol) ([]trade.Order, error) {
	out := make([]trade.Order, 0, len(ws))
	syms := map[string]trade.Symbol{}
	for _, w := range ws {
		sym, ok := syms[w.Symbol]
		if !ok {
			var err error
			if sym, err = e.symbolOf(ctx, w.Symbol, hint); err != nil {
				return nil, err
			}
			syms[w.Symbol] = sym
		}
		o, err := e.mapOrder(w, sym)
		if err != nil {
			return nil, decodeFailure("order "+formatOrderID(w.Symbol, w.OrderID), err, false, "")
		}
		out = append(out, o)
	}
	return out, nil
}

// newestFirst orders by creation time, then by order id, newest first.
func newestFirst(os []trade.Order) {
	slices.SortStableFunc(os, func(a, b trade.Order) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		_, ai, _ := parseOrderID(a.ID)
		_, bi, _ := parseOrderID(b.ID)
		switch {
		case ai > bi:
			return -1
		case ai < bi:
			return 1
		}
		return 0
	})
}

// ListOrders implements exchange.Exchange. History needs a symbol; see the
// package doc.
func (e *Exchange) ListOrders(ctx context.Context, f exchange.ListFilter) ([]trade.Order, error) {
	var vs string
	if !f.Symbol.IsZero() {
		var err error
		if vs, err = venueSymbol(f.Symbol); err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
	}
	var ws []orderWire
	if f.WorkingOnly() {
		var err error
		if ws, err = e.openOrders(ctx, vs); err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
	} else {
		if vs == "" {
			return nil, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Err: exchange.ErrSymbolNeeded,
				Message: "binance keeps order history per symbol: all orders are listed only with one (open orders are listed without)"}
		}
		q := newQuery().add("symbol", vs)
		if !f.Since.IsZero() {
			q.add("startTime", strconv.FormatInt(f.Since.UnixMilli(), 10))
		}
		q.add("limit", "1000")
		if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/allOrders", params: q, signed: true, weight: 20}, &ws); err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
	}
	os, err := e.mapOrders(ctx, ws, f.Symbol)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	newestFirst(os)
	return f.Apply(os), nil
}

// cancelSymbol cancels every open order of one venue symbol.
func (e *Exchange) cancelSymbol(ctx context.Context, vs string, hint trade.Symbol) ([]trade.Order, error) {
	var raw []json.RawMessage
	err := e.do(ctx, call{method: http.MethodDelete, path: "/api/v3/openOrders", params: newQuery().add("symbol", vs), signed: true, weight: 1}, &raw)
	// Binance answers -2011 "Unknown order sent." when nothing is open; an
	// unknown symbol (-1121) stays an error.
	var xe *exchange.Error
	if errors.As(err, &xe) && xe.Code == "-2011" && xe.Kind == exchange.ErrNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ws []orderWire
	for _, r := range raw {
		var w orderWire
		if err := json.Unmarshal(r, &w); err != nil {
			return nil, decodeFailure("DELETE /api/v3/openOrders", err, false, "")
		}
		if len(w.OrderReports) > 0 {
			ws = append(ws, w.OrderReports...)
		} else {
			ws = append(ws, w)
		}
	}
	return e.mapOrders(ctx, ws, hint)
}

// CancelAll implements exchange.Exchange. Without a symbol it finds the
// symbols with open orders and cancels each; failures on one symbol do not
// stop the others, and what was canceled is returned with the errors.
func (e *Exchange) CancelAll(ctx context.Context, sym trade.Symbol) ([]trade.Order, error) {
	if !sym.IsZero() {
		vs, err := venueSymbol(sym)
		if err != nil {
			return nil, fmt.Errorf("cancel all: %w", err)
		}
		os, err := e.cancelSymbol(ctx, vs, sym)
		if err != nil {
			return nil, fmt.Errorf("cancel all %s: %w", sym, err)
		}
		return os, nil
	}
	open, err := e.openOrders(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("cancel all: %w", err)
	}
	var symbols []string
	for _, w := range open {
		if !slices.Contains(symbols, w.Symbol) {
			symbols = append(symbols, w.Symbol)
		}
	}
	var out []trade.Order
	var errs []error
	for _, vs := range symbols {
		os, err := e.cancelSymbol(ctx, vs, trade.Symbol{})
		out = append(out, os...)
		if err != nil {
			errs = append(errs, fmt.Errorf("cancel all %s: %w", vs, err))
		}
	}
	return out, errors.Join(errs...)
}
