package binance

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
)

func TestAcceptWindowFollowsRecvWindow(t *testing.T) {
	for _, tt := range []struct {
		recv any
		want time.Duration
	}{
		{nil, 7 * time.Second},
		{60000, 62 * time.Second},
		{1000, 3 * time.Second},
	} {
		opts := map[string]any{}
		if tt.recv != nil {
			opts[KeyRecvWindow] = tt.recv
		}
		ex, err := New(context.Background(), exchange.Params{Profile: "p", Exchange: "binance", Options: opts, CacheDir: t.TempDir(), DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if got := ex.AcceptWindow(); got != tt.want {
			t.Errorf("recv_window %v: AcceptWindow() = %v, want %v", tt.recv, got, tt.want)
		}
	}
}
