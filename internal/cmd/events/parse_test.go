package events

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name         string
		args         []string
		wantSymbol   string
		wantInterval time.Duration
		wantUsage    string
	}{
		{name: "defaults", args: nil, wantInterval: 2 * time.Second},
		{name: "one symbol", args: []string{"--symbol", "btc/usd"}, wantSymbol: "BTC-USD", wantInterval: 2 * time.Second},
		{name: "bad symbol", args: []string{"--symbol", "BTC--USD"}, wantUsage: "--symbol"},
		{name: "interval too small", args: []string{"--interval", "10ms"}, wantUsage: "--interval"},
		{name: "no arguments", args: []string{"BTC-USD"}, wantUsage: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.GlobalOptions{}}
			var got *EventsOptions
			cmd := NewCmdEvents(f, func(o *EventsOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantUsage != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantUsage) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sym := ""
			if !got.Symbol.IsZero() {
				sym = got.Symbol.String()
			}
			if sym != tt.wantSymbol || got.Interval != tt.wantInterval {
				t.Errorf("symbol %q, interval %s; want %q, %s", sym, got.Interval, tt.wantSymbol, tt.wantInterval)
			}
		})
	}
}

func TestLine(t *testing.T) {
	at := trade.JSONTime(time.Date(2026, 11, 27, 12, 0, 1, 500e6, time.Local))
	d := decimal.RequireFromString
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{
			name: "fill",
			ev: Event{Time: at, Profile: "paper", Kind: "fill", Fill: &trade.Fill{ID: "7", OrderID: "3",
				Symbol: trade.MustSymbol("BTC-USD"), Side: trade.Buy, Qty: d("0.01"), Price: d("65000.5")}},
			want: "12:00:01.500  paper      fill  BTC-USD    buy  0.01 @ 65000.5  order 3",
		},
		{
			name: "order",
			ev: Event{Time: at, Profile: "live", Kind: "order", Order: &trade.Order{ID: "BTCUSDT:28",
				Symbol: trade.MustSymbol("BTC-USDT"), Side: trade.Sell, Type: trade.Limit, Status: trade.StatusPartiallyFilled,
				Qty: d("2"), FilledQty: d("0.5")}},
			want: "12:00:01.500  live       order BTC-USDT   sell limit  partially_filled, filled 0.5 of 2  order BTCUSDT:28",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Line(tt.ev)); diff != "" {
				t.Errorf("Line (-want +got):\n%s", diff)
			}
		})
	}
}
