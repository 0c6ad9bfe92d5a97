package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/app"
	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// venueHome is one tradectl home with one profile, named after its venue,
// on a fake venue that records every request — the setting in which the
// round trips of each command are counted (TestRequestsPerCommand) and
// timed (BenchmarkRequestsPerCommand). Commands run in process through
// app.Run with the real factory, as `tradectl … --profile NAME` would.
type venueHome struct {
	name string // the profile, and the venue it trades on
	// order is the order the commands place: a symbol the venue lists
	// and a quantity above its minimums; price rests below the market.
	symbol, qty, price string
	env                map[string]string
	requests           func() []fakevenue.Request
	latency            time.Duration
}

// venueNames are the venues every command is counted on; "paper" is the
// embedded paper exchange taking its prices from a fake Binance
// (price_source), the one setting where paper makes requests at all.
var venueNames = []string{"binance", "kraken", "coinbase", "alpaca", "paper"}

// krakenSerial is a Kraken home whose key has no nonce window, so its
// signed calls go one at a time; "kraken" has one of krakenNonceWindow
// (ten seconds of tradectl's microsecond nonces).
const (
	krakenSerial      = "kraken-serial"
	krakenNonceWindow = 10_000_000
)

// newVenueHome starts the fake for venue behind latency per request and
// writes a home whose config has one profile for it.
func newVenueHome(tb testing.TB, venue string, latency time.Duration) *venueHome {
	tb.Helper()
	home := tb.TempDir()
	h := &venueHome{name: venue, latency: latency, env: map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME":  filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME":  filepath.Join(home, ".cache"),
		"NO_COLOR":        "1",
	}}
	var profile string
	switch venue {
	case "binance", "paper":
		key, secret := randHex(tb, 32), randHex(tb, 32)
		srv := fakebinance.New(key, secret, fakebinance.WithLatency(latency))
		tb.Cleanup(srv.Close)
		h.requests = func() []fakevenue.Request {
			return plain(srv.Requests(), func(r fakebinance.Request) fakevenue.Request { return r.Request })
		}
		h.symbol, h.qty, h.price = "BTC-USDT", "0.001", "50000"
		if venue == "paper" {
			// The paper account trades on the fake's prices and rules;
			// its orders and balances stay local.
			profile = fmt.Sprintf("    exchange: paper\n    price_source: binance\n    price_source_url: %s\n    price_source_options:\n      ws_url: %s\n", srv.URL(), srv.WSURL())
			break
		}
		h.env["BINANCE_KEY"], h.env["BINANCE_SECRET"] = key, secret
		profile = fmt.Sprintf("    exchange: binance\n    base_url: %s\n    ws_url: %s\n    ws_api_url: %s\n    api_key_env: BINANCE_KEY\n    api_secret_env: BINANCE_SECRET\n", srv.URL(), srv.WSURL(), srv.WSAPIURL())
	case "kraken", krakenSerial:
		// The key has a nonce window, as Kraken lets one set, and the
		// profile says so: signed calls that do not depend on each other
		// go together. krakenSerial is a key without one, as by default.
		window := krakenNonceWindow
		if venue == krakenSerial {
			window = 0
		}
		key, secret := randHex(tb, 32), base64.StdEncoding.EncodeToString(randBytes(tb, 64))
		srv := fakekraken.New(key, secret, fakekraken.WithLatency(latency), fakekraken.WithNonceWindow(uint64(window)))
		tb.Cleanup(srv.Close)
		h.requests = func() []fakevenue.Request {
			return plain(srv.Requests(), func(r fakekraken.Request) fakevenue.Request { return r.Request })
		}
		h.env["KRAKEN_KEY"], h.env["KRAKEN_SECRET"] = key, secret
		h.symbol, h.qty, h.price = "BTC-USD", "0.001", "50000"
		profile = fmt.Sprintf("    exchange: kraken\n    base_url: %s\n    api_key_env: KRAKEN_KEY\n    api_secret_env: KRAKEN_SECRET\n    nonce_window: %d\n", srv.URL(), window)
	case "coinbase":
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			tb.Fatal(err)
		}
		pemFile := filepath.Join(home, "coinbase.pem")
		if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			tb.Fatal(err)
		}
		name := "organizations/tradectl-test/apiKeys/" + randHex(tb, 16)
		srv := fakecoinbase.New(name, &key.PublicKey, fakecoinbase.WithLatency(latency))
		tb.Cleanup(srv.Close)
		h.requests = func() []fakevenue.Request {
			return plain(srv.Requests(), func(r fakecoinbase.Request) fakevenue.Request { return r.Request })
		}
		h.env["COINBASE_KEY_NAME"] = name
		h.symbol, h.qty, h.price = "BTC-USD", "0.001", "50000"
		profile = fmt.Sprintf("    exchange: coinbase\n    base_url: %s\n    api_key_env: COINBASE_KEY_NAME\n    api_secret_file: %s\n", srv.URL(), pemFile)
	case "alpaca":
		key, secret := "PK"+strings.ToUpper(randHex(tb, 18)), randHex(tb, 40)
		// A benchmark sends more than Alpaca's 200 requests a minute; the
		// limit is not what it measures.
		srv := fakealpaca.New(key, secret, fakealpaca.WithLatency(latency), fakealpaca.WithRateLimit(100000))
		tb.Cleanup(srv.Close)
		h.requests = func() []fakevenue.Request {
			return plain(srv.Requests(), func(r fakealpaca.Request) fakevenue.Request { return r.Request })
		}
		h.env["ALPACA_KEY"], h.env["ALPACA_SECRET"] = key, secret
		h.symbol, h.qty, h.price = "AAPL", "1", "100"
		profile = fmt.Sprintf("    exchange: alpaca\n    base_url: %s\n    data_url: %s\n    api_key_env: ALPACA_KEY\n    api_secret_env: ALPACA_SECRET\n", srv.URL(), srv.DataURL())
	default:
		tb.Fatalf("no fake for venue %q", venue)
	}
	dir := filepath.Join(h.env["XDG_CONFIG_HOME"], "tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	cfg := fmt.Sprintf("default_profile: %[1]s\nprofiles:\n  %[1]s:\n%[2]s", venue, profile)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		tb.Fatal(err)
	}
	return h
}

// elsewhere is another machine's home on the same account: the same
// config and credentials, its own journal and caches.
func (h *venueHome) elsewhere(tb testing.TB) *venueHome {
	tb.Helper()
	cfg, err := os.ReadFile(filepath.Join(h.env["XDG_CONFIG_HOME"], "tradectl", "config.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	home := tb.TempDir()
	other := *h
	other.env = map[string]string{}
	for k, v := range h.env {
		other.env[k] = strings.ReplaceAll(v, h.env["HOME"], home)
	}
	dir := filepath.Join(other.env["XDG_CONFIG_HOME"], "tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), cfg, 0o600); err != nil {
		tb.Fatal(err)
	}
	return &other
}

// result is one command's run: what it printed, its exit code and the
// requests the venue received meanwhile, as "METHOD /path".
type result struct {
	stdout, stderr string
	exit           int
	requests       []string
	// rounds is how many round trips the requests took: requests that
	// arrive within half a latency of the first of a round were sent
	// together.
	rounds int
	wall   time.Duration
}

// run runs `tradectl args…` in process, as a fresh process would: a new
// factory (so no memory is shared with earlier runs, only the home's
// files), JSON output, no terminal.
func (h *venueHome) run(tb testing.TB, args string) result {
	tb.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := factory.New(ios, func(k string) string { return h.env[k] }, nil)
	before := len(h.requests())
	start := time.Now()
	exit := app.Run(context.Background(), f, append(strings.Fields(args), "-o", "json"))
	wall := time.Since(start)
	got := h.requests()[before:]
	return result{stdout: out.String(), stderr: errOut.String(), exit: exit, requests: routes(got), rounds: rounds(got, h.latency), wall: wall}
}

// mustRun is run for a command that has to succeed.
func (h *venueHome) mustRun(tb testing.TB, args string) result {
	tb.Helper()
	r := h.run(tb, args)
	if r.exit != 0 {
		tb.Fatalf("%s: tradectl %s: exit %d\n%s", h.name, args, r.exit, r.stderr)
	}
	return r
}

// orderID is the id of the order a command printed as JSON.
func orderID(tb testing.TB, r result) string {
	tb.Helper()
	var o struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &o); err != nil || o.ID == "" {
		tb.Fatalf("no order id in %q (%v)", r.stdout, err)
	}
	return o.ID
}

// plain is a fake's request log without what the fake noted.
func plain[R any](log []R, request func(R) fakevenue.Request) []fakevenue.Request {
	out := make([]fakevenue.Request, len(log))
	for i, r := range log {
		out[i] = request(r)
	}
	return out
}

// routes lists requests as "METHOD /path".
func routes(log []fakevenue.Request) []string {
	var out []string
	for _, r := range log {
		out = append(out, r.Route())
	}
	return out
}

// rounds counts the round trips in log: a request that arrives nine
// tenths of a latency or more after the first of the current round starts
// the next one. A request sent after an answer arrives at least a whole
// latency later, while requests sent together may start apart by as much
// as a loaded machine delays a goroutine: the margin is for them. Without
// latency every request is a round of its own.
func rounds(log []fakevenue.Request, latency time.Duration) int {
	times := make([]time.Time, len(log))
	for i, r := range log {
		times[i] = r.Time
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	n := 0
	var start time.Time
	for _, t := range times {
		if n == 0 || latency == 0 || t.Sub(start) >= latency*9/10 {
			n++
			start = t
		}
	}
	return n
}

func randBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

func randHex(tb testing.TB, n int) string { return hex.EncodeToString(randBytes(tb, n)) }
