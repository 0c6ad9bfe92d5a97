package kraken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.OrderEventStreamer = (*Exchange)(nil)

// ProductionWSAuthURL is Kraken's authenticated WebSocket v2 endpoint,
// where the executions channel lives.
const ProductionWSAuthURL = "wss://ws-auth.kraken.com/v2"

const pathGetWebSocketsToken = "/0/private/GetWebSocketsToken"

// StreamOrderEvents implements exchange.OrderEventStreamer over the
// WebSocket v2 executions channel; see the package doc. Each connection
// gets a fresh token from GetWebSocketsToken (a signed REST call), and
// refused credentials end the stream with an ErrAuth error.
func (e *Exchange) StreamOrderEvents(ctx context.Context, fn func(exchange.OrderEvent) error) error {
	if e.wsAuthURL == "" {
		return e.NoOrderStream(KeyWSAuthURL)
	}
	creds, err := e.credentialsFor(ctx)
	if err != nil {
		return err
	}
	return venuews.StreamEvents(ctx, venuews.EventFeed{
		Endpoint:  e.Endpoint(e.wsAuthURL),
		Timing:    e.wsTiming,
		Subscribe: e.subscribeExecutions,
		NewDecoder: func() venuews.EventDecoder {
			return newExecutionsDecoder(e.Profile, creds.idNames.original, e.Now).decode
		},
	}, fn)
}

// subscribeExecutions fetches a token and builds the subscribe request.
// The token is a credential: it goes into the request and nowhere else.
func (e *Exchange) subscribeExecutions(ctx context.Context) ([][]byte, error) {
	var res struct {
		Token string `json:"token"`
	}
	if err := e.do(ctx, call{path: pathGetWebSocketsToken, params: newForm(), private: true, cost: costQuery}, &res); err != nil {
		if errors.Is(err, exchange.ErrAuth) {
			return nil, venuews.Fatal(err)
		}
		return nil, err
	}
	if res.Token == "" {
		return nil, fmt.Errorf("kraken: GetWebSocketsToken returned no token")
	}
	msg, err := json.Marshal(map[string]any{"method": "subscribe", "params": map[string]any{
		"channel": "executions", "token": res.Token, "snap_orders": true, "snap_trades": false, "order_status": true,
	}})
	return [][]byte{msg}, err
}

// wsFee is one entry of an execution's fees.
type wsFee struct {
	Asset string          `json:"asset"`
	Qty   decimal.Decimal `json:"qty"`
}

// wsExecution is one entry of the executions channel. Updates carry only
// what changed, so every field but exec_type and order_id may be absent.
type wsExecution struct {
	ExecType     string           `json:"exec_type"`
	OrderID      string           `json:"order_id"`
	ClOrdID      string           `json:"cl_ord_id"`
	Symbol       string           `json:"symbol"`
	Side         string           `json:"side"`
	OrderType    string           `json:"order_type"`
	OrderQty     *decimal.Decimal `json:"order_qty"`
	LimitPrice   *decimal.Decimal `json:"limit_price"`
	StopPrice    *decimal.Decimal `json:"stop_price"`
	OrderStatus  string           `json:"order_status"`
	CumQty       *decimal.Decimal `json:"cum_qty"`
	AvgPrice     *decimal.Decimal `json:"avg_price"`
	TimeInForce  string           `json:"time_in_force"`
	PostOnly     *bool            `json:"post_only"`
	Timestamp    string           `json:"timestamp"`
	ExecID       string           `json:"exec_id"`
	LastQty      *decimal.Decimal `json:"last_qty"`
	LastPrice    *decimal.Decimal `json:"last_price"`
	LiquidityInd string           `json:"liquidity_ind"`
	Fees         []wsFee          `json:"fees"`
	Reason       string           `json:"reason"`
}

// executionsDecoder folds one connection's executions over the orders it
// has seen, so an update that names only the order id and its new status
// still yields a whole order.
type executionsDecoder struct {
	profile  string
	original func(wire string) string // a cl_ord_id back to tradectl's id
	now      func() time.Time
	orders   map[string]trade.Order
}

func newExecutionsDecoder(profile string, original func(string) string, now func() time.Time) *executionsDecoder {
	if original == nil {
		original = func(s string) string { return s }
	}
	return &executionsDecoder{profile: profile, original: original, now: now, orders: map[string]trade.Order{}}
}

func (d *executionsDecoder) decode(msg []byte) ([]exchange.OrderEvent, error) {
	var m wsMessage
	if err := json.Unmarshal(msg, &m); err != nil {
		return nil, err
	}
	if m.Method == "subscribe" {
		if m.Success == nil || !*m.Success {
			return nil, refusedSubscription(m.Error)
		}
		return []exchange.OrderEvent{{Kind: exchange.EventConnected, Time: d.now().UTC()}}, nil
	}
	var xs []wsExecution
	if _, ok, err := m.entries("executions", &xs); !ok {
		return nil, err
	}
	var out []exchange.OrderEvent
	for _, x := range xs {
		evs, err := d.execution(x)
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
	}
	return out, nil
}

// refusedSubscription sorts a refused executions subscription: Kraken's
// service errors pass and are retried on a new connection; anything else
// (an invalid or expired token, a key without the permission) would be
// refused again, so it ends the stream as an authentication failure.
func refusedSubscription(msg string) error {
	if strings.HasPrefix(msg, "EService:") || strings.HasPrefix(msg, "EGeneral:Temporary") {
		return venuews.Resync("kraken refused the executions subscription: %s", msg)
	}
	return venuews.Fatal(authError("executions subscription refused: " + msg))
}

// execution turns one entry into events: a trade into a fill (with the
// order as it stands after it), anything else into an order update.
func (d *executionsDecoder) execution(x wsExecution) ([]exchange.OrderEvent, error) {
	if x.OrderID == "" {
		return nil, fmt.Errorf("execution %q without order_id", x.ExecType)
	}
	at := d.now().UTC()
	if x.Timestamp != "" {
		t, err := time.Parse(time.RFC3339Nano, x.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("execution %s: timestamp: %w", x.OrderID, err)
		}
		at = t.UTC()
	}
	o, known := d.orders[x.OrderID]
	if !known {
		o = trade.Order{ID: x.OrderID, Exchange: venueName, Profile: d.profile, CreatedAt: at}
	}
	if err := d.fold(&o, x, at); err != nil {
		return nil, fmt.Errorf("execution %s: %w", x.OrderID, err)
	}
	d.orders[x.OrderID] = o
	order := o
	if x.ExecType != "trade" {
		return []exchange.OrderEvent{{Kind: exchange.EventOrder, Order: &order, Time: at}}, nil
	}
	if x.ExecID == "" || x.LastQty == nil || x.LastPrice == nil {
		return nil, fmt.Errorf("trade execution of %s without exec_id, last_qty or last_price", x.OrderID)
	}
	if !x.LastQty.IsPositive() || x.LastPrice.IsNegative() {
		return nil, fmt.Errorf("trade execution %s: last_qty %s, last_price %s", x.ExecID, x.LastQty, x.LastPrice)
	}
	f := trade.Fill{
		ID: x.ExecID, OrderID: o.ID, ClientID: o.ClientID, Symbol: o.Symbol, Side: o.Side,
		Qty: *x.LastQty, Price: *x.LastPrice, Time: at,
	}
	for _, fee := range x.Fees {
		f.Fee = f.Fee.Add(fee.Qty)
		f.FeeAsset = canonicalAsset(fee.Asset)
	}
	switch x.LiquidityInd {
	case "m":
		f.Liquidity = trade.Maker
	case "t":
		f.Liquidity = trade.Taker
	}
	return []exchange.OrderEvent{{Kind: exchange.EventFill, Fill: &f, Order: &order, Time: at}}, nil
}

// fold applies what an execution says to the order.
func (d *executionsDecoder) fold(o *trade.Order, x wsExecution, at time.Time) error {
	if x.ClOrdID != "" {
		o.ClientID = d.original(x.ClOrdID)
	}
	if x.Symbol != "" {
		sym, err := trade.ParseSymbol(x.Symbol)
		if err != nil {
			return err
		}
		o.Symbol = sym
	}
	if x.Side != "" {
		side, err := trade.ParseSide(x.Side)
		if err != nil {
			return err
		}
		o.Side = side
	}
	if x.OrderType != "" {
		o.Type = wsOrderType(x.OrderType)
	}
	for _, v := range []struct {
		name string
		v    *decimal.Decimal
	}{{"order_qty", x.OrderQty}, {"cum_qty", x.CumQty}, {"limit_price", x.LimitPrice}, {"avg_price", x.AvgPrice}} {
		if v.v != nil && v.v.IsNegative() {
			return fmt.Errorf("negative %s %s", v.name, v.v)
		}
	}
	if x.OrderQty != nil {
		o.Qty = *x.OrderQty
	}
	if x.CumQty != nil {
		o.FilledQty = *x.CumQty
	}
	if x.LimitPrice != nil {
		o.Price = decimal.NewNullDecimal(*x.LimitPrice)
	}
	if x.StopPrice != nil && x.StopPrice.IsPositive() { // 0: no stop
		o.StopPrice = decimal.NewNullDecimal(*x.StopPrice)
	}
	if x.AvgPrice != nil && x.AvgPrice.IsPositive() {
		o.AvgFillPrice = decimal.NewNullDecimal(*x.AvgPrice)
	}
	if x.PostOnly != nil {
		o.PostOnly = *x.PostOnly
	}
	switch strings.ToLower(x.TimeInForce) {
	case "gtc":
		o.TimeInForce = trade.GTC
	case "ioc":
		o.TimeInForce = trade.IOC
	case "fok":
		o.TimeInForce = trade.FOK
	}
	for _, fee := range x.Fees {
		o.Fee = o.Fee.Add(fee.Qty)
		o.FeeAsset = canonicalAsset(fee.Asset)
	}
	if x.OrderStatus != "" {
		st, err := wsStatus(x.OrderStatus, o.FilledQty, x.Reason)
		if err != nil {
			return err
		}
		o.Status = st
	}
	if st := o.Status; st == trade.StatusRejected || st == trade.StatusCanceled {
		if x.Reason != "" {
			o.RejectReason = x.Reason
		}
	}
	o.UpdatedAt = at
	return nil
}

// wsStatus maps v2's order_status: pending_new and new are open, a
// canceled order with a post-only reason was rejected for taking.
func wsStatus(s string, filled decimal.Decimal, reason string) (trade.OrderStatus, error) {
	switch s {
	case "pending_new", "new":
		if filled.IsPositive() {
			return trade.StatusPartiallyFilled, nil
		}
		return trade.StatusOpen, nil
	case "partially_filled":
		return trade.StatusPartiallyFilled, nil
	case "filled":
		return trade.StatusFilled, nil
	case "canceled":
		return canceledStatus(reason), nil
	case "expired":
		return trade.StatusExpired, nil
	}
	return "", fmt.Errorf("unknown order_status %q", s)
}

// wsOrderType maps v2's order_type; types tradectl does not place keep
// Kraken's own name.
func wsOrderType(s string) trade.OrderType {
	switch s {
	case "market":
		return trade.Market
	case "limit":
		return trade.Limit
	case "stop-loss":
		return trade.Stop
	case "stop-loss-limit":
		return trade.StopLimit
	case "trailing-stop":
		return trade.TrailingStop
	}
	return trade.OrderType(s)
}
