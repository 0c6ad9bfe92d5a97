package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
)

// cmdFakeKraken starts a fake Kraken for the rest of the script and writes
// a config with a "kraken" profile pointing at it, plus a paper profile.
// The API key and the base64 secret are random per script and reach
// tradectl only through the KRAKEN_KEY / KRAKEN_SECRET variables, never
// through a file.
//
//	fakekraken            start it
func cmdFakeKraken(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fakekraken")
	}
	raw := make([]byte, 64)
	if _, err := rand.Read(raw); err != nil {
		ts.Fatalf("%v", err)
	}
	key, secret := randomHex(ts, 32), base64.StdEncoding.EncodeToString(raw)
	srv := fakekraken.New(key, secret, fakekraken.WithLatency(fakeLatency(ts)))
	ts.Defer(srv.Close)
	ts.Setenv("KRAKEN_KEY", key)
	ts.Setenv("KRAKEN_SECRET", secret)
	ts.Setenv("KRAKEN_URL", srv.URL())
	cfg := fmt.Sprintf(`default_profile: paper
profiles:
  paper:
    exchange: paper
  kraken:
    exchange: kraken
    base_url: %s
    api_key_env: KRAKEN_KEY
    api_secret_env: KRAKEN_SECRET
`, srv.URL())
	dir := ts.MkAbs("home/.config/tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		ts.Fatalf("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		ts.Fatalf("%v", err)
	}
}
