package coinbase

import (
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// config is a coinbase profile's options, read and checked in one place.
type config struct {
	sandbox        bool
	baseURL        string
	marketURL      string
	instrumentsTTL time.Duration
}

// parseConfig reads p's options; an unset option takes its default.
func parseConfig(p exchange.Params) (config, error) {
	sandbox, err := p.Bool(KeySandbox, false)
	if err != nil {
		return config{}, err
	}
	def := ProductionURL
	if sandbox {
		def = SandboxURL
	}
	base, err := venuehttp.URLOption(p, KeyBaseURL, def, venuehttp.HTTPSchemes, apiPrefix)
	if err != nil {
		return config{}, err
	}
	market := base
	if _, explicit := p.Options[KeyBaseURL]; sandbox && !explicit {
		// The sandbox mocks accounts and orders only; products and tickers
		// are public data, read from production without credentials.
		market = ProductionURL
	}
	ttl, err := venuehttp.TTL(p, KeyInstrumentsTTL, defaultInstrumentsTTL)
	if err != nil {
		return config{}, err
	}
	return config{
		sandbox:        sandbox,
		baseURL:        base,
		marketURL:      market,
		instrumentsTTL: ttl,
	}, nil
}
