package watch

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestWatchFlags(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		wantSymbols []string
		wantAlerts  []string
		wantUsage   string
	}{
		{name: "every --alert applies", args: []string{"BTC-USD", "--alert", "BTC-USD.last > 1", "--alert", "ETH-USD.bid < 2"},
			wantSymbols: []string{"BTC-USD", "ETH-USD"}, wantAlerts: []string{"BTC-USD.last > 1", "ETH-USD.bid < 2"}},
		{name: "symbols deduplicated", args: []string{"btc-usd", "BTC/USD", "AAPL"}, wantSymbols: []string{"BTC-USD", "AAPL"}},
		{name: "until adds its symbols", args: []string{"AAPL", "--until", "ETH-USD.bid < 2000 or BTC-USD.change_pct > 5"}, wantSymbols: []string{"AAPL", "ETH-USD", "BTC-USD"}},
		{name: "condition alone is enough", args: []string{"--alert", "SOL-USD.last > 1"}, wantSymbols: []string{"SOL-USD"}, wantAlerts: []string{"SOL-USD.last > 1"}},
		{name: "nothing to watch", args: nil, wantUsage: "at least one symbol"},
		{name: "bad expression names the column", args: []string{"--until", "BTC-USD.last >> 5"}, wantUsage: "column"},
		{name: "exponent refused", args: []string{"--until", "BTC-USD.last > 1e3"}, wantUsage: "--until"},
		{name: "unknown field", args: []string{"--until", "BTC-USD.volume > 1"}, wantUsage: "--until"},
		{name: "bad symbol", args: []string{"BTC--USD"}, wantUsage: "invalid symbol"},
		{name: "interval too small", args: []string{"BTC-USD", "--interval", "1ms"}, wantUsage: "--interval"},
		{name: "negative count", args: []string{"BTC-USD", "--count", "-1"}, wantUsage: "--count"},
		{name: "stale-after too small", args: []string{"BTC-USD", "--stale-after", "100ms"}, wantUsage: "--stale-after must be at least"},
		{name: "stale-after not past the interval", args: []string{"BTC-USD", "--stale-after", "2s", "--interval", "2s"}, wantUsage: "must be longer than --interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.GlobalOptions{}}
			var got *WatchOptions
			cmd := NewCmdWatch(f, func(o *WatchOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantUsage != "" {
				if _, ok := err.(*cmdutil.UsageError); !ok || !strings.Contains(err.Error(), tt.wantUsage) {
					t.Fatalf("error = %v, want usage error containing %q", err, tt.wantUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var syms []string
			for _, s := range got.Symbols {
				syms = append(syms, s.String())
			}
			if diff := cmp.Diff(tt.wantSymbols, syms); diff != "" {
				t.Errorf("symbols (-want +got):\n%s", diff)
			}
			var alerts []string
			for _, a := range got.Alerts {
				alerts = append(alerts, a.String())
			}
			if diff := cmp.Diff(tt.wantAlerts, alerts); diff != "" {
				t.Errorf("alerts (-want +got):\n%s", diff)
			}
			if got.Interval != time.Second {
				t.Errorf("default interval = %v", got.Interval)
			}
			if got.StaleAfter != DefaultStaleAfter {
				t.Errorf("default --stale-after = %v", got.StaleAfter)
			}
		})
	}
}

// TestPipedTable: piped, a table asked for by -o or TRADECTL_OUTPUT is
// refused, while one that is only the default (or the file's) becomes a
// stream of JSON lines; on a terminal a table is drawn.
func TestPipedTable(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		tty       bool
		wantUsage bool
	}{
		{name: "default, piped"},
		{name: "TRADECTL_OUTPUT=table, piped", env: map[string]string{"TRADECTL_OUTPUT": "table"}, wantUsage: true},
		{name: "TRADECTL_OUTPUT=table, terminal", env: map[string]string{"TRADECTL_OUTPUT": "table"}, tty: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			ios.SetTTY(false, tt.tty, false)
			f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.GlobalOptions{}, Getenv: func(k string) string { return tt.env[k] }}
			var opts *WatchOptions
			cmd := NewCmdWatch(f, func(o *WatchOptions) error { opts = o; return nil })
			cmd.SetArgs([]string{"BTC-USD"})
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			p, err := render.NewPrinter(ios, "table", "", time.Now)
			if err != nil {
				t.Fatal(err)
			}
			err = streamOutput(opts, p)
			if _, usage := err.(*cmdutil.UsageError); usage != tt.wantUsage || (err != nil && !usage) {
				t.Errorf("streamOutput() = %v, want a usage error: %v", err, tt.wantUsage)
			}
		})
	}
}

func TestSparkline(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"5"}, "▁"},
		{[]string{"1", "1", "1"}, "▁▁▁"},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8"}, "▁▂▃▄▅▆▇█"},
		{[]string{"10", "0", "10"}, "█▁█"},
	}
	for _, tt := range tests {
		ds := make([]decimal.Decimal, len(tt.in))
		for i, s := range tt.in {
			ds[i] = trade.Dec(s)
		}
		if got := Sparkline(ds); got != tt.want {
			t.Errorf("Sparkline(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
