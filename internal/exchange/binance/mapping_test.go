package binance

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestVenueSymbol(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{"BTC-USDT", "BTCUSDT", nil},
		{"eth/btc", "ETHBTC", nil},
		{"1000SATS-FDUSD", "1000SATSFDUSD", nil},
		{"AAPL", "", exchange.ErrNotFound},
	}
	for _, tt := range tests {
		got, err := venueSymbol(trade.MustSymbol(tt.in))
		if !errors.Is(err, tt.wantErr) || got != tt.want {
			t.Errorf("venueSymbol(%s) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestSymbolOf(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	tests := []struct {
		vs   string
		hint trade.Symbol
		want trade.Symbol
	}{
		{"BTCUSDT", trade.Symbol{}, trade.MustSymbol("BTC-USDT")},            // exchangeInfo
		{"ETHBTC", trade.Symbol{}, trade.MustSymbol("ETH-BTC")},              // exchangeInfo
		{"ETHBTC", trade.MustSymbol("ETH-BTC"), trade.MustSymbol("ETH-BTC")}, // hint
		{"LUNAUSDT", trade.Symbol{}, trade.MustSymbol("LUNA-USDT")},          // delisted: suffix guess
		{"XYZFDUSD", trade.Symbol{}, trade.MustSymbol("XYZ-FDUSD")},          // longest suffix wins
	}
	for _, tt := range tests {
		got, err := e.symbolOf(ctxT(t), tt.vs, tt.hint)
		if err != nil || got != tt.want {
			t.Errorf("symbolOf(%s, %v) = %v, %v; want %v", tt.vs, tt.hint, got, err, tt.want)
		}
	}
	if _, err := e.symbolOf(ctxT(t), "NOQUOTEHERE", trade.Symbol{}); !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("symbolOf(NOQUOTEHERE) = %v, want ErrNotFound", err)
	}
}

func TestToWire(t *testing.T) {
	tests := []struct {
		name    string
		req     trade.OrderRequest
		want    wireOrder
		wantErr string
	}{
		{"market", trade.OrderRequest{Type: trade.Market}, wireOrder{Type: "MARKET"}, ""},
		{"limit default gtc", trade.OrderRequest{Type: trade.Limit}, wireOrder{Type: "LIMIT", TimeInForce: "GTC"}, ""},
		{"limit ioc", trade.OrderRequest{Type: trade.Limit, TimeInForce: trade.IOC}, wireOrder{Type: "LIMIT", TimeInForce: "IOC"}, ""},
		{"limit fok", trade.OrderRequest{Type: trade.Limit, TimeInForce: trade.FOK}, wireOrder{Type: "LIMIT", TimeInForce: "FOK"}, ""},
		{"post-only", trade.OrderRequest{Type: trade.Limit, PostOnly: true}, wireOrder{Type: "LIMIT_MAKER"}, ""},
		{"stop", trade.OrderRequest{Type: trade.Stop}, wireOrder{Type: "STOP_LOSS"}, ""},
		{"stop-limit", trade.OrderRequest{Type: trade.StopLimit, TimeInForce: trade.GTC}, wireOrder{Type: "STOP_LOSS_LIMIT", TimeInForce: "GTC"}, ""},
		{"day", trade.OrderRequest{Type: trade.Limit, TimeInForce: trade.Day}, wireOrder{}, "does not support time in force day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toWire(tt.req)
			if !venuetest.WantError(t, err, exchange.ErrInvalidOrder, tt.wantErr) {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("toWire (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOrderParams(t *testing.T) {
	req := trade.OrderRequest{Symbol: btcusdt, Side: trade.Sell, Type: trade.StopLimit, TimeInForce: trade.GTC,
		Qty: trade.Dec("0.50000"), Price: trade.OptDec("59000.10"), StopPrice: trade.OptDec("59100")}
	q, err := orderParams(req, "BTCUSDT", "my:id-1")
	if err != nil {
		t.Fatal(err)
	}
	want := "symbol=BTCUSDT&side=SELL&type=STOP_LOSS_LIMIT&timeInForce=GTC&quantity=0.5&price=59000.1&stopPrice=59100&newClientOrderId=my%3Aid-1&newOrderRespType=FULL"
	if diff := cmp.Diff(want, q.String()); diff != "" {
		t.Errorf("orderParams (-want +got):\n%s", diff)
	}
}

func TestStatusAndTypeMaps(t *testing.T) {
	wantStatus := map[string]trade.OrderStatus{
		"NEW": trade.StatusOpen, "PENDING_NEW": trade.StatusOpen, "PARTIALLY_FILLED": trade.StatusPartiallyFilled,
		"FILLED": trade.StatusFilled, "CANCELED": trade.StatusCanceled, "PENDING_CANCEL": trade.StatusCanceled,
		"REJECTED": trade.StatusRejected, "EXPIRED": trade.StatusExpired, "EXPIRED_IN_MATCH": trade.StatusExpired,
	}
	if diff := cmp.Diff(wantStatus, statusFromWire); diff != "" {
		t.Errorf("statusFromWire (-want +got):\n%s", diff)
	}
	// Every type we send maps back to what was asked.
	for _, req := range []trade.OrderRequest{
		{Type: trade.Market}, {Type: trade.Limit}, {Type: trade.Limit, PostOnly: true}, {Type: trade.Stop}, {Type: trade.StopLimit},
	} {
		w, err := toWire(req)
		if err != nil {
			t.Fatal(err)
		}
		back := typeFromWire[w.Type]
		if back.t != req.Type || back.postOnly != req.PostOnly {
			t.Errorf("%s → %s → %s post-only %v", req.Type, w.Type, back.t, back.postOnly)
		}
	}
}

func TestParseOrderID(t *testing.T) {
	tests := []struct {
		in     string
		vs     string
		id     int64
		failed bool
	}{
		{"BTCUSDT:28", "BTCUSDT", 28, false},
		{"28", "", 28, false},
		{"1000SATSFDUSD:9007199254740993", "1000SATSFDUSD", 9007199254740993, false},
		{"btcusdt:28", "", 0, true},
		{"BTCUSDT:", "", 0, true},
		{":28", "", 0, true},
		{"BTCUSDT:abc", "", 0, true},
		{"BTC-USDT:1", "", 0, true},
		{"", "", 0, true},
	}
	for _, tt := range tests {
		vs, id, err := parseOrderID(tt.in)
		if tt.failed {
			if !errors.Is(err, exchange.ErrInvalidOrder) {
				t.Errorf("parseOrderID(%q) = %q %d %v, want ErrInvalidOrder", tt.in, vs, id, err)
			}
			continue
		}
		if err != nil || vs != tt.vs || id != tt.id {
			t.Errorf("parseOrderID(%q) = %q %d %v, want %q %d", tt.in, vs, id, err, tt.vs, tt.id)
		}
		if vs != "" && formatOrderID(vs, id) != tt.in {
			t.Errorf("formatOrderID(%q, %d) = %q, want %q", vs, id, formatOrderID(vs, id), tt.in)
		}
	}
}

func TestMapOrder(t *testing.T) {
	e := &Exchange{Base: venuebase.Base{Profile: "main"}}
	tests := []struct {
		name string
		body string
		want trade.Order
	}{
		{
			name: "FULL market buy with fills",
			body: `{"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"abc","transactTime":1507725176595,
				"price":"0.00000000","origQty":"0.30000000","executedQty":"0.30000000","cummulativeQuoteQty":"18000.30000000",
				"status":"FILLED","timeInForce":"GTC","type":"MARKET","side":"BUY","workingTime":1507725176595,
				"fills":[{"price":"60000.00","qty":"0.1","commission":"0.0001","commissionAsset":"BTC","tradeId":1},
				         {"price":"60001.50","qty":"0.2","commission":"0.0002","commissionAsset":"BTC","tradeId":2}]}`,
			want: trade.Order{ID: "BTCUSDT:28", ClientID: "abc", Symbol: btcusdt, Side: trade.Buy, Type: trade.Market,
				TimeInForce: trade.GTC, Status: trade.StatusFilled, Qty: trade.Dec("0.3"), FilledQty: trade.Dec("0.3"),
				AvgFillPrice: trade.OptDec("60001"), Fee: trade.Dec("0.0003"), FeeAsset: "BTC",
				CreatedAt: time.UnixMilli(1507725176595).UTC(), UpdatedAt: time.UnixMilli(1507725176595).UTC(),
				Exchange: "binance", Profile: "main"},
		},
		{
			name: "queried post-only limit, partially filled",
			body: `{"symbol":"BTCUSDT","orderId":7,"clientOrderId":"x","price":"50000.00000000","origQty":"1.00000000",
				"executedQty":"0.25000000","cummulativeQuoteQty":"12500.00000000","status":"PARTIALLY_FILLED",
				"timeInForce":"GTC","type":"LIMIT_MAKER","side":"SELL","stopPrice":"0.00000000","time":1000,"updateTime":2000,"isWorking":true}`,
			want: trade.Order{ID: "BTCUSDT:7", ClientID: "x", Symbol: btcusdt, Side: trade.Sell, Type: trade.Limit, PostOnly: true,
				TimeInForce: trade.GTC, Status: trade.StatusPartiallyFilled, Qty: trade.Dec("1"), FilledQty: trade.Dec("0.25"),
				Price: trade.OptDec("50000"), AvgFillPrice: trade.OptDec("50000"),
				CreatedAt: time.UnixMilli(1000).UTC(), UpdatedAt: time.UnixMilli(2000).UTC(), Exchange: "binance", Profile: "main"},
		},
		{
			name: "cancel answer: client id is origClientOrderId, no creation time",
			body: `{"symbol":"BTCUSDT","origClientOrderId":"mine","orderId":4,"orderListId":-1,"clientOrderId":"cancelReq",
				"transactTime":1684804350068,"price":"1.00000000","origQty":"10.00000000","executedQty":"0.00000000",
				"cummulativeQuoteQty":"0.00000000","status":"CANCELED","timeInForce":"IOC","type":"STOP_LOSS_LIMIT","side":"BUY","stopPrice":"1.10000000"}`,
			want: trade.Order{ID: "BTCUSDT:4", ClientID: "mine", Symbol: btcusdt, Side: trade.Buy, Type: trade.StopLimit,
				TimeInForce: trade.IOC, Status: trade.StatusCanceled, Qty: trade.Dec("10"), FilledQty: decimal.Zero,
				Price: trade.OptDec("1"), StopPrice: trade.OptDec("1.1"),
				UpdatedAt: time.UnixMilli(1684804350068).UTC(), Exchange: "binance", Profile: "main"},
		},
		{
			name: "expired in match, stop-loss has no price",
			body: `{"symbol":"BTCUSDT","orderId":5,"clientOrderId":"s","price":"0.00000000","origQty":"1","executedQty":"0",
				"cummulativeQuoteQty":"0","status":"EXPIRED_IN_MATCH","timeInForce":"GTC","type":"STOP_LOSS","side":"SELL","stopPrice":"100","time":1,"updateTime":1}`,
			want: trade.Order{ID: "BTCUSDT:5", ClientID: "s", Symbol: btcusdt, Side: trade.Sell, Type: trade.Stop,
				TimeInForce: trade.GTC, Status: trade.StatusExpired, Qty: trade.Dec("1"), FilledQty: decimal.Zero,
				StopPrice: trade.OptDec("100"), CreatedAt: time.UnixMilli(1).UTC(), UpdatedAt: time.UnixMilli(1).UTC(),
				Exchange: "binance", Profile: "main"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w orderWire
			if err := json.Unmarshal([]byte(tt.body), &w); err != nil {
				t.Fatal(err)
			}
			got, err := e.mapOrder(w, btcusdt)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, venuetest.DecEqual); diff != "" {
				t.Errorf("mapOrder (-want +got):\n%s", diff)
			}
		})
	}
	var w orderWire
	_ = json.Unmarshal([]byte(`{"symbol":"BTCUSDT","orderId":1,"status":"SOMETHING_NEW","type":"LIMIT","side":"BUY"}`), &w)
	if _, err := e.mapOrder(w, btcusdt); err == nil {
		t.Error("mapOrder accepted an unknown status")
	}
}

const exchangeInfoFixture = `{
 "timezone":"UTC","serverTime":1565246363776,
 "rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":1200},
               {"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":100}],
 "exchangeFilters":[],
 "symbols":[
  {"symbol":"ETHBTC","status":"TRADING","baseAsset":"ETH","quoteAsset":"BTC","filters":[
    {"filterType":"PRICE_FILTER","minPrice":"0.00000100","maxPrice":"100000.00000000","tickSize":"0.00000100"},
    {"filterType":"LOT_SIZE","minQty":"0.00100000","maxQty":"100000.00000000","stepSize":"0.00100000"},
    {"filterType":"ICEBERG_PARTS","limit":10},
    {"filterType":"MARKET_LOT_SIZE","minQty":"0.00000000","maxQty":"2000.00000000","stepSize":"0.00000000"},
    {"filterType":"NOTIONAL","minNotional":"0.00010000","applyMinToMarket":true,"maxNotional":"9000000.00000000","applyMaxToMarket":false,"avgPriceMins":5}]},
  {"symbol":"BNBUSDT","status":"TRADING","baseAsset":"BNB","quoteAsset":"USDT","filters":[
    {"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"100000.00000000","tickSize":"0.01000000"},
    {"filterType":"LOT_SIZE","minQty":"0.00100000","maxQty":"90000.00000000","stepSize":"0.00100000"},
    {"filterType":"MIN_NOTIONAL","minNotional":"10.00000000","applyToMarket":true,"avgPriceMins":5}]},
  {"symbol":"OLDBTC","status":"BREAK","baseAsset":"OLD","quoteAsset":"BTC","filters":[]},
  {"symbol":"WEIRD","status":"TRADING","baseAsset":"W€IRD","quoteAsset":"BTC","filters":[]}
 ]}`

func TestParseExchangeInfo(t *testing.T) {
	rs, err := parseExchangeInfo([]byte(exchangeInfoFixture))
	if err != nil {
		t.Fatal(err)
	}
	if rs.WeightLimit != 1200 {
		t.Errorf("WeightLimit = %d, want 1200", rs.WeightLimit)
	}
	want := []symbolRules{
		{VenueSymbol: "ETHBTC", Base: "ETH", Quote: "BTC", Status: "TRADING",
			TickSize: trade.Dec("0.000001"), MinPrice: trade.Dec("0.000001"), MaxPrice: trade.Dec("100000"),
			StepSize: trade.Dec("0.001"), MinQty: trade.Dec("0.001"), MaxQty: trade.Dec("100000"), MinNotional: trade.Dec("0.0001"),
			HasMarketLot: true, MarketStep: decimal.Zero, MarketMinQty: decimal.Zero, MarketMaxQty: trade.Dec("2000")},
		{VenueSymbol: "BNBUSDT", Base: "BNB", Quote: "USDT", Status: "TRADING",
			TickSize: trade.Dec("0.01"), MinPrice: trade.Dec("0.01"), MaxPrice: trade.Dec("100000"),
			StepSize: trade.Dec("0.001"), MinQty: trade.Dec("0.001"), MaxQty: trade.Dec("90000"), MinNotional: trade.Dec("10")},
		{VenueSymbol: "OLDBTC", Base: "OLD", Quote: "BTC", Status: "BREAK"},
	}
	if diff := cmp.Diff(want, rs.Symbols, venuetest.DecEqual); diff != "" {
		t.Errorf("symbols (-want +got):\n%s", diff)
	}

	wantInst := trade.Instrument{Symbol: trade.MustSymbol("ETH-BTC"), BaseAsset: "ETH", QuoteAsset: "BTC", VenueSymbol: "ETHBTC", Status: trade.StatusTrading,
		TickSize: trade.Dec("0.000001"), StepSize: trade.Dec("0.001"), MinQty: trade.Dec("0.001"), MaxQty: trade.Dec("100000"), MinNotional: trade.Dec("0.0001")}
	if diff := cmp.Diff(wantInst, rs.Symbols[0].instrument(), venuetest.DecEqual); diff != "" {
		t.Errorf("instrument (-want +got):\n%s", diff)
	}
	// MARKET_LOT_SIZE tightens the max for market orders only.
	wantInst.MaxQty = trade.Dec("2000")
	if diff := cmp.Diff(wantInst, rs.Symbols[0].marketInstrument(), venuetest.DecEqual); diff != "" {
		t.Errorf("market instrument (-want +got):\n%s", diff)
	}
	// A symbol on a break is kept in the rules, and reads as halted.
	if got := rs.Symbols[2].instrument().Status; got != trade.StatusHalted {
		t.Errorf("OLDBTC (BREAK) status = %q, want %q", got, trade.StatusHalted)
	}

	if _, err := parseExchangeInfo([]byte(`{"symbols":[{"symbol":"AB","status":"TRADING","baseAsset":"A","quoteAsset":"B","filters":[{"filterType":"PRICE_FILTER","tickSize":"1e-2"}]}]}`)); err == nil {
		t.Error("parseExchangeInfo accepted an exponent tick size")
	}
}

func TestErrorMapping(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	retry := func(s string) http.Header { return http.Header{"Retry-After": {s}} }
	tests := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		placement  bool
		wantKind   error
		wantCode   string
		wantRetry  time.Duration
		wantClient string
	}{
		{"insufficient balance", 400, nil, `{"code":-2010,"msg":"Account has insufficient balance for requested action."}`, true, exchange.ErrInsufficientFunds, "-2010", 0, ""},
		{"duplicate", 400, nil, `{"code":-2010,"msg":"Duplicate order sent."}`, true, exchange.ErrDuplicateClientID, "-2010", 0, ""},
		{"other -2010", 400, nil, `{"code":-2010,"msg":"Order would immediately match and take."}`, true, exchange.ErrInvalidOrder, "-2010", 0, ""},
		{"unknown order on cancel", 400, nil, `{"code":-2011,"msg":"Unknown order sent."}`, false, exchange.ErrNotFound, "-2011", 0, ""},
		{"cancel restrictions", 400, nil, `{"code":-2011,"msg":"Order was not canceled due to cancel restrictions."}`, false, exchange.ErrInvalidOrder, "-2011", 0, ""},
		{"no such order", 400, nil, `{"code":-2013,"msg":"Order does not exist."}`, false, exchange.ErrNotFound, "-2013", 0, ""},
		{"filter failure", 400, nil, `{"code":-1013,"msg":"Filter failure: PRICE_FILTER"}`, true, exchange.ErrInvalidOrder, "-1013", 0, ""},
		{"invalid symbol", 400, nil, `{"code":-1121,"msg":"Invalid symbol."}`, false, exchange.ErrNotFound, "-1121", 0, ""},
		{"timestamp", 400, nil, `{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}`, false, exchange.ErrAuth, "-1021", 0, ""},
		{"bad signature", 400, nil, `{"code":-1022,"msg":"Signature for this request is not valid."}`, false, exchange.ErrAuth, "-1022", 0, ""},
		{"key format", 401, nil, `{"code":-2014,"msg":"API-key format invalid."}`, false, exchange.ErrAuth, "-2014", 0, ""},
		{"rejected key", 401, nil, `{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}`, false, exchange.ErrAuth, "-2015", 0, ""},
		{"429 with Retry-After", 429, retry("7"), `{"code":-1003,"msg":"Too much request weight used"}`, false, exchange.ErrRateLimited, "-1003", 7 * time.Second, ""},
		{"418 ban", 418, retry("120"), `{"code":-1003,"msg":"Way too much request weight used; IP banned until 1700000120000."}`, true, exchange.ErrRateLimited, "-1003", 120 * time.Second, ""},
		{"ban time from message", 418, nil, `{"code":-1003,"msg":"Way too much request weight used; IP banned until 1700000060000."}`, false, exchange.ErrRateLimited, "-1003", 60 * time.Second, ""},
		{"-1003 in a 400", 400, nil, `{"code":-1003,"msg":"Too many requests queued."}`, false, exchange.ErrRateLimited, "-1003", 0, ""},
		{"5xx on placement", 503, nil, `{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}`, true, exchange.ErrUnknownOutcome, "-1007", 0, "cid"},
		{"5xx HTML on placement", 502, nil, `<html>Bad Gateway</html>`, true, exchange.ErrUnknownOutcome, "", 0, "cid"},
		{"5xx on read", 503, nil, `<html>Service Unavailable</html>`, false, exchange.ErrUnavailable, "", 0, ""},
		{"-1007 on read", 408, nil, `{"code":-1007,"msg":"Timeout"}`, false, exchange.ErrUnavailable, "-1007", 0, ""},
		{"overloaded placement is safe", 503, nil, `{"code":-1008,"msg":"Spot server is currently overloaded with other requests."}`, true, exchange.ErrUnavailable, "-1008", 0, ""},
		{"WAF", 403, nil, ``, false, exchange.ErrAuth, "", 0, ""},
		{"mandatory param", 400, nil, `{"code":-1102,"msg":"Mandatory parameter 'price' was not sent."}`, true, exchange.ErrInvalidOrder, "-1102", 0, ""},
		{"404 without code", 404, nil, `not found`, false, exchange.ErrUnavailable, "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := decodeError(tt.status, tt.header, []byte(tt.body), now)
			err := toError(ae, tt.placement, "cid")
			if !errors.Is(err, tt.wantKind) {
				t.Fatalf("kind = %v, want %v (%v)", err.Kind, tt.wantKind, err)
			}
			got := struct {
				Code, ClientID string
				RetryAfter     time.Duration
			}{err.Code, err.ClientID, err.RetryAfter}
			want := struct {
				Code, ClientID string
				RetryAfter     time.Duration
			}{tt.wantCode, tt.wantClient, tt.wantRetry}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error %q (-want +got):\n%s", err, diff)
			}
			if err.Venue != "binance" || err.Message == "" {
				t.Errorf("error %+v lacks venue or message", err)
			}
		})
	}
}

func TestInstrumentsFromFake(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	got, err := e.Instruments(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range got {
		names = append(names, in.VenueSymbol)
	}
	// OLDUSDT is in BREAK and not tradable.
	if diff := cmp.Diff([]string{"BTCUSDT", "ETHUSDT", "BNBUSDT", "ETHBTC"}, names, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("instruments (-want +got):\n%s", diff)
	}
	if _, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: trade.MustSymbol("OLD-USDT"), Side: trade.Buy, Type: trade.Limit,
		Qty: trade.Dec("10"), Price: trade.OptDec("1")}); !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), "not trading") {
		t.Errorf("order on a halted symbol: %v, want ErrInvalidOrder saying it is not trading", err)
	}
}

func TestVenue(t *testing.T) {
	v := Venue()
	want := []string{"base_url", "sandbox", "recv_window", "key_type", "sync_clock", "ws_url", "ws_api_url", "instruments_ttl"}
	if diff := cmp.Diff(want, v.Keys); diff != "" {
		t.Errorf("Keys (-want +got):\n%s", diff)
	}
	if v.Name != "binance" || v.New == nil {
		t.Errorf("Venue() = %+v", v)
	}
	if diff := cmp.Diff([]string{"api_key", "api_secret"}, v.Credentials); diff != "" {
		t.Errorf("Credentials (-want +got):\n%s", diff)
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name     string
		opts     map[string]any
		wantBase string
		wantWS   string
		wantRW   int
		wantErr  string
	}{
		{"defaults", nil, ProductionURL, ProductionWSURL, 5000, ""},
		{"sandbox", map[string]any{"sandbox": true}, TestnetURL, TestnetWSURL, 5000, ""},
		{"docs-style testnet URL", map[string]any{"base_url": "https://testnet.binance.vision/api/"}, TestnetURL, ProductionWSURL, 5000, ""},
		{"ws with /ws suffix", map[string]any{"ws_url": "wss://stream.testnet.binance.vision/ws"}, ProductionURL, TestnetWSURL, 5000, ""},
		{"recv window as text", map[string]any{"recv_window": "10000"}, ProductionURL, ProductionWSURL, 10000, ""},
		{"recv window too big", map[string]any{"recv_window": 60001}, "", "", 0, "recv_window must be between 1 and 60000"},
		{"recv window zero", map[string]any{"recv_window": 0}, "", "", 0, "recv_window must be between 1 and 60000"},
		{"bad key type", map[string]any{"key_type": "rsa"}, "", "", 0, "key_type must be hmac or ed25519"},
		{"relative base URL", map[string]any{"base_url": "api.binance.com"}, "", "", 0, "base_url"},
		{"ws scheme", map[string]any{"ws_url": "https://x"}, "", "", 0, "ws_url"},
		{"ttl", map[string]any{"instruments_ttl": "-1m"}, "", "", 0, "instruments_ttl"},
		{"bad sandbox", map[string]any{"sandbox": "maybe"}, "", "", 0, "sandbox must be true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := venuetest.NewFromOptions(t, New, tt.opts, tt.wantErr)
			if !ok {
				return
			}
			got := []any{e.baseURL, e.wsURL, e.recvWindow}
			if diff := cmp.Diff([]any{tt.wantBase, tt.wantWS, tt.wantRW}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMapFill(t *testing.T) {
	var w tradeWire
	body := `{"symbol":"BTCUSDT","id":28457,"orderId":100234,"orderListId":-1,"price":"4.00000100","qty":"12.00000000",
		"quoteQty":"48.000012","commission":"10.10000000","commissionAsset":"BNB","time":1499865549590,
		"isBuyer":true,"isMaker":false,"isBestMatch":true}`
	if err := json.Unmarshal([]byte(body), &w); err != nil {
		t.Fatal(err)
	}
	got, err := mapFill(w, btcusdt)
	if err != nil {
		t.Fatal(err)
	}
	want := trade.Fill{ID: "28457", OrderID: "BTCUSDT:100234", Symbol: btcusdt, Side: trade.Buy, Qty: trade.Dec("12"),
		Price: trade.Dec("4.000001"), Fee: trade.Dec("10.1"), FeeAsset: "BNB", Liquidity: trade.Taker,
		Time: time.UnixMilli(1499865549590).UTC()}
	if diff := cmp.Diff(want, got, venuetest.DecEqual); diff != "" {
		t.Errorf("mapFill (-want +got):\n%s", diff)
	}
	w.IsBuyer, w.IsMaker = false, true
	got, _ = mapFill(w, btcusdt)
	if got.Side != trade.Sell || got.Liquidity != trade.Maker {
		t.Errorf("seller maker fill = %s %s", got.Side, got.Liquidity)
	}
}

func TestCancelAllUnknownSymbolIsAnError(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	if _, err := e.CancelAll(ctxT(t), trade.MustSymbol("NOPE-USDT")); !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("CancelAll(unknown symbol) = %v, want ErrNotFound", err)
	}
}
