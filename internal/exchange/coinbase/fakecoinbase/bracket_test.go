package fakecoinbase

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTriggerBracketShapes: the fake takes trigger_bracket_gtc/gtd with
// exactly their documented fields and refuses the rest as the gateway or
// the venue would.
func TestTriggerBracketShapes(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srv := New(keyName, &key.PublicKey)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL(), "http://")
	tests := []struct {
		name, config string
		wantStatus   int
		wantBody     string
	}{
		{"gtc", `{"trigger_bracket_gtc":{"base_size":"0.01","limit_price":"70000","stop_trigger_price":"55000"}}`, 200, `"success":true`},
		{"gtd", `{"trigger_bracket_gtd":{"base_size":"0.01","limit_price":"70000","stop_trigger_price":"55000","end_time":"2099-01-01T00:00:00Z"}}`, 200, `"success":true`},
		{"gtd without end_time", `{"trigger_bracket_gtd":{"base_size":"0.01","limit_price":"70000","stop_trigger_price":"55000"}}`, 400, "end_time is required"},
		{"no stop trigger", `{"trigger_bracket_gtc":{"base_size":"0.01","limit_price":"70000"}}`, 400, "stop_trigger_price is required"},
		{"a stop-limit's fields", `{"trigger_bracket_gtc":{"base_size":"0.01","limit_price":"70000","stop_trigger_price":"55000","stop_direction":"STOP_DIRECTION_STOP_DOWN"}}`, 400, "stop_direction is not allowed"},
		{"trigger off the tick", `{"trigger_bracket_gtc":{"base_size":"0.01","limit_price":"70000","stop_trigger_price":"55000.001"}}`, 200, "INVALID_PRICE_PRECISION"},
		{"trigger above the market", `{"trigger_bracket_gtc":{"base_size":"0.01","limit_price":"70000","stop_trigger_price":"65000"}}`, 200, "INVALID_STOP_PRICE"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"client_order_id":"tb-` + string(rune('a'+i)) + `","product_id":"BTC-USD","side":"SELL","order_configuration":` + tt.config + `}`
			req, _ := http.NewRequest(http.MethodPost, srv.URL()+Prefix+"/orders", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+newToken(key, "POST "+host+Prefix+"/orders", time.Now()).String())
			req.Header.Set("Content-Type", "application/json")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(got), tt.wantBody) {
				t.Errorf("create: %d %s, want %d with %q", resp.StatusCode, got, tt.wantStatus, tt.wantBody)
			}
		})
	}
	if n := srv.OrdersCreated(); n != 2 {
		t.Errorf("orders created = %d, want 2", n)
	}
}

// TestAttachedBracketShapes: the fake takes attached_order_configuration
// as Coinbase's Create and Preview Orders references describe it — only
// trigger_bracket_gtc, with no size, on a market or limit entry, its
// prices on the right sides of the entry — and refuses the rest as the
// gateway (400) or the venue (success false) would.
func TestAttachedBracketShapes(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srv := New(keyName, &key.PublicKey)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL(), "http://")
	const limitBuy = `{"limit_limit_gtc":{"base_size":"0.001","limit_price":"40000"}}`
	tests := []struct {
		name, side, config, attached string
		wantStatus                   int
		wantBody                     string
	}{
		{"limit buy", "BUY", limitBuy, `{"trigger_bracket_gtc":{"limit_price":"45000","stop_trigger_price":"35000"}}`, 200, `"attached_order_id":"`},
		{"market buy", "BUY", `{"market_market_ioc":{"base_size":"0.001"}}`, `{"trigger_bracket_gtc":{"limit_price":"70000","stop_trigger_price":"50000"}}`, 200, `"success":true`},
		{"limit sell", "SELL", `{"limit_limit_gtc":{"base_size":"0.001","limit_price":"70000"}}`, `{"trigger_bracket_gtc":{"limit_price":"65000","stop_trigger_price":"75000"}}`, 200, `"success":true`},
		{"with a size", "BUY", limitBuy, `{"trigger_bracket_gtc":{"base_size":"0.001","limit_price":"45000","stop_trigger_price":"35000"}}`, 400, "size field must be omitted"},
		{"gtd", "BUY", limitBuy, `{"trigger_bracket_gtd":{"limit_price":"45000","stop_trigger_price":"35000","end_time":"2099-01-01T00:00:00Z"}}`, 400, "only trigger_bracket_gtc is eligible"},
		{"a limit order", "BUY", limitBuy, `{"limit_limit_gtc":{"limit_price":"45000"}}`, 400, "only trigger_bracket_gtc is eligible"},
		{"no stop trigger", "BUY", limitBuy, `{"trigger_bracket_gtc":{"limit_price":"45000"}}`, 400, "limit_price and stop_trigger_price are required"},
		{"stop above a buy", "BUY", limitBuy, `{"trigger_bracket_gtc":{"limit_price":"45000","stop_trigger_price":"41000"}}`, 200, "INVALID_STOP_PRICE"},
		{"take-profit below a buy", "BUY", limitBuy, `{"trigger_bracket_gtc":{"limit_price":"39000","stop_trigger_price":"35000"}}`, 200, "INVALID_LIMIT_PRICE"},
		{"take-profit below a market buy's ask", "BUY", `{"market_market_ioc":{"base_size":"0.001"}}`, `{"trigger_bracket_gtc":{"limit_price":"60000","stop_trigger_price":"50000"}}`, 200, "INVALID_LIMIT_PRICE"},
		{"a zero stop", "BUY", limitBuy, `{"trigger_bracket_gtc":{"limit_price":"45000","stop_trigger_price":"0"}}`, 200, "INVALID_LIMIT_PRICE"},
		{"off the tick", "BUY", limitBuy, `{"trigger_bracket_gtc":{"limit_price":"45000.001","stop_trigger_price":"35000"}}`, 200, "INVALID_PRICE_PRECISION"},
		{"on a stop-limit entry", "BUY", `{"stop_limit_stop_limit_gtc":{"base_size":"0.001","limit_price":"70000","stop_price":"69000","stop_direction":"STOP_DIRECTION_STOP_UP"}}`,
			`{"trigger_bracket_gtc":{"limit_price":"80000","stop_trigger_price":"60000"}}`, 200, "INVALID_ORDER_CONFIG"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/orders/preview", "/orders"} {
				body := `{"client_order_id":"ab-` + string(rune('a'+i)) + `","product_id":"BTC-USD","side":"` + tt.side + `","order_configuration":` + tt.config +
					`,"attached_order_configuration":` + tt.attached + `}`
				if path == "/orders/preview" {
					body = `{"product_id":"BTC-USD","side":"` + tt.side + `","order_configuration":` + tt.config + `,"attached_order_configuration":` + tt.attached + `}`
				}
				req, _ := http.NewRequest(http.MethodPost, srv.URL()+Prefix+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+newToken(key, "POST "+host+Prefix+path, time.Now()).String())
				req.Header.Set("Content-Type", "application/json")
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want := tt.wantBody
				if path == "/orders/preview" && tt.wantStatus == 200 && !strings.HasPrefix(want, `"`) {
					want = "PREVIEW_" + want // the preview names the preview failure reason
				} else if path == "/orders/preview" && tt.wantStatus == 200 {
					want = `"errs":[]`
				}
				if resp.StatusCode != tt.wantStatus || !strings.Contains(string(got), want) {
					t.Errorf("%s: %d %s, want %d with %q", path, resp.StatusCode, got, tt.wantStatus, want)
				}
			}
		})
	}
	if n := srv.OrdersCreated(); n != 3 {
		t.Errorf("orders created = %d, want 3", n)
	}
}

// FuzzParseAttached: whatever attached_order_configuration holds, the fake
// takes only a trigger_bracket_gtc with both prices and no size, and
// refuses everything else with a 400, never a panic.
func FuzzParseAttached(f *testing.F) {
	for _, s := range []string{
		`{"trigger_bracket_gtc":{"limit_price":"45000","stop_trigger_price":"35000"}}`,
		`{"trigger_bracket_gtc":{"base_size":"1","limit_price":"45000","stop_trigger_price":"35000"}}`,
		`{"trigger_bracket_gtd":{"limit_price":"1","stop_trigger_price":"1","end_time":"2030-01-01T00:00:00Z"}}`,
		`{"trigger_bracket_gtc":{"limit_price":"1e5","stop_trigger_price":"."}}`,
		`{"trigger_bracket_gtc":null}`, `{}`, `{"a":1,"trigger_bracket_gtc":{}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var cfg map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &cfg) != nil || cfg == nil {
			return
		}
		sp, bad := parseAttached(cfg)
		if (sp == nil) == (bad == nil) {
			t.Fatalf("parseAttached(%s) = %v, %v: want exactly one", s, sp, bad)
		}
		if bad != nil {
			if bad.status != http.StatusBadRequest {
				t.Errorf("refused %s with %d, want 400", s, bad.status)
			}
			return
		}
		var f configFields
		if len(cfg) != 1 || strictDecode(cfg["trigger_bracket_gtc"], &f) != nil || f.BaseSize != nil || f.QuoteSize != nil ||
			f.LimitPrice == nil || f.StopTrigger == nil {
			t.Errorf("took %s", s)
		}
		if sp.limitPrice.IsNegative() || sp.stopPrice.IsNegative() {
			t.Errorf("took negative prices from %s", s)
		}
	})
}
