package config

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/tradectl/tradectl/internal/exchange"
)

func TestSecretResolver(t *testing.T) {
	dir := t.TempDir()
	okFile := writeFile(t, dir, "ok", "file-secret\n", 0o600)
	readOnly := writeFile(t, dir, "ro", "ro-secret\r\n", 0o400)
	pemFile := writeFile(t, dir, "pem", "-----BEGIN KEY-----\nabc\n-----END KEY-----\n\n", 0o600)
	openFile := writeFile(t, dir, "open", "file-secret\n", 0o644)
	groupFile := writeFile(t, dir, "group", "file-secret\n", 0o640)
	emptyFile := writeFile(t, dir, "empty", "\n", 0o600)
	spaced := writeFile(t, dir, "my keys/k", "s\n", 0o644)

	env := mapEnv(map[string]string{"BINANCE_SECRET": "env-secret"})
	// fakeRun stands in for sh: "ok" prints a secret with a newline,
	// "fail" prints part of a secret and exits non-zero.
	fakeRun := func(ctx context.Context, command string) ([]byte, error) {
		switch command {
		case "ok":
			return []byte("  cmd-secret\n"), nil
		case "empty":
			return []byte("\n"), nil
		case "fail":
			return []byte("LEAKED-PARTIAL"), errors.New("exit status 3")
		}
		return nil, errors.New("unexpected command " + command)
	}

	tests := []struct {
		name    string
		src     SecretSource
		want    string
		wantErr string // exact message; "" means success
	}{
		{name: "plain", src: SecretSource{Kind: "plain", Value: "plain-secret"}, want: "plain-secret"},
		{name: "env set", src: SecretSource{Kind: "env", Value: "BINANCE_SECRET"}, want: "env-secret"},
		{
			name:    "env unset",
			src:     SecretSource{Kind: "env", Value: "NOPE"},
			wantErr: `profile "b": api_secret: environment variable NOPE (from api_secret_env) is not set or empty`,
		},
		{name: "file 0600", src: SecretSource{Kind: "file", Value: okFile}, want: "file-secret"},
		{name: "file 0400, CRLF", src: SecretSource{Kind: "file", Value: readOnly}, want: "ro-secret"},
		{name: "file keeps inner newlines", src: SecretSource{Kind: "file", Value: pemFile}, want: "-----BEGIN KEY-----\nabc\n-----END KEY-----"},
		{
			name:    "file 0644 refused",
			src:     SecretSource{Kind: "file", Value: openFile},
			wantErr: `profile "b": api_secret: ` + openFile + ` has mode 0644, so other users can read it; run: chmod 600 ` + openFile,
		},
		{
			name:    "file 0640 refused",
			src:     SecretSource{Kind: "file", Value: groupFile},
			wantErr: `profile "b": api_secret: ` + groupFile + ` has mode 0640, so other users can read it; run: chmod 600 ` + groupFile,
		},
		{
			name:    "file hint quotes the path",
			src:     SecretSource{Kind: "file", Value: spaced},
			wantErr: `profile "b": api_secret: ` + spaced + ` has mode 0644, so other users can read it; run: chmod 600 '` + spaced + `'`,
		},
		{
			name:    "file empty",
			src:     SecretSource{Kind: "file", Value: emptyFile},
			wantErr: `profile "b": api_secret: ` + emptyFile + ` is empty`,
		},
		{
			name:    "file missing",
			src:     SecretSource{Kind: "file", Value: filepath.Join(dir, "missing")},
			wantErr: `profile "b": api_secret: read ` + filepath.Join(dir, "missing") + `: no such file or directory`,
		},
		{
			name:    "file is a directory",
			src:     SecretSource{Kind: "file", Value: dir},
			wantErr: `profile "b": api_secret: ` + dir + ` is not a regular file`,
		},
		{name: "cmd ok", src: SecretSource{Kind: "cmd", Value: "ok"}, want: "cmd-secret"},
		{
			name:    "cmd failing",
			src:     SecretSource{Kind: "cmd", Value: "fail"},
			wantErr: `profile "b": api_secret: api_secret_cmd "fail" failed: exit status 3`,
		},
		{
			name:    "cmd printing nothing",
			src:     SecretSource{Kind: "cmd", Value: "empty"},
			wantErr: `profile "b": api_secret: api_secret_cmd "empty" printed nothing`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Profile{Name: "b", Exchange: "binance", Credentials: map[string]SecretSource{"api_secret": tt.src}}
			got, err := p.SecretResolver(env, fakeRun)(context.Background(), "api_secret")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("resolve error = %v", err)
				}
				if got != tt.want {
					t.Errorf("resolve = %q, want %q", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("resolve = %q, want error %q", got, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantErr, err.Error()); diff != "" {
				t.Errorf("resolve error (-want +got):\n%s", diff)
			}
			if !errors.Is(err, exchange.ErrAuth) {
				t.Errorf("errors.Is(err, exchange.ErrAuth) = false for %v", err)
			}
			var ce *CredentialError
			if !errors.As(err, &ce) || ce.Name != "api_secret" || ce.Profile != "b" {
				t.Errorf("errors.As(*CredentialError) = %+v", ce)
			}
			for _, secret := range []string{"LEAKED-PARTIAL", "file-secret", "env-secret"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains secret %q", err, secret)
				}
			}
		})
	}
}

func TestSecretResolverUnsetName(t *testing.T) {
	got, err := paperBuiltin().SecretResolver(nil, nil)(context.Background(), "api_key")
	if got != "" || err != nil {
		t.Errorf("resolve of an unset credential = %q, %v; want \"\", nil", got, err)
	}
}

func TestSecretResolverIsLazy(t *testing.T) {
	calls := 0
	run := func(context.Context, string) ([]byte, error) { calls++; return []byte("x"), nil }
	p := Profile{Name: "b", Credentials: map[string]SecretSource{"api_key": {Kind: "cmd", Value: "c"}}}
	resolve := p.SecretResolver(nil, run)
	if calls != 0 {
		t.Fatalf("SecretResolver ran the command %d times before being asked", calls)
	}
	if _, err := resolve(context.Background(), "api_key"); err != nil || calls != 1 {
		t.Fatalf("resolve: err = %v, calls = %d", err, calls)
	}
}

func TestShellRunner(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("api_secret_cmd runs through sh, which this machine lacks: nothing to test")
	}
	tests := []struct {
		name       string
		command    string
		want       string
		wantStderr string
		wantErr    string
	}{
		{
			name:       "ok, stderr passed through",
			command:    `echo "sh-secret"; echo "unlocking keyring" >&2`,
			want:       "sh-secret",
			wantStderr: "unlocking keyring\n",
		},
		{
			name:       "failing",
			command:    `echo "half-secret"; echo "no such entry" >&2; exit 2`,
			wantStderr: "no such entry\n",
			wantErr:    `profile "b": api_key: api_key_cmd "echo \"half-secret\"; echo \"no such entry\" >&2; exit 2" failed: exit status 2`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			p := Profile{Name: "b", Credentials: map[string]SecretSource{"api_key": {Kind: "cmd", Value: tt.command}}}
			got, err := p.SecretResolver(nil, ShellRunner(&stderr))(context.Background(), "api_key")
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("resolve error = %v, want %q", err, tt.wantErr)
				}
				if !errors.Is(err, exchange.ErrAuth) {
					t.Errorf("errors.Is(err, exchange.ErrAuth) = false")
				}
				var exitErr *exec.ExitError
				if !errors.As(err, &exitErr) || exitErr.ExitCode() != 2 {
					t.Errorf("errors.As(*exec.ExitError) = %v", exitErr)
				}
			} else if err != nil || got != tt.want {
				t.Fatalf("resolve = %q, %v; want %q", got, err, tt.want)
			}
			if diff := cmp.Diff(tt.wantStderr, stderr.String()); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShellRunnerHonoursContext(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("api_secret_cmd runs through sh, which this machine lacks: nothing to test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	p := Profile{Name: "b", Credentials: map[string]SecretSource{"api_key": {Kind: "cmd", Value: "exec sleep 10"}}}
	_, err := p.SecretResolver(nil, ShellRunner(nil))(ctx, "api_key")
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, exchange.ErrAuth) {
		t.Fatalf("resolve error = %v, want DeadlineExceeded and ErrAuth", err)
	}
}

const secretsFile = `default_profile: b
profiles:
  b:
    exchange: binance
    base_url: https://user:URL-PASSWORD@api.example.com/v3
    api_key: PLAIN-KEY-VALUE
    api_secret_env: BINANCE_SECRET
    passphrase_cmd: pass show b
    max_order_qty: 2
  c:
    exchange: binance
    api_secret_file: /run/secrets/c
`

func TestRedactedNeverShowsSecrets(t *testing.T) {
	path := writeFile(t, t.TempDir(), "config.yaml", secretsFile, 0o600)
	c, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry(),
		Getenv: mapEnv(map[string]string{"BINANCE_SECRET": "ENV-SECRET-VALUE"})})
	if err != nil {
		t.Fatal(err)
	}
	red := c.Redacted()
	asJSON, err := json.Marshal(red)
	if err != nil {
		t.Fatalf("json.Marshal(Redacted()) error = %v", err)
	}
	asYAML, err := yaml.Marshal(red)
	if err != nil {
		t.Fatalf("yaml.Marshal(Redacted()) error = %v", err)
	}
	for _, out := range []string{string(asJSON), string(asYAML)} {
		for _, secret := range []string{"PLAIN-KEY-VALUE", "ENV-SECRET-VALUE", "URL-PASSWORD"} {
			if strings.Contains(out, secret) {
				t.Errorf("Redacted() output contains %q:\n%s", secret, out)
			}
		}
	}
	want := map[string]any{
		"config_file":        path,
		"config_file_exists": true,
		"default_profile":    "b",
		"profile":            "b",
		"output":             "table",
		"timeout":            "30s",
		"color":              "auto",
		"mcp":                map[string]any{"allow_live_orders": false},
		"profiles": map[string]any{
			"b": map[string]any{
				"exchange":      "binance",
				"base_url":      "https://user:[redacted]@api.example.com/v3",
				"api_key":       "[redacted]",
				"api_secret":    "env:BINANCE_SECRET",
				"passphrase":    "cmd:pass show b",
				"max_order_qty": 2,
			},
			"c":     map[string]any{"exchange": "binance", "api_secret": "file:/run/secrets/c"},
			"paper": map[string]any{"exchange": "paper"},
		},
	}
	if diff := cmp.Diff(want, red); diff != "" {
		t.Errorf("Redacted() (-want +got):\n%s", diff)
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		body string
		mode uint32
		want func(path string) []string
	}{
		{
			name: "plain secrets in a private file",
			body: secretsFile,
			mode: 0o600,
			want: func(path string) []string {
				return []string{
					`profile "b": api_key is stored in plain text in ` + path + `; move it to api_key_env, api_key_file or api_key_cmd`,
				}
			},
		},
		{
			name: "plain secrets in a readable file",
			body: secretsFile,
			mode: 0o644,
			want: func(path string) []string {
				return []string{
					`profile "b": api_key is stored in plain text in ` + path + `; move it to api_key_env, api_key_file or api_key_cmd`,
					path + ` holds plain-text secrets and has mode 0644, so other users can read it; run: chmod 600 ` + path,
				}
			},
		},
		{
			name: "no plain secrets",
			body: "profiles:\n  b: {exchange: binance, api_key_env: K}\n",
			mode: 0o644,
			want: func(string) []string { return nil },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "config.yaml", tt.body, fs.FileMode(tt.mode))
			c, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry()})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want(path), c.Warnings()); diff != "" {
				t.Errorf("Warnings() (-want +got):\n%s", diff)
			}
		})
	}
}
