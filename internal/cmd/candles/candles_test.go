package candles

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

var btc = trade.MustSymbol("BTC-USD")

func TestFlags(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 7, 30, 0, time.UTC)
	at := func(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name    string
		args    []string
		want    trade.CandleRange
		wantErr string
	}{
		{"defaults: the last 100 hours", []string{"BTC-USD"},
			trade.CandleRange{Interval: trade.Interval1h, Since: at(10, 0).Add(-99 * time.Hour), Until: now, Limit: 100}, ""},
		{"last 3 of 5m", []string{"BTC-USD", "--interval", "5m", "--limit", "3"},
			trade.CandleRange{Interval: trade.Interval5m, Since: at(9, 55), Until: now, Limit: 3}, ""},
		{"since, every candle up to now", []string{"BTC-USD", "--interval", "15m", "--since", "2026-03-02T09:00:00Z"},
			trade.CandleRange{Interval: trade.Interval15m, Since: at(9, 0), Until: now, Limit: trade.MaxCandles}, ""},
		{"since and limit", []string{"BTC-USD", "--interval", "1m", "--since", "30d", "--limit", "10"},
			trade.CandleRange{Interval: trade.Interval1m, Since: now.Add(-30 * 24 * time.Hour), Until: now, Limit: 10}, ""},
		{"until without since", []string{"BTC-USD", "--interval", "1d", "--until", "2026-02-01", "--limit", "2"},
			trade.CandleRange{Interval: trade.Interval1d, Since: time.Date(2026, 1, 30, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Limit: 2}, ""},
		{"unknown interval", []string{"BTC-USD", "--interval", "2h"}, trade.CandleRange{}, `--interval "2h": use one of 1m, 5m, 15m, 1h, 4h, 1d`},
		{"limit above the cap", []string{"BTC-USD", "--limit", "5001"}, trade.CandleRange{}, "--limit must be between 1 and 5000"},
		{"limit 0", []string{"BTC-USD", "--limit", "0"}, trade.CandleRange{}, "--limit must be between 1 and 5000"},
		{"range too long", []string{"BTC-USD", "--interval", "1m", "--since", "7d"}, trade.CandleRange{}, "holds 10080 1m candles, more than the 5000"},
		{"since after until", []string{"BTC-USD", "--since", "2026-03-02", "--until", "2026-03-01"}, trade.CandleRange{}, "is not before --until"},
		{"no candle in range", []string{"BTC-USD", "--since", "2026-03-02T09:10:00Z", "--until", "2026-03-02T09:20:00Z"}, trade.CandleRange{}, "no 1h candle opens"},
		{"bad since", []string{"BTC-USD", "--since", "last week"}, trade.CandleRange{}, `invalid --since "last week"`},
		{"bad until", []string{"BTC-USD", "--until", "soon"}, trade.CandleRange{}, `invalid --until "soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *CandlesOptions
			f := &cmdutil.Factory{Globals: &cmdutil.GlobalOptions{}, Now: func() time.Time { return now }}
			cmd := NewCmdCandles(f, func(o *CandlesOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&strings.Builder{})
			cmd.SetErr(&strings.Builder{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *cmdutil.UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want a usage error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Range); diff != "" {
				t.Errorf("range (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewRows(t *testing.T) {
	d := trade.Dec
	prec := render.NewPrecision([]trade.Instrument{{Symbol: btc, BaseAsset: "BTC", QuoteAsset: "USD", TickSize: d("0.01"), StepSize: d("0.0001")}})
	at := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	rows := NewRows([]trade.Candle{{Symbol: btc, Time: at, Open: d("100"), High: d("101.5"), Low: d("99.995"), Close: d("100.2"), Volume: d("12.5")}}, trade.Interval1h, prec)
	header, got := rows.CSVTable()
	if diff := cmp.Diff([]string{"time", "open", "high", "low", "close", "volume"}, header); diff != "" {
		t.Errorf("CSV header (-want +got):\n%s", diff)
	}
	want := [][]string{{"2026-01-02T03:00:00.000Z", "100.00", "101.50", "99.995", "100.20", "12.5000"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CSV rows (-want +got):\n%s", diff)
	}
	raw, _ := json.Marshal(rows[0])
	if string(raw) != `{"symbol":"BTC-USD","interval":"1h","time":"2026-01-02T03:00:00.000Z","open":"100.00","high":"101.50","low":"99.995","close":"100.20","volume":"12.5000"}` {
		t.Errorf("JSON row %s", raw)
	}
}

// TestChart: one column per candle, the plot as tall as chartHeight, the
// scale's top and bottom labels the highest high and lowest low, and a
// rising candle drawn as a body between its open and close rows.
func TestChart(t *testing.T) {
	d := trade.Dec
	at := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	cs := []trade.Candle{
		{Symbol: btc, Time: at, Open: d("100"), High: d("116"), Low: d("100"), Close: d("116"), Volume: d("1")},
		{Symbol: btc, Time: at.Add(time.Hour), Open: d("116"), High: d("116"), Low: d("100"), Close: d("108"), Volume: d("2")},
	}
	rows := NewRows(cs, trade.Interval1h, render.Precision{})
	ios, _, _, _ := iostreams.Test()
	ios.SetTerminalWidth(40)
	got := Chart(ios, btc, "paper", trade.CandleRange{Interval: trade.Interval1h}, cs, rows)
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	if len(lines) != chartHeight+2 {
		t.Fatalf("%d lines, want a header, %d plot rows and a footer:\n%s", len(lines), chartHeight, got)
	}
	plot := lines[1 : chartHeight+1]
	if !strings.HasSuffix(plot[0], " 116") || !strings.HasSuffix(plot[chartHeight-1], " 100") {
		t.Errorf("scale labels: top %q, bottom %q", plot[0], plot[chartHeight-1])
	}
	var first, second string
	for _, l := range plot {
		r := []rune(l)
		first += string(r[0])
		second += string(r[2]) // two columns a candle when they fit
	}
	if first != strings.Repeat(glyphBody, chartHeight) {
		t.Errorf("rising candle column %q, want a body from 116 down to 100", first)
	}
	if !strings.HasPrefix(second, strings.Repeat(glyphBody, chartHeight/2)) || !strings.Contains(second, glyphWick) {
		t.Errorf("falling candle column %q, want a body from 116 to 108, then a wick to 100", second)
	}
	if !strings.Contains(lines[len(lines)-1], "close 108") || !strings.Contains(lines[len(lines)-1], "+8.00% over the chart") {
		t.Errorf("footer %q", lines[len(lines)-1])
	}
}

// offering wraps the paper exchange to serve fewer intervals, as Coinbase
// does, and counts candle reads.
type offering struct {
	*paper.Exchange
	intervals []trade.Interval
	reads     int
}

func (o *offering) CandleIntervals(trade.Symbol) []trade.Interval { return o.intervals }
func (o *offering) Candles(ctx context.Context, sym trade.Symbol, r trade.CandleRange) ([]trade.Candle, error) {
	o.reads++
	return o.Exchange.Candles(ctx, sym, r)
}

func TestUnservedIntervalSendsNothing(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	var ex *offering
	ios, _, out, _ := iostreams.Test()
	o := &CandlesOptions{IO: ios,
		Printer: func() (*render.Printer, error) { return render.NewPrinter(ios, "json", "", nil) },
		OpenExchange: func(ctx context.Context, _ string) (exchange.Exchange, config.Profile, error) {
			p, err := paper.New(ctx, exchange.Params{Profile: "p", Exchange: "paper", Options: map[string]any{}, DataDir: dir, CacheDir: dir, Now: func() time.Time { return at }})
			if err != nil {
				return nil, config.Profile{}, err
			}
			ex = &offering{Exchange: p, intervals: []trade.Interval{trade.Interval1m, trade.Interval1h}}
			return ex, config.Profile{}, nil
		},
		Symbol: btc, Range: trade.Last(trade.Interval4h, at, 5)}
	err := candlesRun(context.Background(), o)
	var ue *cmdutil.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "paper does not serve 4h candles; it offers 1m, 1h") {
		t.Fatalf("error = %v, want a usage error naming the intervals offered", err)
	}
	if ex.reads != 0 || out.Len() != 0 {
		t.Errorf("refused interval: %d candle reads, output %q", ex.reads, out.String())
	}
	o.Range = trade.Last(trade.Interval1h, at, 5)
	if err := candlesRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	var rows []Row
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 5 || ex.reads != 1 {
		t.Errorf("1h: %d rows in %d reads (%v), want 5 in 1", len(rows), ex.reads, err)
	}
}
