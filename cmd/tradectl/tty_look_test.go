package main

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"
)

// captureEscapes returns the visible screen with its colours and
// attributes as escape sequences (tmux capture-pane -e).
func (term *terminal) captureEscapes() string {
	return term.tmux("-S", term.socket, "capture-pane", "-e", "-p", "-t", term.session)
}

// captureJoined returns the screen with every wrapped line joined back
// into the one line the program wrote (tmux capture-pane -J), so a line
// too long for the terminal shows as longer than the terminal.
func (term *terminal) captureJoined() string {
	return term.tmux("-S", term.socket, "capture-pane", "-J", "-p", "-t", term.session)
}

// lookEnv is a terminal's environment over one paper account holding the
// orders the look tests list: a filled market order, a resting limit with
// a long client id and a stop-limit, all with client ids of their own so
// the screens are the same on every run.
func lookEnv(t *testing.T, bin string, extra ...string) []string {
	t.Helper()
	env := ttyEnv(t, append([]string{"TRADECTL_NOW=2026-11-27T12:00:00Z", "TZ=UTC"}, extra...)...)
	for _, args := range [][]string{
		{"order", "create", "BTC-USD", "--side", "buy", "--qty", "0.01", "--client-id", "dca-btc-2026-11-27"},
		{"order", "create", "ETH-USD", "--side", "buy", "--qty", "0.5", "--price", "2000", "--client-id", "nightly-rebalance-eth-000001"},
		{"order", "create", "BTC-USD", "--side", "sell", "--qty", "0.005", "--stop-price", "90000", "--price", "89000", "--client-id", "stop-btc-1"},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("seed %v: %v\n%s", args, err, out)
		}
	}
	return env
}

// runOnScreen runs command in a width×24 terminal, waits for it to
// finish, fails if any line it wrote was wider than the terminal, and
// returns the screen, plain and with escapes.
func runOnScreen(t *testing.T, width int, env []string, command string) (plain, escapes string) {
	t.Helper()
	term := newTerminal(t, width, 24, env, command+"; echo '[done]'; sleep 60")
	plain = term.waitFor("[done]", 15*time.Second)
	for _, line := range strings.Split(term.captureJoined(), "\n") {
		line = strings.TrimRight(line, " ")
		if w := runewidth.StringWidth(line); w > width {
			t.Errorf("a line %d cells wide wrapped on a %d-column terminal:\n%q\nscreen:\n%s", w, width, line, plain)
		}
	}
	return plain, term.captureEscapes()
}

// sgr matches one Select Graphic Rendition sequence: colour and attributes.
var sgr = regexp.MustCompile(`\x1b\[([0-9;]*)m`)

// TestTTYLook checks the tables people read, in a real terminal: at 60,
// 80 and 120 columns no line is wider than the terminal (cut cells end in an
// ellipsis, nothing wraps), NO_COLOR leaves no colour codes on the screen,
// and with colour on only the 16 basic foreground colours, bold and faint
// are used — no background colours, no 256-colour or true-colour shades —
// so the terminal's own theme keeps them readable on light and dark
// backgrounds. The plain screens are golden files (go test -update): they
// show prices at the instrument's tick, quantities at its step and
// balances and fees at the asset's precision, aligned on the decimal
// point, with thousands separators — in tables and in an order's detail.
func TestTTYLook(t *testing.T) {
	bin := tradectlBinary(t)
	for _, tc := range []struct{ name, args string }{
		{"order_list", "order list --status all"},
		{"order_get_filled", "order get 1"},
		{"order_get_stop", "order get 3"},
		{"quote", "quote BTC-USD ETH-USD AAPL DOGE-USD"},
		{"balance", "balance"},
		{"quote_absolute", "quote BTC-USD DOGE-USD --absolute-time"},
	} {
		for _, width := range []int{60, 80, 120} {
			t.Run(tc.name+"_"+strconv.Itoa(width), func(t *testing.T) {
				env := lookEnv(t, bin, "NO_COLOR=1")
				plain, escapes := runOnScreen(t, width, env, bin+" "+tc.args)
				if strings.Contains(escapes, "\x1b[") {
					t.Errorf("NO_COLOR: the screen carries escape codes:\n%q", escapes)
				}
				checkGolden(t, tc.name+"_"+strconv.Itoa(width), plain)
			})
		}
	}

	// At 60 columns the order list cannot show everything: columns are
	// left out or cut, the cut ones marked. What stays is what a trader
	// needs to recognise each order: which, what, how much, at what limit
	// and trigger, and its status.
	t.Run("narrow order list is cut visibly", func(t *testing.T) {
		env := lookEnv(t, bin, "NO_COLOR=1")
		plain, _ := runOnScreen(t, 60, env, bin+" order list --status all")
		wide, _ := runOnScreen(t, 200, env, bin+" order list --status all")
		if plain == wide {
			t.Fatal("the 60-column screen shows what the 200-column one does; nothing was fitted")
		}
		for _, want := range []string{"ID", "SYMBOL", "SIDE", "QTY", "PRICE", "STOP", "STATUS", "89,000.00", "90,000.00", "filled"} {
			if !strings.Contains(plain, want) {
				t.Errorf("a narrow terminal lost %q, which must stay:\n%s", want, plain)
			}
		}
		if !strings.Contains(wide, "nightly-rebalance-eth-000001") {
			t.Errorf("a wide terminal should show the whole client id:\n%s", wide)
		}
	})

	t.Run("colour", func(t *testing.T) {
		env := lookEnv(t, bin)
		_, escapes := runOnScreen(t, 120, env, bin+" order list --status all")
		codes := sgr.FindAllStringSubmatch(escapes, -1)
		if len(codes) == 0 {
			t.Fatalf("colour on a terminal: no colour codes on the screen:\n%q", escapes)
		}
		seen := map[string]bool{}
		for _, m := range codes {
			for _, p := range strings.Split(m[1], ";") {
				if p == "" {
					p = "0"
				}
				n, _ := strconv.Atoi(p)
				allowed := n == 0 || n == 1 || n == 2 || n == 22 || n == 39 || n == 49 ||
					(n >= 30 && n <= 37) || (n >= 90 && n <= 97)
				if !allowed {
					t.Errorf("escape \\x1b[%sm uses attribute %d: only basic foreground colours, bold and faint keep the screen readable on any background", m[1], n)
				}
				seen[p] = true
			}
		}
		for _, want := range []string{"1", "32", "36"} { // bold headers, green buys, cyan ids
			if !seen[want] {
				t.Errorf("expected attribute %s on the screen, saw %v", want, seen)
			}
		}
	})

	// The other tables a person watches fit too: the dashboard and the
	// live watch table, with their lines around the tables.
	for _, tc := range []struct{ name, args string }{
		{"dashboard", "dashboard"},
		{"watch", "watch BTC-USD ETH-USD AAPL --count 2 --alert 'BTC-USD.last > 1 and ETH-USD.last > 1 and AAPL.last > 1'"},
	} {
		t.Run(tc.name+"_40", func(t *testing.T) {
			env := lookEnv(t, bin)
			plain, _ := runOnScreen(t, 40, env, bin+" "+tc.args)
			if !strings.Contains(plain, "BTC-USD") {
				t.Errorf("the screen does not show the table:\n%s", plain)
			}
		})
	}
}

// TestTTYConfigInit answers `tradectl config init` at a real terminal:
// the questions come one by one with their defaults, Enter takes a
// default, and the file written loads and holds no secret.
func TestTTYConfigInit(t *testing.T) {
	bin := tradectlBinary(t)
	env := ttyEnv(t)
	term := newTerminal(t, 100, 30, env, bin+" config init; echo \"[exit $?]\"; "+bin+" config show --profile live -o json --jq .profiles.live; sleep 60")
	for _, step := range []struct{ question, answer string }{
		{"Exchange (alpaca, binance, coinbase, kraken, paper) [paper]:", "binance"},
		{"Profile name [binance]:", "live"},
		{"Use the binance test network (no real money)? [Y/n]:", ""},
		{"API base URL (Enter: the venue's own):", ""},
		{"Environment variable that will hold the API key [BINANCE_API_KEY]:", "LIVE_KEY"},
		{"API secret source [", ""},
		{"Make live the default profile (else paper stays the default)? [y/N]:", ""},
	} {
		term.waitFor(step.question, 10*time.Second)
		if step.answer != "" {
			term.send("-l", step.answer)
		}
		term.send("Enter")
	}
	term.waitFor("[exit 0]", 10*time.Second)
	screen := term.waitFor(`"exchange": "binance"`, 10*time.Second)
	for _, want := range []string{`"api_key": "env:LIVE_KEY"`, `"api_secret": "file:`, `"sandbox": true`, "tradectl config set-secret live"} {
		if !strings.Contains(screen, want) {
			t.Errorf("after the answers, the screen lacks %q:\n%s", want, screen)
		}
	}
}
