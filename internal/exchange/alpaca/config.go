package alpaca

import (
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// config is a alpaca profile's options, read and checked in one place.
type config struct {
	baseURL        string
	dataURL        string
	feed           string
	extendedHours  bool
	instrumentsTTL time.Duration
	streamURL      string
	dataStreamURL  string
}

// parseConfig reads p's options; an unset option takes its default.
func parseConfig(p exchange.Params) (config, error) {
	o := venuehttp.ReadOptions(p)
	defBase := ProductionURL
	if o.Bool(KeyPaper, true) {
		defBase = PaperURL
	}
	c := config{
		baseURL:        o.URL(KeyBaseURL, defBase, venuehttp.HTTPSchemes, "/v2"),
		dataURL:        o.URL(KeyDataURL, DataURL, venuehttp.HTTPSchemes, "/v2"),
		feed:           o.OneOf(KeyFeed, FeedIEX, FeedIEX, FeedSIP),
		extendedHours:  o.Bool(KeyExtendedHours, false),
		instrumentsTTL: o.TTL(KeyInstrumentsTTL, defaultInstrumentsTTL),
	}
	c.dataStreamURL = dataStreamURL(o, c.feed)
	// The trading stream lives on the trading host (Alpaca: wss://…/stream
	// on api. and paper-api.), so by default it follows base_url.
	if c.baseURL != "" {
		c.streamURL = o.URL(KeyStreamURL, tradeStreamURL(c.baseURL), []string{"ws", "wss"})
	}
	return c, o.Err()
}

// tradeStreamURL is the trading stream on a trading host's base URL:
// https://paper-api.alpaca.markets → wss://paper-api.alpaca.markets/stream.
func tradeStreamURL(baseURL string) string {
	u := strings.TrimSuffix(baseURL, "/")
	switch {
	case strings.HasPrefix(u, "https://"):
		u = "wss://" + strings.TrimPrefix(u, "https://")
	case strings.HasPrefix(u, "http://"):
		u = "ws://" + strings.TrimPrefix(u, "http://")
	}
	return u + "/stream"
}
