package watch

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/livescreen"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/watch/expr"
)

// TestLiveExit: the keys of the live table keep the exit codes scripts
// rely on: q is 0 unless --until still waits, Ctrl-C is always 130.
func TestLiveExit(t *testing.T) {
	until, err := expr.Parse("BTC-USD.last > 1")
	if err != nil {
		t.Fatal(err)
	}
	errVenue := errors.New("venue down")
	tests := []struct {
		name  string
		until *expr.Expr
		err   error
		want  error
	}{
		{"q", nil, livescreen.ErrQuit, nil},
		{"q while --until waits", until, livescreen.ErrQuit, cmdutil.ErrInterrupted},
		{"Ctrl-C", nil, livescreen.ErrInterrupted, cmdutil.ErrInterrupted},
		{"Ctrl-C while --until waits", until, livescreen.ErrInterrupted, cmdutil.ErrInterrupted},
		{"--count reached", nil, nil, nil},
		{"a venue error", until, errVenue, errVenue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := liveExit(&WatchOptions{Until: tt.until}, tt.err)
			if !errors.Is(got, tt.want) || (tt.want == nil && got != nil) {
				t.Errorf("liveExit(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestLiveFrameFollowsWidth: the table is laid out for the width the
// screen has now (a resize), dropping columns rather than wrapping.
func TestLiveFrameFollowsWidth(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	ios.SetTTY(false, true, true)
	ios.SetTerminalWidth(100)
	btc, err := trade.ParseSymbol("BTC-USD")
	if err != nil {
		t.Fatal(err)
	}
	eth, err := trade.ParseSymbol("ETH-USD")
	if err != nil {
		t.Fatal(err)
	}
	table := newLiveTable(ios, []trade.Symbol{btc, eth}, nil, nil, render.Precision{})
	table.update(QuoteEvent{Symbol: btc, Bid: decimal.RequireFromString("100.5"), Ask: decimal.RequireFromString("101.5"),
		Last: decimal.RequireFromString("101"), Change: decimal.RequireFromString("1"), ChangePct: decimal.RequireFromString("1")})
	tests := []struct {
		width  int
		header string
	}{
		{100, "SYMBOL  BID  ASK  LAST  CHANGE  %  RECENT"},
		{0, "SYMBOL  BID  ASK  LAST  CHANGE  %  RECENT"}, // unknown: the streams' width
		{34, "SYMBOL  BID  ASK  LAST  %"},                // recent and change dropped
	}
	for _, tt := range tests {
		lines := strings.Split(strings.TrimRight(table.frame(tt.width, 10), "\n"), "\n")
		if diff := cmp.Diff(tt.header, strings.Join(strings.Fields(lines[0]), "  ")); diff != "" {
			t.Errorf("width %d: header (-want +got):\n%s\n%s", tt.width, diff, strings.Join(lines, "\n"))
		}
		for _, l := range lines {
			if tt.width > 0 && lipgloss.Width(l) > tt.width {
				t.Errorf("width %d: line %q is wider", tt.width, l)
			}
		}
	}
}

// TestLiveRedrawsCapped: quotes faster than redrawEvery are drawn
// together, once that much has passed since the last redraw, showing the
// latest of them; one timer waits for that, not one per quote; and once
// the watch is over a pending redraw draws nothing (follow draws the
// final frame itself).
func TestLiveRedrawsCapped(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	table := newLiveTable(ios, []trade.Symbol{btc}, nil, nil, render.Precision{})
	o := &WatchOptions{IO: ios, Symbols: []trade.Symbol{btc}, StaleAfter: DefaultStaleAfter, Now: time.Now, Since: time.Since}
	var drawn []string // the bid each redraw showed
	w := newWatcher(o, nil, table, func() { drawn = append(drawn, table.rows[btc].ev.Bid.String()) }, conditionNotifier{})
	clock := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	w.now = func() time.Time { return clock }
	var waits []time.Duration
	var timers []func()
	w.afterFunc = func(d time.Duration, f func()) { waits, timers = append(waits, d), append(timers, f) }
	quote := func(bid string, after time.Duration) {
		t.Helper()
		clock = clock.Add(after)
		w.mu.Lock()
		defer w.mu.Unlock()
		if err := w.quote(q(btc, bid, bid+"1", bid)); err != nil {
			t.Fatal(err)
		}
	}
	fire := func(i int) {
		t.Helper()
		clock = clock.Add(waits[i])
		timers[i]()
	}

	quote("100", 0)
	for i := range 20 {
		quote("101."+strconv.Itoa(i), 3*time.Millisecond)
	}
	if diff := cmp.Diff([]string{"100"}, drawn); diff != "" {
		t.Fatalf("redraws during the burst (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{redrawEvery - 3*time.Millisecond}, waits); diff != "" {
		t.Fatalf("timers (-want +got):\n%s", diff)
	}
	fire(0)
	if diff := cmp.Diff([]string{"100", "101.19"}, drawn); diff != "" {
		t.Fatalf("after the wait (-want +got):\n%s", diff)
	}

	// A quote long after is drawn at once.
	quote("102", time.Second)
	// One within redrawEvery waits; the watch ends before the wait does.
	quote("103", time.Millisecond)
	w.mu.Lock()
	w.ended = true
	w.mu.Unlock()
	fire(1)
	if diff := cmp.Diff([]string{"100", "101.19", "102"}, drawn); diff != "" {
		t.Errorf("redraws (-want +got):\n%s", diff)
	}
	if len(timers) != 2 {
		t.Errorf("%d timers for 23 quotes, want 2", len(timers))
	}
}
