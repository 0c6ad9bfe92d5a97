package instruments_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmd/instruments"
	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestMatch(t *testing.T) {
	in := func(sym, venue string) trade.Instrument {
		s := trade.MustSymbol(sym)
		quote := s.Quote
		if quote == "" {
			quote = "USD"
		}
		return trade.Instrument{Symbol: s, BaseAsset: s.Base, QuoteAsset: quote, VenueSymbol: venue}
	}
	list := []trade.Instrument{in("XRP-USD", "XXRPZUSD"), in("BTC-USD", "XXBTZUSD"), in("ETH-BTC", "XETHXXBT"), in("ETH-USD", "XETHZUSD"), in("AAPL", "AAPL")}
	tests := []struct {
		search string
		want   []string
	}{
		{"", []string{"AAPL", "BTC-USD", "ETH-BTC", "ETH-USD", "XRP-USD"}},
		{"btc", []string{"BTC-USD", "ETH-BTC"}},                    // base or quote, any case
		{"xbt", []string{"BTC-USD", "ETH-BTC"}},                    // the venue's own name
		{"eth-usd", []string{"ETH-USD"}},                           // the whole symbol
		{"EHT", []string{"ETH-BTC", "ETH-USD"}},                    // no substring: two letters swapped in the base
		{"LTC", []string{}},                                        // one letter off a three-letter ticker is another ticker
		{"ETH-UDS", []string{"ETH-USD"}},                           // of the symbol
		{"DOGE", []string{}},                                       // nothing near
		{"usd", []string{"AAPL", "BTC-USD", "ETH-USD", "XRP-USD"}}, // a stock quoted in USD too
	}
	for _, tc := range tests {
		t.Run(tc.search, func(t *testing.T) {
			got := []string{}
			for _, i := range instruments.Match(list, tc.search) {
				got = append(got, i.Symbol.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Match(%q) (-want +got):\n%s", tc.search, diff)
			}
		})
	}
}

// TestThroughRuleCache: the list is read through the venue's rule cache,
// one request cold and none warm, and carries each symbol's status.
func TestThroughRuleCache(t *testing.T) {
	v := ordertest.NewVenue(t)
	run := func(args ...string) ([][]string, []string) {
		t.Helper()
		ios, _, out, _ := iostreams.Test()
		f := v.Factory(ios)
		defer f.RunExitHooks()
		before := len(v.Server.Requests())
		cmd := instruments.NewCmdInstruments(f, nil)
		cmd.SetArgs(args)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatal(err)
		}
		var rows [][]string
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:] {
			rows = append(rows, strings.Fields(l))
		}
		return rows, v.Since(before)
	}
	got, requests := run("btc")
	if diff := cmp.Diff([]string{"GET /api/v3/exchangeInfo"}, requests); diff != "" {
		t.Errorf("cold requests (-want +got):\n%s", diff)
	}
	// symbol, base, quote, tick, step, min qty, min notional, status, venue symbol
	want := [][]string{
		{"BTC-USDT", "BTC", "USDT", "0.01", "0.00001", "0.00001", "5", "trading", "BTCUSDT"},
		{"ETH-BTC", "ETH", "BTC", "0.00001", "0.0001", "0.0001", "0.0001", "trading", "ETHBTC"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("table rows (-want +got):\n%s", diff)
	}
	if _, requests := run("btc"); len(requests) != 0 {
		t.Errorf("warm run sent %v, want nothing", requests)
	}
}
