package quote

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// runAgainstBinance runs quote BTC-USDT against a fake Binance in format
// and returns stdout and the log.
func runAgainstBinance(t *testing.T, srv *fakebinance.Server, format string, wait time.Duration) (string, string) {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	var logs bytes.Buffer
	dir := t.TempDir()
	o := &QuoteOptions{
		OpenExchange: func(ctx context.Context, _ string) (exchange.Exchange, config.Profile, error) {
			ex, err := binance.New(ctx, exchange.Params{Profile: "bn", Exchange: "binance", CacheDir: dir, DataDir: dir, HTTPClient: srv.Client(),
				Options: map[string]any{binance.KeyBaseURL: srv.URL(), binance.KeyWSURL: srv.WSURL(), binance.KeyWSAPIURL: srv.WSAPIURL()}})
			return ex, config.Profile{Name: "bn", Exchange: "binance"}, err
		},
		Printer:      func() (*render.Printer, error) { return render.NewPrinter(ios, format, "", nil) },
		Logger:       func() *slog.Logger { return slog.New(slog.NewTextHandler(&logs, nil)) },
		Symbols:      []trade.Symbol{trade.MustSymbol("BTC-USDT")},
		DayStatsWait: wait,
	}
	if err := quoteRun(context.Background(), o); err != nil {
		t.Fatalf("quote: %v", err)
	}
	return out.String(), logs.String()
}

// TestQuoteDayStats: the 24-hour figures join the quote; when their
// request fails the quote is still shown, without them, and the log says
// why.
func TestQuoteDayStats(t *testing.T) {
	srv := fakebinance.New("k", "s")
	t.Cleanup(srv.Close)

	out, logs := runAgainstBinance(t, srv, "json", time.Minute)
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(got) != 1 || got[0]["change_24h"] != "1200" || got[0]["volume_24h"] != "1234.5" || got[0]["high_24h"] != "60000.01" {
		t.Errorf("quote with 24h figures: %s", out)
	}
	if logs != "" {
		t.Errorf("log without a failure: %s", logs)
	}

	for _, format := range []string{"json", "table"} {
		srv.Inject(fakebinance.Failure{Method: "GET", Path: "/api/v3/ticker/24hr", Status: 500, Body: `{"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}`})
		out, logs := runAgainstBinance(t, srv, format, time.Minute)
		if !strings.Contains(out, "60000.01") {
			t.Errorf("%s: the quote is missing after a failed 24hr request:\n%s", format, out)
		}
		if strings.Contains(out, "24h") || strings.Contains(out, "24H") {
			t.Errorf("%s: 24-hour figures shown after their request failed:\n%s", format, out)
		}
		if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "24-hour figures") || !strings.Contains(logs, "Internal error") {
			t.Errorf("%s: log %q, want a warning with the venue's reason", format, logs)
		}
	}
}

// TestQuoteDayStatsSlow: figures that do not come within DayStatsWait of
// the quotes are given up; the quote is shown without them.
func TestQuoteDayStatsSlow(t *testing.T) {
	srv := fakebinance.New("k", "s")
	t.Cleanup(srv.Close)
	srv.Inject(fakebinance.Failure{Method: "GET", Path: "/api/v3/ticker/24hr", Mode: fakebinance.Hang})
	out, logs := runAgainstBinance(t, srv, "json", 50*time.Millisecond)
	if !strings.Contains(out, `"ask": "60000.01"`) || strings.Contains(out, "24h") {
		t.Errorf("want the quote without 24h figures, got:\n%s", out)
	}
	if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "no answer 50ms after the quotes") {
		t.Errorf("log %q, want a warning that the figures did not come", logs)
	}
}

// TestMergeDayStats: figures go to quotes that lack their own; a venue's
// own ticker figures are kept.
func TestMergeDayStats(t *testing.T) {
	d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
	btc, eth := trade.MustSymbol("BTC-USD"), trade.MustSymbol("ETH-USD")
	quotes := []trade.Quote{{Symbol: btc}, {Symbol: eth, Stats24h: trade.Stats24h{High24h: d("5")}}}
	stats := map[trade.Symbol]trade.Stats24h{btc: {Volume24h: d("7")}, eth: {Volume24h: d("9")}}
	want := []trade.Quote{{Symbol: btc, Stats24h: trade.Stats24h{Volume24h: d("7")}}, {Symbol: eth, Stats24h: trade.Stats24h{High24h: d("5")}}}
	if diff := cmp.Diff(want, MergeDayStats(quotes, stats)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(quotes, MergeDayStats(quotes, nil)); diff != "" {
		t.Errorf("without stats (-want +got):\n%s", diff)
	}
}
