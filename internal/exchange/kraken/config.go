package kraken

import (
	"fmt"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// config is a kraken profile's options, read and checked in one place.
type config struct {
	baseURL        string
	nonceFile      string
	instrumentsTTL time.Duration
	tier           rateTier
}

// parseConfig reads p's options; an unset option takes its default.
func parseConfig(p exchange.Params) (config, error) {
	base, err := venuehttp.URLOption(p, KeyBaseURL, ProductionURL, venuehttp.HTTPSchemes, "/0")
	if err != nil {
		return config{}, err
	}
	nonceFile, err := p.String(KeyNonceFile, "")
	if err != nil {
		return config{}, err
	}
	ttl, err := venuehttp.TTL(p, KeyInstrumentsTTL, defaultInstrumentsTTL)
	if err != nil {
		return config{}, err
	}
	tierName, err := p.String(KeyRateTier, string(tierStarter))
	if err != nil {
		return config{}, err
	}
	tier, err := parseRateTier(tierName)
	if err != nil {
		return config{}, fmt.Errorf("profile %q: %s: %w", p.Profile, KeyRateTier, err)
	}
	return config{
		baseURL:        base,
		nonceFile:      strings.TrimSpace(nonceFile),
		instrumentsTTL: ttl,
		tier:           tier,
	}, nil
}
