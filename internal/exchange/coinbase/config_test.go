package coinbase

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		opts map[string]any
		want config
	}{
		{"defaults", nil, config{baseURL: ProductionURL, marketURL: ProductionURL, instrumentsTTL: time.Hour}},
		{"sandbox reads market data from production", map[string]any{KeySandbox: true},
			config{sandbox: true, baseURL: SandboxURL, marketURL: ProductionURL, instrumentsTTL: time.Hour}},
		{"explicit base_url serves both", map[string]any{KeySandbox: true, KeyBaseURL: "http://127.0.0.1:9/api/v3/brokerage/", KeyInstrumentsTTL: "0s"},
			config{sandbox: true, baseURL: "http://127.0.0.1:9", marketURL: "http://127.0.0.1:9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(exchange.Params{Profile: "p", Options: tt.opts})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(config{})); diff != "" {
				t.Errorf("parseConfig (-want +got):\n%s", diff)
			}
		})
	}
}
