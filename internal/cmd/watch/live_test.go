package watch

import (
	"errors"
	"strings"
	"testing"

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
