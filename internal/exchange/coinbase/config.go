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
	wsURL          string
	wsUserURL      string
}

// parseConfig reads p's options; an unset option takes its default.
func parseConfig(p exchange.Params) (config, error) {
	o := venuehttp.ReadOptions(p)
	c := config{sandbox: o.Bool(KeySandbox, false)}
	def := ProductionURL
	if c.sandbox {
		def = SandboxURL
	}
	c.baseURL = o.URL(KeyBaseURL, def, venuehttp.HTTPSchemes, apiPrefix)
	c.marketURL = c.baseURL
	if _, explicit := p.Options[KeyBaseURL]; c.sandbox && !explicit {
		// The sandbox mocks accounts and orders only; products and tickers
		// are public data, read from production without credentials.
		c.marketURL = ProductionURL
	}
	c.instrumentsTTL = o.TTL(KeyInstrumentsTTL, defaultInstrumentsTTL)
	// Without ws_url, production's stream unless base_url points elsewhere
	// ("": no stream, prices polled from that host).
	c.wsURL = o.StreamURL(KeyWSURL, ProductionWSURL, KeyBaseURL)
	c.wsUserURL = userStreamURL(p, o, c.sandbox)
	return c, o.Err()
}

// userStreamURL is ws_user_url, checked; without it, production's user
// channel, unless base_url points elsewhere or the profile is the
// sandbox's, whose keys production would refuse ("": no order stream).
func userStreamURL(p exchange.Params, o *venuehttp.Options, sandbox bool) string {
	if _, wsSet := p.Options[KeyWSUserURL]; sandbox && !wsSet {
		return ""
	}
	return o.StreamURL(KeyWSUserURL, ProductionWSUserURL, KeyBaseURL)
}
