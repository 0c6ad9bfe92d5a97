package configcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/xdg"
)

// secretFixture is a factory over a temporary XDG tree with an optional
// config file.
type secretFixture struct {
	f      *cmdutil.Factory
	in     *bytes.Buffer
	out    *bytes.Buffer
	errOut *bytes.Buffer
	dirs   xdg.Dirs
}

func newSecretFixture(t *testing.T, configBody string) *secretFixture {
	t.Helper()
	home := t.TempDir()
	dirs := xdg.Dirs{
		ConfigHome: filepath.Join(home, ".config"),
		DataHome:   filepath.Join(home, ".local", "share"),
		StateHome:  filepath.Join(home, ".local", "state"),
		CacheHome:  filepath.Join(home, ".cache"),
	}
	if configBody != "" {
		if err := os.MkdirAll(dirs.ConfigDir(), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dirs.ConfigFile(), []byte(configBody), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ios, in, out, errOut := iostreams.Test()
	reg := exchange.NewRegistry(paper.Venue(), binance.Venue())
	f := &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    func(string) string { return "" },
		Now:       time.Now,
		Registry:  reg,
		Globals:   &cmdutil.GlobalOptions{},
		Dirs:      func() (xdg.Dirs, error) { return dirs, nil },
	}
	f.Config = func() (*config.Config, error) {
		return config.Load(context.Background(), config.LoadOptions{Registry: reg, Dirs: dirs, Getenv: f.Getenv})
	}
	return &secretFixture{f: f, in: in, out: out, errOut: errOut, dirs: dirs}
}

func (fx *secretFixture) run(t *testing.T, args ...string) error {
	t.Helper()
	cmd := NewCmdSetSecret(fx.f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(fx.out)
	cmd.SetErr(fx.errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

func TestSetSecretFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    SetSecretOptions
		wantErr string
	}{
		{args: []string{"binance"}, want: SetSecretOptions{Profile: "binance", Name: "api_secret"}},
		{args: []string{"binance", "--name", "api_key"}, want: SetSecretOptions{Profile: "binance", Name: "api_key"}},
		{args: []string{"../etc"}, wantErr: `profile name "../etc" is not valid`},
		{args: []string{}, wantErr: "accepts 1 arg(s)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *SetSecretOptions
			cmd := NewCmdSetSecret(&cmdutil.Factory{}, func(o *SetSecretOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(SetSecretOptions{}, "Config", "Dirs", "Printer")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

const secretValue = "s3cr3t-Zq8-unit-test-value"

func TestSetSecretWritesAPrivateFile(t *testing.T) {
	fx := newSecretFixture(t, "profiles:\n  binance:\n    exchange: binance\n    api_key_env: BINANCE_KEY\n")
	fx.in.WriteString(secretValue + "\r\n")
	if err := fx.run(t, "binance"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(fx.dirs.ConfigDir(), "secrets")
	path := filepath.Join(dir, "binance.api_secret")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != secretValue+"\n" {
		t.Errorf("file holds %q", data)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s has mode %04o, want %04o", p, st.Mode().Perm(), want)
		}
	}
	want := "Saved the api_secret of profile \"binance\" in " + path + " (mode 0600).\n" +
		"Profile \"binance\" has no api_secret source yet. Add this line to it (profile \"binance\" at line 2 of " + fx.dirs.ConfigFile() + "):\n" +
		"    api_secret_file: " + path + "\n"
	if diff := cmp.Diff(want, fx.errOut.String()); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	if fx.out.Len() != 0 {
		t.Errorf("stdout: %q", fx.out)
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("secrets directory holds %d entries", len(entries))
	}

	// A profile pointed at the file reads the same secret back.
	prof := config.Profile{Name: "binance", Credentials: map[string]config.SecretSource{
		"api_secret": {Kind: config.SourceFile, Value: path}}}
	got, err := prof.SecretResolver(nil, nil)(context.Background(), "api_secret")
	if err != nil || got != secretValue {
		t.Errorf("resolved %q, %v", got, err)
	}
}

func TestSetSecretGuidance(t *testing.T) {
	tests := []struct {
		name   string
		config string
		args   []string
		want   []string // lines of stderr after the first
	}{
		{
			name:   "another source is still in use",
			config: "profiles:\n  live:\n    exchange: binance\n    api_secret_env: LIVE_SECRET\n",
			args:   []string{"live"},
			want: []string{
				`Profile "live" still reads its api_secret from the environment variable LIVE_SECRET (api_secret_env, line 4 of CONFIG).`,
				"To use the saved file instead, replace that line with:",
				"    api_secret_file: SECRETS/live.api_secret",
			},
		},
		{
			name:   "plain text in the file",
			config: "profiles:\n  live:\n    exchange: binance\n    api_key: hunter2-plain\n",
			args:   []string{"live", "--name", "api_key"},
			want: []string{
				`Profile "live" still reads its api_key from plain text in the config file (api_key, line 4 of CONFIG).`,
				"To use the saved file instead, replace that line with:",
				"    api_key_file: SECRETS/live.api_key",
			},
		},
		{
			name:   "the profile already reads the file",
			config: "profiles:\n  live:\n    exchange: binance\n    api_secret_file: SECRETS/live.api_secret\n",
			args:   []string{"live"},
			want:   []string{`Profile "live" already reads it (api_secret_file, line 4 of CONFIG).`},
		},
		{
			name: "no config file",
			args: []string{"live"},
			want: []string{
				`Profile "live" is not in CONFIG yet. To use the secret, add it there:`,
				"profiles:", "  live:", "    exchange: EXCHANGE", "    api_secret_file: SECRETS/live.api_secret",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The fixture's paths are only known once it exists: write the
			// file afterwards, with them substituted.
			fx := newSecretFixture(t, "")
			secrets := filepath.Join(fx.dirs.ConfigDir(), "secrets")
			if tt.config != "" {
				if err := os.MkdirAll(fx.dirs.ConfigDir(), 0o700); err != nil {
					t.Fatal(err)
				}
				body := strings.ReplaceAll(tt.config, "SECRETS", secrets)
				if err := os.WriteFile(fx.dirs.ConfigFile(), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			fx.in.WriteString(secretValue)
			if err := fx.run(t, tt.args...); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(fx.errOut.String(), "\n"), "\n")
			var want []string
			for _, l := range tt.want {
				l = strings.ReplaceAll(l, "SECRETS", secrets)
				want = append(want, strings.ReplaceAll(l, "CONFIG", fx.dirs.ConfigFile()))
			}
			if diff := cmp.Diff(want, lines[1:]); diff != "" {
				t.Errorf("guidance (-want +got):\n%s", diff)
			}
			if strings.Contains(fx.errOut.String(), secretValue) {
				t.Error("the secret appears on stderr")
			}
		})
	}
}

func TestSetSecretRefusals(t *testing.T) {
	tests := []struct {
		name  string
		input string
		args  []string
		want  string
	}{
		{"empty", "", []string{"live"}, "no secret on stdin"},
		{"only a newline", "\n", []string{"live"}, "no secret on stdin"},
		{"only blanks", "   \n", []string{"live"}, "no secret on stdin"},
		{"too large", strings.Repeat("x", maxSecretInput+1), []string{"live"}, "larger than 65536 bytes"},
		{"unknown name", "x", []string{"live", "--name", "password"}, `--name "password": not a credential name (known: api_key, api_secret, passphrase)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newSecretFixture(t, "")
			fx.in.WriteString(tt.input)
			err := fx.run(t, tt.args...)
			var usage *cmdutil.UsageError
			if !errors.As(err, &usage) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a usage error containing %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(fx.dirs.ConfigDir(), "secrets")); !errors.Is(err, os.ErrNotExist) {
				t.Error("a refused secret created the secrets directory")
			}
		})
	}
}

func TestSetSecretOnATerminalAndReplacing(t *testing.T) {
	fx := newSecretFixture(t, "")
	// A secrets directory someone loosened is tightened again.
	dir := filepath.Join(fx.dirs.ConfigDir(), "secrets")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "live.api_secret"), []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fx.f.IOStreams.SetTTY(true, false, true)
	fx.in.WriteString(secretValue + "\nignored second line\n")
	fx.f.Getenv = func(k string) string {
		if k == config.EnvOutput {
			return "json"
		}
		return ""
	}
	if err := fx.run(t, "live"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "live.api_secret")
	if data, _ := os.ReadFile(path); string(data) != secretValue+"\n" {
		t.Errorf("file holds %q", data)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %04o", st.Mode().Perm())
	}
	errOut := fx.errOut.String()
	if !strings.HasPrefix(errOut, `Enter the api_secret of profile "live" (input is hidden): `+"\nReplaced the api_secret") {
		t.Errorf("stderr: %q", errOut)
	}
	var res SetSecretResult
	if err := json.Unmarshal(fx.out.Bytes(), &res); err != nil {
		t.Fatalf("stdout %q: %v", fx.out, err)
	}
	want := SetSecretResult{Profile: "live", Name: "api_secret", Path: path, ConfigLine: "api_secret_file: " + path, Replaced: true}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("json (-want +got):\n%s", diff)
	}
	if strings.Contains(errOut+fx.out.String(), secretValue) {
		t.Error("the secret was printed")
	}
}
