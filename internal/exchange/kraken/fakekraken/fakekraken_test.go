package fakekraken_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
)

type fixture struct {
	srv    *fakekraken.Server
	key    string
	secret []byte
}

func newFixture(t *testing.T, opts ...fakekraken.Option) *fixture {
	t.Helper()
	secret := make([]byte, 64)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	f := &fixture{key: "fake-test-key", secret: secret}
	f.srv = fakekraken.New(f.key, base64.StdEncoding.EncodeToString(secret), opts...)
	t.Cleanup(f.srv.Close)
	return f
}

type answer struct {
	Status int
	Errors []string
	Result json.RawMessage
}

// post sends a private call signed by hand, the way Kraken documents it.
func (f *fixture) post(t *testing.T, path, contentType, body string, nonce uint64, key string, secret []byte) answer {
	t.Helper()
	n := strconv.FormatUint(nonce, 10)
	req, err := http.NewRequest(http.MethodPost, f.srv.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("API-Key", key)
	req.Header.Set("API-Sign", base64.StdEncoding.EncodeToString(fakekraken.Sign(secret, path, n, body)))
	return f.do(t, req)
}

func (f *fixture) do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var env struct {
		Error  []string        `json:"error"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("answer %q is not Kraken's envelope: %v", b, err)
	}
	return answer{Status: resp.StatusCode, Errors: env.Error, Result: env.Result}
}

func form(nonce uint64, rest string) string {
	b := "nonce=" + strconv.FormatUint(nonce, 10)
	if rest != "" {
		b += "&" + rest
	}
	return b
}

const formType = "application/x-www-form-urlencoded"

func TestAuthentication(t *testing.T) {
	f := newFixture(t)
	other := make([]byte, 64)
	tests := []struct {
		name      string
		nonce     uint64
		key       string
		secret    []byte
		body      func(nonce uint64) string
		ctype     string
		wantError string
	}{
		{name: "good", nonce: 100, key: f.key, secret: f.secret},
		{name: "same nonce again", nonce: 100, key: f.key, secret: f.secret, wantError: "EAPI:Invalid nonce"},
		{name: "lower nonce", nonce: 99, key: f.key, secret: f.secret, wantError: "EAPI:Invalid nonce"},
		{name: "wrong key", nonce: 200, key: "someone-else", secret: f.secret, wantError: "EAPI:Invalid key"},
		{name: "no key", nonce: 201, key: "", secret: f.secret, wantError: "EAPI:Invalid key"},
		{name: "wrong secret", nonce: 202, key: f.key, secret: other, wantError: "EAPI:Invalid signature"},
		// The refused requests above did not use up their nonces.
		{name: "next good nonce", nonce: 101, key: f.key, secret: f.secret},
		{name: "JSON body", nonce: 300, key: f.key, secret: f.secret, ctype: "application/json",
			body: func(n uint64) string { return `{"nonce":` + strconv.FormatUint(n, 10) + `}` }},
		{name: "signed body differs from sent body", nonce: 400, key: f.key, secret: f.secret,
			body: func(n uint64) string { return form(n, "") + "&extra=1" }, wantError: "EAPI:Invalid signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := form(tt.nonce, "")
			if tt.body != nil {
				body = tt.body(tt.nonce)
			}
			ctype := tt.ctype
			if ctype == "" {
				ctype = formType
			}
			var a answer
			if tt.name == "signed body differs from sent body" {
				// Sign one body, send another.
				req, _ := http.NewRequest(http.MethodPost, f.srv.URL()+"/0/private/Balance", strings.NewReader(body))
				req.Header.Set("Content-Type", ctype)
				req.Header.Set("API-Key", tt.key)
				req.Header.Set("API-Sign", base64.StdEncoding.EncodeToString(fakekraken.Sign(tt.secret, "/0/private/Balance", strconv.FormatUint(tt.nonce, 10), form(tt.nonce, ""))))
				a = f.do(t, req)
			} else {
				a = f.post(t, "/0/private/Balance", ctype, body, tt.nonce, tt.key, tt.secret)
			}
			if got := strings.Join(a.Errors, ","); got != tt.wantError {
				t.Errorf("errors = %q, want %q", got, tt.wantError)
			}
			if a.Status != http.StatusOK {
				t.Errorf("HTTP status %d, want 200 (Kraken answers errors in the envelope)", a.Status)
			}
		})
	}
	if got := f.srv.LastNonce(); got != 300 {
		t.Errorf("last nonce = %d, want 300", got)
	}
	for _, r := range f.srv.Requests() {
		if strings.Contains(r.Body, f.key) || strings.Contains(r.Query, f.key) {
			t.Error("a recorded request holds the API key")
		}
	}
}

func TestAddOrderRules(t *testing.T) {
	f := newFixture(t)
	nonce := uint64(time.Now().UnixMicro())
	add := func(params string) answer {
		nonce++
		return f.post(t, "/0/private/AddOrder", formType, form(nonce, params), nonce, f.key, f.secret)
	}
	tests := []struct {
		params    string
		wantError string
	}{
		{"pair=NOPE&type=buy&ordertype=market&volume=1", "EQuery:Unknown asset pair"},
		{"pair=XBTUSD&type=hold&ordertype=market&volume=1", "EGeneral:Invalid arguments:type"},
		{"pair=XBTUSD&type=buy&ordertype=iceberg&volume=1", "EGeneral:Invalid arguments:ordertype"},
		{"pair=XBTUSD&type=buy&ordertype=limit&volume=0.001&price=60000.05", "EOrder:Invalid price:XBTUSD price can only be specified up to 1 decimals."},
		{"pair=XDGUSD&type=buy&ordertype=limit&volume=100&price=0.15", ""},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.000000001&price=1", "EGeneral:Invalid arguments:volume"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.00001&price=50000", "EOrder:Order minimum not met"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.0001&price=1", "EOrder:Cost minimum not met"},
		{"pair=XXBTZUSD&type=buy&ordertype=market&volume=0.001&oflags=post", "EGeneral:Invalid arguments:oflags"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.001&price=1000&cl_ord_id=nineteen-characters", "EGeneral:Invalid arguments:cl_ord_id"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.001&price=1000&cl_ord_id=6d1b345e-2821-40e2-ad83-4ecb18a06876", ""},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.001&price=1000&cl_ord_id=6D1B345E-2821-40E2-AD83-4ECB18A06876", "EOrder:Duplicate order"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=100&price=50000", "EOrder:Insufficient funds"},
		{"pair=XLTCZUSD&type=buy&ordertype=market&volume=1", "EService:Market in cancel_only mode"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.001&price=1000&timeinforce=FOK", "EGeneral:Invalid arguments:timeinforce"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=100&price=50000&validate=true", ""}, // validate checks rules, not funds
		// Conditional closes: a known type with the prices it needs, on the tick.
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.001&price=1000&close%5Bordertype%5D=bogus&close%5Bprice%5D=2000&validate=true", "EGeneral:Invalid arguments:close[ordertype]"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.001&price=1000&close%5Bprice%5D=2000&validate=true", "EGeneral:Invalid arguments:close[ordertype]"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.001&price=1000&close%5Bordertype%5D=limit&validate=true", "EGeneral:Invalid arguments:close[price]"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.001&price=1000&close%5Bordertype%5D=stop-loss-limit&close%5Bprice%5D=900&validate=true", "EGeneral:Invalid arguments:close[price2]"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.001&price=1000&close%5Bordertype%5D=limit&close%5Bprice%5D=2000.05&validate=true", "EOrder:Tick size check failed"},
		{"pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.001&price=1000&close%5Bordertype%5D=stop-loss-limit&close%5Bprice%5D=900&close%5Bprice2%5D=890&validate=true", ""},
	}
	for _, tt := range tests {
		a := add(tt.params)
		got := strings.Join(a.Errors, ",")
		if got != tt.wantError {
			t.Errorf("AddOrder %s: errors %q, want %q", tt.params, got, tt.wantError)
		}
	}
	if n := f.srv.OrdersPlaced(); n != 2 {
		t.Errorf("orders placed = %d, want 2", n)
	}
}

func TestHoldsAndFills(t *testing.T) {
	f := newFixture(t)
	nonce := uint64(time.Now().UnixMicro())
	call := func(path, params string) answer {
		nonce++
		return f.post(t, path, formType, form(nonce, params), nonce, f.key, f.secret)
	}
	d := decimal.RequireFromString
	// A resting buy holds price × volume plus the taker fee.
	a := call("/0/private/AddOrder", "pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.5&price=50000&cl_ord_id=hold")
	var res struct {
		TxID []string `json:"txid"`
	}
	if err := json.Unmarshal(a.Result, &res); err != nil || len(res.TxID) != 1 {
		t.Fatalf("AddOrder: %v %s", a.Errors, a.Result)
	}
	free, held := f.srv.Balance("USD")
	if !held.Equal(d("25065")) || !free.Equal(d("74935")) {
		t.Errorf("USD free/held = %s/%s, want 74935/25065", free, held)
	}
	// Cancel by cl_ord_id releases it.
	if a := call("/0/private/CancelOrder", "cl_ord_id=hold"); len(a.Errors) != 0 {
		t.Fatalf("CancelOrder: %v", a.Errors)
	}
	if free, held := f.srv.Balance("USD"); !held.IsZero() || !free.Equal(d("100000")) {
		t.Errorf("after cancel USD free/held = %s/%s", free, held)
	}
	if a := call("/0/private/CancelOrder", "txid="+res.TxID[0]); strings.Join(a.Errors, ",") != "EOrder:Unknown order" {
		t.Errorf("second cancel: %v, want EOrder:Unknown order", a.Errors)
	}
	// A market sell fills at the bid, fee in USD.
	if a := call("/0/private/AddOrder", "pair=XBTUSD&type=sell&ordertype=market&volume=0.1"); len(a.Errors) != 0 {
		t.Fatalf("market sell: %v", a.Errors)
	}
	btc, _ := f.srv.Balance("BTC")
	usd, _ := f.srv.Balance("ZUSD")
	if !btc.Equal(d("0.9")) || !usd.Equal(d("105984.4")) { // 6000 − 0.26% = 5984.4
		t.Errorf("after selling 0.1 BTC at 60000: BTC %s, USD %s", btc, usd)
	}
	// Closed orders carry the fill.
	a = call("/0/private/ClosedOrders", "")
	var closed struct {
		Closed map[string]struct {
			Status  string `json:"status"`
			VolExec string `json:"vol_exec"`
			Price   string `json:"price"`
			Fee     string `json:"fee"`
			Reason  any    `json:"reason"`
		} `json:"closed"`
		Count int `json:"count"`
	}
	if err := json.Unmarshal(a.Result, &closed); err != nil || closed.Count != 2 {
		t.Fatalf("ClosedOrders: %s %v", a.Result, err)
	}
	got := map[string]string{}
	for _, o := range closed.Closed {
		got[o.Status] = o.VolExec + " @ " + o.Price + " fee " + o.Fee
	}
	want := map[string]string{"canceled": "0.00000000 @ 0.00 fee 0.00000", "closed": "0.10000000 @ 60000.00 fee 15.60000"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("closed orders (-want +got):\n%s", diff)
	}
}

func TestPublicEndpoints(t *testing.T) {
	f := newFixture(t)
	get := func(path string, q url.Values) answer {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL()+path+"?"+q.Encode(), nil)
		return f.do(t, req)
	}
	a := get("/0/public/Ticker", url.Values{"pair": {"XBTUSD,ETHUSD"}})
	var tk map[string]struct {
		A []string `json:"a"`
		B []string `json:"b"`
		C []string `json:"c"`
	}
	if err := json.Unmarshal(a.Result, &tk); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for k, v := range tk {
		got[k] = v.B[0] + " " + v.A[0] + " " + v.C[0]
	}
	if diff := cmp.Diff(map[string]string{"XXBTZUSD": "60000.0 60000.1 60000.0", "XETHZUSD": "3000.00 3000.01 3000.00"}, got); diff != "" {
		t.Errorf("Ticker (-want +got):\n%s", diff)
	}
	if a := get("/0/public/Ticker", url.Values{"pair": {"XBTUSD,NOPE"}}); strings.Join(a.Errors, ",") != "EQuery:Unknown asset pair" {
		t.Errorf("Ticker with an unknown pair: %v", a.Errors)
	}
	a = get("/0/public/AssetPairs", nil)
	var pairs map[string]map[string]any
	if err := json.Unmarshal(a.Result, &pairs); err != nil {
		t.Fatal(err)
	}
	if p := pairs["XXBTZUSD"]; p["tick_size"] != "0.1" || p["ordermin"] != "0.00005" || p["costmin"] != "0.5" || p["lot_decimals"] != 8.0 {
		t.Errorf("AssetPairs XXBTZUSD = %v", p)
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL()+"/0/private/Nope", nil)
	if a := f.do(t, req); a.Status != http.StatusNotFound || strings.Join(a.Errors, ",") != "EGeneral:Unknown method" {
		t.Errorf("unknown method: %d %v", a.Status, a.Errors)
	}
}

// TestNonceWindow: with a nonce window, a nonce arriving after a larger
// one is accepted once if it is within the window; without one (the
// default, TestAuthentication) never.
func TestNonceWindow(t *testing.T) {
	f := newFixture(t, fakekraken.WithNonceWindow(10))
	steps := []struct {
		nonce     uint64
		wantError string
	}{
		{nonce: 100},
		{nonce: 95}, // late, within the window
		{nonce: 95, wantError: "EAPI:Invalid nonce"}, // used already
		{nonce: 100, wantError: "EAPI:Invalid nonce"},
		{nonce: 90, wantError: "EAPI:Invalid nonce"}, // as far below as the window
		{nonce: 120},
		{nonce: 111},
		{nonce: 105, wantError: "EAPI:Invalid nonce"},
	}
	for _, st := range steps {
		a := f.post(t, "/0/private/Balance", formType, form(st.nonce, ""), st.nonce, f.key, f.secret)
		if got := strings.Join(a.Errors, ","); got != st.wantError {
			t.Errorf("nonce %d: errors = %q, want %q", st.nonce, got, st.wantError)
		}
	}
	if got := f.srv.LastNonce(); got != 120 {
		t.Errorf("last nonce = %d, want 120", got)
	}
}
