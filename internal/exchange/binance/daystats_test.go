package binance

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/trade"
)

func decPtr(s string) *decimal.Decimal { return trade.DecimalPtr(decimal.RequireFromString(s)) }

func timePtr(t time.Time) *trade.JSONTime { j := trade.JSONTime(t); return &j }

// TestMapTicker24h: each figure comes from its own field, as Binance
// writes it; a missing one stays nil; bad values are refused.
func TestMapTicker24h(t *testing.T) {
	at := time.UnixMilli(1499869899040).UTC()
	tests := []struct {
		name    string
		in      ticker24hWire
		want    trade.Stats24h
		wantErr bool
	}{
		{name: "documented example", in: ticker24hWire{Symbol: "BNBBTC", PriceChange: "-94.99999800", PriceChangePercent: "-95.960",
			HighPrice: "100.00000000", LowPrice: "0.10000000", Volume: "8913.30000000", CloseTime: 1499869899040},
			want: trade.Stats24h{Change24h: decPtr("-94.999998"), Change24hPct: decPtr("-95.96"), High24h: decPtr("100"), Low24h: decPtr("0.1"),
				Volume24h: decPtr("8913.3"), StatsTime: timePtr(at)}},
		{name: "MINI answer: no change fields", in: ticker24hWire{Symbol: "BNBBTC", HighPrice: "2", LowPrice: "1", Volume: "0", CloseTime: 1499869899040},
			want: trade.Stats24h{High24h: decPtr("2"), Low24h: decPtr("1"), Volume24h: decPtr("0"), StatsTime: timePtr(at)}},
		{name: "no figures: no time either", in: ticker24hWire{Symbol: "BNBBTC", CloseTime: 1499869899040}},
		{name: "no close time", in: ticker24hWire{Symbol: "BNBBTC", PriceChange: "1"}, want: trade.Stats24h{Change24h: decPtr("1")}},
		{name: "not a decimal", in: ticker24hWire{PriceChange: "1,5"}, wantErr: true},
		{name: "float syntax", in: ticker24hWire{Volume: "1e3"}, wantErr: true},
		{name: "negative volume", in: ticker24hWire{Volume: "-1"}, wantErr: true},
		{name: "negative high", in: ticker24hWire{HighPrice: "-1"}, wantErr: true},
		{name: "low above high", in: ticker24hWire{HighPrice: "1", LowPrice: "2"}, wantErr: true},
		{name: "negative close time", in: ticker24hWire{Volume: "1", CloseTime: -1}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mapTicker24h(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeTicker24h: an object for symbol=, an array for symbols=;
// symbols not asked for are skipped.
func TestDecodeTicker24h(t *testing.T) {
	by := map[string]trade.Symbol{"BTCUSDT": btcusdt}
	for _, body := range []string{
		`{"symbol":"BTCUSDT","priceChange":"5","volume":"2","closeTime":0}`,
		`[{"symbol":"XRPUSDT","priceChange":"9"},{"symbol":"BTCUSDT","priceChange":"5","volume":"2"}]`,
	} {
		got, err := decodeTicker24h([]byte(body), by)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		want := map[trade.Symbol]trade.Stats24h{btcusdt: {Change24h: decPtr("5"), Volume24h: decPtr("2")}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", body, diff)
		}
	}
	if _, err := decodeTicker24h([]byte(`{"symbol":"BTCUSDT","closeTime":"soon"}`), by); err == nil {
		t.Error("a closeTime that is not a number was accepted")
	}
}

// TestTicker24hWeight follows the weight table of the Spot REST docs.
func TestTicker24hWeight(t *testing.T) {
	got := map[int]int{}
	for _, n := range []int{1, 2, 20, 21, 100, 101, 500} {
		got[n] = ticker24hWeight(n)
	}
	want := map[int]int{1: 2, 2: 2, 20: 2, 21: 40, 100: 40, 101: 80, 500: 80}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("weight by symbol count (-want +got):\n%s", diff)
	}
}

// TestDayStatsAgainstFake: one unsigned request, symbol= for one symbol
// and symbols= for several, type FULL, charged the weight the adapter
// counted; the figures agree with the book the fake serves.
func TestDayStatsAgainstFake(t *testing.T) {
	pinned := func() time.Time { return time.Date(2026, 7, 1, 12, 0, 30, 0, time.UTC) }
	ethusdt := trade.MustSymbol("ETH-USDT")
	tests := []struct {
		name      string
		syms      []trade.Symbol
		wantQuery url.Values
		wantStats map[trade.Symbol]trade.Stats24h
	}{
		{name: "one", syms: []trade.Symbol{btcusdt, btcusdt},
			wantQuery: url.Values{"symbol": {"BTCUSDT"}, "type": {"FULL"}},
			wantStats: map[trade.Symbol]trade.Stats24h{btcusdt: {Change24h: decPtr("1200"), Change24hPct: decPtr("2.041"),
				High24h: decPtr("60000.01"), Low24h: decPtr("58800"), Volume24h: decPtr("1234.5"), StatsTime: timePtr(pinned())}}},
		{name: "several", syms: []trade.Symbol{btcusdt, ethusdt},
			wantQuery: url.Values{"symbols": {`["BTCUSDT","ETHUSDT"]`}, "type": {"FULL"}},
			wantStats: map[trade.Symbol]trade.Stats24h{
				btcusdt: {Change24h: decPtr("1200"), Change24hPct: decPtr("2.041"), High24h: decPtr("60000.01"), Low24h: decPtr("58800"),
					Volume24h: decPtr("1234.5"), StatsTime: timePtr(pinned())},
				ethusdt: {Change24h: decPtr("60"), Change24hPct: decPtr("2.041"), High24h: decPtr("3000.01"), Low24h: decPtr("2940"),
					Volume24h: decPtr("1234.5"), StatsTime: timePtr(pinned())}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t, fakebinance.WithClock(pinned))
			e := f.Open(t, nil, func(e *Exchange) { e.Now = pinned })
			f.Srv.SetUsedWeight(0)
			got, err := e.DayStats(ctxT(t), tt.syms)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantStats, got); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
			reqs := f.Srv.Requests()
			if len(reqs) != 1 || reqs[0].Route() != "GET /api/v3/ticker/24hr" {
				t.Fatalf("requests %v, want one GET /api/v3/ticker/24hr", reqs)
			}
			q, err := url.ParseQuery(reqs[0].Query)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantQuery, q); diff != "" {
				t.Errorf("query (-want +got):\n%s", diff)
			}
			if charged := f.Srv.UsedWeight(); charged != 2 {
				t.Errorf("the venue charged weight %d, want 2", charged)
			}
			e.limiter.mu.Lock()
			counted := e.limiter.used
			e.limiter.mu.Unlock()
			if counted != 2 {
				t.Errorf("the limiter counted weight %d, want 2", counted)
			}
		})
	}
}

// TestDayStatsUnknownSymbol: Binance's -1121 is ErrNotFound naming the
// symbol.
func TestDayStatsUnknownSymbol(t *testing.T) {
	_, e, ctx := adapter.Start(t)
	_, err := e.DayStats(ctx, []trade.Symbol{trade.MustSymbol("NOPE-USDT")})
	if !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}
