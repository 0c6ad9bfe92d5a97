package coinbase

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestStatusMapping(t *testing.T) {
	tests := []struct {
		wire   string
		filled string
		want   trade.OrderStatus
	}{
		{"PENDING", "0", trade.StatusOpen},
		{"QUEUED", "0", trade.StatusOpen},
		{"OPEN", "0", trade.StatusOpen},
		{"OPEN", "0.4", trade.StatusPartiallyFilled},
		{"EDIT_QUEUED", "0", trade.StatusOpen},
		{"CANCEL_QUEUED", "0", trade.StatusOpen},
		{"CANCEL_QUEUED", "0.1", trade.StatusPartiallyFilled},
		{"FILLED", "1", trade.StatusFilled},
		{"CANCELLED", "0", trade.StatusCanceled},
		{"CANCELLED", "0.3", trade.StatusCanceled},
		{"EXPIRED", "0", trade.StatusExpired},
		{"FAILED", "0", trade.StatusRejected},
	}
	e := &Exchange{Base: venuebase.Base{Profile: "p"}}
	for _, tt := range tests {
		t.Run(tt.wire+"/"+tt.filled, func(t *testing.T) {
			w := orderWire{OrderID: "x", ProductID: "BTC-USD", Side: "BUY", Status: tt.wire, FilledSize: tt.filled,
				OrderConfiguration: orderConfig{LimitGTC: &configBody{BaseSize: "1", LimitPrice: "10"}}}
			o, err := e.mapOrder(w)
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != tt.want {
				t.Errorf("status %s filled %s → %s, want %s", tt.wire, tt.filled, o.Status, tt.want)
			}
		})
	}
	for _, bad := range []string{"UNKNOWN_ORDER_STATUS", "", "open"} {
		w := orderWire{OrderID: "x", ProductID: "BTC-USD", Side: "BUY", Status: bad, OrderConfiguration: orderConfig{LimitGTC: &configBody{BaseSize: "1"}}}
		if _, err := e.mapOrder(w); err == nil || !strings.Contains(err.Error(), "unknown order status") {
			t.Errorf("status %q: error = %v, want unknown order status", bad, err)
		}
	}
}

func TestMapOrder(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	filledAt := created.Add(time.Minute)
	tests := []struct {
		name    string
		json    string
		want    trade.Order
		wantErr string
	}{
		{
			name: "resting post-only limit",
			json: `{"order_id":"a1","product_id":"BTC-USD","side":"BUY","client_order_id":"c1","status":"OPEN","time_in_force":"GOOD_UNTIL_CANCELLED",
				"created_time":"2026-01-02T03:04:05Z","filled_size":"0","average_filled_price":"0","total_fees":"0","last_fill_time":null,
				"order_configuration":{"limit_limit_gtc":{"base_size":"0.001","limit_price":"40000.00","post_only":true}}}`,
			want: trade.Order{ID: "a1", ClientID: "c1", Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
				PostOnly: true, Status: trade.StatusOpen, Qty: trade.Dec("0.001"), Price: trade.OptDec("40000"),
				FeeAsset: "USD", CreatedAt: created, UpdatedAt: created},
		},
		{
			name: "filled market sell",
			json: `{"order_id":"a2","product_id":"ETH-USD","side":"SELL","client_order_id":"c2","status":"FILLED","time_in_force":"IMMEDIATE_OR_CANCEL",
				"created_time":"2026-01-02T03:04:05Z","last_fill_time":"2026-01-02T03:05:05Z","filled_size":"0.5","average_filled_price":"3000.5",
				"total_fees":"9.0015","order_configuration":{"market_market_ioc":{"base_size":"0.5"}}}`,
			want: trade.Order{ID: "a2", ClientID: "c2", Symbol: trade.MustSymbol("ETH-USD"), Side: trade.Sell, Type: trade.Market,
				TimeInForce: trade.IOC, Status: trade.StatusFilled, Qty: trade.Dec("0.5"), FilledQty: trade.Dec("0.5"),
				AvgFillPrice: trade.OptDec("3000.5"), Fee: trade.Dec("9.0015"), FeeAsset: "USD", CreatedAt: created, UpdatedAt: filledAt},
		},
		{
			name: "market bought by quote size",
			json: `{"order_id":"a3","product_id":"BTC-USD","side":"BUY","status":"FILLED","created_time":"2026-01-02T03:04:05Z",
				"filled_size":"0.0002","average_filled_price":"50000","total_fees":"0.06","order_configuration":{"market_market_ioc":{"quote_size":"10"}}}`,
			want: trade.Order{ID: "a3", Symbol: btcusd, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.IOC,
				Status: trade.StatusFilled, Qty: trade.Dec("0.0002"), FilledQty: trade.Dec("0.0002"), AvgFillPrice: trade.OptDec("50000"),
				Fee: trade.Dec("0.06"), FeeAsset: "USD", CreatedAt: created, UpdatedAt: created},
		},
		{
			name: "day limit partially filled",
			json: `{"order_id":"a4","product_id":"SOL-USD","side":"BUY","status":"OPEN","time_in_force":"GOOD_UNTIL_DATE_TIME","created_time":"2026-01-02T03:04:05Z",
				"filled_size":"1","average_filled_price":"150","total_fees":"0.6",
				"order_configuration":{"limit_limit_gtd":{"base_size":"2","limit_price":"150","end_time":"2026-01-03T00:00:00Z","post_only":false}}}`,
			want: trade.Order{ID: "a4", Symbol: trade.MustSymbol("SOL-USD"), Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.Day,
				Status: trade.StatusPartiallyFilled, Qty: trade.Dec("2"), FilledQty: trade.Dec("1"), Price: trade.OptDec("150"),
				AvgFillPrice: trade.OptDec("150"), Fee: trade.Dec("0.6"), FeeAsset: "USD", CreatedAt: created, UpdatedAt: created},
		},
		{
			name: "stop-limit",
			json: `{"order_id":"a5","product_id":"BTC-USD","side":"SELL","status":"OPEN","time_in_force":"GOOD_UNTIL_CANCELLED","created_time":"2026-01-02T03:04:05Z",
				"order_configuration":{"stop_limit_stop_limit_gtc":{"base_size":"0.1","limit_price":"48000","stop_price":"49000","stop_direction":"STOP_DIRECTION_STOP_DOWN"}}}`,
			want: trade.Order{ID: "a5", Symbol: btcusd, Side: trade.Sell, Type: trade.StopLimit, TimeInForce: trade.GTC,
				Status: trade.StatusOpen, Qty: trade.Dec("0.1"), Price: trade.OptDec("48000"), StopPrice: trade.OptDec("49000"),
				FeeAsset: "USD", CreatedAt: created, UpdatedAt: created},
		},
		{
			name: "trigger bracket reads as an OCO: the take-profit limit, its stop a leg of the same order",
			json: `{"order_id":"a6","product_id":"BTC-USD","side":"SELL","status":"OPEN","created_time":"2026-01-02T03:04:05Z",
				"order_configuration":{"trigger_bracket_gtc":{"base_size":"0.1","limit_price":"70000","stop_trigger_price":"55000"}}}`,
			want: trade.Order{ID: "a6", Symbol: btcusd, Side: trade.Sell, Type: trade.Limit, TimeInForce: trade.GTC,
				Status: trade.StatusOpen, Qty: trade.Dec("0.1"), Price: trade.OptDec("70000"),
				FeeAsset: "USD", CreatedAt: created, UpdatedAt: created, ListID: "a6", Leg: trade.LegTakeProfit,
				Legs: []trade.Order{{ID: "a6", Symbol: btcusd, Side: trade.Sell, Type: trade.Stop, TimeInForce: trade.GTC,
					Status: trade.StatusOpen, Qty: trade.Dec("0.1"), StopPrice: trade.OptDec("55000"),
					FeeAsset: "USD", CreatedAt: created, UpdatedAt: created, ListID: "a6", Leg: trade.LegStopLoss}}},
		},
		{
			name: "sor limit ioc expired",
			json: `{"order_id":"a7","product_id":"BTC-USD","side":"BUY","status":"EXPIRED","created_time":"2026-01-02T03:04:05Z",
				"order_configuration":{"sor_limit_ioc":{"base_size":"0.1","limit_price":"100"}}}`,
			want: trade.Order{ID: "a7", Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.IOC,
				Status: trade.StatusExpired, Qty: trade.Dec("0.1"), Price: trade.OptDec("100"), FeeAsset: "USD", CreatedAt: created, UpdatedAt: created},
		},
		{
			name: "failed carries its reason",
			json: `{"order_id":"a8","product_id":"BTC-USD","side":"BUY","status":"FAILED","reject_reason":"HOLD_FAILURE","reject_message":"insufficient funds",
				"created_time":"2026-01-02T03:04:05Z","order_configuration":{"limit_limit_fok":{"base_size":"0.1","limit_price":"100"}}}`,
			want: trade.Order{ID: "a8", Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.FOK,
				Status: trade.StatusRejected, Qty: trade.Dec("0.1"), Price: trade.OptDec("100"), FeeAsset: "USD",
				RejectReason: "insufficient funds", CreatedAt: created, UpdatedAt: created},
		},
		{name: "unknown side", json: `{"order_id":"x","product_id":"BTC-USD","side":"HOLD","status":"OPEN","order_configuration":{"limit_limit_gtc":{"base_size":"1"}}}`, wantErr: "unknown side"},
		{name: "no configuration", json: `{"order_id":"x","product_id":"BTC-USD","side":"BUY","status":"OPEN","order_configuration":{}}`, wantErr: "no order_configuration"},
		{name: "futures product", json: `{"order_id":"x","product_id":"BIT-31JAN25-CDE","side":"BUY","status":"OPEN","order_configuration":{"limit_limit_gtc":{"base_size":"1"}}}`, wantErr: "not a BASE-QUOTE pair"},
		{name: "bad size", json: `{"order_id":"x","product_id":"BTC-USD","side":"BUY","status":"OPEN","order_configuration":{"limit_limit_gtc":{"base_size":"1e3"}}}`, wantErr: "base_size"},
	}
	e := &Exchange{Base: venuebase.Base{Profile: "p"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w orderWire
			if err := json.Unmarshal([]byte(tt.json), &w); err != nil {
				t.Fatal(err)
			}
			got, err := e.mapOrder(w)
			if !venuetest.WantError(t, err, nil, tt.wantErr) {
				return
			}
			tt.want.Exchange, tt.want.Profile = "coinbase", "p"
			for i := range tt.want.Legs {
				tt.want.Legs[i].Exchange, tt.want.Legs[i].Profile = "coinbase", "p"
			}
			if diff := cmp.Diff(tt.want, got, venuetest.DecEqual); diff != "" {
				t.Errorf("mapOrder (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildConfig(t *testing.T) {
	now := time.Date(2026, 5, 6, 22, 30, 0, 0, time.FixedZone("X", 3*3600)) // 19:30 UTC
	req := func(typ trade.OrderType, tif trade.TimeInForce, price, stop string, postOnly bool) trade.OrderRequest {
		return trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: typ, TimeInForce: tif, Qty: trade.Dec("0.0100"),
			Price: trade.OptDec(price), StopPrice: trade.OptDec(stop), PostOnly: postOnly}
	}
	tests := []struct {
		name    string
		req     trade.OrderRequest
		dir     string
		want    string
		wantErr string
	}{
		{name: "market", req: req(trade.Market, "", "", "", false), want: `{"market_market_ioc":{"base_size":"0.01"}}`},
		{name: "market ioc", req: req(trade.Market, trade.IOC, "", "", false), want: `{"market_market_ioc":{"base_size":"0.01"}}`},
		{name: "market fok refused", req: req(trade.Market, trade.FOK, "", "", false), wantErr: "immediate-or-cancel"},
		{name: "limit gtc", req: req(trade.Limit, "", "50000.50", "", false), want: `{"limit_limit_gtc":{"base_size":"0.01","limit_price":"50000.5","post_only":false}}`},
		{name: "limit post-only", req: req(trade.Limit, trade.GTC, "50000", "", true), want: `{"limit_limit_gtc":{"base_size":"0.01","limit_price":"50000","post_only":true}}`},
		{name: "limit day ends at 00:00 UTC", req: req(trade.Limit, trade.Day, "50000", "", false),
			want: `{"limit_limit_gtd":{"base_size":"0.01","limit_price":"50000","end_time":"2026-05-07T00:00:00Z","post_only":false}}`},
		{name: "limit ioc", req: req(trade.Limit, trade.IOC, "50000", "", false), want: `{"sor_limit_ioc":{"base_size":"0.01","limit_price":"50000"}}`},
		{name: "limit fok", req: req(trade.Limit, trade.FOK, "50000", "", false), want: `{"limit_limit_fok":{"base_size":"0.01","limit_price":"50000"}}`},
		{name: "stop-limit gtc", req: req(trade.StopLimit, "", "48000", "49000", false), dir: stopDown,
			want: `{"stop_limit_stop_limit_gtc":{"base_size":"0.01","limit_price":"48000","stop_price":"49000","stop_direction":"STOP_DIRECTION_STOP_DOWN"}}`},
		{name: "stop-limit day", req: req(trade.StopLimit, trade.Day, "62000", "61000", false), dir: stopUp,
			want: `{"stop_limit_stop_limit_gtd":{"base_size":"0.01","limit_price":"62000","stop_price":"61000","stop_direction":"STOP_DIRECTION_STOP_UP","end_time":"2026-05-07T00:00:00Z"}}`},
		{name: "stop-limit ioc refused", req: req(trade.StopLimit, trade.IOC, "1", "1", false), wantErr: "gtc or day"},
		{name: "stop-market refused", req: req(trade.Stop, "", "", "49000", false), wantErr: "no stop (stop-market) orders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := buildConfig(tt.req, now, tt.dir)
			if !venuetest.WantError(t, err, exchange.ErrInvalidOrder, tt.wantErr) {
				return
			}
			b, _ := json.Marshal(got)
			if diff := cmp.Diff(tt.want, string(b)); diff != "" {
				t.Errorf("order_configuration (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEndOfUTCDay(t *testing.T) {
	tests := []struct{ now, want string }{
		{"2026-05-06T00:00:00Z", "2026-05-07T00:00:00Z"},
		{"2026-05-06T23:59:59Z", "2026-05-07T00:00:00Z"},
		{"2026-12-31T12:00:00Z", "2027-01-01T00:00:00Z"},
		{"2026-05-06T23:30:00-05:00", "2026-05-08T00:00:00Z"}, // already the 7th in UTC
		{"2028-02-28T10:00:00Z", "2028-02-29T00:00:00Z"},
	}
	for _, tt := range tests {
		now, _ := time.Parse(time.RFC3339, tt.now)
		if got := endOfUTCDay(now).Format(time.RFC3339); got != tt.want {
			t.Errorf("endOfUTCDay(%s) = %s, want %s", tt.now, got, tt.want)
		}
	}
}

func TestDecodeHTTPError(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   apiError
	}{
		{name: "gateway", status: 400, body: `{"error":"INVALID_ARGUMENT","code":3,"message":"limit_price is required","details":[]}`,
			want: apiError{Status: 400, Code: "INVALID_ARGUMENT", Message: "limit_price is required", JSON: true}},
		{name: "error details string", status: 404, body: `{"error":"NOT_FOUND","error_details":"order with this orderID was not found","message":"order with this orderID was not found"}`,
			want: apiError{Status: 404, Code: "NOT_FOUND", Message: "order with this orderID was not found", JSON: true}},
		{name: "scopes", status: 403, body: `{"error":"PERMISSION_DENIED","error_details":"Missing required scopes","message":"Missing required scopes"}`,
			want: apiError{Status: 403, Code: "PERMISSION_DENIED", Message: "Missing required scopes", JSON: true}},
		{name: "details differ", status: 400, body: `{"error":"INVALID_ARGUMENT","message":"bad","error_details":"size too small"}`,
			want: apiError{Status: 400, Code: "INVALID_ARGUMENT", Message: "bad: size too small", JSON: true}},
		{name: "plain text", status: 401, body: "Unauthorized\n", want: apiError{Status: 401, Message: "HTTP 401: Unauthorized"}},
		{name: "html page", status: 502, body: "<html>\n<body>Bad   Gateway</body></html>", want: apiError{Status: 502, Message: "HTTP 502: <html> <body>Bad Gateway</body></html>"}},
		{name: "retry-after seconds", status: 429, header: hdr("Retry-After", "7"), body: `{"message":"Too many requests"}`,
			want: apiError{Status: 429, Message: "Too many requests", JSON: true, RetryAfter: 7 * time.Second}},
		{name: "retry-after date", status: 429, header: hdr("Retry-After", "Thu, 01 Jan 2026 00:00:30 GMT"), body: ``,
			want: apiError{Status: 429, Message: "HTTP 429", RetryAfter: 30 * time.Second}},
		{name: "ratelimit reset seconds", status: 429, header: hdr("X-Ratelimit-Reset", "0.5"), body: ``,
			want: apiError{Status: 429, Message: "HTTP 429", RetryAfter: 500 * time.Millisecond}},
		{name: "ratelimit reset unix", status: 429, header: hdr("X-Ratelimit-Reset", "1767225605"), body: ``,
			want: apiError{Status: 429, Message: "HTTP 429", RetryAfter: 5 * time.Second}},
		{name: "object details", status: 400, body: `{"error":"INVALID_ARGUMENT","message":"bad","error_details":{"field":"x"}}`,
			want: apiError{Status: 400, Code: "INVALID_ARGUMENT", Message: `bad: {"field":"x"}`, JSON: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			got := decodeHTTPError(tt.status, h, []byte(tt.body), now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decodeHTTPError (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		e         apiError
		placement bool
		want      error
	}{
		{"429", apiError{Status: 429}, false, exchange.ErrRateLimited},
		{"401", apiError{Status: 401}, false, exchange.ErrAuth},
		{"403 scopes", apiError{Status: 403, Code: "PERMISSION_DENIED", JSON: true}, false, exchange.ErrAuth},
		{"500 read", apiError{Status: 500}, false, exchange.ErrUnavailable},
		{"503 create", apiError{Status: 503, JSON: true, Code: "UNAVAILABLE"}, true, exchange.ErrUnknownOutcome},
		{"408 create", apiError{Status: 408}, true, exchange.ErrUnknownOutcome},
		{"404 json", apiError{Status: 404, Code: "NOT_FOUND", JSON: true}, false, exchange.ErrNotFound},
		{"404 page is a wrong URL", apiError{Status: 404}, false, exchange.ErrUnavailable},
		{"400 invalid", apiError{Status: 400, Code: "INVALID_ARGUMENT", JSON: true}, false, exchange.ErrInvalidOrder},
		{"400 insufficient", apiError{Status: 400, Code: "INSUFFICIENT_FUND", JSON: true}, false, exchange.ErrInsufficientFunds},
		{"200 insufficient", apiError{Status: 200, Code: "INSUFFICIENT_FUND", Reason: "PREVIEW_INSUFFICIENT_FUND"}, false, exchange.ErrInsufficientFunds},
		{"200 post only", apiError{Status: 200, Code: "UNKNOWN_FAILURE_REASON", Reason: "INVALID_LIMIT_PRICE_POST_ONLY"}, false, exchange.ErrInvalidOrder},
		{"200 unknown failure", apiError{Status: 200, Code: "UNKNOWN_FAILURE_REASON"}, false, exchange.ErrInvalidOrder},
		{"200 product", apiError{Status: 200, Reason: "INVALID_PRODUCT_ID"}, false, exchange.ErrNotFound},
		{"200 precision", apiError{Status: 200, Reason: "INVALID_PRICE_PRECISION"}, false, exchange.ErrInvalidOrder},
		{"400 internal create", apiError{Status: 400, Code: "INTERNAL", JSON: true}, true, exchange.ErrUnknownOutcome},
		{"400 resource exhausted", apiError{Status: 400, Code: "RESOURCE_EXHAUSTED", JSON: true}, false, exchange.ErrRateLimited},
		{"400 duplicate", apiError{Status: 400, Code: "DUPLICATE_CLIENT_ORDER_ID", JSON: true}, false, exchange.ErrDuplicateClientID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.e, tt.placement); got != tt.want {
				t.Errorf("classify(%+v, placement=%v) = %v, want %v", tt.e, tt.placement, got, tt.want)
			}
		})
	}
}

func TestToErrorUnknownOutcomeNamesClientID(t *testing.T) {
	err := toError(apiError{Status: 502, Message: "HTTP 502"}, true, "cid-1")
	if !errors.Is(err, exchange.ErrUnknownOutcome) || err.ClientID != "cid-1" || !strings.Contains(err.Error(), "look it up by its client id") {
		t.Errorf("toError = %+v", err)
	}
	if e := toError(apiError{Status: 502}, false, "cid-1"); e.ClientID != "" {
		t.Errorf("a read failure carries client id %q", e.ClientID)
	}
}

func TestCreateResponse(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantID   string
		wantKind error
		wantCode string
		wantMsg  string
	}{
		{name: "success", body: `{"success":true,"success_response":{"order_id":"11111111-1111-4111-8111-111111111111","product_id":"BTC-USD","side":"BUY","client_order_id":"c"},"order_configuration":{}}`,
			wantID: "11111111-1111-4111-8111-111111111111"},
		{name: "old top-level id", body: `{"success":true,"order_id":"abc"}`, wantID: "abc"},
		{name: "insufficient fund (seen in the wild)", body: `{"success":false,"error_response":{"error":"INSUFFICIENT_FUND","message":"Insufficient balance in source account","error_details":"","preview_failure_reason":"PREVIEW_INSUFFICIENT_FUND"}}`,
			wantKind: exchange.ErrInsufficientFunds, wantCode: "PREVIEW_INSUFFICIENT_FUND", wantMsg: "Insufficient balance in source account"},
		{name: "post only", body: `{"success":false,"error_response":{"error":"UNKNOWN_FAILURE_REASON","message":"","error_details":"","new_order_failure_reason":"INVALID_LIMIT_PRICE_POST_ONLY"}}`,
			wantKind: exchange.ErrInvalidOrder, wantCode: "INVALID_LIMIT_PRICE_POST_ONLY", wantMsg: "invalid limit price post only"},
		{name: "unknown failure", body: `{"success":false,"error_response":{"error":"UNKNOWN_FAILURE_REASON","message":"","new_order_failure_reason":"UNKNOWN_FAILURE_REASON"}}`,
			wantKind: exchange.ErrInvalidOrder, wantCode: "UNKNOWN_FAILURE_REASON", wantMsg: "unknown failure reason"},
		{name: "old failure_reason", body: `{"success":false,"failure_reason":"INVALID_SIZE_PRECISION"}`,
			wantKind: exchange.ErrInvalidOrder, wantCode: "INVALID_SIZE_PRECISION", wantMsg: "invalid size precision"},
		{name: "no reason at all", body: `{"success":false}`, wantKind: exchange.ErrInvalidOrder, wantMsg: "refused without a reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r createResponse
			if err := json.Unmarshal([]byte(tt.body), &r); err != nil {
				t.Fatal(err)
			}
			id, err := r.createdID()
			if tt.wantKind == nil {
				if err != nil || id != tt.wantID {
					t.Fatalf("createdID = %q, %v; want %q", id, err, tt.wantID)
				}
				return
			}
			var xe *exchange.Error
			if !errors.As(err, &xe) || xe.Kind != tt.wantKind || xe.Code != tt.wantCode || !strings.Contains(xe.Message, tt.wantMsg) {
				t.Fatalf("createdID error = %#v, want kind %v code %q message %q", err, tt.wantKind, tt.wantCode, tt.wantMsg)
			}
		})
	}
	var r createResponse
	_ = json.Unmarshal([]byte(`{"success":true}`), &r)
	if _, err := r.createdID(); err == nil {
		t.Error("success without an order id: no error")
	}
}

func TestPreviewReasons(t *testing.T) {
	raw := []json.RawMessage{
		json.RawMessage(`"PREVIEW_INSUFFICIENT_FUND"`),
		json.RawMessage(`""`),
		json.RawMessage(`{"preview_failure_reason":"PREVIEW_INVALID_PRICE_PRECISION"}`),
		json.RawMessage(`{"odd":1}`),
	}
	got := reasons(raw)
	want := []string{"PREVIEW_INSUFFICIENT_FUND", "PREVIEW_INVALID_PRICE_PRECISION", `{"odd":1}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
}

func TestParseProducts(t *testing.T) {
	body := `{"products":[
		{"product_id":"BTC-USD","base_increment":"0.00000001","quote_increment":"0.01","price_increment":"0.01","base_min_size":"0.00000001","base_max_size":"3400","quote_min_size":"1","status":"online","product_type":"SPOT"},
		{"product_id":"SHIB-USD","base_increment":"1","quote_increment":"0.00000001","base_min_size":"1","base_max_size":"100000000000","quote_min_size":"1","status":"online","product_type":"SPOT","limit_only":true},
		{"product_id":"OLD-USD","base_increment":"1","quote_increment":"0.01","status":"delisted","trading_disabled":true},
		{"product_id":"ABC-USD","base_increment":"1","quote_increment":"0.01","status":"online","cancel_only":true},
		{"product_id":"BIT-31JAN25-CDE","base_increment":"1","quote_increment":"5","product_type":"FUTURE"},
		{"product_id":"btc-eur","base_increment":"1","quote_increment":"1"}
	],"num_products":6}`
	rs, err := parseProducts([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []productRules{
		{ProductID: "BTC-USD", Base: "BTC", Quote: "USD", TickSize: trade.Dec("0.01"), StepSize: trade.Dec("0.00000001"),
			MinQty: trade.Dec("0.00000001"), MaxQty: trade.Dec("3400"), MinNotional: trade.Dec("1")},
		{ProductID: "SHIB-USD", Base: "SHIB", Quote: "USD", TickSize: trade.Dec("0.00000001"), StepSize: trade.Dec("1"),
			MinQty: trade.Dec("1"), MaxQty: trade.Dec("100000000000"), MinNotional: trade.Dec("1"), LimitOnly: true},
		{ProductID: "OLD-USD", Base: "OLD", Quote: "USD", TickSize: trade.Dec("0.01"), StepSize: trade.Dec("1"), Halted: "trading is disabled"},
		{ProductID: "ABC-USD", Base: "ABC", Quote: "USD", TickSize: trade.Dec("0.01"), StepSize: trade.Dec("1"), Halted: "the product is in cancel-only mode"},
	}
	if diff := cmp.Diff(want, rs.Products, venuetest.DecEqual); diff != "" {
		t.Errorf("parseProducts (-want +got):\n%s", diff)
	}
	if _, err := parseProducts([]byte(`{"products":[{"product_id":"BTC-USD","base_increment":"-1"}]}`)); err == nil || !strings.Contains(err.Error(), "base_increment") {
		t.Errorf("negative increment: error = %v", err)
	}
}
