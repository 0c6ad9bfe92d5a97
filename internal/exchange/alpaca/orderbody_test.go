package alpaca

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
)

// sentOrderBody is the JSON body of the last POST /v2/orders the fake
// received, for tests that pin what a placement sends. No such request,
// or a body that is not JSON, fails the test.
func sentOrderBody(t *testing.T, srv *fakealpaca.Server) map[string]any {
	t.Helper()
	var sent map[string]any
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost && r.Path == "/v2/orders" {
			if err := json.Unmarshal([]byte(r.Body), &sent); err != nil {
				t.Fatalf("POST /v2/orders body %q: %v", r.Body, err)
			}
		}
	}
	if sent == nil {
		t.Fatal("no POST /v2/orders was sent")
	}
	return sent
}
