package kraken

import (
	"errors"
	"strings"
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

var streamClock = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return streamClock }

// The messages below follow Kraken's WebSocket v2 executions reference
// (docs.kraken.com/api/docs/websocket-v2/executions).
const (
	execAck      = `{"method":"subscribe","result":{"channel":"executions","maxratecount":180,"snapshot":true},"success":true,"time_in":"2026-03-02T10:00:00.000000Z","time_out":"2026-03-02T10:00:00.000100Z"}`
	execSnapshot = `{"channel":"executions","type":"snapshot","data":[{"order_id":"OAAAAA-BBBBB-CCCCCC","symbol":"BTC/USD","order_qty":0.5,"cum_cost":0,"time_in_force":"GTC","exec_type":"new","side":"buy","order_type":"limit","order_userref":0,"limit_price_type":"static","limit_price":50000.0,"stop_price":0,"order_status":"new","fee_usd_equiv":0,"fee_ccy_pref":"fcib","timestamp":"2026-03-02T09:59:00.123456Z","cl_ord_id":"my-order-1","cum_qty":0,"avg_price":0}],"sequence":1}`
	execTrade    = `{"channel":"executions","type":"update","data":[{"order_id":"OAAAAA-BBBBB-CCCCCC","exec_id":"TXXXXX-YYYYY-ZZZZZZ","exec_type":"trade","trade_id":123,"symbol":"BTC/USD","side":"buy","last_qty":0.2,"last_price":50000.0,"liquidity_ind":"m","cost":10000.0,"order_status":"partially_filled","order_type":"limit","timestamp":"2026-03-02T10:00:01.000000Z","fee_usd_equiv":16.0,"fees":[{"asset":"USD","qty":16.0}],"cum_qty":0.2,"cum_cost":10000.0,"avg_price":50000.0}],"sequence":2}`
	execCancel   = `{"channel":"executions","type":"update","data":[{"timestamp":"2026-03-02T10:00:02.000000Z","order_status":"canceled","exec_type":"canceled","cum_qty":0.2,"cum_cost":10000.0,"fee_usd_equiv":16.0,"avg_price":50000.0,"order_id":"OAAAAA-BBBBB-CCCCCC","reason":"User requested"}],"sequence":3}`
)

func TestExecutionsDecoder(t *testing.T) {
	d := newExecutionsDecoder("p", nil, fixedNow)
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }
	open := trade.Order{ID: "OAAAAA-BBBBB-CCCCCC", ClientID: "my-order-1", Symbol: btcusd, Side: trade.Buy, Type: trade.Limit,
		TimeInForce: trade.GTC, Status: trade.StatusOpen, Qty: trade.Dec("0.5"), FilledQty: trade.Dec("0"),
		Price: decimal.NewNullDecimal(trade.Dec("50000")), Exchange: venueName, Profile: "p",
		CreatedAt: at("2026-03-02T09:59:00.123456Z"), UpdatedAt: at("2026-03-02T09:59:00.123456Z")}
	partly := open
	partly.Status, partly.FilledQty, partly.AvgFillPrice = trade.StatusPartiallyFilled, trade.Dec("0.2"), decimal.NewNullDecimal(trade.Dec("50000"))
	partly.Fee, partly.FeeAsset, partly.UpdatedAt = trade.Dec("16"), "USD", at("2026-03-02T10:00:01Z")
	canceled := partly
	canceled.Status, canceled.RejectReason, canceled.UpdatedAt = trade.StatusCanceled, "User requested", at("2026-03-02T10:00:02Z")
	fill := trade.Fill{ID: "TXXXXX-YYYYY-ZZZZZZ", OrderID: "OAAAAA-BBBBB-CCCCCC", ClientID: "my-order-1", Symbol: btcusd, Side: trade.Buy,
		Qty: trade.Dec("0.2"), Price: trade.Dec("50000"), Fee: trade.Dec("16"), FeeAsset: "USD", Liquidity: trade.Maker, Time: at("2026-03-02T10:00:01Z")}

	for _, tc := range []struct {
		name, msg string
		want      []exchange.OrderEvent
	}{
		{"subscribe acknowledged", execAck, []exchange.OrderEvent{{Kind: exchange.EventConnected, Time: streamClock}}},
		{"heartbeat", `{"channel":"heartbeat"}`, nil},
		{"status", `{"channel":"status","type":"update","data":[{"system":"online"}]}`, nil},
		{"snapshot of an open order", execSnapshot, []exchange.OrderEvent{{Kind: exchange.EventOrder, Order: &open, Time: open.UpdatedAt}}},
		{"trade", execTrade, []exchange.OrderEvent{{Kind: exchange.EventFill, Fill: &fill, Order: &partly, Time: fill.Time}}},
		{"cancel naming only the order", execCancel, []exchange.OrderEvent{{Kind: exchange.EventOrder, Order: &canceled, Time: canceled.UpdatedAt}}},
	} {
		got, err := d.decode([]byte(tc.msg))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestExecutionsDecoderRefusals(t *testing.T) {
	d := newExecutionsDecoder("p", nil, fixedNow)
	_, err := d.decode([]byte(`{"method":"subscribe","error":"EAccount:Invalid permissions","success":false}`))
	if !errors.Is(err, exchange.ErrAuth) || errors.Is(err, venuews.ErrResync) {
		t.Errorf("invalid token: %v, want ErrAuth", err)
	}
	_, err = d.decode([]byte(`{"method":"subscribe","error":"EService:Unavailable","success":false}`))
	if !errors.Is(err, venuews.ErrResync) {
		t.Errorf("service unavailable: %v, want a resync", err)
	}
	for _, msg := range []string{
		`not json`,
		`{"channel":"executions","type":"update","data":{}}`,
		`{"channel":"executions","type":"weird","data":[]}`,
		`{"channel":"executions","type":"update","data":[{"exec_type":"new"}]}`,
		`{"channel":"executions","type":"update","data":[{"exec_type":"trade","order_id":"O1","exec_id":"T1"}]}`,
		`{"channel":"executions","type":"update","data":[{"exec_type":"trade","order_id":"O1","exec_id":"T1","last_qty":-1,"last_price":5}]}`,
		`{"channel":"executions","type":"update","data":[{"exec_type":"new","order_id":"O1","order_status":"dreaming"}]}`,
		`{"channel":"executions","type":"update","data":[{"exec_type":"new","order_id":"O1","timestamp":"yesterday"}]}`,
	} {
		evs, err := d.decode([]byte(msg))
		if err == nil || errors.Is(err, venuews.ErrResync) {
			t.Errorf("%s: events %v, err %v; want a malformed-message error", msg, evs, err)
		}
	}
}

func FuzzExecutionsDecoder(f *testing.F) {
	for _, s := range []string{execAck, execSnapshot, execTrade, execCancel, `{"channel":"heartbeat"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		d := newExecutionsDecoder("p", nil, fixedNow)
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
	f, e, ctx := adapter.Start(t)
	es := venuetest.StartEvents(t, e)
	es.Await(t, 5*time.Second, "connected", venuetest.IsKind(exchange.EventConnected))

	placed := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01"), ClientID: "stream-test-1"})
	ev := es.Await(t, 5*time.Second, "the order", func(ev exchange.OrderEvent) bool {
		return ev.Kind == exchange.EventOrder && ev.Order.ID == placed.ID
	})
	if ev.Order.ClientID != "stream-test-1" || ev.Order.Symbol != btcusd || ev.Order.Side != trade.Buy {
		t.Errorf("order event %+v: want client id, symbol and side of the order placed", ev.Order)
	}
	fill := es.Await(t, 5*time.Second, "the fill", venuetest.IsKind(exchange.EventFill)).Fill
	if fill.OrderID != placed.ID || !fill.Qty.Equal(trade.Dec("0.01")) || !fill.Price.IsPositive() || fill.ID == "" || fill.FeeAsset != "USD" {
		t.Errorf("fill %+v: want the order's 0.01 at a price, with an id and a USD fee", fill)
	}
	es.Await(t, 5*time.Second, "the order filled", func(ev exchange.OrderEvent) bool {
		return ev.Kind == exchange.EventOrder && ev.Order.ID == placed.ID && ev.Order.Status == trade.StatusFilled
	})

	// A dropped connection comes back, says so, and streams again.
	f.Srv.DropOrderStreams()
	es.Await(t, 5*time.Second, "connected again", venuetest.IsKind(exchange.EventConnected))
	if n := f.Srv.OrderStreamConnections(); n != 2 {
		t.Errorf("connections = %d, want 2", n)
	}
	resting := venuetest.Place(t, ctx, e, restingBuy("stream-test-2"))
	es.Await(t, 5*time.Second, "the order placed after the reconnect", func(ev exchange.OrderEvent) bool {
		return ev.Kind == exchange.EventOrder && ev.Order.ID == resting.ID && ev.Order.Status == trade.StatusOpen
	})
}

func TestStreamOrderEventsRefusedKey(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.OpenAs(t, adapter.NewCreds(t))
	es := venuetest.StartEvents(t, e)
	err := es.Err(t, 5*time.Second)
	if !errors.Is(err, exchange.ErrAuth) {
		t.Errorf("StreamOrderEvents = %v, want ErrAuth", err)
	}
	if n := f.Srv.OrderStreamConnections(); n > 1 {
		t.Errorf("connections = %d, want at most one: no reconnect storm on refused credentials", n)
	}
}

func TestStreamOrderEventsWithoutStream(t *testing.T) {
	f := adapter.Fixture(t)
	p := f.Params(nil)
	delete(p.Options, KeyWSAuthURL) // base_url names the fake: no production stream
	e := venuetest.Open(t, New, p)
	err := e.StreamOrderEvents(ctxT(t), func(exchange.OrderEvent) error { return nil })
	if !errors.Is(err, exchange.ErrUnavailable) {
		t.Errorf("StreamOrderEvents = %v, want ErrUnavailable naming %s", err, KeyWSAuthURL)
	}
}

func TestAuthStreamURLFromProfile(t *testing.T) {
	tests := []struct {
		name    string
		options map[string]any
		want    string
		wantErr string
	}{
		{"production by default", nil, ProductionWSAuthURL, ""},
		{"none when base_url points elsewhere", map[string]any{KeyBaseURL: "https://proxy.example"}, "", ""},
		{"ws_auth_url named", map[string]any{KeyBaseURL: "https://proxy.example", KeyWSAuthURL: "wss://auth.proxy.example/v2"}, "wss://auth.proxy.example/v2", ""},
		{"ws_auth_url not a WebSocket URL", map[string]any{KeyWSAuthURL: "https://ws.example"}, "", KeyWSAuthURL},
	}
	for _, tt := range tests {
		cfg, err := parseConfig(exchange.Params{Profile: "p", Options: tt.options})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: parseConfig = %v, want an error naming %s", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if cfg.wsAuthURL != tt.want {
			t.Errorf("%s: wsAuthURL = %q, want %q", tt.name, cfg.wsAuthURL, tt.want)
		}
	}
}

func TestStreamOrderEventsKeepsTokensOutOfLogs(t *testing.T) {
	f := adapter.Fixture(t)
	log, logger := venuetest.NewLog()
	p := f.Params(nil)
	p.Logger = logger
	e := venuetest.Open(t, New, p, func(e *Exchange) {
		e.wsTiming.BackoffMin, e.wsTiming.BackoffMax = 10*time.Millisecond, 50*time.Millisecond
	})
	es := venuetest.StartEvents(t, e)
	es.Await(t, 5*time.Second, "connected", venuetest.IsKind(exchange.EventConnected))
	f.Srv.DropOrderStreams()
	es.Await(t, 5*time.Second, "connected again", venuetest.IsKind(exchange.EventConnected))
	_ = es.Stop()
	tokens := f.Srv.IssuedTokens()
	if len(tokens) != 2 {
		t.Fatalf("tokens issued = %d, want one per connection (2)", len(tokens))
	}
	if !strings.Contains(log.String(), "reconnecting") {
		t.Errorf("the debug log does not tell of the reconnect; the check below would prove nothing:\n%s", log.String())
	}
	for _, secret := range append(tokens, f.Creds.Key, f.Creds.Secret) {
		if strings.Contains(log.String(), secret) {
			t.Errorf("the log holds a token or credential")
		}
	}
}
