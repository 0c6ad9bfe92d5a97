package venuehttp_test

import (
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

func TestOptionsStreamURL(t *testing.T) {
	const prod = "wss://stream.example.com"
	tests := []struct {
		name    string
		opts    map[string]any
		want    string
		wantErr string
	}{
		{name: "production by default", want: prod},
		{name: "another host, no stream", opts: map[string]any{"base_url": "http://127.0.0.1:8080"}, want: ""},
		{name: "named with another host", opts: map[string]any{"base_url": "http://127.0.0.1:8080", "ws_url": "ws://127.0.0.1:8081/ws"}, want: "ws://127.0.0.1:8081"},
		{name: "not a WebSocket URL", opts: map[string]any{"ws_url": "https://stream.example.com"}, wantErr: "ws_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := venuehttp.ReadOptions(exchange.Params{Profile: "p", Options: tt.opts})
			got := o.StreamURL("ws_url", prod, "base_url", "/ws")
			err := o.Err()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("StreamURL() error = %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("StreamURL() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
