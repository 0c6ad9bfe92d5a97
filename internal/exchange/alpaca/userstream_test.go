package alpaca

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

var tradeStreamClock = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// The messages below follow Alpaca's "Websocket Streaming" page
// (docs.alpaca.markets/docs/websocket-streaming): authorization,
// listening and trade_updates with the order entity.
const (
	authOK      = `{"stream":"authorization","data":{"action":"authenticate","status":"authorized"}}`
	authRefused = `{"stream":"authorization","data":{"action":"authenticate","message":"access key verification failed","status":"unauthorized"}}`
	listening   = `{"stream":"listening","data":{"streams":["trade_updates"]}}`
	orderJSON   = `{"id":"61e69015-8549-4bfd-b9c3-01e75843f47d","client_order_id":"my-order-1","created_at":"2026-03-02T14:59:59Z","updated_at":"2026-03-02T15:00:01Z","submitted_at":"2026-03-02T14:59:59Z","symbol":"AAPL","asset_class":"us_equity","qty":"10","filled_qty":"%s","filled_avg_price":%s,"order_type":"limit","type":"limit","side":"buy","time_in_force":"day","limit_price":"179.10","stop_price":null,"status":"%s","extended_hours":false,"legs":null}`
	partialFill = `{"stream":"trade_updates","data":{"event":"partial_fill","execution_id":"d3b4e5a6-0000-4000-8000-000000000001","order":` +
		`{"id":"61e69015-8549-4bfd-b9c3-01e75843f47d","client_order_id":"my-order-1","created_at":"2026-03-02T14:59:59Z","updated_at":"2026-03-02T15:00:01Z","symbol":"AAPL","asset_class":"us_equity","qty":"10","filled_qty":"4","filled_avg_price":"179.08","order_type":"limit","type":"limit","side":"buy","time_in_force":"day","limit_price":"179.10","stop_price":null,"status":"partially_filled","extended_hours":false,"legs":null}` +
		`,"position_qty":"4","price":"179.08","qty":"4","timestamp":"2026-03-02T15:00:01.5Z"}}`
	canceledUpdate = `{"stream":"trade_updates","data":{"event":"canceled","timestamp":"2026-03-02T15:00:02Z","order":` +
		`{"id":"61e69015-8549-4bfd-b9c3-01e75843f47d","client_order_id":"my-order-1","created_at":"2026-03-02T14:59:59Z","updated_at":"2026-03-02T15:00:02Z","symbol":"AAPL","asset_class":"us_equity","qty":"10","filled_qty":"4","filled_avg_price":"179.08","order_type":"limit","type":"limit","side":"buy","time_in_force":"day","limit_price":"179.10","stop_price":null,"status":"canceled","extended_hours":false,"legs":null}}}`
)

func newTestDecoder(sent *[][]byte) *tradeUpdatesDecoder {
	e := &Exchange{Base: venuebase.Base{Profile: "p"}}
	return newTradeUpdatesDecoder(e.mapStreamOrder, func(m []byte) { *sent = append(*sent, m) }, func() time.Time { return tradeStreamClock })
}

func TestTradeUpdatesDecoder(t *testing.T) {
	var sent [][]byte
	d := newTestDecoder(&sent)
	if evs, err := d.decode([]byte(authOK)); err != nil || len(evs) != 0 {
		t.Fatalf("authorized: %v, %v", evs, err)
	}
	if diff := cmp.Diff([]string{string(listenMessage)}, func() (s []string) {
		for _, m := range sent {
			s = append(s, string(m))
		}
		return
	}()); diff != "" {
		t.Errorf("sent after authorization (-want +got):\n%s", diff)
	}

	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }
	partly := trade.Order{ID: "61e69015-8549-4bfd-b9c3-01e75843f47d", ClientID: "my-order-1", Symbol: trade.MustSymbol("AAPL"),
		Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.Day, Status: trade.StatusPartiallyFilled,
		Qty: trade.Dec("10"), FilledQty: trade.Dec("4"), Price: decimal.NewNullDecimal(trade.Dec("179.10")),
		AvgFillPrice: decimal.NewNullDecimal(trade.Dec("179.08")), Exchange: venueName, Profile: "p",
		CreatedAt: at("2026-03-02T14:59:59Z"), UpdatedAt: at("2026-03-02T15:00:01Z")}
	canceled := partly
	canceled.Status, canceled.UpdatedAt = trade.StatusCanceled, at("2026-03-02T15:00:02Z")
	fill := trade.Fill{ID: "d3b4e5a6-0000-4000-8000-000000000001", OrderID: partly.ID, ClientID: "my-order-1", Symbol: partly.Symbol,
		Side: trade.Buy, Qty: trade.Dec("4"), Price: trade.Dec("179.08"), Time: at("2026-03-02T15:00:01.5Z")}

	for _, tc := range []struct {
		name, msg string
		want      []exchange.OrderEvent
	}{
		{"listening", listening, []exchange.OrderEvent{{Kind: exchange.EventConnected, Time: tradeStreamClock}}},
		{"partial fill", partialFill, []exchange.OrderEvent{
			{Kind: exchange.EventFill, Fill: &fill, Order: &partly, Time: fill.Time},
			{Kind: exchange.EventOrder, Order: &partly, Time: fill.Time},
		}},
		{"canceled", canceledUpdate, []exchange.OrderEvent{{Kind: exchange.EventOrder, Order: &canceled, Time: canceled.UpdatedAt}}},
	} {
		got, err := d.decode([]byte(tc.msg))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(trade.Order{}, "Legs")); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestTradeUpdatesDecoderRefusals(t *testing.T) {
	var sent [][]byte
	d := newTestDecoder(&sent)
	_, err := d.decode([]byte(authRefused))
	if !errors.Is(err, exchange.ErrAuth) {
		t.Errorf("unauthorized: %v, want ErrAuth", err)
	}
	if len(sent) != 0 {
		t.Errorf("sent %q after a refusal; want nothing", sent)
	}
	_, err = d.decode([]byte(`{"stream":"listening","data":{"streams":[]}}`))
	if !errors.Is(err, exchange.ErrUnavailable) {
		t.Errorf("listening to nothing: %v, want ErrUnavailable", err)
	}
	for _, msg := range []string{
		`garbage`,
		`{"stream":"authorization","data":[]}`,
		`{"stream":"trade_updates","data":[]}`,
		`{"stream":"trade_updates","data":{"event":"fill","order":{}}}`,
		`{"stream":"trade_updates","data":{"event":"new","order":{"id":"x","symbol":"AAPL","side":"up","type":"limit","time_in_force":"day","status":"new"}}}`,
		`{"stream":"trade_updates","data":{"event":"fill","execution_id":"e","price":"1","qty":"0","order":{"id":"x","symbol":"AAPL","side":"buy","type":"limit","time_in_force":"day","status":"filled","qty":"1","filled_qty":"1"}}}`,
		`{"stream":"trade_updates","data":{"event":"fill","execution_id":"e","price":"x","qty":"1","order":{"id":"x","symbol":"AAPL","side":"buy","type":"limit","time_in_force":"day","status":"filled","qty":"1","filled_qty":"1"}}}`,
	} {
		evs, err := d.decode([]byte(msg))
		if err == nil || errors.Is(err, venuews.ErrResync) {
			t.Errorf("%s: events %v, err %v; want a malformed-message error", msg, evs, err)
		}
	}
}

func FuzzTradeUpdatesDecoder(f *testing.F) {
	for _, s := range []string{authOK, authRefused, listening, partialFill, canceledUpdate} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		var sent [][]byte
		evs, err := newTestDecoder(&sent).decode(msg)
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

	placed := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("2"), ClientID: "stream-test-1"})
	es.Await(t, 5*time.Second, "the order", func(ev exchange.OrderEvent) bool {
		return ev.Kind == exchange.EventOrder && ev.Order.ID == placed.ID && ev.Order.ClientID == "stream-test-1"
	})
	fill := es.Await(t, 5*time.Second, "the fill", venuetest.IsKind(exchange.EventFill)).Fill
	if fill.OrderID != placed.ID || !fill.Qty.Equal(trade.Dec("2")) || !fill.Price.IsPositive() || fill.ID == "" {
		t.Errorf("fill %+v: want the order's 2 at a price, with an execution id", fill)
	}

	f.Srv.DropTradeStreams()
	es.Await(t, 5*time.Second, "connected again", venuetest.IsKind(exchange.EventConnected))
	if n := f.Srv.TradeStreamConnections(); n != 2 {
		t.Errorf("connections = %d, want 2", n)
	}
	resting := venuetest.Place(t, ctx, e, restingBuy("stream-test-2"))
	es.Await(t, 5*time.Second, "the order placed after the reconnect", func(ev exchange.OrderEvent) bool {
		return ev.Kind == exchange.EventOrder && ev.Order.ID == resting.ID
	})
}

func TestStreamOrderEventsRefusedKey(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.OpenAs(t, adapter.NewCreds(t))
	es := venuetest.StartEvents(t, e)
	if err := es.Err(t, 5*time.Second); !errors.Is(err, exchange.ErrAuth) {
		t.Errorf("StreamOrderEvents = %v, want ErrAuth", err)
	}
	if n := f.Srv.TradeStreamConnections(); n != 1 {
		t.Errorf("connections = %d, want one: no reconnect storm on a refused key", n)
	}
}

func TestTradeStreamURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts map[string]any
		want string
	}{
		{"paper by default", nil, "wss://paper-api.alpaca.markets/stream"},
		{"live", map[string]any{KeyPaper: false}, "wss://api.alpaca.markets/stream"},
		{"follows base_url", map[string]any{KeyBaseURL: "http://127.0.0.1:8080/v2"}, "ws://127.0.0.1:8080/stream"},
		{"named", map[string]any{KeyStreamURL: "wss://stream.example/stream"}, "wss://stream.example/stream"},
	} {
		c, err := parseConfig(exchange.Params{Profile: "p", Exchange: venueName, Options: tc.opts})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.streamURL != tc.want {
			t.Errorf("%s: stream URL %q, want %q", tc.name, c.streamURL, tc.want)
		}
	}
	if _, err := parseConfig(exchange.Params{Profile: "p", Exchange: venueName, Options: map[string]any{KeyStreamURL: "https://x"}}); err == nil {
		t.Errorf("stream_url https://x accepted; want it refused")
	}
}

func TestStreamOrderEventsKeepsTheKeyOutOfLogs(t *testing.T) {
	f := adapter.Fixture(t)
	log, logger := venuetest.NewLog()
	p := f.Params(nil)
	p.Logger = logger
	e := venuetest.Open(t, New, p, func(e *Exchange) {
		e.streamTiming.BackoffMin, e.streamTiming.BackoffMax = 10*time.Millisecond, 50*time.Millisecond
	})
	es := venuetest.StartEvents(t, e)
	es.Await(t, 5*time.Second, "connected", venuetest.IsKind(exchange.EventConnected))
	f.Srv.DropTradeStreams()
	es.Await(t, 5*time.Second, "connected again", venuetest.IsKind(exchange.EventConnected))
	_ = es.Stop()

	wrong := adapter.NewCreds(t)
	refused := f.OpenAs(t, wrong)
	err := venuetest.StartEvents(t, refused).Err(t, 5*time.Second)
	venuetest.CheckErrorsHide(t, []error{err}, wrong.Key, wrong.Secret)
	if !strings.Contains(log.String(), "reconnecting") {
		t.Errorf("the debug log does not tell of the reconnect; the check below would prove nothing:\n%s", log.String())
	}
	if strings.Contains(log.String(), f.Creds.Key) || strings.Contains(log.String(), f.Creds.Secret) {
		t.Errorf("the log holds the key or the secret")
	}
}
