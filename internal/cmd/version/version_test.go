package version

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/build"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// TestVersionRun: the table names what is unknown, JSON keeps it empty,
// --jq filters, and an unknown -o is a usage error. No Factory is needed.
func TestVersionRun(t *testing.T) {
	info := build.Info{Version: "v1.2.3", GoVersion: "go1.25.0", Date: "2026-11-27"}
	tests := []struct {
		name, output, jq string
		want             string
		wantUsage        bool
	}{
		{name: "table", want: "tradectl v1.2.3\ncommit: unknown\nbuilt:  2026-11-27\ngo:     go1.25.0\n"},
		{name: "json", output: "json", want: `{"version":"v1.2.3","commit":"","date":"2026-11-27","go_version":"go1.25.0"}`},
		{name: "jq", jq: ".version", want: "v1.2.3\n"},
		{name: "unknown format", output: "yaml", wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			err := versionRun(&VersionOptions{IO: ios, Now: time.Now, Output: tt.output, JQ: tt.jq, Info: info})
			if tt.wantUsage {
				if _, ok := err.(*cmdutil.UsageError); !ok {
					t.Fatalf("versionRun() = %v (%T), want a usage error", err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := out.String()
			if tt.output == "json" {
				got = compact(t, got)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVersionFlags: the global -o and --jq reach the options as given.
func TestVersionFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.GlobalOptions{Output: "json", JQ: ".go_version"}}
	var got *VersionOptions
	cmd := NewCmdVersion(f, func(o *VersionOptions) error { got = o; return nil })
	cmd.SetArgs(nil)
	cmd.SetOut(&bytes.Buffer{})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Output != "json" || got.JQ != ".go_version" || got.Info != build.Current() {
		t.Errorf("options: output %q, jq %q, info %+v; want json, .go_version and the build's info", got.Output, got.JQ, got.Info)
	}
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("not JSON: %q: %v", s, err)
	}
	return b.String()
}
