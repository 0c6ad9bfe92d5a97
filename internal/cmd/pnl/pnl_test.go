package pnl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/pnl"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestFlags(t *testing.T) {
	type parsed struct {
		By       pnl.Period
		Zone     string
		Since    time.Time
		Until    time.Time
		Symbol   string
		Profiles []string
	}
	tests := []struct {
		name      string
		args      []string
		want      parsed
		wantUsage string
	}{
		{name: "defaults", want: parsed{By: pnl.Day, Zone: "UTC"}},
		{
			name: "dates and times without an offset are in --tz",
			args: []string{"--by", "week", "--tz", "America/New_York", "--since", "2026-03-01", "--until", "2026-03-08T09:30"},
			// midnight EST is 05:00Z; 09:30 on 8 March is already EDT, 13:30Z
			want: parsed{By: pnl.Week, Zone: "America/New_York", Since: at("2026-03-01T05:00:00Z"), Until: at("2026-03-08T13:30:00Z")},
		},
		{
			name: "a month, and a time with its own offset",
			args: []string{"--by", "Month", "--since", "2026-02", "--until", "2026-03-01T09:30:00+01:00"},
			want: parsed{By: pnl.Month, Zone: "UTC", Since: at("2026-02-01T00:00:00Z"), Until: at("2026-03-01T08:30:00Z")},
		},
		{
			name: "durations back from now",
			args: []string{"--since", "7d", "--until", "90m", "--symbol", "btc-usd"},
			want: parsed{By: pnl.Day, Zone: "UTC", Since: at("2026-03-03T12:00:00Z"), Until: at("2026-03-10T10:30:00Z"), Symbol: "BTC-USD"},
		},
		{name: "Local", args: []string{"--tz", "local"}, want: parsed{By: pnl.Day, Zone: time.Local.String()}},
		{name: "bad --by", args: []string{"--by", "year"}, wantUsage: `--by "year": use day, week or month`},
		{name: "bad --tz", args: []string{"--tz", "Nowhere/Special"}, wantUsage: `--tz "Nowhere/Special": not a time zone`},
		{name: "bad --since", args: []string{"--since", "yesterday"}, wantUsage: `--since "yesterday"`},
		{name: "bad --until", args: []string{"--until", "2026-13-01"}, wantUsage: `--until "2026-13-01"`},
		{name: "until before since", args: []string{"--since", "2026-03-01", "--until", "2026-02-01"}, wantUsage: "--until 2026-02-01T00:00:00.000Z must be after --since 2026-03-01T00:00:00.000Z"},
		{name: "until equal to since", args: []string{"--since", "2026-03-01", "--until", "2026-03-01T00:00:00Z"}, wantUsage: "must be after --since"},
		{name: "bad symbol", args: []string{"--symbol", "BTC--USD"}, wantUsage: "--symbol"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.GlobalOptions{}, Now: func() time.Time { return now }}
			var got *PnLOptions
			cmd := NewCmdPnL(f, func(o *PnLOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantUsage != "" {
				var usage *cmdutil.UsageError
				if !errors.As(err, &usage) || !strings.Contains(err.Error(), tt.wantUsage) {
					t.Fatalf("error = %v, want a usage error containing %q", err, tt.wantUsage)
				}
				if got != nil {
					t.Error("the run step was reached after a usage error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			have := parsed{By: got.By, Zone: got.Location.String(), Since: got.Since, Until: got.Until, Profiles: got.Profiles}
			if !got.Symbol.IsZero() {
				have.Symbol = got.Symbol.String()
			}
			if diff := cmp.Diff(tt.want, have); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// history is each profile's fills, as FillHistory would return them.
var history = map[string][]trade.Fill{
	"alpha": {
		// basis 100 + 0.1 = 100.1
		{ID: "a1", Symbol: trade.MustSymbol("BTC-USD"), Side: trade.Buy, Qty: trade.Dec("1"), Price: trade.Dec("100"), Fee: trade.Dec("0.1"), FeeAsset: "USD", Time: at("2026-02-27T23:30:00Z")},
		// 110 − 100.1 − 0.11 = 9.79
		{ID: "a2", Symbol: trade.MustSymbol("BTC-USD"), Side: trade.Sell, Qty: trade.Dec("1"), Price: trade.Dec("110"), Fee: trade.Dec("0.11"), FeeAsset: "USD", Time: at("2026-03-01T01:00:00Z")},
	},
	"beta": {
		// basis 10×200 + 1 = 2001, average 200.1
		{ID: "b1", Symbol: trade.MustSymbol("AAPL"), Side: trade.Buy, Qty: trade.Dec("10"), Price: trade.Dec("200"), Fee: trade.Dec("1"), FeeAsset: "USD", Time: at("2026-03-02T15:00:00Z")},
		// 5×210 − 5×200.1 − 0.5 = 1050 − 1000.5 − 0.5 = 49
		{ID: "b2", Symbol: trade.MustSymbol("AAPL"), Side: trade.Sell, Qty: trade.Dec("5"), Price: trade.Dec("210"), Fee: trade.Dec("0.5"), FeeAsset: "USD", Time: at("2026-03-03T15:00:00Z")},
		// fee in BNB: 101 − 100 = 1 USDT, the fee apart
		{ID: "b3", Symbol: trade.MustSymbol("BTC-USDT"), Side: trade.Buy, Qty: trade.Dec("1"), Price: trade.Dec("100"), Fee: trade.Dec("0.001"), FeeAsset: "BNB", Time: at("2026-03-04T10:00:00Z")},
		{ID: "b4", Symbol: trade.MustSymbol("BTC-USDT"), Side: trade.Sell, Qty: trade.Dec("1"), Price: trade.Dec("101"), Fee: trade.Dec("0"), FeeAsset: "USDT", Time: at("2026-03-04T11:00:00Z")},
	},
}

// run runs the command's run step over history on paper accounts (whose
// instruments give AAPL its currency and USD its 2 places); the profile
// "down" cannot be opened.
func run(t *testing.T, format string, o PnLOptions) (stdout, stderr string, asked []exchange.FillFilter, err error) {
	t.Helper()
	dir := t.TempDir()
	ios, _, out, errOut := iostreams.Test()
	cfg := &config.Config{Profile: "alpha", Profiles: map[string]config.Profile{
		"alpha": {Name: "alpha", Exchange: "paper"}, "beta": {Name: "beta", Exchange: "paper"}, "down": {Name: "down", Exchange: "binance"},
	}}
	o.Logger = func() *slog.Logger { return slog.New(slog.NewTextHandler(ios.ErrOut, nil)) }
	o.Config = func() (*config.Config, error) { return cfg, nil }
	o.Printer = func() (*render.Printer, error) {
		return render.NewPrinter(ios, format, "", func() time.Time { return now })
	}
	o.OpenExchange = func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error) {
		if profile == "down" {
			return nil, config.Profile{}, &exchange.Error{Kind: exchange.ErrUnavailable, Venue: "binance", Message: "connection refused"}
		}
		ex, err := paper.New(ctx, exchange.Params{Profile: profile, Exchange: "paper", Options: map[string]any{},
			DataDir: dir, CacheDir: dir, Now: func() time.Time { return now }})
		return ex, cfg.Profiles[profile], err
	}
	var mu sync.Mutex // accounts are read concurrently
	o.FillHistory = func(_ context.Context, _ exchange.Exchange, profile string, f exchange.FillFilter) ([]trade.Fill, error) {
		mu.Lock()
		asked = append(asked, f)
		mu.Unlock()
		var out []trade.Fill
		for _, fill := range history[profile] {
			if (f.Symbol.IsZero() || fill.Symbol == f.Symbol) && (f.Until.IsZero() || fill.Time.Before(f.Until)) {
				out = append(out, fill)
			}
		}
		return out, nil
	}
	if o.By == "" {
		o.By = pnl.Month
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	err = pnlRun(context.Background(), &o)
	return out.String(), errOut.String(), asked, err
}

func TestTable(t *testing.T) {
	out, _, _, err := run(t, "table", PnLOptions{Profiles: []string{"alpha", "beta"}})
	if err != nil {
		t.Fatal(err)
	}
	// USD at paper's 2 places, fees never fewer digits than they have;
	// USDT unknown on paper, so exact. Each currency has its own total.
	want := "" +
		"PERIOD   PROFILE  SYMBOL    CCY   REALISED  FEES  OTHER FEES   VOLUME  FILLS\n" +
		"2026-02  alpha    BTC-USD   USD       0.00  0.10  -            100.00      1\n" +
		"2026-02           total     USD       0.00  0.10  -            100.00      1\n" +
		"2026-03  alpha    BTC-USD   USD       9.79  0.11  -            110.00      1\n" +
		"2026-03  beta     AAPL      USD      49.00  1.50  -           3050.00      2\n" +
		"2026-03  beta     BTC-USDT  USDT      1     0     0.001 BNB    201         2\n" +
		"2026-03           total     USD      58.79  1.61  -           3160.00      3\n" +
		"2026-03           total     USDT      1     0     0.001 BNB    201         2\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

func TestJSON(t *testing.T) {
	type row struct {
		Start       string            `json:"start"`
		Period      string            `json:"period"`
		Profile     string            `json:"profile"`
		Symbol      string            `json:"symbol"`
		Currency    string            `json:"currency"`
		RealizedPnL string            `json:"realized_pnl"`
		Fees        string            `json:"fees"`
		OtherFees   map[string]string `json:"other_fees"`
		Volume      string            `json:"volume"`
		BuyQty      string            `json:"buy_qty"`
		SellQty     string            `json:"sell_qty"`
		Fills       int               `json:"fills"`
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		opts       PnLOptions
		want       []row
		wantFilter exchange.FillFilter
	}{
		{
			name: "in New York both of alpha's fills are in February",
			// 23:30Z on 27 Feb is 18:30 EST; 01:00Z on 1 March is 20:00 EST on 28 Feb.
			opts: PnLOptions{Profiles: []string{"alpha"}, Location: newYork},
			want: []row{{Start: "2026-02-01T05:00:00.000Z", Period: "2026-02", Profile: "alpha", Symbol: "BTC-USD", Currency: "USD",
				RealizedPnL: "9.79", Fees: "0.21", OtherFees: map[string]string{}, Volume: "210", BuyQty: "1", SellQty: "1", Fills: 2}},
		},
		{
			name: "since hides February but its buy is still the basis",
			opts: PnLOptions{Profiles: []string{"alpha"}, Since: at("2026-03-01T00:00:00Z")},
			want: []row{{Start: "2026-03-01T00:00:00.000Z", Period: "2026-03", Profile: "alpha", Symbol: "BTC-USD", Currency: "USD",
				RealizedPnL: "9.79", Fees: "0.11", OtherFees: map[string]string{}, Volume: "110", BuyQty: "0", SellQty: "1", Fills: 1}},
		},
		{
			name: "until is passed to the history, symbol too",
			opts: PnLOptions{Profiles: []string{"beta"}, By: pnl.Day, Symbol: trade.MustSymbol("AAPL"), Until: at("2026-03-03T00:00:00Z")},
			want: []row{{Start: "2026-03-02T00:00:00.000Z", Period: "2026-03-02", Profile: "beta", Symbol: "AAPL", Currency: "USD",
				RealizedPnL: "0", Fees: "1", OtherFees: map[string]string{}, Volume: "2000", BuyQty: "10", SellQty: "0", Fills: 1}},
			wantFilter: exchange.FillFilter{Symbol: trade.MustSymbol("AAPL"), Until: at("2026-03-03T00:00:00Z")},
		},
		{
			name: "the selected profile, a week, fees in BNB",
			opts: PnLOptions{By: pnl.Week, Profiles: []string{"beta"}, Symbol: trade.MustSymbol("BTC-USDT")},
			want: []row{{Start: "2026-03-02T00:00:00.000Z", Period: "2026-W10", Profile: "beta", Symbol: "BTC-USDT", Currency: "USDT",
				RealizedPnL: "1", Fees: "0", OtherFees: map[string]string{"BNB": "0.001"}, Volume: "201", BuyQty: "1", SellQty: "1", Fills: 2}},
			wantFilter: exchange.FillFilter{Symbol: trade.MustSymbol("BTC-USDT")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, asked, err := run(t, "json", tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []row
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("-o json wrote %q: %v", out, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			// Since never reaches the history: the basis needs what came before.
			if diff := cmp.Diff([]exchange.FillFilter{tt.wantFilter}, asked); diff != "" {
				t.Errorf("history asked for (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelectedProfile(t *testing.T) {
	out, _, _, err := run(t, "json", PnLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []Row
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Profile != "alpha" || !got[1].RealizedPnL.Equal(decimal.RequireFromString("9.79")) {
		t.Errorf("rows of the selected profile: %+v", got)
	}
}

func TestPartialFailure(t *testing.T) {
	out, stderr, _, err := run(t, "csv", PnLOptions{Profiles: []string{"alpha", "down"}})
	var partial *cmdutil.PartialError
	if !errors.As(err, &partial) || partial.Failed != 1 || partial.Total != 2 {
		t.Fatalf("error = %v, want a partial result, 1 of 2 failed", err)
	}
	if got := cmdutil.Classify(context.Background(), err).Exit; got != 8 {
		t.Errorf("exit code %d, want 8", got)
	}
	wantCSV := "" +
		"start,period,profile,symbol,currency,realized_pnl,fees,volume,buy_qty,sell_qty,fills\n" +
		"2026-02-01T00:00:00.000Z,2026-02,alpha,BTC-USD,USD,0,0.1,100,1,0,1\n" +
		"2026-03-01T00:00:00.000Z,2026-03,alpha,BTC-USD,USD,9.79,0.11,110,0,1,1\n"
	if diff := cmp.Diff(wantCSV, out); diff != "" {
		t.Errorf("csv (-want +got):\n%s", diff)
	}
	if !strings.Contains(stderr, `msg="profile could not be read" profile=down`) || !strings.Contains(stderr, "connection refused") {
		t.Errorf("stderr %q does not name the failed profile", stderr)
	}

	// One profile asked for: its error is the command's.
	_, _, _, err = run(t, "json", PnLOptions{Profiles: []string{"down"}})
	if got := cmdutil.Classify(context.Background(), err).Exit; got != 6 {
		t.Errorf("one unreachable profile: exit %d (%v), want 6", got, err)
	}
}

func TestUnknownProfileReadsNothing(t *testing.T) {
	_, _, asked, err := run(t, "json", PnLOptions{Profiles: []string{"alpha", "nosuch"}})
	if err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("error = %v, want one naming the unknown profile", err)
	}
	if len(asked) != 0 {
		t.Errorf("history read for %d profiles before the unknown one was refused", len(asked))
	}
}
