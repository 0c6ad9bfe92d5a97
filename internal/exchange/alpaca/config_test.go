package alpaca

import (
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func TestParseConfig(t *testing.T) {
	venuetest.CheckParseConfig(t, parseConfig, []venuetest.ConfigCase[config]{
		{Name: "defaults: paper trading, IEX", Opts: nil,
			Want: config{baseURL: PaperURL, dataURL: DataURL, feed: FeedIEX, instrumentsTTL: time.Hour, streamURL: "wss://paper-api.alpaca.markets/stream"}},
		{Name: "live, SIP, extended hours", Opts: map[string]any{KeyPaper: false, KeyFeed: " SIP ", KeyExtendedHours: true, KeyDataURL: "https://data.example/v2/"},
			Want: config{baseURL: ProductionURL, dataURL: "https://data.example", feed: FeedSIP, extendedHours: true, instrumentsTTL: time.Hour, streamURL: "wss://api.alpaca.markets/stream"}},
	})
}
