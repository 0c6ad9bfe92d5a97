package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/tty golden screens")

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// tradectlBinary builds the real binary once per test run; the TTY tests
// run it in a terminal the way a person would.
func tradectlBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tradectl-tty")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "tradectl")
		cmd := exec.Command("go", "build", "-o", builtBin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = err
			builtBin = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build tradectl: %v\n%s", buildErr, builtBin)
	}
	return builtBin
}

// terminal is one tmux session with a fixed size, driving a real pty.
type terminal struct {
	t       *testing.T
	session string
	socket  string
}

func newTerminal(t *testing.T, width, height int, env []string, command string) *terminal {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is required for the TTY tests (.ci/run installs it): %v", err)
	}
	term := &terminal{t: t, session: "tradectl", socket: filepath.Join(t.TempDir(), "tmux.sock")}
	args := []string{"-S", term.socket, "-f", "/dev/null", "new-session", "-d", "-s", term.session,
		"-x", strconv.Itoa(width), "-y", strconv.Itoa(height)}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, command)
	term.tmux(args...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", term.socket, "kill-server").Run() })
	return term
}

func (term *terminal) tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", args...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// capture returns the visible screen, trailing spaces trimmed.
func (term *terminal) capture() string {
	out := term.tmux("-S", term.socket, "capture-pane", "-p", "-t", term.session)
	lines := strings.Split(out, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

func (term *terminal) send(keys ...string) {
	term.tmux(append([]string{"-S", term.socket, "send-keys", "-t", term.session}, keys...)...)
}

// waitFor polls the screen until it contains want, or fails with what it shows.
func (term *terminal) waitFor(want string, timeout time.Duration) string {
	term.t.Helper()
	deadline := time.Now().Add(timeout)
	var screen string
	for time.Now().Before(deadline) {
		screen = term.capture()
		if strings.Contains(screen, want) {
			return screen
		}
		time.Sleep(50 * time.Millisecond)
	}
	term.t.Fatalf("screen never showed %q; it shows:\n%s", want, screen)
	return ""
}

// checkGolden compares a screen with testdata/tty/NAME.txt.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "tty", name+".txt")
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden screen (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("screen %s (-want +got):\n%s", name, diff)
	}
}

// ttyEnv is a clean environment for the binary under tmux.
func ttyEnv(t *testing.T, extra ...string) []string {
	home := t.TempDir()
	env := []string{
		"HOME=" + home, "XDG_CONFIG_HOME=" + home + "/config", "XDG_DATA_HOME=" + home + "/data",
		"XDG_STATE_HOME=" + home + "/state", "XDG_CACHE_HOME=" + home + "/cache",
		"TERM=xterm-256color", "NO_COLOR=", "TRADECTL_CONFIG=", "TRADECTL_PROFILE=",
	}
	return append(env, extra...)
}

// TestTTYWatch drives `tradectl watch` in a real terminal: the table is
// redrawn in place (one frame on screen, not a scroll of frames), the
// alert is announced under it, and the cursor comes back at the end.
func TestTTYWatch(t *testing.T) {
	bin := tradectlBinary(t)
	env := ttyEnv(t, "TRADECTL_NOW=2026-11-27T12:00:00Z", "TZ=UTC")
	term := newTerminal(t, 100, 14, env,
		bin+" watch BTC-USD ETH-USD AAPL --count 6 --alert 'BTC-USD.last > 1'; echo \"[exit $?]\"; sleep 60")
	screen := term.waitFor("[exit 0]", 15*time.Second)
	checkGolden(t, "watch", screen)
	if n := strings.Count(screen, "SYMBOL"); n != 1 {
		t.Errorf("the table header appears %d times; a redraw in place shows it once:\n%s", n, screen)
	}
}

// TestTTYDashboardRefresh drives `tradectl dashboard --refresh` in a real
// terminal: the view appears full screen, q leaves, and the terminal is
// given back as it was (the shell's earlier output is visible again).
func TestTTYDashboardRefresh(t *testing.T) {
	bin := tradectlBinary(t)
	env := ttyEnv(t, "TRADECTL_NOW=2026-11-27T12:00:00Z", "TZ=UTC")
	term := newTerminal(t, 110, 24, env,
		"echo before-dashboard; "+bin+" order create BTC-USD --side buy --qty 0.1 >/dev/null && "+
			bin+" order create ETH-USD --side buy --qty 1 --price 100 >/dev/null && "+
			bin+" dashboard --refresh 1s; echo \"[exit $?]\"; sleep 60")
	screen := term.waitFor("Total equity", 15*time.Second)
	checkGolden(t, "dashboard", normalizeElapsed(screen))
	if strings.Contains(screen, "before-dashboard") {
		t.Errorf("the dashboard should use the alternate screen:\n%s", screen)
	}
	term.send("q")
	after := term.waitFor("[exit 0]", 10*time.Second)
	if !strings.Contains(after, "before-dashboard") {
		t.Errorf("after q the terminal should be restored to the shell's screen:\n%s", after)
	}
	if strings.Contains(after, "Total equity") {
		t.Errorf("after q the dashboard should be gone from the screen:\n%s", after)
	}
}

// TestTTYDashboardCtrlC: in the live dashboard Ctrl-C is a key (the
// terminal is raw), and it leaves with exit 130, interrupted, as every
// command does; q is exit 0 (above).
func TestTTYDashboardCtrlC(t *testing.T) {
	bin := tradectlBinary(t)
	env := ttyEnv(t, "TRADECTL_NOW=2026-11-27T12:00:00Z", "TZ=UTC")
	term := newTerminal(t, 110, 24, env, bin+" dashboard --refresh 1s; echo \"[exit $?]\"; sleep 60")
	term.waitFor("Total equity", 15*time.Second)
	term.send("\x03")
	term.waitFor("[exit 130]", 10*time.Second)
}

var elapsedRE = regexp.MustCompile(`ok \(\d+ms\)`)

// normalizeElapsed hides the one number on the screen that depends on how
// fast the machine is.
func normalizeElapsed(s string) string { return elapsedRE.ReplaceAllString(s, "ok (Nms)") }
