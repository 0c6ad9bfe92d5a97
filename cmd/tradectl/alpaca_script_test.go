package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
)

// cmdFakeAlpaca starts a fake Alpaca (a trading host and a market data
// host) for the rest of the script and writes a config with an "alpaca"
// profile pointing at both, plus the paper profile. The key id and secret
// are random per script and reach tradectl only through the ALPACA_KEY /
// ALPACA_SECRET variables, never through a file.
//
//	fakealpaca            start it
func cmdFakeAlpaca(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fakealpaca")
	}
	key, secret := "PK"+strings.ToUpper(randomHex(ts, 18)), randomHex(ts, 40)
	srv := fakealpaca.New(key, secret, fakealpaca.WithLatency(fakeLatency(ts)))
	ts.Defer(srv.Close)
	ts.Setenv("ALPACA_KEY", key)
	ts.Setenv("ALPACA_SECRET", secret)
	ts.Setenv("ALPACA_URL", srv.URL())
	ts.Setenv("ALPACA_DATA_URL", srv.DataURL())
	cfg := fmt.Sprintf(`default_profile: paper
profiles:
  paper:
    exchange: paper
  alpaca:
    exchange: alpaca
    base_url: %s
    data_url: %s
    api_key_env: ALPACA_KEY
    api_secret_env: ALPACA_SECRET
`, srv.URL(), srv.DataURL())
	dir := ts.MkAbs("home/.config/tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		ts.Fatalf("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		ts.Fatalf("%v", err)
	}
}
