package fakealpaca_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
)

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

type answer struct {
	status int
	body   string
	header http.Header
}

type client struct {
	t           *testing.T
	s           *fakealpaca.Server
	key, secret string
}

func newClient(t *testing.T, opts ...fakealpaca.Option) *client {
	t.Helper()
	c := &client{t: t, key: "PK" + randomHex(t, 10), secret: randomHex(t, 20)}
	c.s = fakealpaca.New(c.key, c.secret, opts...)
	t.Cleanup(c.s.Close)
	return c
}

// send makes a request by hand with the given key headers ("" omits one).
func (c *client) sendAs(base, method, path, body, key, secret string) answer {
	c.t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("APCA-API-KEY-ID", key)
	}
	if secret != "" {
		req.Header.Set("APCA-API-SECRET-KEY", secret)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.s.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(b), header: resp.Header}
}

func (c *client) send(method, path, body string) answer {
	c.t.Helper()
	return c.sendAs(c.s.URL(), method, path, body, c.key, c.secret)
}

func (c *client) order(body string) map[string]any {
	c.t.Helper()
	a := c.send("POST", "/v2/orders", body)
	if a.status != 200 {
		c.t.Fatalf("POST /v2/orders %s = %d %s", body, a.status, a.body)
	}
	var o map[string]any
	if err := json.Unmarshal([]byte(a.body), &o); err != nil {
		c.t.Fatal(err)
	}
	return o
}

func TestAuthentication(t *testing.T) {
	c := newClient(t)
	const unauthorized = `{"code":40110000,"message":"request is not authorized"}`
	tests := []struct {
		name        string
		data        bool
		key, secret string
		wantStatus  int
	}{
		{name: "both keys", key: c.key, secret: c.secret, wantStatus: 200},
		{name: "both keys, data host", data: true, key: c.key, secret: c.secret, wantStatus: 200},
		{name: "no headers", wantStatus: 401},
		{name: "no secret", key: c.key, wantStatus: 401},
		{name: "no key", secret: c.secret, wantStatus: 401},
		{name: "wrong key", key: c.key + "x", secret: c.secret, wantStatus: 401},
		{name: "wrong secret", key: c.key, secret: c.secret[1:], wantStatus: 401},
		{name: "swapped", key: c.secret, secret: c.key, wantStatus: 401},
		{name: "key case matters", key: strings.ToLower(c.key), secret: c.secret, wantStatus: 401},
		{name: "wrong secret, data host", data: true, key: c.key, secret: "x", wantStatus: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, path := c.s.URL(), "/v2/account"
			if tt.data {
				base, path = c.s.DataURL(), "/v2/stocks/quotes/latest?symbols=AAPL"
			}
			a := c.sendAs(base, "GET", path, "", tt.key, tt.secret)
			if a.status != tt.wantStatus {
				t.Fatalf("status %d, want %d (%s)", a.status, tt.wantStatus, a.body)
			}
			if tt.wantStatus == 401 && a.body != unauthorized {
				t.Errorf("body %s, want %s", a.body, unauthorized)
			}
			if strings.Contains(a.body, c.secret) || strings.Contains(a.body, c.key) {
				t.Error("answer quotes a credential")
			}
		})
	}
	for _, r := range c.s.Requests() {
		if strings.Contains(r.Query+r.Body, c.secret) {
			t.Error("request log holds the secret")
		}
	}
}

func TestPlacementIsAsynchronous(t *testing.T) {
	c := newClient(t)
	o := c.order(`{"symbol":"AAPL","qty":"2","side":"buy","type":"market","time_in_force":"day","client_order_id":"m1"}`)
	if o["status"] != "pending_new" || o["filled_qty"] != "0" || o["filled_avg_price"] != nil {
		t.Errorf("placement answer = %v %v %v, want pending_new, 0, null", o["status"], o["filled_qty"], o["filled_avg_price"])
	}
	a := c.send("GET", "/v2/orders/"+o["id"].(string), "")
	var got map[string]any
	_ = json.Unmarshal([]byte(a.body), &got)
	if got["status"] != "filled" || got["filled_qty"] != "2" || got["filled_avg_price"] != "190.02" {
		t.Errorf("next read = %v %v %v, want filled 2 at 190.02", got["status"], got["filled_qty"], got["filled_avg_price"])
	}
	if qty, avg := c.s.Position("AAPL"); !qty.Equal(decimal.NewFromInt(2)) || !avg.Equal(decimal.RequireFromString("190.02")) {
		t.Errorf("position %s @ %s", qty, avg)
	}

	r := c.order(`{"symbol":"BTC/USD","qty":"0.01","side":"buy","type":"limit","limit_price":"50000","time_in_force":"gtc"}`)
	if !c.s.BuyingPower().Equal(c.s.Cash().Sub(decimal.NewFromInt(500))) {
		t.Errorf("buying power %s with cash %s: the resting buy does not hold 500", c.s.BuyingPower(), c.s.Cash())
	}
	a = c.send("GET", "/v2/orders:by_client_order_id?client_order_id="+r["client_order_id"].(string), "")
	if !strings.Contains(a.body, `"status":"new"`) {
		t.Errorf("resting order read back: %s", a.body)
	}
	if a := c.send("DELETE", "/v2/orders/"+r["id"].(string), ""); a.status != 204 || a.body != "" {
		t.Errorf("cancel = %d %q, want 204 and no body", a.status, a.body)
	}
	if !c.s.BuyingPower().Equal(c.s.Cash()) {
		t.Errorf("cancel did not release buying power")
	}
	if a := c.send("DELETE", "/v2/orders/"+r["id"].(string), ""); a.status != 422 {
		t.Errorf("second cancel = %d, want 422", a.status)
	}

	// Positions name crypto without the slash, as Alpaca does.
	c.order(`{"symbol":"BTC/USD","qty":"0.01","side":"buy","type":"market","time_in_force":"gtc"}`)
	a = c.send("GET", "/v2/positions", "")
	if !strings.Contains(a.body, `"symbol":"BTCUSD"`) || !strings.Contains(a.body, `"symbol":"AAPL"`) {
		t.Errorf("positions: %s", a.body)
	}
}

func TestOrderValidation(t *testing.T) {
	tests := []struct {
		name, body string
		wantStatus int
		wantMsg    string
	}{
		{"sub-penny", `{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","limit_price":"150.005","time_in_force":"day"}`, 422, "sub-penny"},
		{"sub-dollar 4 decimals ok", `{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","limit_price":"0.5001","time_in_force":"day"}`, 200, ""},
		{"crypto increment", `{"symbol":"BTC/USD","qty":"0.001","side":"buy","type":"limit","limit_price":"50000.5","time_in_force":"gtc"}`, 422, "price increment"},
		{"crypto fok", `{"symbol":"BTC/USD","qty":"0.001","side":"buy","type":"market","time_in_force":"fok"}`, 422, "crypto time_in_force"},
		{"crypto min size", `{"symbol":"BTC/USD","qty":"0.00001","side":"buy","type":"market","time_in_force":"gtc"}`, 422, "minimum order size 0.0001"},
		{"fractional gtc", `{"symbol":"AAPL","qty":"0.5","side":"buy","type":"market","time_in_force":"gtc"}`, 422, "DAY"},
		{"fractional day", `{"symbol":"AAPL","qty":"0.5","side":"buy","type":"market","time_in_force":"day"}`, 200, ""},
		{"extended hours gtc", `{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","limit_price":"100","time_in_force":"gtc","extended_hours":true}`, 422, "extended hours"},
		{"unknown field", `{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","post_only":true}`, 400, "unknown field"},
		{"not tradable", `{"symbol":"OLD","qty":"1","side":"buy","type":"market","time_in_force":"day"}`, 422, "not tradable"},
		{"buying power", `{"symbol":"MSFT","qty":"1000","side":"buy","type":"limit","limit_price":"400","time_in_force":"day"}`, 403, "insufficient buying power"},
		{"sell without position", `{"symbol":"TSLA","qty":"1","side":"sell","type":"market","time_in_force":"day"}`, 403, "insufficient qty available"},
		{"long client id", `{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","client_order_id":"` + strings.Repeat("a", 49) + `"}`, 422, "48"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t)
			a := c.send("POST", "/v2/orders", tt.body)
			if a.status != tt.wantStatus || !strings.Contains(a.body, tt.wantMsg) {
				t.Errorf("= %d %s, want %d mentioning %q", a.status, a.body, tt.wantStatus, tt.wantMsg)
			}
		})
	}
}

func TestClientIDUniqueAcrossAllOrders(t *testing.T) {
	c := newClient(t)
	body := `{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","client_order_id":"once"}`
	c.order(body)
	c.send("GET", "/v2/account", "") // fills it: the id now belongs to a finished order
	a := c.send("POST", "/v2/orders", body)
	if a.status != 422 || a.body != `{"code":40010001,"message":"client_order_id must be unique"}` {
		t.Errorf("duplicate = %d %s", a.status, a.body)
	}
	if n := c.s.OrdersPlaced(); n != 1 {
		t.Errorf("orders placed %d, want 1", n)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	c := newClient(t, fakealpaca.WithRateLimit(2))
	var got []string
	for i := 0; i < 3; i++ {
		a := c.send("GET", "/v2/account", "")
		got = append(got, a.header.Get("X-RateLimit-Limit")+"/"+a.header.Get("X-RateLimit-Remaining")+"/"+http.StatusText(a.status))
		if a.status == 429 && (a.header.Get("Retry-After") == "" || a.header.Get("X-RateLimit-Reset") == "") {
			t.Errorf("429 without Retry-After and X-RateLimit-Reset: %v", a.header)
		}
	}
	want := []string{"2/1/OK", "2/0/OK", "2/0/Too Many Requests"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("limit/remaining/status (-want +got):\n%s", diff)
	}
}

func TestInjectedFailures(t *testing.T) {
	c := newClient(t)
	c.s.RateLimitNext(1500 * time.Millisecond)
	if a := c.send("GET", "/v2/account", ""); a.status != 429 || a.header.Get("Retry-After") != "2" {
		t.Errorf("injected rate limit = %d Retry-After %q", a.status, a.header.Get("Retry-After"))
	}
	c.s.FailNextOrderAfterAccept(503)
	if a := c.send("POST", "/v2/orders", `{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"day","client_order_id":"f1"}`); a.status != 503 {
		t.Errorf("after-accept failure = %d", a.status)
	}
	if a := c.send("GET", "/v2/orders:by_client_order_id?client_order_id=f1", ""); a.status != 200 {
		t.Errorf("the order accepted before the 503 is not there: %d %s", a.status, a.body)
	}
	a := c.send("GET", "/v2/nonexistent", "")
	if a.status != 404 || strings.HasPrefix(a.body, "{") {
		t.Errorf("unknown path = %d %q, want a plain 404", a.status, a.body)
	}
}

func TestMarketData(t *testing.T) {
	c := newClient(t)
	tests := []struct {
		path       string
		wantStatus int
		want       string
	}{
		{"/v2/stocks/quotes/latest?symbols=AAPL,NOPE&feed=iex", 200, `"AAPL":{`},
		{"/v2/stocks/trades/latest?symbols=AAPL&feed=sip", 200, `"p":190`},
		{"/v2/stocks/quotes/latest?symbols=AAPL&feed=bats", 400, "invalid feed"},
		{"/v1beta3/crypto/us/latest/quotes?symbols=BTC/USD", 200, `"bp":60000`},
		{"/v1beta3/crypto/us/latest/quotes?symbols=BTCUSD", 400, "does not match"},
		{"/v1beta3/crypto/us/latest/trades?symbols=ETH/USD", 200, `"p":3000.2`},
	}
	for _, tt := range tests {
		a := c.sendAs(c.s.DataURL(), "GET", tt.path, "", c.key, c.secret)
		if a.status != tt.wantStatus || !strings.Contains(a.body, tt.want) {
			t.Errorf("GET %s = %d %s, want %d with %s", tt.path, a.status, a.body, tt.wantStatus, tt.want)
		}
	}
	if a := c.sendAs(c.s.DataURL(), "GET", "/v2/stocks/quotes/latest?symbols=NOPE", "", c.key, c.secret); a.body != `{"quotes":{}}` {
		t.Errorf("unknown symbol: %s, want an empty map", a.body)
	}
	// The trading host does not serve market data.
	if a := c.send("GET", "/v2/stocks/quotes/latest?symbols=AAPL", ""); a.status != 404 {
		t.Errorf("market data on the trading host = %d", a.status)
	}
}
