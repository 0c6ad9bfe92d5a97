package main

import (
	"strings"
	"testing"
	"time"
)

// TestTTYWatchKeys: the live watch table leaves on q or Ctrl-C with the
// exit codes scripts rely on, and its last frame stays on the screen.
func TestTTYWatchKeys(t *testing.T) {
	tests := []struct {
		name, flags, key, exit string
	}{
		{"q", "", "q", "[exit 0]"},
		{"Ctrl-C", "", "\x03", "[exit 130]"},
		{"q while --until waits", "--until 'BTC-USD.last < 1'", "q", "[exit 130]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := tradectlBinary(t)
			env := ttyEnv(t, "TRADECTL_NOW=2026-11-27T12:00:00Z", "TZ=UTC")
			term := newTerminal(t, 100, 14, env, "echo before-watch; "+bin+" watch BTC-USD "+tt.flags+"; echo \"[exit $?]\"; sleep 60")
			live := term.waitFor("105,", 15*time.Second)
			if strings.Contains(live, "before-watch") {
				t.Errorf("the live table should use the alternate screen:\n%s", live)
			}
			term.send(tt.key)
			after := term.waitFor(tt.exit, 10*time.Second)
			if !strings.Contains(after, "before-watch") {
				t.Errorf("after %q the shell's screen should be back:\n%s", tt.key, after)
			}
			if n := strings.Count(after, "SYMBOL"); n != 1 {
				t.Errorf("the last frame should stay on the screen once, it shows %d:\n%s", n, after)
			}
		})
	}
}

// TestTTYDashboardResize: a resized terminal gets a frame laid out for
// its new width at once (not at the next refresh), cut rather than
// wrapped.
func TestTTYDashboardResize(t *testing.T) {
	bin := tradectlBinary(t)
	env := ttyEnv(t, "TRADECTL_NOW=2026-11-27T12:00:00Z", "TZ=UTC")
	term := newTerminal(t, 110, 24, env,
		bin+" order create BTC-USD --side buy --qty 0.1 >/dev/null && "+
			bin+" order create ETH-USD --side buy --qty 1 --price 100 >/dev/null && "+
			bin+" dashboard --refresh 1h; echo \"[exit $?]\"; sleep 60")
	term.waitFor("Total equity", 15*time.Second)
	term.tmux("-S", term.socket, "resize-window", "-t", term.session, "-x", "64", "-y", "24")
	// The refresh is an hour away: only the resize can have redrawn this.
	screen := term.waitFor("unrealised P&L…", 10*time.Second) // the totals line, cut at 64 columns
	checkGolden(t, "dashboard_64", normalizeElapsed(screen))
	term.send("q")
	term.waitFor("[exit 0]", 10*time.Second)
}

// TestTTYBookKeys: the live book leaves on q, Esc or Ctrl-C with the exit
// codes of every live screen, and gives the shell's screen back.
func TestTTYBookKeys(t *testing.T) {
	for _, tt := range []struct{ name, key, exit string }{
		{"q", "q", "[exit 0]"},
		{"Esc", "\x1b", "[exit 0]"},
		{"Ctrl-C", "\x03", "[exit 130]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bin := tradectlBinary(t)
			env := ttyEnv(t, "TRADECTL_NOW=2026-11-27T12:00:00Z", "TZ=UTC")
			term := newTerminal(t, 100, 20, env, "echo before-book; "+bin+" book BTC-USD --depth 5 --watch; echo \"[exit $?]\"; sleep 60")
			live := term.waitFor("r refresh · q quit", 15*time.Second)
			if strings.Contains(live, "before-book") || !strings.Contains(live, "BID QTY") {
				t.Errorf("the live book should be the ladder on the alternate screen:\n%s", live)
			}
			term.send(tt.key)
			after := term.waitFor(tt.exit, 10*time.Second)
			if !strings.Contains(after, "before-book") {
				t.Errorf("after %q the shell's screen should be back:\n%s", tt.key, after)
			}
		})
	}
}

// TestTTYCandlesChart: on a terminal candles are a chart, bodies and
// wicks in box characters, with the scale and the last candle's numbers.
func TestTTYCandlesChart(t *testing.T) {
	bin := tradectlBinary(t)
	env := ttyEnv(t, "TRADECTL_NOW=2026-11-27T12:00:00Z", "TZ=UTC")
	term := newTerminal(t, 100, 24, env, bin+" candles BTC-USD --interval 1h --limit 40; echo \"[exit $?]\"; sleep 60")
	screen := term.waitFor("[exit 0]", 15*time.Second)
	for _, want := range []string{"BTC-USD · 1h candles · paper", "┃", "over the chart", "last 11:00:00 UTC"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the chart lacks %q:\n%s", want, screen)
		}
	}
}
