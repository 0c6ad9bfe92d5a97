package create_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/cmdutil"
)

const slicedLimit = "BTC-USDT --side buy --qty 0.003 --price 30000 --slices 3 --over 300ms --idempotency-key tty-1"

// A live sliced order is confirmed once, on the terminal, for the whole
// quantity and with its schedule; a yes places exactly N children, a no
// places none.
func TestSlicedOrderConfirmsOnceOnTerminal(t *testing.T) {
	tests := []struct {
		name       string
		input      string
		wantExit   int
		wantOrders int
	}{
		{"yes places every child", "y\n", 0, 3},
		{"no places none", "n\n", cmdutil.ExitDeclined, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVenueTest(t)
			requests, stderr, err := v.runTTY(t, false, true, tt.input, slicedLimit)
			if code := cmdutil.Classify(context.Background(), err).Exit; code != tt.wantExit {
				t.Fatalf("exit %d (%v), want %d\n%s", code, err, tt.wantExit, stderr)
			}
			if n := countRoute(requests, "POST /api/v3/order"); n != tt.wantOrders {
				t.Errorf("orders sent = %d, want %d; requests: %v", n, tt.wantOrders, requests)
			}
			if n := strings.Count(stderr, "Place this order? [y/N]"); n != 1 {
				t.Errorf("asked %d times, want once:\n%s", n, stderr)
			}
			for _, want := range []string{"qty         0.003", "client id   twap-tty-1", "sliced: 3 children of 0.001 (the last 0.001)", "one every 100ms, the last in 200ms"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("confirmation screen lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}
