package fakebinance_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
)

const (
	key    = "fake-test-key"
	secret = "fake-test-secret"
)

type answer struct {
	status int
	code   int
	msg    string
	weight string
}

// send makes a signed request by hand, the way Binance documents it.
func send(t *testing.T, s *fakebinance.Server, method, path, query, body, apiKey, signWith string) answer {
	t.Helper()
	sig := fakebinance.Sign(signWith, query+body)
	target := s.URL() + path + "?" + query
	if body == "" {
		target += "&signature=" + sig
	} else {
		body += "&signature=" + sig
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if apiKey != "" {
		req.Header.Set("X-MBX-APIKEY", apiKey)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	}
	_ = json.Unmarshal(b, &e)
	return answer{status: resp.StatusCode, code: e.Code, msg: e.Msg, weight: resp.Header.Get("X-MBX-USED-WEIGHT-1M")}
}

func TestSignedRequests(t *testing.T) {
	s := fakebinance.New(key, secret)
	defer s.Close()
	now := func(d time.Duration) string { return fmt.Sprint(time.Now().Add(d).UnixMilli()) }
	tests := []struct {
		name                      string
		method, path, query, body string
		apiKey, signWith          string
		wantStatus, wantCode      int
	}{
		{"signed GET", "GET", "/api/v3/account", "omitZeroBalances=true&timestamp=" + now(0), "", key, secret, 200, 0},
		{"any parameter order", "GET", "/api/v3/account", "timestamp=" + now(0) + "&recvWindow=10000&omitZeroBalances=true", "", key, secret, 200, 0},
		{"query + body signed together", "POST", "/api/v3/order/test", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC",
			"quantity=0.001&price=50000&recvWindow=5000&timestamp=" + now(0), key, secret, 200, 0},
		{"wrong secret", "GET", "/api/v3/account", "timestamp=" + now(0), "", key, "other", 400, -1022},
		{"no key", "GET", "/api/v3/account", "timestamp=" + now(0), "", "", secret, 401, -2014},
		{"wrong key", "GET", "/api/v3/account", "timestamp=" + now(0), "", "other", secret, 401, -2015},
		{"stale timestamp", "GET", "/api/v3/account", "timestamp=" + now(-6*time.Second), "", key, secret, 400, -1021},
		{"future timestamp", "GET", "/api/v3/account", "timestamp=" + now(2*time.Second), "", key, secret, 400, -1021},
		{"recvWindow too large", "GET", "/api/v3/account", "recvWindow=70000&timestamp=" + now(0), "", key, secret, 400, -1131},
		{"unknown symbol", "GET", "/api/v3/openOrders", "symbol=NOPE&timestamp=" + now(0), "", key, secret, 400, -1121},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, s, tt.method, tt.path, tt.query, tt.body, tt.apiKey, tt.signWith)
			if got.status != tt.wantStatus || got.code != tt.wantCode {
				t.Errorf("got HTTP %d code %d %q, want HTTP %d code %d", got.status, got.code, got.msg, tt.wantStatus, tt.wantCode)
			}
			if got.weight == "" {
				t.Error("no X-MBX-USED-WEIGHT-1M header")
			}
			if strings.Contains(got.msg, secret) || strings.Contains(got.msg, key) {
				t.Errorf("message %q quotes a credential", got.msg)
			}
		})
	}
}

func TestPublicEndpoints(t *testing.T) {
	s := fakebinance.New(key, secret)
	defer s.Close()
	get := func(path string) (int, string) {
		resp, err := s.Client().Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/api/v3/ticker/bookTicker?symbol=BTCUSDT"); code != 200 || !strings.Contains(body, `"bidPrice":"60000.00000000"`) {
		t.Errorf("bookTicker = %d %s", code, body)
	}
	if code, body := get(`/api/v3/ticker/price?symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D`); code != 200 || !strings.HasPrefix(body, "[") {
		t.Errorf("ticker/price for two symbols = %d %s", code, body)
	}
	if code, body := get("/api/v3/ticker/price?symbol=NOPE"); code != 400 || !strings.Contains(body, "-1121") {
		t.Errorf("unknown symbol = %d %s", code, body)
	}
	if code, body := get("/api/v3/exchangeInfo"); code != 200 || !strings.Contains(body, `"filterType":"LOT_SIZE"`) {
		t.Errorf("exchangeInfo = %d", code)
	}
	if n := s.Count("GET", "/api/v3/exchangeInfo"); n != 1 {
		t.Errorf("Count(exchangeInfo) = %d", n)
	}
	s.RateLimitNext(3 * time.Second)
	resp, err := s.Client().Get(s.URL() + "/api/v3/time")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("injected rate limit = %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestWeightLimitEnforced(t *testing.T) {
	minute := time.Date(2026, 7, 1, 12, 0, 30, 0, time.UTC)
	s := fakebinance.New(key, secret, fakebinance.WithWeightLimit(30), fakebinance.WithClock(func() time.Time { return minute }))
	defer s.Close()
	codes := []int{}
	for i := 0; i < 2; i++ {
		resp, err := s.Client().Get(s.URL() + "/api/v3/exchangeInfo") // weight 20
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if codes[0] != 200 || codes[1] != 429 {
		t.Errorf("status codes = %v, want [200 429]", codes)
	}
}
