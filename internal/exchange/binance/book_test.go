package binance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestMapDepth(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		w       depthWire
		depth   int
		want    trade.Book
		wantErr bool
	}{
		{"sorted and cut to depth",
			depthWire{Bids: [][2]string{{"99.00000000", "1.5"}, {"100.00", "2"}, {"98", "0"}}, Asks: [][2]string{{"101", "3"}, {"102", "4"}}},
			1,
			trade.Book{Symbol: btcusdt, Time: now, Bids: []trade.BookLevel{{Price: d("100"), Qty: d("2")}}, Asks: []trade.BookLevel{{Price: d("101"), Qty: d("3")}}},
			false},
		{"empty side kept empty", depthWire{Asks: [][2]string{{"101", "3"}}}, 0,
			trade.Book{Symbol: btcusdt, Time: now, Bids: []trade.BookLevel{}, Asks: []trade.BookLevel{{Price: d("101"), Qty: d("3")}}}, false},
		{"crossed", depthWire{Bids: [][2]string{{"102", "1"}}, Asks: [][2]string{{"101", "1"}}}, 0, trade.Book{}, true},
		{"bad number", depthWire{Bids: [][2]string{{"x", "1"}}}, 0, trade.Book{}, true},
		{"zero price", depthWire{Bids: [][2]string{{"0", "1"}}}, 0, trade.Book{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mapDepth(btcusdt, tt.w, tt.depth, now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mapDepth (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMapKlines(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []trade.Candle
		wantErr bool
	}{
		{"documented row", `[[1499040000000,"0.01634790","0.80000000","0.01575800","0.01577100","148976.11427815",1499644799999,"2434.19055334",308,"1756.87402397","28.46694368","0"]]`,
			[]trade.Candle{{Symbol: btcusdt, Time: time.UnixMilli(1499040000000).UTC(), Open: d("0.01634790"), High: d("0.8"), Low: d("0.015758"), Close: d("0.015771"), Volume: d("148976.11427815")}}, false},
		{"empty", `[]`, []trade.Candle{}, false},
		{"short row", `[[1499040000000,"1","1","1"]]`, nil, true},
		{"number not string", `[[1,1,1,1,1,1]]`, nil, true},
		{"high below open", `[[1,"2","1","1","1","1"]]`, nil, true},
		{"not an array", `{"code":-1121}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mapKlines(btcusdt, []byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mapKlines (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCandlesPaging reads 2500 1m candles: three pages of at most 1000.
func TestCandlesPaging(t *testing.T) {
	f, ex, ctx := adapter.Start(t)
	r := venuetest.PagingRange(time.Now(), 2500)
	got, err := ex.Candles(ctx, btcusdt, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2500 {
		t.Errorf("got %d candles, want 2500", len(got))
	}
	n := f.Srv.Count("GET", "/api/v3/klines")
	t.Logf("binance: %d candles in %d klines requests", len(got), n)
	if n != 3 {
		t.Errorf("%d klines requests, want 3 (pages of 1000)", n)
	}
	for _, q := range f.Srv.Requests() {
		if q.Path == "/api/v3/klines" && (!strings.Contains(q.Query, "interval=1m") || !strings.Contains(q.Query, "limit=")) {
			t.Errorf("klines query %q lacks the interval or limit", q.Query)
		}
	}
}

func TestSlippageGuardRequests(t *testing.T) {
	f, ex, ctx := adapter.Start(t)
	quotes, guard := venuetest.GuardRequests(t, ctx, ex, btcusdt, func() int { return len(f.Srv.Requests()) })
	venuetest.CheckGuardNoDearer(t, "binance", quotes, guard)
}

// FuzzBookDecoders feeds arbitrary bytes to the depth and kline decoders:
// no panic, and whatever they accept is a valid book or candle list.
func FuzzBookDecoders(f *testing.F) {
	for _, s := range []string{
		`{"lastUpdateId":1,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}`,
		`[[1499040000000,"0.01634790","0.80000000","0.01575800","0.01577100","148976.11427815",1499644799999,"2434.19055334",308,"1756.87402397","28.46694368","0"]]`,
		`{"bids":[["1e999999","1"]]}`, `[[1,"1","1","1","1"]]`, `[]`, `{}`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	now := time.Unix(0, 0).UTC()
	f.Fuzz(func(t *testing.T, body []byte) {
		var w depthWire
		if json.Unmarshal(body, &w) == nil {
			if b, err := mapDepth(btcusdt, w, 3, now); err == nil {
				if len(b.Bids) > 3 || len(b.Asks) > 3 {
					t.Fatalf("depth 3 gave %d bids, %d asks", len(b.Bids), len(b.Asks))
				}
				if len(b.Bids) > 0 && len(b.Asks) > 0 && b.Bids[0].Price.GreaterThanOrEqual(b.Asks[0].Price) {
					t.Fatalf("crossed book accepted: %+v", b)
				}
			}
		}
		if cs, err := mapKlines(btcusdt, body); err == nil {
			for _, c := range cs {
				if err := c.Validate(); err != nil {
					t.Fatalf("invalid candle accepted: %v", err)
				}
			}
		}
	})
}
