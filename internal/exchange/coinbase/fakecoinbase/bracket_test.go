package fakecoinbase

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
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
