package coinbase

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

var userClock = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// The messages below follow the Advanced Trade WebSocket reference for
// the user and subscriptions channels (docs.cdp.coinbase.com, "Advanced
// Trade WebSocket Channels", user channel).
const (
	userSubsHeartbeats = `{"channel":"subscriptions","client_id":"","timestamp":"2026-03-02T10:00:00Z","sequence_num":0,"events":[{"subscriptions":{"heartbeats":["heartbeats"]}}]}`
	userSubs           = `{"channel":"subscriptions","client_id":"","timestamp":"2026-03-02T10:00:00Z","sequence_num":1,"events":[{"subscriptions":{"heartbeats":["heartbeats"],"user":["f2cbaa4b-0000-0000-0000-000000000000"]}}]}`
	userSnapshot       = `{"channel":"user","client_id":"","timestamp":"2026-03-02T10:00:00.5Z","sequence_num":2,"events":[{"type":"snapshot","orders":[{"order_id":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","client_order_id":"my-order-1","cumulative_quantity":"0.1","leaves_quantity":"0.4","avg_price":"50000","total_fees":"20","status":"OPEN","product_id":"BTC-USD","creation_time":"2026-03-02T09:59:55.123456Z","order_side":"BUY","order_type":"Limit","cancel_reason":"","reject_reason":"","total_value_after_fees":"5020","limit_price":"50000","time_in_force":"GOOD_UNTIL_CANCELLED","product_type":"SPOT"}]}]}`
	userUpdate         = `{"channel":"user","client_id":"","timestamp":"2026-03-02T10:00:01Z","sequence_num":3,"events":[{"type":"update","orders":[{"order_id":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","client_order_id":"my-order-1","cumulative_quantity":"0.3","leaves_quantity":"0.2","avg_price":"49000","total_fees":"58.8","status":"OPEN","product_id":"BTC-USD","creation_time":"2026-03-02T09:59:55.123456Z","order_side":"BUY","order_type":"Limit","cancel_reason":"","reject_reason":"","limit_price":"50000"}]}]}`
	userHeartbeat      = `{"channel":"heartbeats","client_id":"","timestamp":"2026-03-02T10:00:01.5Z","sequence_num":4,"events":[{"current_time":"2026-03-02 10:00:01.5 +0000 UTC m=+1.0","heartbeat_counter":3049}]}`
)

func TestUserDecoder(t *testing.T) {
	d := newUserDecoder("p", func() time.Time { return userClock })
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }
	open := trade.Order{ID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", ClientID: "my-order-1", Symbol: btcusd, Side: trade.Buy,
		Type: trade.Limit, Status: trade.StatusPartiallyFilled, Qty: trade.Dec("0.5"), FilledQty: trade.Dec("0.1"),
		Price: decimal.NewNullDecimal(trade.Dec("50000")), AvgFillPrice: decimal.NewNullDecimal(trade.Dec("50000")),
		Fee: trade.Dec("20"), FeeAsset: "USD", Exchange: venueName, Profile: "p",
		CreatedAt: at("2026-03-02T09:59:55.123456Z"), UpdatedAt: at("2026-03-02T10:00:00.5Z")}
	grown := open
	grown.FilledQty, grown.AvgFillPrice, grown.Fee, grown.UpdatedAt = trade.Dec("0.3"), decimal.NewNullDecimal(trade.Dec("49000")), trade.Dec("58.8"), at("2026-03-02T10:00:01Z")
	// The update grows the order from 0.1 to 0.3 filled: its fills are read
	// over REST (here two trades, one delivered before on this connection
	// is not: the snapshot's), and go out before the order event.
	before := trade.Fill{ID: "t-1", OrderID: grown.ID, Symbol: btcusd, Side: trade.Buy, Qty: trade.Dec("0.1"), Price: trade.Dec("50000"),
		Fee: trade.Dec("20"), FeeAsset: "USD", Liquidity: trade.Maker, Time: at("2026-03-02T09:59:58Z")}
	fill := trade.Fill{ID: "t-2", OrderID: grown.ID, Symbol: btcusd, Side: trade.Buy, Qty: trade.Dec("0.2"), Price: trade.Dec("48500"),
		Fee: trade.Dec("38.8"), FeeAsset: "USD", Liquidity: trade.Taker, Time: at("2026-03-02T10:00:00.9Z")}
	var asked []string
	d.fills = func(orderID string) ([]trade.Fill, error) {
		asked = append(asked, orderID)
		return []trade.Fill{before, fill}, nil
	}
	d.delivered["t-1"] = true // delivered when it happened, on this connection
	wantFill := fill
	wantFill.ClientID = "my-order-1"

	for _, tc := range []struct {
		name, msg string
		want      []exchange.OrderEvent
	}{
		{"heartbeats subscribed", userSubsHeartbeats, nil},
		{"user subscribed", userSubs, []exchange.OrderEvent{{Kind: exchange.EventConnected, Time: at("2026-03-02T10:00:00Z")}}},
		{"snapshot: the baseline, no fill", userSnapshot, []exchange.OrderEvent{{Kind: exchange.EventOrder, Order: &open, Time: open.UpdatedAt}}},
		{"update: the new fill, read over REST", userUpdate, []exchange.OrderEvent{
			{Kind: exchange.EventFill, Fill: &wantFill, Order: &grown, Time: fill.Time},
			{Kind: exchange.EventOrder, Order: &grown, Time: grown.UpdatedAt},
		}},
		{"heartbeat", userHeartbeat, nil},
	} {
		got, err := d.decode([]byte(tc.msg))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	if diff := cmp.Diff([]string{grown.ID}, asked); diff != "" {
		t.Errorf("fills read for (-want +got):\n%s", diff)
	}
}

// TestUserDecoderFillsBehind: List Fills that never catches up with the
// order's filled quantity makes the connection resynchronise (the
// reconciliation after the reconnect finds the fill), and no fill is
// made up.
func TestUserDecoderFillsBehind(t *testing.T) {
	saved := fillsLag
	fillsLag = []time.Duration{time.Millisecond}
	t.Cleanup(func() { fillsLag = saved })
	d := newUserDecoder("p", func() time.Time { return userClock })
	reads := 0
	d.fills = func(string) ([]trade.Fill, error) { reads++; return nil, nil }
	for _, msg := range []string{userSubs, userSnapshot} {
		if _, err := d.decode([]byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := d.decode([]byte(userUpdate))
	if !errors.Is(err, venuews.ErrResync) || len(evs) != 0 {
		t.Errorf("decode = %v, %v; want no events and a resync", evs, err)
	}
	if reads != 2 {
		t.Errorf("List Fills read %d times, want 2 (once, then once after the lag)", reads)
	}
}

func TestUserDecoderRefusalsAndGaps(t *testing.T) {
	d := newUserDecoder("p", func() time.Time { return userClock })
	_, err := d.decode([]byte(`{"type":"error","message":"authentication failure"}`))
	if !errors.Is(err, exchange.ErrAuth) {
		t.Errorf("authentication failure: %v, want ErrAuth", err)
	}
	_, err = d.decode([]byte(`{"type":"error","message":"internal error"}`))
	if !errors.Is(err, venuews.ErrResync) {
		t.Errorf("internal error: %v, want a resync", err)
	}
	if _, err := d.decode([]byte(userSubs)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.decode([]byte(userUpdate)); !errors.Is(err, venuews.ErrResync) {
		t.Errorf("sequence 3 after 1: %v, want a resync (a lost update may be a lost fill)", err)
	}
	for _, msg := range []string{
		`nope`,
		`{"channel":"user","events":{}}`,
		`{"channel":"user","events":[{"type":"odd","orders":[]}]}`,
		`{"channel":"user","events":[{"type":"update","orders":[{"order_id":"","product_id":"BTC-USD","order_side":"BUY","status":"OPEN"}]}]}`,
		`{"channel":"user","events":[{"type":"update","orders":[{"order_id":"x","product_id":"BTC-USD","order_side":"BUY","status":"DREAMING"}]}]}`,
		`{"channel":"user","events":[{"type":"update","orders":[{"order_id":"x","product_id":"BTC-USD","order_side":"BUY","status":"OPEN","cumulative_quantity":"-1"}]}]}`,
		`{"channel":"user","events":[{"type":"update","orders":[{"order_id":"x","product_id":"BTC-USD","order_side":"SIDEWAYS","status":"OPEN"}]}]}`,
		`{"channel":"subscriptions","events":"x"}`,
	} {
		d := newUserDecoder("p", func() time.Time { return userClock })
		evs, err := d.decode([]byte(msg))
		if err == nil || errors.Is(err, venuews.ErrResync) {
			t.Errorf("%s: events %v, err %v; want a malformed-message error", msg, evs, err)
		}
	}
}

func FuzzUserDecoder(f *testing.F) {
	for _, s := range []string{userSubs, userSnapshot, userUpdate, userHeartbeat} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		d := newUserDecoder("p", func() time.Time { return userClock })
		// A snapshot first, so an update can grow an order.
		_, _ = d.decode([]byte(userSnapshot))
		evs, err := d.decode(msg)
		if err != nil && len(evs) > 0 {
			t.Fatalf("events %v with error %v", evs, err)
		}
		for _, ev := range evs {
			if ev.Kind == exchange.EventFill && (ev.Fill == nil || !ev.Fill.Qty.IsPositive()) {
				t.Fatalf("fill event without a positive fill: %+v", ev)
			}
		}
	})
}

func TestStreamOrderEventsEndToEnd(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	ctx := ctxT(t)
	es := venuetest.StartEvents(t, e)
	es.Await(t, 5*time.Second, "connected", venuetest.IsKind(exchange.EventConnected))

	placed := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01"), ClientID: "stream-test-1"})
	fill := es.Await(t, 5*time.Second, "the fill", venuetest.IsKind(exchange.EventFill)).Fill
	if fill.OrderID != placed.ID || !fill.Qty.Equal(trade.Dec("0.01")) || !fill.Price.IsPositive() || fill.ClientID != "stream-test-1" {
		t.Errorf("fill %+v: want the order's 0.01 at a price", fill)
	}
	es.Await(t, 5*time.Second, "the order filled", func(ev exchange.OrderEvent) bool {
		return ev.Kind == exchange.EventOrder && ev.Order.ID == placed.ID && ev.Order.Status == trade.StatusFilled
	})

	f.Srv.DropUserStreams()
	es.Await(t, 5*time.Second, "connected again", venuetest.IsKind(exchange.EventConnected))
	if n := f.Srv.UserStreamConnections(); n != 2 {
		t.Errorf("connections = %d, want 2", n)
	}
	resting := venuetest.Place(t, ctx, e, restingBuy("stream-test-2"))
	es.Await(t, 5*time.Second, "the order placed after the reconnect", func(ev exchange.OrderEvent) bool {
		return ev.Kind == exchange.EventOrder && ev.Order.ID == resting.ID && ev.Order.Status == trade.StatusOpen
	})
}

func TestStreamOrderEventsRefusedKey(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.OpenAs(t, newKey(t).creds())
	es := venuetest.StartEvents(t, e)
	if err := es.Err(t, 5*time.Second); !errors.Is(err, exchange.ErrAuth) {
		t.Errorf("StreamOrderEvents = %v, want ErrAuth", err)
	}
	if n := f.Srv.UserStreamConnections(); n != 1 {
		t.Errorf("connections = %d, want one: no reconnect storm on a refused key", n)
	}
}

func TestUserStreamURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts map[string]any
		want string
	}{
		{"production by default", nil, ProductionWSUserURL},
		{"sandbox: none", map[string]any{KeySandbox: true}, ""},
		{"another host: none", map[string]any{KeyBaseURL: "https://proxy.example"}, ""},
		{"named", map[string]any{KeyBaseURL: "https://proxy.example", KeyWSUserURL: "wss://user.proxy.example"}, "wss://user.proxy.example"},
	} {
		c, err := parseConfig(exchange.Params{Profile: "p", Exchange: venueName, Options: tc.opts})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.wsUserURL != tc.want {
			t.Errorf("%s: ws user URL %q, want %q", tc.name, c.wsUserURL, tc.want)
		}
	}
	if _, err := parseConfig(exchange.Params{Profile: "p", Exchange: venueName, Options: map[string]any{KeyWSUserURL: "https://x"}}); err == nil {
		t.Errorf("ws_user_url https://x accepted; want a WebSocket URL refused otherwise")
	}
}
