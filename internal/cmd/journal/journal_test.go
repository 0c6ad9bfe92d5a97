package journal

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	ledger "github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/xdg"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func TestJournalFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      string
		env       map[string]string
		want      JournalOptions
		wantUsage string
	}{
		{name: "defaults", args: "", want: JournalOptions{Query: ledger.Query{Limit: 100}}},
		{name: "pending since a day", args: "--status pending --since 24h -n 5",
			want: JournalOptions{Query: ledger.Query{Status: ledger.Pending, Since: now.Add(-24 * time.Hour), Limit: 5}}},
		{name: "not placed since a date", args: "--status not_placed --since 2026-11-01",
			want: JournalOptions{Query: ledger.Query{Status: ledger.NotPlaced, Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Limit: 100}}},
		{name: "profile from the environment", env: map[string]string{"TRADECTL_PROFILE": "binance"},
			want: JournalOptions{Query: ledger.Query{Limit: 100}, ProfileChosen: true}},
		{name: "bad status", args: "--status done", wantUsage: "use one of pending, placed, failed, not_placed, all"},
		{name: "bad since", args: "--since yesterday", wantUsage: "invalid --since"},
		{name: "negative limit", args: "--limit -1", wantUsage: "--limit must be 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ordertest.FlagsFactory()
			f.Now = func() time.Time { return now }
			f.Getenv = func(k string) string { return tt.env[k] }
			got := ordertest.ParseFlags(t, f, NewCmdJournal, strings.Fields(tt.args), tt.wantUsage)
			if got == nil {
				return
			}
			if diff := cmp.Diff(&tt.want, got, cmpopts.IgnoreFields(JournalOptions{}, "Printer", "Config", "Dirs", "Journal")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

type fixture struct {
	f        *cmdutil.Factory
	out, err *bytes.Buffer
	dirs     xdg.Dirs
}

func newFixture(t *testing.T, profile string) *fixture {
	t.Helper()
	home := t.TempDir()
	dirs := xdg.Dirs{ConfigHome: filepath.Join(home, "c"), DataHome: filepath.Join(home, "d"), StateHome: filepath.Join(home, "s"), CacheHome: filepath.Join(home, "k")}
	ios, _, out, errOut := iostreams.Test()
	reg := exchange.NewRegistry(paper.Venue())
	f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.GlobalOptions{Profile: profile}, Now: func() time.Time { return now },
		Getenv: func(string) string { return "" }, Registry: reg, Dirs: func() (xdg.Dirs, error) { return dirs, nil }}
	f.Config = func() (*config.Config, error) {
		return config.Load(context.Background(), config.LoadOptions{Registry: reg, Dirs: dirs, Getenv: f.Getenv})
	}
	var opened *ledger.Journal
	f.Journal = func() (*ledger.Journal, error) {
		if opened != nil {
			return opened, nil
		}
		j, err := ledger.Open(context.Background(), filepath.Join(dirs.StateDir(), ledger.FileName), ledger.WithClock(f.Now))
		if err == nil {
			opened = j
			t.Cleanup(func() { _ = j.Close() })
		}
		return j, err
	}
	return &fixture{f: f, out: out, err: errOut, dirs: dirs}
}

// options are what NewCmdJournal would build over the fixture's factory.
func (fx *fixture) options(q ledger.Query, profileChosen bool) *JournalOptions {
	return &JournalOptions{Printer: fx.f.Printer, Config: fx.f.Config, Dirs: fx.f.Dirs, Journal: fx.f.Journal,
		Query: q, ProfileChosen: profileChosen}
}

func TestJournalRun(t *testing.T) {
	fx := newFixture(t, "")
	ctx := context.Background()

	// No journal yet: an empty list, and no file is created by reading.
	if err := journalRun(ctx, fx.options(ledger.Query{Limit: 100}, false)); err != nil {
		t.Fatal(err)
	}
	if ledger.Exists(filepath.Join(fx.dirs.StateDir(), ledger.FileName)) {
		t.Error("reading the journal created it")
	}

	j, err := fx.f.Journal()
	if err != nil {
		t.Fatal(err)
	}
	req := trade.OrderRequest{Symbol: trade.MustSymbol("BTC-USD"), Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01")}
	in, err := j.Begin(ctx, ledger.NewIntent{Profile: "paper", Exchange: "paper", ClientID: "tc-1", Request: req})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.RecordLookup(ctx, in.ID, ledger.Lookup{Attempt: 1, Result: ledger.Unknown, Message: "venue down"}); err != nil {
		t.Fatal(err)
	}
	if err := j.RecordRefusal(ctx, "binance", "max_order_qty", "qty 5 is above max_order_qty 1"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		tty  bool
		opts JournalOptions
		want []string // lines, in order, with single spaces
	}{
		{
			name: "piped table",
			opts: JournalOptions{Query: ledger.Query{Limit: 100}},
			want: []string{
				"TIME PROFILE EVENT CLIENT ID STATUS QTY PRICE DETAIL",
				"2026-11-27T12:00:00.000Z paper intent tc-1 pending 0.01 market buy 0.01 BTC-USD market",
				"2026-11-27T12:00:00.000Z paper reconcile tc-1 pending look-up 1: unknown: venue down",
				"2026-11-27T12:00:00.000Z binance refusal max_order_qty refused: qty 5 is above max_order_qty 1",
			},
		},
		{
			name: "one profile, on a terminal",
			tty:  true,
			opts: JournalOptions{Query: ledger.Query{Limit: 100}, ProfileChosen: true},
			want: []string{
				"TIME PROFILE EVENT CLIENT ID STATUS QTY PRICE DETAIL",
				"now paper intent tc-1 pending 0.01 market buy 0.01 BTC-USD market",
				"now paper reconcile tc-1 pending look-up 1: unknown: venue down",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx.out.Reset()
			fx.f.IOStreams.SetTTY(false, tt.tty, tt.tty)
			fx.f.IOStreams.SetTerminalWidth(200)
			fx.f.Globals.Profile = ""
			if tt.opts.ProfileChosen {
				fx.f.Globals.Profile = "paper"
			}
			if err := journalRun(ctx, fx.options(tt.opts.Query, tt.opts.ProfileChosen)); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(fx.out.String()), "\n") {
				got = append(got, strings.Join(strings.Fields(l), " "))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}
