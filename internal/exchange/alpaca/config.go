package alpaca

import (
	"fmt"
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
}

// parseConfig reads p's options; an unset option takes its default.
func parseConfig(p exchange.Params) (config, error) {
	paper, err := p.Bool(KeyPaper, true)
	if err != nil {
		return config{}, err
	}
	defBase := ProductionURL
	if paper {
		defBase = PaperURL
	}
	base, err := venuehttp.URLOption(p, KeyBaseURL, defBase, venuehttp.HTTPSchemes, "/v2")
	if err != nil {
		return config{}, err
	}
	data, err := venuehttp.URLOption(p, KeyDataURL, DataURL, venuehttp.HTTPSchemes, "/v2")
	if err != nil {
		return config{}, err
	}
	feed, err := p.String(KeyFeed, FeedIEX)
	if err != nil {
		return config{}, err
	}
	feed = strings.ToLower(strings.TrimSpace(feed))
	if feed != FeedIEX && feed != FeedSIP {
		return config{}, fmt.Errorf("profile %q: %s must be iex or sip, got %q", p.Profile, KeyFeed, feed)
	}
	ext, err := p.Bool(KeyExtendedHours, false)
	if err != nil {
		return config{}, err
	}
	ttl, err := venuehttp.TTL(p, KeyInstrumentsTTL, defaultInstrumentsTTL)
	if err != nil {
		return config{}, err
	}
	return config{
		baseURL:        base,
		dataURL:        data,
		feed:           feed,
		extendedHours:  ext,
		instrumentsTTL: ttl,
	}, nil
}
