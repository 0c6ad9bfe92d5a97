package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// TestOutputFormatDecidedOnce: -o json, TRADECTL_OUTPUT=json and the
// config file's output: json all give the same error envelope on stdout
// and a JSON error line on stderr; table output gives "Error: …" text
// and nothing on stdout.
func TestOutputFormatDecidedOnce(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		file     string
		wantJSON bool
	}{
		{name: "flag", args: []string{"-o", "json"}, wantJSON: true},
		{name: "environment", env: map[string]string{"TRADECTL_OUTPUT": "ndjson"}, wantJSON: true},
		{name: "config file", file: "output: json\n", wantJSON: true},
		{name: "flag beats the file", args: []string{"-o", "table"}, file: "output: json\n"},
		{name: "default"},
		{name: "log format only makes stderr JSON", args: []string{"--log-format", "json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "config"),
				"XDG_DATA_HOME": filepath.Join(home, "data"), "XDG_STATE_HOME": filepath.Join(home, "state"),
				"XDG_CACHE_HOME": filepath.Join(home, "cache"), "TRADECTL_NOW": "2026-11-27T12:00:00Z"}
			for k, v := range tc.env {
				env[k] = v
			}
			if tc.file != "" {
				dir := filepath.Join(home, "config", "tradectl")
				if err := os.MkdirAll(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			ios, _, out, errOut := iostreams.Test()
			f := factory.New(ios, func(k string) string { return env[k] }, nil)
			code := Run(context.Background(), f, append([]string{"quote", "NOPE-USD"}, tc.args...))
			if code != 3 {
				t.Fatalf("exit %d, want 3; stderr %s", code, errOut)
			}
			if tc.wantJSON {
				var env ErrorJSON
				if err := json.Unmarshal(out.Bytes(), &env); err != nil {
					t.Fatalf("stdout is not the error envelope: %v\n%s", err, out)
				}
				if diff := cmp.Diff(ErrorBody{Code: "not_found", ExitCode: 3, Message: env.Error.Message}, env.Error); diff != "" {
					t.Errorf("envelope (-want +got):\n%s", diff)
				}
			} else if out.Len() != 0 {
				t.Errorf("table output: stdout should be empty, got %q", out)
			}
			jsonErr := tc.wantJSON || strings.Contains(strings.Join(tc.args, " "), "--log-format json")
			line := strings.TrimSpace(errOut.String())
			if jsonErr {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("stderr is not one JSON line: %v\n%s", err, line)
				}
				if rec["level"] != "ERROR" || rec["code"] != "not_found" || rec["exit_code"] != float64(3) {
					t.Errorf("stderr JSON = %v", rec)
				}
			} else if !strings.HasPrefix(line, "Error: ") {
				t.Errorf("stderr = %q, want Error: text", line)
			}
		})
	}
}
