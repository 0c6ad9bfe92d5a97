package binance

import (
	"fmt"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// config is a binance profile's options, read and checked in one place.
type config struct {
	baseURL        string
	wsURL          string
	recvWindow     int
	keyType        string
	syncClock      bool
	instrumentsTTL time.Duration
}

// parseConfig reads p's options; an unset option takes its default.
func parseConfig(p exchange.Params) (config, error) {
	sandbox, err := p.Bool(KeySandbox, false)
	if err != nil {
		return config{}, err
	}
	defBase, defWS := ProductionURL, ProductionWSURL
	if sandbox {
		defBase, defWS = TestnetURL, TestnetWSURL
	}
	base, err := venuehttp.URLOption(p, KeyBaseURL, defBase, venuehttp.HTTPSchemes, "/api")
	if err != nil {
		return config{}, err
	}
	ws, err := venuehttp.URLOption(p, KeyWSURL, defWS, []string{"ws", "wss"}, "/ws", "/stream")
	if err != nil {
		return config{}, err
	}
	recvWindow, err := p.Int(KeyRecvWindow, defaultRecvWindow)
	if err != nil {
		return config{}, err
	}
	if recvWindow < 1 || recvWindow > maxRecvWindow {
		return config{}, fmt.Errorf("profile %q: %s must be between 1 and %d milliseconds, got %d", p.Profile, KeyRecvWindow, maxRecvWindow, recvWindow)
	}
	keyType, err := p.String(KeyKeyType, "hmac")
	if err != nil {
		return config{}, err
	}
	keyType = strings.ToLower(strings.TrimSpace(keyType))
	if keyType != "hmac" && keyType != "ed25519" {
		return config{}, fmt.Errorf("profile %q: %s must be hmac or ed25519, got %q", p.Profile, KeyKeyType, keyType)
	}
	syncClock, err := p.Bool(KeySyncClock, false)
	if err != nil {
		return config{}, err
	}
	ttl, err := venuehttp.TTL(p, KeyInstrumentsTTL, defaultInstrumentsTTL)
	if err != nil {
		return config{}, err
	}
	return config{
		baseURL:        base,
		wsURL:          ws,
		recvWindow:     recvWindow,
		keyType:        keyType,
		syncClock:      syncClock,
		instrumentsTTL: ttl,
	}, nil
}
