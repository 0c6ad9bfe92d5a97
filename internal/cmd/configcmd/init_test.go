package configcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/xdg"
)

// initFixture is a factory over a temporary XDG tree with every
// registered venue, as the real binary has.
type initFixture struct {
	f      *cmdutil.Factory
	in     *bytes.Buffer
	out    *bytes.Buffer
	errOut *bytes.Buffer
	dirs   xdg.Dirs
	env    map[string]string
}

func newInitFixture(t *testing.T) *initFixture {
	t.Helper()
	home := t.TempDir()
	dirs := xdg.Dirs{
		ConfigHome: filepath.Join(home, ".config"),
		DataHome:   filepath.Join(home, ".local", "share"),
		StateHome:  filepath.Join(home, ".local", "state"),
		CacheHome:  filepath.Join(home, ".cache"),
	}
	ios, in, out, errOut := iostreams.Test()
	fx := &initFixture{in: in, out: out, errOut: errOut, dirs: dirs, env: map[string]string{"HOME": home}}
	fx.f = &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    func(k string) string { return fx.env[k] },
		Now:       func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
		Registry:  factory.Registry(),
		Globals:   &cmdutil.GlobalOptions{},
		Dirs:      func() (xdg.Dirs, error) { return dirs, nil },
	}
	return fx
}

func (fx *initFixture) run(t *testing.T, args ...string) error {
	t.Helper()
	cmd := NewCmdInit(fx.f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(fx.out)
	cmd.SetErr(fx.errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

// load reads the file init wrote the way every command reads it.
func (fx *initFixture) load(t *testing.T, path string) *config.Config {
	t.Helper()
	cfg, err := config.Load(context.Background(), config.LoadOptions{Path: path, Registry: fx.f.Registry, Dirs: fx.dirs, Getenv: fx.f.Getenv})
	if err != nil {
		t.Fatalf("the written file does not load: %v\n%s", err, readFile(t, path))
	}
	return cfg
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// commentedKey matches the commented-out example lines init writes for
// keys it leaves unset ("    # seed: 1   # price path …").
var commentedKey = regexp.MustCompile(`(?m)^([ \t]+)# ([a-z_]+: [^#\n]*?)[ \t]+# .*$`)

// TestInitEveryVenue writes a profile for every registered venue without a
// terminal and checks that the file loads, is private, holds the profile as
// asked, names where credentials come from without holding any — and that
// every example line, uncommented, still loads and opens the exchange, so
// the comments never suggest a value tradectl refuses.
func TestInitEveryVenue(t *testing.T) {
	for _, name := range factory.Registry().Names() {
		t.Run(name, func(t *testing.T) {
			fx := newInitFixture(t)
			if err := fx.run(t, "--exchange", name, "--profile-name", "main"); err != nil {
				t.Fatalf("config init: %v\nstderr: %s", err, fx.errOut)
			}
			path := fx.dirs.ConfigFile()
			checkMode(t, path, 0o600)
			checkMode(t, filepath.Dir(path), 0o700)

			cfg := fx.load(t, path)
			prof, err := cfg.Lookup("main")
			if err != nil {
				t.Fatal(err)
			}
			if prof.Exchange != name {
				t.Errorf("profile main has exchange %q, want %q", prof.Exchange, name)
			}
			if cfg.DefaultProfile != config.BuiltinProfile {
				t.Errorf("default_profile = %q; without --default it stays paper", cfg.DefaultProfile)
			}
			venue, _ := fx.f.Registry.Lookup(name)
			if len(venue.Credentials) > 0 {
				want := map[string]config.SecretSource{
					"api_key":    {Kind: config.SourceEnv, Value: strings.ToUpper(name) + "_API_KEY"},
					"api_secret": {Kind: config.SourceFile, Value: filepath.Join(fx.dirs.ConfigDir(), SecretsDirName, "main.api_secret")},
				}
				got := map[string]config.SecretSource{}
				for k, v := range prof.Credentials {
					got[k] = config.SecretSource{Kind: v.Kind, Value: v.Value}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("credential sources (-want +got):\n%s", diff)
				}
				sf, err := cfg.Safety("main")
				if err != nil || !sf.ConfirmLive() {
					t.Errorf("a live profile is written with confirm: true; got %+v, %v", sf, err)
				}
			}
			for _, src := range prof.Credentials {
				if src.Kind == config.SourcePlain {
					t.Errorf("init wrote a plain-text credential:\n%s", readFile(t, path))
				}
			}
			if name != "paper" {
				if key := sandboxKey(name); key != "" && prof.Options[key] != true {
					t.Errorf("%s: %v; a new profile starts off real money", key, prof.Options[key])
				}
			}

			// Every example, uncommented.
			text := readFile(t, path)
			if !commentedKey.MatchString(text) {
				t.Fatalf("no commented-out example keys found in:\n%s", text)
			}
			all := commentedKey.ReplaceAllString(text, "$1$2")
			full := filepath.Join(t.TempDir(), "full.yaml")
			if err := os.WriteFile(full, []byte(all), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg = fx.load(t, full)
			prof, _ = cfg.Lookup("main")
			for _, key := range venue.Keys {
				shown := regexp.MustCompile(`(?m)^\s+(#\s*)?` + key + `: `)
				if !shown.MatchString(text) {
					t.Errorf("venue key %s is neither set nor shown in the file", key)
				}
			}
			if _, err := cfg.Safety("main"); err != nil {
				t.Errorf("the safety examples do not parse: %v", err)
			}
			ex, err := fx.f.Registry.Open(context.Background(), exchange.Params{
				Profile: prof.Name, Exchange: prof.Exchange, Options: prof.Options,
				Secret:  func(context.Context, string) (string, error) { return "", nil },
				DataDir: t.TempDir(), CacheDir: t.TempDir(), Now: fx.f.Now,
				HTTPClient: &http.Client{Transport: refuseAll{}},
				Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
			})
			if err != nil {
				t.Fatalf("the example values do not open the exchange: %v\n%s", err, all)
			}
			ex.Close()
		})
	}
}

type refuseAll struct{}

func (refuseAll) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network in this test")
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("%s has mode %#o, want %#o", path, got, want)
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	fx := newInitFixture(t)
	if err := fx.run(t); err != nil {
		t.Fatal(err)
	}
	path := fx.dirs.ConfigFile()
	first := readFile(t, path)

	err := fx.run(t, "--exchange", "kraken")
	var usage *cmdutil.UsageError
	if !errors.As(err, &usage) {
		t.Fatalf("a second init without --force: got %v, want a usage error (exit 2)", err)
	}
	if readFile(t, path) != first {
		t.Fatal("the refused init changed the file")
	}

	fx.out.Reset()
	if err := fx.run(t, "--exchange", "kraken", "--force", "--default"); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path+".bak"); got != first {
		t.Errorf("--force should keep the old file as .bak; it holds:\n%s", got)
	}
	checkMode(t, path+".bak", 0o600)
	cfg := fx.load(t, path)
	if cfg.DefaultProfile != "kraken" {
		t.Errorf("--default: default_profile = %q, want kraken", cfg.DefaultProfile)
	}
}

func TestInitJSON(t *testing.T) {
	fx := newInitFixture(t)
	fx.f.Globals.Output = "json"
	if err := fx.run(t, "--exchange", "binance", "--profile-name", "live", "--api-secret-env", "LIVE_SECRET"); err != nil {
		t.Fatal(err)
	}
	var got InitResult
	if err := json.Unmarshal(fx.out.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not the JSON result: %v\n%s", err, fx.out)
	}
	want := InitResult{Path: fx.dirs.ConfigFile(), Profile: "live", Exchange: "binance", DefaultProfile: "paper"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	prof, _ := fx.load(t, got.Path).Lookup("live")
	if src := prof.Credentials["api_secret"]; src.Kind != config.SourceEnv || src.Value != "LIVE_SECRET" {
		t.Errorf("api_secret source = %+v, want env LIVE_SECRET", src)
	}
}

// TestInitConfigFlag writes where --config points, leaving a directory
// the user chose with the mode it has.
func TestInitConfigFlag(t *testing.T) {
	fx := newInitFixture(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "trading.yaml")
	fx.f.Globals.ConfigPath = path
	if err := fx.run(t); err != nil {
		t.Fatal(err)
	}
	checkMode(t, path, 0o600)
	checkMode(t, dir, 0o755)
	fx.load(t, path)
}

func TestInitFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown exchange", []string{"--exchange", "nasdaq"}, `--exchange "nasdaq": use one of`},
		{"bad profile name", []string{"--profile-name", "my profile"}, "is not valid"},
		{"paper's name for a venue", []string{"--exchange", "binance", "--profile-name", "paper"}, "choose another"},
		{"no sandbox", []string{"--exchange", "kraken", "--sandbox"}, "no test network"},
		{"paper has no credentials", []string{"--api-key-env", "KEY"}, "no endpoint or credentials"},
		{"two secret sources", []string{"--exchange", "binance", "--api-secret-env", "A", "--api-secret-file", "/b"}, "not both"},
		{"bad variable name", []string{"--exchange", "binance", "--api-key-env", "$KEY"}, "name of an environment variable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newInitFixture(t)
			err := fx.run(t, tt.args...)
			var usage *cmdutil.UsageError
			if !errors.As(err, &usage) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a usage error containing %q", err, tt.want)
			}
			if _, err := os.Stat(fx.dirs.ConfigFile()); err == nil {
				t.Error("a refused init wrote a file")
			}
		})
	}
}

// TestInitInteractive answers the questions as a person at a terminal
// would: some answers typed, some defaults taken with Enter.
func TestInitInteractive(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		answers string
		check   func(t *testing.T, fx *initFixture, cfg *config.Config)
	}{
		{
			name: "binance with defaults",
			// exchange, profile name, testnet, base URL, key variable, secret source, make default
			answers: "binance\nlive\n\n\n\n\n\n",
			check: func(t *testing.T, fx *initFixture, cfg *config.Config) {
				p, err := cfg.Lookup("live")
				if err != nil {
					t.Fatal(err)
				}
				if p.Options["sandbox"] != true || p.Options["base_url"] != nil {
					t.Errorf("options = %v, want the testnet at its default URL", p.Options)
				}
				if k := p.Credentials["api_key"]; k.Kind != config.SourceEnv || k.Value != "BINANCE_API_KEY" {
					t.Errorf("api_key = %+v", k)
				}
				if s := p.Credentials["api_secret"]; s.Kind != config.SourceFile || s.Value != filepath.Join(fx.dirs.ConfigDir(), "secrets", "live.api_secret") {
					t.Errorf("api_secret = %+v", s)
				}
				if cfg.DefaultProfile != "paper" {
					t.Errorf("default_profile = %q", cfg.DefaultProfile)
				}
			},
		},
		{
			name: "typed answers, a wrong one asked again",
			// exchange (wrong, then right), profile, real money, base URL, key variable, secret variable, default
			answers: "bitstamp\nalpaca\nstocks\nn\nhttps://api.example.test\nAPCA_KEY\nAPCA_SECRET\ny\n",
			check: func(t *testing.T, fx *initFixture, cfg *config.Config) {
				p, err := cfg.Lookup("stocks")
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]any{"paper": false, "base_url": "https://api.example.test"}
				if diff := cmp.Diff(want, p.Options); diff != "" {
					t.Errorf("options (-want +got):\n%s", diff)
				}
				if s := p.Credentials["api_secret"]; s.Kind != config.SourceEnv || s.Value != "APCA_SECRET" {
					t.Errorf("api_secret = %+v", s)
				}
				if cfg.DefaultProfile != "stocks" {
					t.Errorf("default_profile = %q", cfg.DefaultProfile)
				}
				if !strings.Contains(fx.errOut.String(), `"bitstamp": use one of`) {
					t.Errorf("the wrong exchange was not explained:\n%s", fx.errOut)
				}
			},
		},
		{
			name:    "flags answer their questions",
			args:    []string{"--exchange", "kraken", "--api-key-env", "KRAKEN_KEY", "--api-secret-file", "~/k.secret"},
			answers: "\n\n\n", // profile name, base URL, make default
			check: func(t *testing.T, fx *initFixture, cfg *config.Config) {
				p, err := cfg.Lookup("kraken")
				if err != nil {
					t.Fatal(err)
				}
				if k := p.Credentials["api_key"]; k.Value != "KRAKEN_KEY" {
					t.Errorf("api_key = %+v", k)
				}
				if q := fx.errOut.String(); strings.Contains(q, "Exchange (") || strings.Contains(q, "hold the API key") || strings.Contains(q, "API secret source") {
					t.Errorf("asked what the flags said:\n%s", q)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newInitFixture(t)
			fx.f.IOStreams.SetTTY(true, true, true)
			fx.in.WriteString(tt.answers)
			if err := fx.run(t, tt.args...); err != nil {
				t.Fatalf("config init: %v\nstderr:\n%s", err, fx.errOut)
			}
			tt.check(t, fx, fx.load(t, fx.dirs.ConfigFile()))
			if rest := fx.in.Len(); rest != 0 {
				t.Errorf("%d bytes of answers were never asked for; questions:\n%s", rest, fx.errOut)
			}
		})
	}
}

// TestInitInteractiveEOF: a terminal that closes mid-way writes nothing.
func TestInitInteractiveEOF(t *testing.T) {
	fx := newInitFixture(t)
	fx.f.IOStreams.SetTTY(true, true, true)
	fx.in.WriteString("binance\n")
	err := fx.run(t)
	var usage *cmdutil.UsageError
	if !errors.As(err, &usage) {
		t.Fatalf("got %v, want a usage error", err)
	}
	if _, err := os.Stat(fx.dirs.ConfigFile()); err == nil {
		t.Error("an abandoned init wrote a file")
	}
}
