package binance

import (
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// config is a binance profile's options, read and checked in one place.
type config struct {
	baseURL        string
	wsURL          string
	wsAPIURL       string
	recvWindow     int
	keyType        string
	syncClock      bool
	instrumentsTTL time.Duration
}

// parseConfig reads p's options; an unset option takes its default.
func parseConfig(p exchange.Params) (config, error) {
	o := venuehttp.ReadOptions(p)
	defBase, defWS, defWSAPI := ProductionURL, ProductionWSURL, ProductionWSAPIURL
	if o.Bool(KeySandbox, false) {
		defBase, defWS, defWSAPI = TestnetURL, TestnetWSURL, TestnetWSAPIURL
	}
	c := config{
		baseURL:        o.URL(KeyBaseURL, defBase, venuehttp.HTTPSchemes, "/api"),
		wsURL:          o.URL(KeyWSURL, defWS, []string{"ws", "wss"}, "/ws", "/stream"),
		wsAPIURL:       o.URL(KeyWSAPIURL, defWSAPI, []string{"ws", "wss"}),
		recvWindow:     o.IntBetween(KeyRecvWindow, defaultRecvWindow, 1, maxRecvWindow, "milliseconds"),
		keyType:        o.OneOf(KeyKeyType, "hmac", "hmac", "ed25519"),
		syncClock:      o.Bool(KeySyncClock, false),
		instrumentsTTL: o.TTL(KeyInstrumentsTTL, defaultInstrumentsTTL),
	}
	return c, o.Err()
}
