package config

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/pflag"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/xdg"
)

func testRegistry() *exchange.Registry {
	return exchange.NewRegistry(
		exchange.Venue{Name: "paper", Keys: []string{"seed", "starting_balances"}},
		exchange.Venue{Name: "binance", Keys: []string{"base_url", "sandbox", "recv_window"}},
	)
}

// mapEnv is an injected environment.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeFile writes body to dir/name with mode and returns the path.
func writeFile(t *testing.T, dir, name, body string, mode fs.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is filtered by the umask; tests need it exact.
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// rootFlags is the shape of the root command's global flags. The defaults
// equal the built-in ones except output, whose default differs so a test
// can show that an unchanged flag never overrides the file.
func rootFlags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("tradectl", pflag.ContinueOnError)
	fs.String("config", "", "")
	fs.StringP("profile", "p", "", "")
	fs.StringP("output", "o", "json", "")
	fs.Duration("timeout", 30*time.Second, "")
	fs.String("color", "auto", "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func paperBuiltin() Profile {
	return Profile{
		Name: "paper", Exchange: "paper",
		Options: map[string]any{}, Safety: map[string]any{}, Credentials: map[string]SecretSource{},
	}
}

var cmpConfig = cmpopts.IgnoreUnexported(Config{})

func TestLoadNoFile(t *testing.T) {
	dirs := xdg.Dirs{ConfigHome: t.TempDir()}
	got, err := Load(context.Background(), LoadOptions{Registry: testRegistry(), Dirs: dirs})
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	want := &Config{
		Path:           filepath.Join(dirs.ConfigHome, "tradectl", "config.yaml"),
		DefaultProfile: "paper",
		Output:         "table",
		Timeout:        30 * time.Second,
		Color:          "auto",
		Profiles:       map[string]Profile{"paper": paperBuiltin()},
		Profile:        "paper",
	}
	if diff := cmp.Diff(want, got, cmpConfig); diff != "" {
		t.Errorf("Load() (-want +got):\n%s", diff)
	}
	sel, err := got.Selected()
	if err != nil {
		t.Fatalf("Selected() error = %v", err)
	}
	if diff := cmp.Diff(paperBuiltin(), sel); diff != "" {
		t.Errorf("Selected() (-want +got):\n%s", diff)
	}
}

func TestLoadExplicitMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	tests := []struct {
		name string
		o    LoadOptions
		want *Error
	}{
		{
			name: "--config",
			o:    LoadOptions{Path: missing},
			want: &Error{Path: missing, Msg: "file does not exist (named by --config)"},
		},
		{
			name: "TRADECTL_CONFIG",
			o:    LoadOptions{Getenv: mapEnv(map[string]string{"TRADECTL_CONFIG": missing})},
			want: &Error{Path: missing, Msg: "file does not exist (named by TRADECTL_CONFIG)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Registry = testRegistry()
			_, err := Load(context.Background(), tt.o)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Load() error = %v (%T), want *Error", err, err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Error{}, "Err")); diff != "" {
				t.Errorf("Load() error (-want +got):\n%s", diff)
			}
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("errors.Is(err, fs.ErrNotExist) = false for %v", err)
			}
		})
	}
}

func TestLoadUnreadableDefaultIsAnError(t *testing.T) {
	dirs := xdg.Dirs{ConfigHome: t.TempDir()}
	// A directory where the file should be: not "missing", so not ignored.
	if err := os.MkdirAll(dirs.ConfigFile(), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), LoadOptions{Registry: testRegistry(), Dirs: dirs})
	var ce *Error
	if !errors.As(err, &ce) || ce.Msg != "cannot read: is a directory" {
		t.Fatalf("Load() error = %v, want *Error \"cannot read: is a directory\"", err)
	}
}

const precedenceFile = `default_profile: fromfile
output: csv
timeout: 10s
color: never
profiles:
  fromfile: {exchange: paper}
  fromenv: {exchange: paper}
  fromflag: {exchange: paper}
`

func TestPrecedence(t *testing.T) {
	type globals struct {
		Profile, Output, Color string
		Timeout                time.Duration
	}
	allEnv := map[string]string{
		"TRADECTL_PROFILE": "fromenv",
		"TRADECTL_OUTPUT":  "ndjson",
		"TRADECTL_TIMEOUT": "20s",
		"TRADECTL_COLOR":   "always",
	}
	allFlags := []string{"--profile", "fromflag", "-o", "table", "--timeout", "45s", "--color", "auto"}
	tests := []struct {
		name string
		file string // "" means no file
		env  map[string]string
		args []string
		want globals
	}{
		{
			name: "defaults",
			want: globals{Profile: "paper", Output: "table", Timeout: 30 * time.Second, Color: "auto"},
		},
		{
			name: "file beats default; unchanged flags do not override",
			file: precedenceFile,
			want: globals{Profile: "fromfile", Output: "csv", Timeout: 10 * time.Second, Color: "never"},
		},
		{
			name: "env beats file",
			file: precedenceFile,
			env:  allEnv,
			want: globals{Profile: "fromenv", Output: "ndjson", Timeout: 20 * time.Second, Color: "always"},
		},
		{
			name: "env beats default",
			env:  map[string]string{"TRADECTL_OUTPUT": "json", "TRADECTL_TIMEOUT": "1m", "TRADECTL_COLOR": "never"},
			want: globals{Profile: "paper", Output: "json", Timeout: time.Minute, Color: "never"},
		},
		{
			name: "case folded, zero timeout is no limit",
			env:  map[string]string{"TRADECTL_OUTPUT": " JSON", "TRADECTL_TIMEOUT": "0"},
			args: []string{"--color", "Never"},
			want: globals{Profile: "paper", Output: "json", Timeout: 0, Color: "never"},
		},
		{
			name: "empty env is unset",
			file: precedenceFile,
			env:  map[string]string{"TRADECTL_OUTPUT": "", "TRADECTL_PROFILE": ""},
			want: globals{Profile: "fromfile", Output: "csv", Timeout: 10 * time.Second, Color: "never"},
		},
		{
			name: "flag beats env and file",
			file: precedenceFile,
			env:  allEnv,
			args: allFlags,
			want: globals{Profile: "fromflag", Output: "table", Timeout: 45 * time.Second, Color: "auto"},
		},
		{
			name: "flag beats file",
			file: precedenceFile,
			args: allFlags,
			want: globals{Profile: "fromflag", Output: "table", Timeout: 45 * time.Second, Color: "auto"},
		},
		{
			name: "layers mix per key",
			file: precedenceFile,
			env:  map[string]string{"TRADECTL_TIMEOUT": "20s"},
			args: []string{"-o", "json"},
			want: globals{Profile: "fromfile", Output: "json", Timeout: 20 * time.Second, Color: "never"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dirs := xdg.Dirs{ConfigHome: t.TempDir()}
			if tt.file != "" {
				writeFile(t, dirs.ConfigHome, "tradectl/config.yaml", tt.file, 0o600)
			}
			c, err := Load(context.Background(), LoadOptions{
				Getenv:   mapEnv(tt.env),
				Flags:    rootFlags(t, tt.args...),
				Registry: testRegistry(),
				Dirs:     dirs,
			})
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			got := globals{Profile: c.Profile, Output: c.Output, Timeout: c.Timeout, Color: c.Color}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Load() globals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadBadEnvAndFlags(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{
			name: "env duration without unit",
			env:  map[string]string{"TRADECTL_TIMEOUT": "30"},
			want: `TRADECTL_TIMEOUT "30" is not a duration; write e.g. 30s, 1m30s or 2m`,
		},
		{
			name: "env color",
			env:  map[string]string{"TRADECTL_COLOR": "allways"},
			want: `TRADECTL_COLOR "allways" is not valid (did you mean "always"?); want one of: auto, always, never`,
		},
		{
			name: "env output",
			env:  map[string]string{"TRADECTL_OUTPUT": "xml"},
			want: `TRADECTL_OUTPUT "xml" is not valid; want one of: table, json, ndjson, csv`,
		},
		{
			name: "flag output",
			args: []string{"-o", "tabel"},
			want: `--output "tabel" is not valid (did you mean "table"?); want one of: table, json, ndjson, csv`,
		},
		{
			name: "flag color",
			args: []string{"--color=yes"},
			want: `--color "yes" is not valid; want one of: auto, always, never`,
		},
		{
			name: "flag empty profile",
			args: []string{"--profile="},
			want: `--profile needs a profile name`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(context.Background(), LoadOptions{
				Getenv:   mapEnv(tt.env),
				Flags:    rootFlags(t, tt.args...),
				Registry: testRegistry(),
				Dirs:     xdg.Dirs{ConfigHome: t.TempDir()},
			})
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Load() error = %v (%T), want *Error", err, err)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("Load() error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		line int
		msg  string
	}{
		{
			name: "malformed yaml",
			body: "output: json\nprofiles:\n  paper: {exchange: paper\n",
			line: 3,
			msg:  "invalid YAML: did not find expected ',' or '}'",
		},
		{
			name: "bad indentation",
			body: "profiles:\n  paper:\n    exchange: paper\n   seed: 1\n",
			line: 4,
			msg:  "invalid YAML: did not find expected key",
		},
		{
			name: "bad list indentation",
			body: "profiles:\n  b:\n    exchange: binance\n    allowed_symbols:\n      - BTC-USDT\n     - ETH-USDT\n    confirm: true\n",
			line: 6,
			msg:  "invalid YAML: did not find expected key",
		},
		{
			name: "unclosed flow list",
			body: "profiles:\n  b:\n    exchange: binance\n    allowed_symbols: [BTC-USDT, ETH-USDT\n    confirm: true\n",
			line: 4,
			msg:  "invalid YAML: did not find expected ',' or ']'",
		},
		{
			name: "bad indentation on the first line",
			body: "a: b\n c: d\n",
			line: 2,
			msg:  "invalid YAML: mapping values are not allowed in this context",
		},
		{
			name: "tab indentation",
			body: "profiles:\n\tpaper: {exchange: paper}\n",
			line: 2,
			msg:  "invalid YAML: found character that cannot start any token",
		},
		{
			name: "unknown top-level key with suggestion",
			body: "default_profile: paper\noutptu: json\n",
			line: 2,
			msg:  `unknown key "outptu" (did you mean "output"?)`,
		},
		{
			name: "unknown top-level key",
			body: "\n\nfoo: 1\n",
			line: 3,
			msg:  `unknown key "foo" (allowed: color, default_profile, mcp, output, profiles, timeout)`,
		},
		{
			name: "unknown profile key with suggestion",
			body: `default_profile: binance
profiles:
  binance:
    exchange: binance
    base_url: https://api.binance.com
    api_key_env: BINANCE_KEY
    api_secrt: hunter2
`,
			line: 7,
			msg:  `profile "binance": unknown key "api_secrt" (did you mean "api_secret"?)`,
		},
		{
			name: "unknown profile key without suggestion",
			body: "profiles:\n  b:\n    exchange: binance\n    frobnicate: 1\n",
			line: 4,
			msg:  `profile "b": unknown key "frobnicate" (exchange binance reads: base_url, recv_window, sandbox)`,
		},
		{
			name: "key of another exchange",
			body: "profiles:\n  b:\n    exchange: binance\n    starting_balances: {USDT: 100}\n",
			line: 4,
			msg:  `profile "b": key "starting_balances" is not read by exchange "binance", only by paper`,
		},
		{
			name: "unknown exchange",
			body: "profiles:\n  b:\n    base_url: x\n    exchange: binanse\n",
			line: 4,
			msg:  `profile "b": unknown exchange "binanse" (did you mean "binance"?); known: binance, paper`,
		},
		{
			name: "profile without exchange",
			body: "profiles:\n  paper: {}\n  b:\n    base_url: x\n",
			line: 2,
			msg:  `profile "paper": missing required key "exchange" (one of: binance, paper)`,
		},
		{
			name: "empty profile",
			body: "profiles:\n  b:\n",
			line: 2,
			msg:  `profile "b": missing required key "exchange" (one of: binance, paper)`,
		},
		{
			name: "two sources for one credential",
			body: "profiles:\n  b:\n    exchange: binance\n    api_secret_env: S\n    api_secret_file: /s\n",
			line: 5,
			msg:  `profile "b": api_secret is set twice, by api_secret_env (line 4) and api_secret_file (line 5); keep one`,
		},
		{
			name: "default_profile missing",
			body: "default_profile: binanse\nprofiles:\n  binance: {exchange: binance}\n",
			line: 1,
			msg:  `default_profile "binanse" is not a profile (did you mean "binance"?)`,
		},
		{
			name: "default_profile missing, no close name",
			body: "default_profile: live\nprofiles:\n  binance: {exchange: binance}\n",
			line: 1,
			msg:  `default_profile "live" is not a profile (profiles: binance, paper)`,
		},
		{
			name: "duration without unit",
			body: "timeout: 30\n",
			line: 1,
			msg:  `timeout "30" is not a duration; write e.g. 30s, 1m30s or 2m`,
		},
		{
			name: "negative duration",
			body: "timeout: -5s\n",
			line: 1,
			msg:  `timeout "-5s" must not be negative (0 means no limit)`,
		},
		{
			name: "bad color",
			body: "output: json\ncolor: yes\n",
			line: 2,
			msg:  `color "yes" is not valid; want one of: auto, always, never`,
		},
		{
			name: "bad output",
			body: "output: jsno\n",
			line: 1,
			msg:  `output "jsno" is not valid (did you mean "json"?); want one of: table, json, ndjson, csv`,
		},
		{
			name: "output as list",
			body: "output: [json]\n",
			line: 1,
			msg:  `output must be one of table, json, ndjson, csv, got a list`,
		},
		{
			name: "duplicate top-level key",
			body: "output: json\noutput: csv\n",
			line: 2,
			msg:  `duplicate key "output" (first set on line 1)`,
		},
		{
			name: "duplicate profile key",
			body: "profiles:\n  b:\n    exchange: binance\n    sandbox: true\n    sandbox: false\n",
			line: 5,
			msg:  `profile "b": duplicate key "sandbox" (first set on line 4)`,
		},
		{
			name: "two documents",
			body: "output: json\n---\noutput: csv\n",
			line: 2,
			msg:  `a second YAML document; the config file holds exactly one`,
		},
		{
			name: "top level is a list",
			body: "- a\n- b\n",
			line: 1,
			msg:  `the top level must be a mapping of settings (color, default_profile, mcp, output, profiles, timeout), got a list`,
		},
		{
			name: "profiles is a list",
			body: "profiles:\n  - paper\n",
			line: 1,
			msg:  `profiles must be a mapping of profile names to settings, got a list`,
		},
		{
			name: "profile name with a slash",
			body: "profiles:\n  ../x: {exchange: paper}\n",
			line: 2,
			msg:  `profile name "../x" is not valid: use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
		},
		{
			name: "env source with a dollar",
			body: "profiles:\n  b:\n    exchange: binance\n    api_key_env: $BINANCE_KEY\n",
			line: 4,
			msg:  `profile "b": api_key_env must name an environment variable; write BINANCE_KEY, not $BINANCE_KEY`,
		},
		{
			name: "empty credential source",
			body: "profiles:\n  b:\n    exchange: binance\n    api_key_cmd: \"  \"\n",
			line: 4,
			msg:  `profile "b": api_key_cmd is empty`,
		},
		{
			name: "credential as a mapping",
			body: "profiles:\n  b:\n    exchange: binance\n    api_key: {a: b}\n",
			line: 4,
			msg:  `profile "b": api_key must be a string, got a mapping`,
		},
		{
			name: "exchange as a list",
			body: "profiles:\n  b:\n    exchange: [binance]\n",
			line: 3,
			msg:  `profile "b": exchange must be an exchange name (one of: binance, paper), got a list`,
		},
		{
			name: "not-a-number limit",
			body: "profiles:\n  b:\n    exchange: binance\n    max_order_qty: .nan\n",
			line: 4,
			msg:  `profile "b": max_order_qty: .nan and .inf are not allowed`,
		},
		{
			name: "merge of a scalar",
			body: "profiles:\n  b:\n    <<: 1\n    exchange: paper\n",
			line: 3,
			msg:  `profile "b": "<<" must merge a mapping or a list of mappings, got "1"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "config.yaml", tt.body, 0o600)
			_, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry()})
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Load() error = %v (%T), want *Error", err, err)
			}
			want := &Error{Path: path, Line: tt.line, Msg: tt.msg}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Error{}, "Err")); diff != "" {
				t.Errorf("Load() error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{
			&Error{Path: "/home/u/.config/tradectl/config.yaml", Line: 7, Msg: `profile "binance": unknown key "api_secrt" (did you mean "api_secret"?)`},
			`config /home/u/.config/tradectl/config.yaml:7: profile "binance": unknown key "api_secrt" (did you mean "api_secret"?)`,
		},
		{&Error{Path: "/c.yaml", Msg: "file does not exist (named by --config)"}, "config /c.yaml: file does not exist (named by --config)"},
		{&Error{Msg: `unknown profile "x"`}, `unknown profile "x"`},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.err.Error()); diff != "" {
			t.Errorf("Error() (-want +got):\n%s", diff)
		}
	}
}

func TestLoadProfiles(t *testing.T) {
	dir := t.TempDir()
	// Anchors live under profiles here because every top-level key is
	// checked; the merge shares settings between two accounts.
	body := `default_profile: binance
output: json
timeout: 1m
color: never
profiles:
  binance: &binance
    exchange: binance
    base_url: https://api.binance.com
    recv_window: 5000
    sandbox: false
    api_key_env: BINANCE_KEY
    api_secret_file: secrets/binance
    confirm: true
    max_order_notional: "1000"
    allowed_symbols: [BTC-USDT, ETH-USDT]
  binance-sub:
    <<: *binance
    api_key_cmd: pass show binance-sub/key
    api_secret: plain-secret
    api_key_env: SUB_KEY
  Sim.2:
    exchange: paper
    seed: 42
    starting_balances: {USDT: 10000, 1: x}
    passphrase_file: ~/pp
`
	path := writeFile(t, dir, "config.yaml", body, 0o600)
	_, err := Load(context.Background(), LoadOptions{
		Path:     path,
		Getenv:   mapEnv(map[string]string{"HOME": "/home/u"}),
		Registry: testRegistry(),
	})
	if err == nil || !strings.Contains(err.Error(), `config.yaml:20: profile "binance-sub": api_key is set twice, by api_key_cmd (line 18) and api_key_env (line 20); keep one`) {
		t.Fatalf("Load() error = %v, want api_key set twice by two explicit keys", err)
	}

	// Without the second explicit key, the explicit api_key_cmd replaces
	// the api_key_env merged from the anchor.
	body = strings.Replace(body, "    api_key_env: SUB_KEY\n", "", 1)
	path = writeFile(t, dir, "config.yaml", body, 0o600)
	got, err := Load(context.Background(), LoadOptions{
		Path:     path,
		Getenv:   mapEnv(map[string]string{"HOME": "/home/u"}),
		Registry: testRegistry(),
	})
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	binance := Profile{
		Name:     "binance",
		Exchange: "binance",
		Options:  map[string]any{"base_url": "https://api.binance.com", "recv_window": 5000, "sandbox": false},
		Safety: map[string]any{
			"confirm":            true,
			"max_order_notional": "1000",
			"allowed_symbols":    []any{"BTC-USDT", "ETH-USDT"},
		},
		Credentials: map[string]SecretSource{
			"api_key":    {Kind: "env", Value: "BINANCE_KEY", Line: 11},
			"api_secret": {Kind: "file", Value: filepath.Join(dir, "secrets/binance"), Line: 12},
		},
		Line: 6,
	}
	sub := binance
	sub.Name, sub.Line = "binance-sub", 16
	sub.Credentials = map[string]SecretSource{
		"api_key":    {Kind: "cmd", Value: "pass show binance-sub/key", Line: 18},
		"api_secret": {Kind: "plain", Value: "plain-secret", Line: 19},
	}
	want := &Config{
		Path:           path,
		FileExists:     true,
		DefaultProfile: "binance",
		Output:         "json",
		Timeout:        time.Minute,
		Color:          "never",
		Profile:        "binance",
		Profiles: map[string]Profile{
			"binance":     binance,
			"binance-sub": sub,
			"Sim.2": {
				Name:        "Sim.2",
				Exchange:    "paper",
				Options:     map[string]any{"seed": 42, "starting_balances": map[string]any{"USDT": 10000, "1": "x"}},
				Safety:      map[string]any{},
				Credentials: map[string]SecretSource{"passphrase": {Kind: "file", Value: "/home/u/pp", Line: 24}},
				Line:        20,
			},
			"paper": paperBuiltin(),
		},
	}
	if diff := cmp.Diff(want, got, cmpConfig); diff != "" {
		t.Errorf("Load() (-want +got):\n%s", diff)
	}
}

func TestFileDefinesItsOwnPaper(t *testing.T) {
	path := writeFile(t, t.TempDir(), "config.yaml", "profiles:\n  paper:\n    exchange: paper\n    seed: 7\n", 0o600)
	c, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	want := Profile{Name: "paper", Exchange: "paper", Options: map[string]any{"seed": 7}, Safety: map[string]any{}, Credentials: map[string]SecretSource{}, Line: 2}
	got, err := c.Selected()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Selected() (-want +got):\n%s", diff)
	}
}

func TestSelectedUnknown(t *testing.T) {
	path := writeFile(t, t.TempDir(), "config.yaml", "profiles:\n  binance: {exchange: binance}\n", 0o600)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{
			name: "from env",
			env:  map[string]string{"TRADECTL_PROFILE": "binanse"},
			want: `unknown profile "binanse" (from TRADECTL_PROFILE; did you mean "binance"?); profiles: binance, paper`,
		},
		{
			name: "from flag",
			args: []string{"--profile", "live"},
			want: `unknown profile "live" (from --profile); profiles: binance, paper`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(context.Background(), LoadOptions{
				Path: path, Getenv: mapEnv(tt.env), Flags: rootFlags(t, tt.args...), Registry: testRegistry(),
			})
			if err != nil {
				t.Fatalf("Load() error = %v (an unknown selection is Selected's to report)", err)
			}
			_, err = c.Selected()
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Selected() error = %v (%T), want *Error", err, err)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("Selected() error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	c, err := Load(context.Background(), LoadOptions{Registry: testRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lookup("paper"); err != nil {
		t.Errorf("Lookup(paper) error = %v", err)
	}
	_, err = c.Lookup("papr")
	want := `unknown profile "papr" (did you mean "paper"?); profiles: paper`
	if err == nil || err.Error() != want {
		t.Errorf("Lookup(papr) error = %v, want %q", err, want)
	}
}

func TestEmptyAndCommentOnlyFiles(t *testing.T) {
	for _, body := range []string{"", "# nothing yet\n", "---\n", "~\n", "profiles:\n", "output:\ntimeout:\n"} {
		path := writeFile(t, t.TempDir(), "config.yaml", body, 0o600)
		c, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry()})
		if err != nil {
			t.Errorf("Load(%q) error = %v", body, err)
			continue
		}
		if c.Profile != "paper" || c.Output != "table" || c.Timeout != 30*time.Second || !c.FileExists {
			t.Errorf("Load(%q) = %+v, want defaults from an existing file", body, c)
		}
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"api_key", "api_secret", "passphrase", "base_url", "sandbox", "seed"}
	tests := []struct{ word, want string }{
		{"api_secrt", "api_secret"},
		{"API_KEY", "api_key"},
		{"apikey", "api_key"},
		{"sed", "seed"},
		{"base-url", "base_url"},
		{"zzz", ""},
		{"passwd", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.word, cands); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
