package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// initTraceRE matches one GODEBUG=inittrace=1 line: the package and the
// wall-clock time its init took.
var initTraceRE = regexp.MustCompile(`init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock`)

// TestTTYAsksTheTerminalNothing runs tradectl on a pseudo-terminal that
// never answers (script's pty, relayed to a pipe). A package init or a
// live screen that queried the terminal (background colour, cursor
// position) would wait for an answer that never comes, seconds per query,
// on every command; over SSH every answer is a round trip. So: no query
// is written, the run ends well inside its bound, and no package init
// takes 100 ms. The bounds are hang checks, not speed benchmarks.
func TestTTYAsksTheTerminalNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses util-linux script(1) for a pseudo-terminal")
	}
	if _, err := exec.LookPath("script"); err != nil {
		t.Fatalf("script (util-linux) is required for this test: %v", err)
	}
	tests := []struct {
		name, args, want string
		bound            time.Duration
	}{
		{"version", "version", "tradectl", 3 * time.Second},
		// The live screen ends with its --timeout, after a frame or two.
		// The bound leaves room for a loaded machine; a query it sent
		// would be caught below by its bytes in the output anyway.
		{"live dashboard", "dashboard --refresh 1s --timeout 2s", "Total equity", 8 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := tradectlBinary(t)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "script", "-qec", "'"+bin+"' "+tt.args, os.DevNull)
			cmd.Env = append(ttyEnv(t), "GODEBUG=inittrace=1", "COLORTERM=truecolor")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			start := time.Now()
			err := cmd.Run()
			elapsed := time.Since(start)
			if err != nil {
				t.Fatalf("tradectl %s on a pty: %v\n%q", tt.args, err, out.String())
			}
			if elapsed > tt.bound {
				t.Errorf("tradectl %s on a silent terminal took %s; it waits for the terminal", tt.args, elapsed)
			}
			for _, query := range []string{"\x1b]11;?", "\x1b]10;?", "\x1b[6n", "\x1b[c"} {
				if strings.Contains(out.String(), query) {
					t.Errorf("tradectl %s asked the terminal %q:\n%q", tt.args, query, out.String())
				}
			}
			inits := initTraceRE.FindAllStringSubmatch(out.String(), -1)
			if len(inits) < 20 {
				t.Fatalf("found %d init trace lines; is GODEBUG=inittrace=1 still honoured?\n%q", len(inits), out.String())
			}
			for _, m := range inits {
				ms, err := strconv.ParseFloat(m[2], 64)
				if err != nil {
					t.Fatalf("init trace %q: %v", m[0], err)
				}
				if ms > 100 {
					t.Errorf("package %s took %s ms to initialise; an init must not wait on the terminal", m[1], m[2])
				}
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("tradectl %s did not show %q:\n%q", tt.args, tt.want, out.String())
			}
		})
	}
}
