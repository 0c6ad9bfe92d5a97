package alpaca

import (
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
	return c, o.Err()
}
