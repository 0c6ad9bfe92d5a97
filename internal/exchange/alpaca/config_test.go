package alpaca

import (
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func TestParseConfig(t *testing.T) {
	venuetest.CheckParseConfig(t, parseConfig, []venuetest.ConfigCase[config]{
		{Name: "defaults: paper trading, IEX", Opts: nil,
			Want: config{baseURL: PaperURL, dataURL: DataURL, feed: FeedIEX, instrumentsTTL: time.Hour, streamURL: "wss://paper-api.alpaca.markets/stream",
				dataStreamURL: ProductionDataStreamURL}},
		{Name: "live, SIP, extended hours; data_url elsewhere polls", Opts: map[string]any{KeyPaper: false, KeyFeed: " SIP ", KeyExtendedHours: true, KeyDataURL: "https://data.example/v2/"},
			Want: config{baseURL: ProductionURL, dataURL: "https://data.example", feed: FeedSIP, extendedHours: true, instrumentsTTL: time.Hour, streamURL: "wss://api.alpaca.markets/stream"}},
		{Name: "data stream named with an endpoint's path", Opts: map[string]any{KeyDataURL: "https://data.example", KeyDataStreamURL: "wss://stream.example/v2/iex/"},
			Want: config{baseURL: PaperURL, dataURL: "https://data.example", feed: FeedIEX, instrumentsTTL: time.Hour, streamURL: "wss://paper-api.alpaca.markets/stream",
				dataStreamURL: "wss://stream.example"}},
		{Name: "crypto path cut too", Opts: map[string]any{KeyDataStreamURL: "ws://127.0.0.1:9/v1beta3/crypto/us"},
			Want: config{baseURL: PaperURL, dataURL: DataURL, feed: FeedIEX, instrumentsTTL: time.Hour, streamURL: "wss://paper-api.alpaca.markets/stream",
				dataStreamURL: "ws://127.0.0.1:9"}},
	})
}

func TestParseConfigRefusesBadDataStreamURL(t *testing.T) {
	for _, v := range []any{"https://stream.example", "stream.example", 42, "wss://"} {
		_, err := parseConfig(exchange.Params{Profile: "p", Options: map[string]any{KeyDataStreamURL: v}})
		if err == nil || !strings.Contains(err.Error(), KeyDataStreamURL) {
			t.Errorf("data_stream_url %v: err = %v, want one naming %s", v, err, KeyDataStreamURL)
		}
	}
}
