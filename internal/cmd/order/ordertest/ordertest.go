// Package ordertest runs the order commands as a fresh process would,
// against a fake Binance that records every request, for tests that count
// what a command costs at the venue.
package ordertest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// Venue is one tradectl home whose default profile, "binance", trades on
// Server.
type Venue struct {
	Server *fakebinance.Server
	env    map[string]string
}

// NewVenue starts the fake venue and writes the home's config.
func NewVenue(t testing.TB) *Venue {
	t.Helper()
	srv := fakebinance.New("test-key", "test-secret")
	t.Cleanup(srv.Close)
	home := t.TempDir()
	cfg := fmt.Sprintf(`default_profile: binance
profiles:
  binance:
    exchange: binance
    base_url: %s
    ws_url: %s
    api_key_env: BINANCE_KEY
    api_secret_env: BINANCE_SECRET
`, srv.URL(), srv.WSURL())
	dir := filepath.Join(home, ".config", "tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return &Venue{Server: srv, env: map[string]string{"HOME": home, "BINANCE_KEY": "test-key", "BINANCE_SECRET": "test-secret"}}
}

// Factory is a real factory over ios for this home; the caller runs its
// exit hooks.
func (v *Venue) Factory(ios *iostreams.IOStreams) *cmdutil.Factory {
	return factory.New(ios, func(k string) string { return v.env[k] }, nil)
}

// Since lists the requests received after the first n, as "METHOD /path".
func (v *Venue) Since(n int) []string {
	var out []string
	for _, r := range v.Server.Requests()[n:] {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// Setenv sets a variable the home's factories read (TRADECTL_OUTPUT …).
func (v *Venue) Setenv(k, val string) { v.env[k] = val }
