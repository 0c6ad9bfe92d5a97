package coinbase

import (
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func TestParseConfig(t *testing.T) {
	venuetest.CheckParseConfig(t, parseConfig, []venuetest.ConfigCase[config]{
		{Name: "defaults", Opts: nil, Want: config{baseURL: ProductionURL, marketURL: ProductionURL, instrumentsTTL: time.Hour, wsURL: ProductionWSURL, wsUserURL: ProductionWSUserURL}},
		{Name: "sandbox reads market data from production", Opts: map[string]any{KeySandbox: true},
			Want: config{sandbox: true, baseURL: SandboxURL, marketURL: ProductionURL, instrumentsTTL: time.Hour, wsURL: ProductionWSURL}},
		{Name: "explicit base_url serves both", Opts: map[string]any{KeySandbox: true, KeyBaseURL: "http://127.0.0.1:9/api/v3/brokerage/", KeyInstrumentsTTL: "0s"},
			Want: config{sandbox: true, baseURL: "http://127.0.0.1:9", marketURL: "http://127.0.0.1:9"}},
	})
}
