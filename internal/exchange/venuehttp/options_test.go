package venuehttp_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

func TestOptions(t *testing.T) {
	type read struct {
		Base  string
		Paper bool
		Feed  string
		Win   int
		TTL   time.Duration
	}
	readAll := func(opts map[string]any) (read, error) {
		o := venuehttp.ReadOptions(exchange.Params{Profile: "p", Options: opts})
		r := read{
			Base:  o.URL("base_url", "https://api.example.com", venuehttp.HTTPSchemes, "/v2"),
			Paper: o.Bool("paper", true),
			Feed:  o.OneOf("feed", "iex", "iex", "sip"),
			Win:   o.IntBetween("recv_window", 5000, 1, 60000, "milliseconds"),
			TTL:   o.TTL("instruments_ttl", time.Hour),
		}
		return r, o.Err()
	}
	tests := []struct {
		name    string
		opts    map[string]any
		want    read
		wantErr string
	}{
		{name: "defaults", want: read{Base: "https://api.example.com", Paper: true, Feed: "iex", Win: 5000, TTL: time.Hour}},
		{name: "set", opts: map[string]any{"base_url": "http://127.0.0.1:8080/v2/", "paper": false, "feed": " SIP ", "recv_window": 60000, "instruments_ttl": "0s"},
			want: read{Base: "http://127.0.0.1:8080", Feed: "sip", Win: 60000}},
		{name: "word not allowed", opts: map[string]any{"feed": "opra"}, wantErr: `profile "p": feed must be iex or sip, got "opra"`},
		{name: "out of range", opts: map[string]any{"recv_window": 0}, wantErr: `profile "p": recv_window must be between 1 and 60000 milliseconds, got 0`},
		{name: "first error wins", opts: map[string]any{"paper": "yes", "feed": "opra", "instruments_ttl": "-1s"},
			wantErr: `profile "p": paper must be true or false, got yes`},
		{name: "negative ttl", opts: map[string]any{"instruments_ttl": "-1s"}, wantErr: `profile "p": instruments_ttl must not be negative, got -1s`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(tt.opts)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}
