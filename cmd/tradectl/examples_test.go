package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/cmd/root"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// example is one "$ …" line of a command's Example, with the exit code it
// documents: 0, unless the comment line right above it ends in "(exit N)".
type example struct {
	line string
	exit int
}

var exitNote = regexp.MustCompile(`\(exit (\d+)\)$`)

// parseExamples reads a command's Example text. Every line is a command
// ("$ …"), a comment ("# …") or blank; anything else is a mistake in the
// help text, reported as such.
func parseExamples(text string) ([]example, error) {
	var (
		out     []example
		comment string
	)
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		switch {
		case line == "":
			comment = ""
		case strings.HasPrefix(line, "# "):
			comment = line
		case strings.HasPrefix(line, "$ "):
			ex := example{line: strings.TrimPrefix(line, "$ ")}
			if m := exitNote.FindStringSubmatch(comment); m != nil {
				ex.exit, _ = strconv.Atoi(m[1])
			}
			if !strings.Contains(ex.line, "tradectl") {
				return nil, fmt.Errorf("example %q does not run tradectl", line)
			}
			out = append(out, ex)
			comment = ""
		default:
			return nil, fmt.Errorf("example line %q is neither \"$ command\" nor \"# comment\"", line)
		}
	}
	return out, nil
}

// TestHelpExamples runs every example of every command's help, as written,
// in bash, against the paper exchange, and checks its exit code: 0, or the
// code its comment documents with "(exit N)".
//
// Each command's examples run in order in a HOME of their own, copied
// from one seeded before the first: a configuration written by
// `tradectl config init --exchange paper --profile-name rehearsal` (so
// there are two paper profiles, paper and rehearsal), and on the paper
// profile the orders the examples refer to:
//
//	1  BTC-USD buy 0.01 at the market            filled
//	2  ETH-USD buy 0.5 limit 2000                open
//	3  BTC-USD sell 0.005 limit 200000           open
//	4  SOL-USD buy 10 limit 50, client id nightly-1  open
//	5-7  BTC-USD buy 0.03 at the market in 3 slices over 2s,
//	     idempotency key dca-2026-01-05 (parent twap-dca-2026-01-05)
//
// `config init`'s examples start from an empty HOME instead: they write
// the file the others start from. The clock is pinned (TRADECTL_NOW), so
// prices, fills and ids are the same on every run. The environment gives
// examples what a user's would: EDITOR (here true, which edits nothing)
// and LIVE_API_KEY / LIVE_API_SECRET, made-up credentials for the
// set-secret examples.
func TestHelpExamples(t *testing.T) {
	bin, err := exec.LookPath("tradectl")
	if err != nil {
		t.Fatalf("testscript.Main installs tradectl in PATH: %v", err)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("the examples are bash command lines: %v", err)
	}

	type command struct {
		path     string
		examples []example
	}
	var commands []command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		exs, err := parseExamples(c.Example)
		if err != nil {
			t.Errorf("%s: %v", c.CommandPath(), err)
		}
		if len(exs) == 0 {
			t.Errorf("%s has no examples", c.CommandPath())
		} else {
			commands = append(commands, command{c.CommandPath(), exs})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootForHelp())

	seeded := t.TempDir()
	for _, line := range []string{
		"tradectl config init --exchange paper --profile-name rehearsal",
		"tradectl order create BTC-USD --side buy --qty 0.01",
		"tradectl order create ETH-USD --side buy --qty 0.5 --price 2000",
		"tradectl order create BTC-USD --side sell --qty 0.005 --price 200000",
		"tradectl order create SOL-USD --side buy --qty 10 --price 50 --client-id nightly-1",
		"tradectl order create BTC-USD --side buy --qty 0.03 --slices 3 --over 2s --idempotency-key dca-2026-01-05",
	} {
		if code, out := runExample(t, bash, bin, seeded, line); code != 0 {
			t.Fatalf("seeding: %s: exit %d\n%s", line, code, out)
		}
	}

	for _, c := range commands {
		t.Run(strings.ReplaceAll(c.path, " ", "_"), func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			if c.path != "tradectl config init" {
				copyTree(t, seeded, home)
			}
			for _, ex := range c.examples {
				code, out := runExample(t, bash, bin, home, ex.line)
				if code != ex.exit {
					t.Errorf("$ %s\nexit %d, the help documents %d; output:\n%s", ex.line, code, ex.exit, out)
				}
				if strings.Contains(out, "internal error") {
					t.Errorf("$ %s\nreports an internal error:\n%s", ex.line, out)
				}
			}
		})
	}
}

// newRootForHelp builds the command tree as the binary does; building it
// reads no configuration and opens nothing.
func newRootForHelp() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	return root.NewCmdRoot(factory.New(ios, func(string) string { return "" }, nil))
}

// runExample runs one example line in bash with home as HOME and working
// directory, and returns its exit code and combined output.
func runExample(t *testing.T, bash, bin, home, line string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "-c", line)
	cmd.Dir = home
	cmd.Env = exampleEnv(bin, home)
	// A hung example is killed with bash; its output pipes are then given
	// up on after a few seconds rather than waited for.
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case ctx.Err() != nil:
		t.Fatalf("$ %s\ndid not finish within the test's limit; output:\n%s", line, out)
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), string(out)
	default:
		t.Fatalf("$ %s: %v", line, err)
	}
	return -1, ""
}

// exampleEnv is the environment an example runs in: bin first in PATH,
// home as HOME and the XDG directories under it, the clock pinned, no
// colour.
func exampleEnv(bin, home string) []string {
	return []string{
		"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"TRADECTL_NOW=2026-11-27T12:00:00Z",
		"TZ=UTC",
		"NO_COLOR=1",
		"EDITOR=true",
		"LIVE_API_KEY=example-key-id",
		"LIVE_API_SECRET=example-secret-value",
		// A race-built binary otherwise sleeps a second at every exit.
		"GORACE=atexit_sleep_ms=0",
	}
}

// copyTree copies the seeded HOME: the config, the paper databases and
// the journal, files only and with their modes.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm())
		case d.Type().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		}
		return nil // lock files' sockets and the like: not state
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestParseExamples(t *testing.T) {
	got, err := parseExamples("# plain\n$ tradectl quote BTC-USD\n\n# slow (exit 10)\n$ tradectl watch X --timeout 1s\n$ tradectl version")
	if err != nil {
		t.Fatal(err)
	}
	want := []example{{"tradectl quote BTC-USD", 0}, {"tradectl watch X --timeout 1s", 10}, {"tradectl version", 0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, bad := range []string{"tradectl quote BTC-USD", "$ ls", "  output line"} {
		if _, err := parseExamples(bad); err == nil {
			t.Errorf("parseExamples(%q) accepted a line that is not a tradectl example", bad)
		}
	}
}
