package completion_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/app"
	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// home is a temporary HOME with an optional config file.
type home struct {
	env map[string]string
}

func newHome(t *testing.T, config string) *home {
	t.Helper()
	dir := t.TempDir()
	h := &home{env: map[string]string{
		"HOME":         dir,
		"TRADECTL_NOW": "2026-11-27T12:00:00Z",
	}}
	if config != "" {
		cfgDir := filepath.Join(dir, ".config", "tradectl")
		if err := os.MkdirAll(cfgDir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cfgDir, "config.yaml"), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// run runs tradectl in process, as a fresh process would.
func (h *home) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := factory.New(ios, func(k string) string { return h.env[k] }, nil)
	code = app.Run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

// complete asks for completions as a shell does (tradectl __complete …)
// and returns the offered values (with descriptions) and the directive.
func (h *home) complete(t *testing.T, args ...string) (values []string, directive string) {
	t.Helper()
	code, out, errOut := h.run(t, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d\n%s", args, code, errOut)
	}
	if strings.Contains(errOut, "rror") {
		t.Errorf("__complete %q wrote an error: %s", args, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	directive = lines[len(lines)-1]
	if len(lines) == 1 {
		return nil, directive
	}
	return lines[:len(lines)-1], directive
}

const noFileComp = ":4"

func TestFixedChoices(t *testing.T) {
	h := newHome(t, "")
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"order", "create", "BTC-USD", "--side", ""}, []string{"buy", "sell"}},
		{[]string{"order", "create", "BTC-USD", "--type", ""}, []string{"market", "limit", "stop", "stop-limit", "trailing-stop"}},
		{[]string{"order", "create", "BTC-USD", "--tif", ""}, []string{"gtc", "ioc", "fok", "day"}},
		{[]string{"order", "create", "BTC-USD", "--round", ""}, []string{"reject", "down", "nearest"}},
		{[]string{"balance", "-o", ""}, []string{"table", "json", "ndjson", "csv"}},
		{[]string{"balance", "--color", ""}, []string{"auto", "always", "never"}},
		{[]string{"balance", "--log-format", ""}, []string{"text", "json"}},
		{[]string{"order", "list", "--status", ""}, []string{"open", "filled", "canceled", "rejected", "expired", "all"}},
		{[]string{"journal", "--status", ""}, []string{"pending", "placed", "failed", "not_placed", "all"}},
		// Values that are never file names complete to nothing.
		{[]string{"order", "create", "BTC-USD", "--price", ""}, nil},
		{[]string{"balance", ""}, nil},
	}
	for _, tt := range tests {
		got, dir := h.complete(t, tt.args...)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("complete %q (-want +got):\n%s", tt.args, diff)
		}
		if dir != noFileComp {
			t.Errorf("complete %q: directive %s, want %s (no file names)", tt.args, dir, noFileComp)
		}
	}
}

func TestProfiles(t *testing.T) {
	h := newHome(t, "profiles:\n  rehearsal: {exchange: paper}\n  live: {exchange: kraken}\n")
	got, _ := h.complete(t, "balance", "--profile", "")
	want := []string{"live\tkraken", "paper\tpaper", "rehearsal\tpaper"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("--profile (-want +got):\n%s", diff)
	}
	// dashboard takes a list: the last element completes, the others stay.
	got, _ = h.complete(t, "dashboard", "--profile", "paper,re")
	if diff := cmp.Diff([]string{"paper,rehearsal\tpaper"}, got); diff != "" {
		t.Errorf("--profile paper,re (-want +got):\n%s", diff)
	}
	got, _ = h.complete(t, "config", "set-secret", "l")
	if diff := cmp.Diff([]string{"live\tkraken"}, got); diff != "" {
		t.Errorf("set-secret PROFILE (-want +got):\n%s", diff)
	}
}

func TestPaperSymbols(t *testing.T) {
	h := newHome(t, "")
	got, _ := h.complete(t, "quote", "et")
	if diff := cmp.Diff([]string{"ETH-USD"}, got); diff != "" {
		t.Errorf("quote et (-want +got):\n%s", diff)
	}
	got, _ = h.complete(t, "watch", "BTC-USD", "")
	if len(got) < 5 || contains(got, "BTC-USD") || !contains(got, "AAPL") {
		t.Errorf("watch BTC-USD <Tab> offered %q: every other symbol, not BTC-USD again", got)
	}
	// order create takes one symbol; after it come flags, not symbols.
	got, _ = h.complete(t, "order", "create", "BTC-USD", "E")
	if len(got) != 0 {
		t.Errorf("order create BTC-USD E<Tab> offered %q", got)
	}
	got, _ = h.complete(t, "order", "cancel", "--all", "--symbol", "SOL")
	if diff := cmp.Diff([]string{"SOL-USD"}, got); diff != "" {
		t.Errorf("--symbol SOL (-want +got):\n%s", diff)
	}
}

func TestPaperOrderIDs(t *testing.T) {
	h := newHome(t, "")
	for _, args := range [][]string{
		{"order", "create", "ETH-USD", "--side", "buy", "--qty", "0.5", "--price", "2000"},
		{"order", "create", "BTC-USD", "--side", "buy", "--qty", "0.01"}, // fills: not offered
		{"order", "create", "BTC-USD", "--side", "sell", "--qty", "0.005", "--stop-price", "90000"},
	} {
		if code, _, errOut := h.run(t, args...); code != 0 {
			t.Fatalf("%q: exit %d: %s", args, code, errOut)
		}
	}
	got, _ := h.complete(t, "order", "cancel", "")
	// Newest first, as order list shows them.
	want := []string{"3\tsell 0.005 BTC-USD stop, trigger 90000 (open)", "1\tbuy 0.5 ETH-USD limit @ 2000 (open)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order cancel <Tab> (-want +got):\n%s", diff)
	}
	got, _ = h.complete(t, "order", "cancel", "1", "")
	if diff := cmp.Diff(want[:1], got); diff != "" {
		t.Errorf("order cancel 1 <Tab> (-want +got):\n%s", diff)
	}
	got, _ = h.complete(t, "order", "get", "1", "")
	if len(got) != 0 {
		t.Errorf("order get takes one id; a second <Tab> offered %q", got)
	}
}

// TestVenueCompletionIsOffline: a venue's symbols come from its instrument
// cache alone, its order ids not at all, no request leaves the machine and
// no secret command runs while completing.
func TestVenueCompletionIsOffline(t *testing.T) {
	venue := fakebinance.New("test-key", "test-secret")
	defer venue.Close()
	target, _ := url.Parse(venue.URL())
	var requests atomic.Int64
	proxy := httputil.NewSingleHostReverseProxy(target)
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		proxy.ServeHTTP(w, r)
	}))
	defer counting.Close()

	// Two profiles on one venue share its instrument cache: bn reads its
	// keys from the environment, cmd from commands that leave a mark.
	marker := filepath.Join(t.TempDir(), "secret-command-ran")
	h := newHome(t, fmt.Sprintf(`profiles:
  bn:
    exchange: binance
    base_url: %[1]s
    api_key_env: BN_KEY
    api_secret_env: BN_SECRET
  cmd:
    exchange: binance
    base_url: %[1]s
    api_key_cmd: touch %[2]s
    api_secret_cmd: touch %[2]s
`, counting.URL, marker))
	h.env["BN_KEY"], h.env["BN_SECRET"] = "test-key", "test-secret"

	for _, profile := range []string{"bn", "cmd"} {
		got, dir := h.complete(t, "--profile", profile, "quote", "")
		if len(got) != 0 || dir != noFileComp {
			t.Errorf("%s without a cache: offered %q (%s), want nothing", profile, got, dir)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("completion sent %d requests to the venue", n)
	}

	// A command that reads the venue's rules fills the cache.
	if code, _, errOut := h.run(t, "--profile", "bn", "order", "create", "BTC-USDT", "--side", "buy", "--qty", "0.001", "--price", "50000", "--dry-run"); code != 0 {
		t.Fatalf("order create --dry-run: exit %d: %s", code, errOut)
	}
	before := requests.Load()
	if before == 0 {
		t.Fatal("the dry run reached the venue through another route; the test proves nothing")
	}
	for _, profile := range []string{"bn", "cmd"} {
		got, _ := h.complete(t, "--profile", profile, "quote", "")
		if !contains(got, "BTC-USDT") || !contains(got, "ETH-USDT") {
			t.Errorf("%s with a cache: offered %q, want the venue's symbols", profile, got)
		}
		got, _ = h.complete(t, "--profile", profile, "order", "cancel", "")
		if len(got) != 0 {
			t.Errorf("%s: order ids of a venue: offered %q, want nothing", profile, got)
		}
	}
	if n := requests.Load() - before; n != 0 {
		t.Errorf("completion sent %d requests to the venue", n)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a secret command ran during completion")
	}
}

// TestQuietOnErrors: a broken config means no suggestions, and nothing
// that a shell would show as one.
func TestQuietOnErrors(t *testing.T) {
	h := newHome(t, "profiles: [oops\n")
	for _, args := range [][]string{
		{"quote", ""},
		{"balance", "--profile", ""},
		{"order", "cancel", ""},
	} {
		got, dir := h.complete(t, args...)
		if len(got) != 0 || dir != noFileComp {
			t.Errorf("complete %q with a broken config: %q %s", args, got, dir)
		}
	}
}

// TestSource: a completion reads only its Source, so it runs with no
// Factory behind it; a Source that lacks what a completion reads means no
// suggestions, never a panic on Tab.
func TestSource(t *testing.T) {
	cfg := &config.Config{Profile: "live", Profiles: map[string]config.Profile{
		"live":  {Name: "live", Exchange: "kraken"},
		"paper": {Name: "paper", Exchange: "paper"},
	}}
	cmd := &cobra.Command{Use: "dashboard"}
	var asked *cobra.Command
	src := completion.Source{
		Config:   func(c *cobra.Command) (*config.Config, error) { asked = c; return cfg, nil },
		Registry: factory.Registry(),
	}

	got, dir := completion.Profiles(src)(cmd, nil, "paper,l")
	if diff := cmp.Diff([]string{"paper,live\tkraken"}, got); diff != "" {
		t.Errorf("Profiles paper,l (-want +got):\n%s", diff)
	}
	if asked != cmd || dir != cobra.ShellCompDirectiveNoFileComp {
		t.Errorf("Profiles: config loaded for %v, directive %v; want the completing command and no file names", asked, dir)
	}
	got, _ = completion.Exchanges(src)(cmd, nil, "k")
	if len(got) != 1 || !strings.HasPrefix(got[0], "kraken\t") {
		t.Errorf("Exchanges k offered %q, want kraken with its summary", got)
	}
	// The selected profile is a venue: its order ids are at the venue, and
	// completion never asks it.
	got, _ = completion.OrderIDs(src, 0)(cmd, nil, "")
	if len(got) != 0 {
		t.Errorf("OrderIDs on a venue offered %q", got)
	}

	broken := completion.Source{Config: func(*cobra.Command) (*config.Config, error) { return nil, fmt.Errorf("no config") }}
	for name, fn := range map[string]cobra.CompletionFunc{
		"Profiles of a broken config":  completion.Profiles(broken),
		"Symbols of an empty source":   completion.Symbols(completion.Source{}, 0),
		"Symbols without dirs":         completion.SymbolFlag(completion.Source{Config: src.Config, Registry: src.Registry}),
		"OrderIDs without a registry":  completion.OrderIDs(completion.Source{Config: src.Config}, 0),
		"Exchanges without a registry": completion.Exchanges(completion.Source{}),
	} {
		got, dir := fn(cmd, nil, "")
		if len(got) != 0 || dir != cobra.ShellCompDirectiveNoFileComp {
			t.Errorf("%s: offered %q (%v), want nothing and no file names", name, got, dir)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
