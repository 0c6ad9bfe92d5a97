package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// walkthroughLine is one command line of a README shell block and its
// trailing comment, if any.
type walkthroughLine struct {
	line, comment string
}

// shBlock returns the lines of the first ```sh block after the line
// heading (the file's first block when heading is ""), blank lines left
// out.
func shBlock(readme, heading string) ([]walkthroughLine, error) {
	text := readme
	if heading != "" {
		i := strings.Index(readme, "\n"+heading+"\n")
		if i < 0 {
			return nil, errors.New("README.md has no heading " + heading)
		}
		text = readme[i:]
	}
	start := strings.Index(text, "```sh\n")
	if start < 0 {
		return nil, errors.New("no ```sh block after " + heading)
	}
	body := text[start+len("```sh\n"):]
	end := strings.Index(body, "```")
	if end < 0 {
		return nil, errors.New("the ```sh block after " + heading + " is not closed")
	}
	var out []walkthroughLine
	for _, raw := range strings.Split(body[:end], "\n") {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		line, comment := splitComment(raw)
		out = append(out, walkthroughLine{line: line, comment: comment})
	}
	return out, nil
}

// splitComment splits a shell line at its comment: a # that starts a
// word outside quotes, as the shell reads it.
func splitComment(s string) (line, comment string) {
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		}
	}
	return strings.TrimSpace(s), ""
}

// TestReadmeWalkthrough runs the README's first command and its "first
// five minutes" block as written, line by line, in an empty home (the
// same environment as TestHelpExamples: HOME and XDG directories of its
// own, the clock pinned), so a newcomer's first commands cannot rot.
// Its rules:
//
//   - `go run ./cmd/tradectl` is the tradectl built from this source:
//     the binary first in PATH;
//   - a line whose comment says it runs "until Ctrl-C" is given Ctrl-C
//     (SIGINT) once it has printed, and must end as an interrupted
//     command does: exit 130;
//   - a line whose comment starts "order N" must print order N: the ids
//     the walkthrough names are the ones a reader gets;
//   - `order get ID` and `order cancel ID` must name an order that is
//     still working when the line runs: a walkthrough that cancels a
//     filled order shows an error;
//   - every other line exits 0.
func TestReadmeWalkthrough(t *testing.T) {
	bin, err := exec.LookPath("tradectl")
	if err != nil {
		t.Fatalf("testscript.Main installs tradectl in PATH: %v", err)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("the README's commands are bash command lines: %v", err)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	top, err := shBlock(string(b), "")
	if err != nil {
		t.Fatal(err)
	}
	walk, err := shBlock(string(b), "## The first five minutes")
	if err != nil {
		t.Fatal(err)
	}
	lines := append([]walkthroughLine{top[0]}, walk...)

	home := t.TempDir()
	for _, l := range lines {
		line := strings.ReplaceAll(l.line, "go run ./cmd/tradectl", "tradectl")
		if id := orderNamed(line); id != "" {
			code, out := runExample(t, bash, bin, home, "tradectl order get "+id+" -o json --jq .status")
			if status := strings.TrimSpace(out); code != 0 || (status != "open" && status != "partially_filled") {
				t.Errorf("$ %s\nnames order %s, which is %q (exit %d), not a working order", l.line, id, status, code)
			}
		}
		want, code, out := 0, 0, ""
		if strings.Contains(l.comment, "until Ctrl-C") {
			want = 130
			code, out = runUntilInterrupted(t, bash, bin, home, line)
		} else {
			code, out = runExample(t, bash, bin, home, line)
		}
		if code != want {
			t.Errorf("$ %s\nexit %d, want %d; output:\n%s", l.line, code, want, out)
		}
		if m := orderComment.FindStringSubmatch(l.comment); m != nil && !regexp.MustCompile(`(?m)^id +`+m[1]+`$`).MatchString(out) {
			t.Errorf("$ %s\nsays it places order %s; it printed:\n%s", l.line, m[1], out)
		}
		if strings.Contains(out, "internal error") {
			t.Errorf("$ %s\nreports an internal error:\n%s", l.line, out)
		}
	}
}

// orderComment matches a comment naming the order its line places.
var orderComment = regexp.MustCompile(`^order (\d+)\b`)

// orderNamed is the order id an `order get` or `order cancel` line names,
// or "".
func orderNamed(line string) string {
	f := strings.Fields(line)
	if len(f) >= 4 && f[0] == "tradectl" && f[1] == "order" && (f[2] == "get" || f[2] == "cancel") && !strings.HasPrefix(f[3], "-") {
		return f[3]
	}
	return ""
}

// runUntilInterrupted runs a line that runs until stopped: once it has
// printed something it gets SIGINT, as Ctrl-C sends, and its exit code
// and output are returned.
func runUntilInterrupted(t *testing.T, bash, bin, home, line string) (int, string) {
	t.Helper()
	var out lockedBuffer
	// exec: bash becomes the command, so the signal reaches tradectl.
	cmd := exec.Command(bash, "-c", "exec "+line)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = home, exampleEnv(bin, home), &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for out.Len() == 0 && time.Now().Before(deadline) {
		select {
		case err := <-done:
			return exitCode(t, line, err), out.String()
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatalf("$ %s: interrupt: %v", line, err)
	}
	select {
	case err := <-done:
		return exitCode(t, line, err), out.String()
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("$ %s\ndid not end after Ctrl-C; output:\n%s", line, out.String())
	}
	return -1, ""
}

func exitCode(t *testing.T, line string, err error) int {
	t.Helper()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr):
		return exitErr.ExitCode()
	}
	t.Fatalf("$ %s: %v", line, err)
	return -1
}

// lockedBuffer is a buffer a running command writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSplitComment(t *testing.T) {
	for in, want := range map[string][2]string{
		"tradectl balance":                           {"tradectl balance", ""},
		"tradectl dashboard   # balances, positions": {"tradectl dashboard", "balances, positions"},
		"tradectl watch X --until 'a # b'  # c":      {"tradectl watch X --until 'a # b'", "c"},
		"tradectl quote BTC#1":                       {"tradectl quote BTC#1", ""},
	} {
		line, comment := splitComment(in)
		if diff := cmp.Diff(want, [2]string{line, comment}); diff != "" {
			t.Errorf("splitComment(%q) (-want +got):\n%s", in, diff)
		}
	}
}
