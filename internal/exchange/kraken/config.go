package kraken

import (
	"fmt"
	"math"
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
	// nonceWindow is the key's nonce window as set at Kraken, in nonce
	// units (tradectl's nonces count microseconds); 0: none.
	nonceWindow int
	wsURL       string
	wsAuthURL   string
}

// signedInFlight is how many signed calls may be in flight at once with a
// nonce window: enough for the dashboard's balances, open orders and
// fills to go together, each nonce taken moments apart and so well
// within any window worth setting.
const signedInFlight = 4

// signedInFlight is how many signed calls of one Exchange may be in
// flight at once: one without a nonce window.
func (c config) signedInFlight() int {
	if c.nonceWindow > 0 {
		return signedInFlight
	}
	return 1
}

// parseConfig reads p's options; an unset option takes its default.
func parseConfig(p exchange.Params) (config, error) {
	o := venuehttp.ReadOptions(p)
	c := config{
		baseURL:        o.URL(KeyBaseURL, ProductionURL, venuehttp.HTTPSchemes, "/0"),
		nonceFile:      strings.TrimSpace(o.String(KeyNonceFile, "")),
		instrumentsTTL: o.TTL(KeyInstrumentsTTL, defaultInstrumentsTTL),
		nonceWindow:    o.IntBetween(KeyNonceWindow, 0, 0, math.MaxInt32, "nonce units (microseconds)"),
		// Without ws_url or ws_auth_url, production's streams, unless
		// base_url points elsewhere: a profile aimed at another host never
		// signs in to production's stream ("": no stream).
		wsURL:     o.StreamURL(KeyWSURL, ProductionWSURL, KeyBaseURL),
		wsAuthURL: o.StreamURL(KeyWSAuthURL, ProductionWSAuthURL, KeyBaseURL),
	}
	tierName := o.String(KeyRateTier, string(tierStarter))
	if err := o.Err(); err != nil {
		return config{}, err
	}
	tier, err := parseRateTier(tierName)
	if err != nil {
		return config{}, fmt.Errorf("profile %q: %s: %w", p.Profile, KeyRateTier, err)
	}
	c.tier = tier
	return c, nil
}
