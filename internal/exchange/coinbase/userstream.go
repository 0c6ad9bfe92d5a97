package coinbase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
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

// StreamOrderEvents implements exchange.OrderEventStreamer over the
// Advanced Trade user channel, with heartbeats; see the package doc. The
// user channel needs a JWT: a profile without a usable key fails at once
// with ErrAuth, and a token the venue refuses ends the stream with ErrAuth.
func (e *Exchange) StreamOrderEvents(ctx context.Context, fn func(exchange.OrderEvent) error) error {
	if e.wsUserURL == "" {
		return e.NoOrderStream(KeyWSUserURL)
	}
	creds, err := e.credentialsFor(ctx)
	if err != nil {
		return err
	}
	if creds == nil {
		return &exchange.Error{Kind: exchange.ErrAuth, Venue: venueName,
			Message: fmt.Sprintf("profile %q: the user channel needs an API key", e.Profile)}
	}
	return venuews.StreamEvents(ctx, venuews.EventFeed{
		Endpoint: e.Endpoint(e.wsUserURL),
		Timing:   e.wsTiming,
		Subscribe: func(context.Context) ([][]byte, error) {
			return e.userSubscribeMessages(creds)
		},
		NewDecoder: func() venuews.EventDecoder {
			d := newUserDecoder(e.Profile, e.Now)
			d.fills = func(orderID string) ([]trade.Fill, error) { return e.orderFills(ctx, orderID) }
			return d.decode
		},
	}, fn)
}

// orderFills lists one order's fills (List Fills by order_ids), oldest
// first.
func (e *Exchange) orderFills(ctx context.Context, orderID string) ([]trade.Fill, error) {
	var out []trade.Fill
	q := url.Values{"order_ids": {orderID}, "limit": {strconv.Itoa(fillsPageMax)}}
	for range fillsListPages {
		c := call{method: http.MethodGet, path: pathFills, query: q, private: true}
		var w fillsPage
		if err := e.do(ctx, c, &w); err != nil {
			return nil, err
		}
		for _, fw := range w.Fills {
			f, err := mapFill(fw)
			if errors.Is(err, errNotAFill) {
				continue
			}
			if err != nil {
				return nil, decodeFailure(c.String(), err, false, "")
			}
			if f.OrderID == orderID {
				out = append(out, f)
			}
		}
		if w.Cursor == "" || w.Cursor == q.Get("cursor") || len(w.Fills) == 0 {
			break
		}
		q.Set("cursor", w.Cursor)
	}
	slices.SortStableFunc(out, func(a, b trade.Fill) int { return a.Time.Compare(b.Time) })
	return out, nil
}

// userSubscribeMessages are heartbeats and user, each with a fresh token
// (a token lives two minutes); tokens are never logged. A key that cannot
// sign a token now will not on the next connection either.
func (e *Exchange) userSubscribeMessages(creds *credentials) ([][]byte, error) {
	msgs, err := e.subscribeMessages(creds, "user", nil)
	if err != nil {
		return nil, venuews.Fatal(err)
	}
	return msgs, nil
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

// userDecoder reads one connection of the user channel. It remembers each
// order's cumulative quantity, and the fills it has delivered, so that when
// an order's quantity grows it reads the order's fills over REST (fills)
// and delivers the ones it has not.
type userDecoder struct {
	profile   string
	now       func() time.Time
	seq       wsSequence
	connected bool
	filled    map[string]decimal.Decimal
	delivered map[string]bool
	// fills lists an order's fills over REST, oldest first.
	fills func(orderID string) ([]trade.Fill, error)
}

func newUserDecoder(profile string, now func() time.Time) *userDecoder {
	return &userDecoder{profile: profile, now: now, filled: map[string]decimal.Decimal{}, delivered: map[string]bool{}}
}

func (d *userDecoder) decode(msg []byte) ([]exchange.OrderEvent, error) {
	m, fresh, err := d.seq.read(msg, userStreamError)
	if !fresh {
		return nil, err
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

// order turns one order entry into an order event. The user channel
// reports orders, not trades: a fill shows only as the growth of the
// order's cumulative_quantity. No fill is made up from that growth — its
// price, fee, liquidity and trade id would be guesses; the order's fills
// are read over REST instead (List Fills by order id), and those not yet
// delivered on this connection go out before the order event, each with
// Coinbase's own trade id. A snapshot only sets the baseline: what filled
// before it is the caller's REST reconciliation to find.
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
	was := d.filled[w.OrderID] // zero for an order new to this connection
	d.filled[w.OrderID] = cum
	var out []exchange.OrderEvent
	if !snapshot && cum.GreaterThan(was) && d.fills != nil {
		fills, err := d.newFills(o)
		if err != nil {
			return nil, err
		}
		for i := range fills {
			out = append(out, exchange.OrderEvent{Kind: exchange.EventFill, Fill: &fills[i], Order: &o, Time: fills[i].Time})
		}
	}
	return append(out, exchange.OrderEvent{Kind: exchange.EventOrder, Order: &o, Time: at}), nil
}

// fillsLag is how long the REST fills may trail the user channel: an
// update can arrive before List Fills shows the trade it reports.
var fillsLag = []time.Duration{50 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond}

// newFills reads o's fills and returns those not delivered yet. Until the
// listing covers o's filled quantity it is read again a few times; if it
// still does not, the connection is resynchronised, and the caller's REST
// reconciliation after the reconnect finds what is missing.
func (d *userDecoder) newFills(o trade.Order) ([]trade.Fill, error) {
	for attempt := 0; ; attempt++ {
		all, err := d.fills(o.ID)
		if err != nil {
			return nil, venuews.Resync("read the fills of order %s: %v", o.ID, err)
		}
		total := decimal.Zero
		for _, f := range all {
			total = total.Add(f.Qty)
		}
		if total.LessThan(o.FilledQty) && attempt < len(fillsLag) {
			time.Sleep(fillsLag[attempt])
			continue
		}
		if total.LessThan(o.FilledQty) {
			return nil, venuews.Resync("order %s has %s filled but List Fills shows %s", o.ID, o.FilledQty, total)
		}
		var out []trade.Fill
		for _, f := range all {
			if !d.delivered[f.ID] {
				d.delivered[f.ID] = true
				f.ClientID = o.ClientID
				out = append(out, f)
			}
		}
		return out, nil
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
