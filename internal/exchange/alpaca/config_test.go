package alpaca

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
		{"defaults: paper trading, IEX", nil,
			config{baseURL: PaperURL, dataURL: DataURL, feed: FeedIEX, instrumentsTTL: time.Hour}},
		{"live, SIP, extended hours", map[string]any{KeyPaper: false, KeyFeed: " SIP ", KeyExtendedHours: true, KeyDataURL: "https://data.example/v2/"},
			config{baseURL: ProductionURL, dataURL: "https://data.example", feed: FeedSIP, extendedHours: true, instrumentsTTL: time.Hour}},
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
