package coinbase

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.OrderEventStreamer = (*Exchange)(nil)

// ProductionWSUserURL is the Advanced Trade WebSocket for the user
// channel (the account's orders).
const ProductionWSUserURL = "wss://advanced-trade-ws-user.coinbase.com"

// DerivedFillPrefix begins the id of a fill the user channel implies but
// does not report; see derivedFill.
const DerivedFillPrefix = "derived:"

// StreamOrderEvents implements exchange.OrderEventStreamer over the
// Advanced Trade user channel, with heartbeats; see the package doc. The
// user channel needs a JWT: a profile without a usable key fails at once
// with ErrAuth, and a token the venue refuses ends the stream with ErrAuth.
func (e *Exchange) StreamOrderEvents(ctx context.Context, fn func(exchange.OrderEvent) error) error {
	if e.wsUserURL == "" {
		return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName,
			Message: fmt.Sprintf("profile %q has no order stream (set %s)", e.profile, KeyWSUserURL)}
	}
	creds, err := e.credentialsFor(ctx)
	if err != nil {
		return err
	}
	if creds == nil {
		return &exchange.Error{Kind: exchange.ErrAuth, Venue: venueName,
			Message: fmt.Sprintf("profile %q: the user channel needs an API key", e.profile)}
	}
	return venuews.StreamEvents(ctx, venuews.EventFeed{
		Venue:      venueName,
		Profile:    e.profile,
		URL:        e.wsUserURL,
		HTTPClient: e.wsHTTP,
		Log:        e.log,
		Timing:     e.wsTiming,
		Subscribe: func(context.Context) ([][]byte, error) {
			return e.userSubscribeMessages(creds)
		},
		NewDecoder: func() venuews.EventDecoder { return newUserDecoder(e.profile, e.now).decode },
	}, fn)
}

// userSubscribeMessages are heartbeats and user, each with a fresh token
// (a token lives two minutes); tokens are never logged.
func (e *Exchange) userSubscribeMessages(creds *credentials) ([][]byte, error) {
	var out [][]byte
	for _, channel := range []string{"heartbeats", "user"} {
		tok, err := signJWT(creds.keyName, creds.key, "", e.now(), rand.Reader)
		if err != nil {
			return nil, venuews.Fatal(err)
		}
		b, err := json.Marshal(wsSubscribe{Type: "subscribe", Channel: channel, JWT: tok})
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// wsUserOrder is one order of the user channel. Quantities and prices are
// decimal strings.
type wsUserOrder struct {
	OrderID            string `json:"order_id"`
	ClientOrderID      string `json:"client_order_id"`
	CumulativeQuantity string `json:"cumulative_quantity"`
	LeavesQuantity     string `json:"leaves_quantity"`
	AvgPrice           string `json:"avg_price"`
	TotalFees          string `json:"total_fees"`
	Status             string `json:"status"`
	ProductID          string `json:"product_id"`
	CreationTime       string `json:"creation_time"`
	OrderSide          string `json:"order_side"`
	OrderType          string `json:"order_type"`
	LimitPrice         string `json:"limit_price"`
	StopPrice          string `json:"stop_price"`
	CancelReason       string `json:"cancel_reason"`
	RejectReason       string `json:"reject_reason"`
}

type wsUserEvent struct {
	Type   string        `json:"type"` // snapshot or update
	Orders []wsUserOrder `json:"orders"`
}

// filledSoFar is what a connection last knew of an order's execution.
type filledSoFar struct {
	qty, value, fees decimal.Decimal
}

// userDecoder reads one connection of the user channel. It remembers each
// order's cumulative quantity, value and fees, to derive fills from their
// growth.
type userDecoder struct {
	profile   string
	now       func() time.Time
	seq       int64
	started   bool
	connected bool
	filled    map[string]filledSoFar
}

func newUserDecoder(profile string, now func() time.Time) *userDecoder {
	return &userDecoder{profile: profile, now: now, filled: map[string]filledSoFar{}}
}

func (d *userDecoder) decode(msg []byte) ([]exchange.OrderEvent, error) {
	var m wsMessage
	if err := json.Unmarshal(msg, &m); err != nil {
		return nil, err
	}
	if m.Type == "error" {
		return nil, userStreamError(m.Message)
	}
	if m.SequenceNum != nil {
		n := *m.SequenceNum
		switch {
		case d.started && n > d.seq+1:
			// A lost update could be a lost fill: start over, and the
			// caller reconciles after the new connection's EventConnected.
			return nil, venuews.Resync("sequence gap: %d after %d", n, d.seq)
		case d.started && n <= d.seq:
			return nil, nil
		}
		d.started, d.seq = true, n
	}
	at := d.now().UTC()
	if t, ok := parseTime(m.Timestamp); ok {
		at = t
	}
	switch m.Channel {
	case "subscriptions":
		return d.subscriptions(m.Events, at)
	case "user":
	default:
		return nil, nil // heartbeats
	}
	var evs []wsUserEvent
	if err := json.Unmarshal(m.Events, &evs); err != nil {
		return nil, fmt.Errorf("user events: %w", err)
	}
	var out []exchange.OrderEvent
	for _, ev := range evs {
		if ev.Type != "snapshot" && ev.Type != "update" {
			return nil, fmt.Errorf("user event of type %q", ev.Type)
		}
		for _, w := range ev.Orders {
			evs, err := d.order(w, ev.Type == "snapshot", at)
			if err != nil {
				return nil, fmt.Errorf("user order %s: %w", w.OrderID, err)
			}
			out = append(out, evs...)
		}
	}
	return out, nil
}

// userStreamError sorts an error message: a refused token would be
// refused again, so it ends the stream; anything else starts a new
// connection.
func userStreamError(msg string) error {
	low := strings.ToLower(msg)
	if strings.Contains(low, "auth") || strings.Contains(low, "jwt") || strings.Contains(low, "token") {
		return venuews.Fatal(&exchange.Error{Kind: exchange.ErrAuth, Venue: venueName, Message: "user channel refused: " + msg})
	}
	return venuews.Resync("coinbase: %s", msg)
}

// subscriptions announces the connection once the venue lists the user
// channel among its subscriptions.
func (d *userDecoder) subscriptions(raw json.RawMessage, at time.Time) ([]exchange.OrderEvent, error) {
	var evs []struct {
		Subscriptions map[string][]string `json:"subscriptions"`
	}
	if err := json.Unmarshal(raw, &evs); err != nil {
		return nil, fmt.Errorf("subscriptions events: %w", err)
	}
	for _, ev := range evs {
		if _, ok := ev.Subscriptions["user"]; ok && !d.connected {
			d.connected = true
			return []exchange.OrderEvent{{Kind: exchange.EventConnected, Time: at}}, nil
		}
	}
	return nil, nil
}

// order turns one order entry into an order event, preceded by a derived
// fill when its cumulative quantity grew since this connection last saw
// it. A snapshot only sets the baseline: what filled before it is the
// REST reconciliation's to find.
func (d *userDecoder) order(w wsUserOrder, snapshot bool, at time.Time) ([]exchange.OrderEvent, error) {
	if w.OrderID == "" {
		return nil, fmt.Errorf("no order_id")
	}
	sym, err := trade.ParseSymbol(w.ProductID)
	if err != nil {
		return nil, err
	}
	side, err := trade.ParseSide(w.OrderSide)
	if err != nil {
		return nil, err
	}
	num := func(field, text string) (decimal.Decimal, error) {
		if text == "" {
			return decimal.Zero, nil
		}
		v, err := venueorder.Decimal(field, text)
		if err == nil && v.IsNegative() {
			err = fmt.Errorf("%s: negative %s", field, text)
		}
		return v, err
	}
	var cum, leaves, avg, fees, limit, stop decimal.Decimal
	for _, f := range []struct {
		field, text string
		dst         *decimal.Decimal
	}{
		{"cumulative_quantity", w.CumulativeQuantity, &cum}, {"leaves_quantity", w.LeavesQuantity, &leaves},
		{"avg_price", w.AvgPrice, &avg}, {"total_fees", w.TotalFees, &fees},
		{"limit_price", w.LimitPrice, &limit}, {"stop_price", w.StopPrice, &stop},
	} {
		if *f.dst, err = num(f.field, f.text); err != nil {
			return nil, err
		}
	}
	status, err := userStatus(w.Status, cum)
	if err != nil {
		return nil, err
	}
	o := trade.Order{
		ID: w.OrderID, ClientID: w.ClientOrderID, Symbol: sym, Side: side, Type: userOrderType(w.OrderType),
		Status: status, Qty: cum.Add(leaves), FilledQty: cum, Fee: fees, FeeAsset: sym.Quote,
		Exchange: venueName, Profile: d.profile, UpdatedAt: at,
	}
	if t, ok := parseTime(w.CreationTime); ok {
		o.CreatedAt = t
	}
	if avg.IsPositive() {
		o.AvgFillPrice = decimal.NewNullDecimal(avg)
	}
	if limit.IsPositive() {
		o.Price = decimal.NewNullDecimal(limit)
	}
	if stop.IsPositive() {
		o.StopPrice = decimal.NewNullDecimal(stop)
	}
	switch status {
	case trade.StatusRejected:
		o.RejectReason = w.RejectReason
	case trade.StatusCanceled:
		o.RejectReason = w.CancelReason
	}
	now := filledSoFar{qty: cum, value: cum.Mul(avg), fees: fees}
	was := d.filled[w.OrderID] // zero for an order new to this connection
	d.filled[w.OrderID] = now
	var out []exchange.OrderEvent
	if !snapshot && now.qty.GreaterThan(was.qty) {
		f := derivedFill(o, was, now, at)
		out = append(out, exchange.OrderEvent{Kind: exchange.EventFill, Fill: &f, Order: &o, Time: at})
	}
	return append(out, exchange.OrderEvent{Kind: exchange.EventOrder, Order: &o, Time: at}), nil
}

// derivedFill is the execution between two readings of an order: its
// quantity is the growth of cumulative_quantity, its price the growth of
// the filled value (cumulative_quantity × avg_price) over it — the
// average when several trades fell between the readings — and its fee
// the growth of total_fees. Its id, DerivedFillPrefix + order id + "@" +
// the cumulative quantity reached, is the same on every connection that
// sees the same growth, but is not Coinbase's trade id: REST
// reconciliation must match derived fills by order and cumulative
// quantity, not by id. Liquidity is not known.
func derivedFill(o trade.Order, was, now filledSoFar, at time.Time) trade.Fill {
	qty := now.qty.Sub(was.qty)
	price := now.value.Sub(was.value).DivRound(qty, 16)
	return trade.Fill{
		ID: DerivedFillPrefix + o.ID + "@" + now.qty.String(), OrderID: o.ID, ClientID: o.ClientID,
		Symbol: o.Symbol, Side: o.Side, Qty: qty, Price: price,
		Fee: decimal.Max(now.fees.Sub(was.fees), decimal.Zero), FeeAsset: o.Symbol.Quote, Time: at,
	}
}

// userStatus maps the user channel's status as the REST mapping does.
func userStatus(s string, filled decimal.Decimal) (trade.OrderStatus, error) {
	switch s {
	case "PENDING", "QUEUED", "OPEN", "EDIT_QUEUED", "CANCEL_QUEUED":
		if filled.IsPositive() {
			return trade.StatusPartiallyFilled, nil
		}
		return trade.StatusOpen, nil
	case "FILLED":
		return trade.StatusFilled, nil
	case "CANCELLED":
		return trade.StatusCanceled, nil
	case "EXPIRED":
		return trade.StatusExpired, nil
	case "FAILED":
		return trade.StatusRejected, nil
	}
	return "", fmt.Errorf("unknown status %q", s)
}

// userOrderType maps order_type ("Limit", "Market", "Stop Limit", …);
// others keep Coinbase's word.
func userOrderType(s string) trade.OrderType {
	switch strings.ToUpper(strings.ReplaceAll(s, " ", "_")) {
	case "MARKET":
		return trade.Market
	case "LIMIT":
		return trade.Limit
	case "STOP_LIMIT":
		return trade.StopLimit
	case "STOP":
		return trade.Stop
	}
	return trade.OrderType(s)
}
