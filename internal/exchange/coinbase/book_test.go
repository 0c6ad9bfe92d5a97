package coinbase

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func dd(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestMapProductBook(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	venueTime := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	tests := []struct {
		name    string
		body    string
		depth   int
		want    trade.Book
		wantErr bool
	}{
		{"documented shape, venue time, cut to depth",
			`{"pricebook":{"product_id":"BTC-USD","bids":[{"price":"60000","size":"1.5"},{"price":"59999.99","size":"2"}],"asks":[{"price":"60000.01","size":"0.5"}],"time":"2026-01-02T03:04:00Z"},"last":"60000","mid_market":"60000.005"}`, 1,
			trade.Book{Symbol: btcusd, Time: venueTime, Bids: []trade.BookLevel{{Price: dd("60000"), Qty: dd("1.5")}}, Asks: []trade.BookLevel{{Price: dd("60000.01"), Qty: dd("0.5")}}}, false},
		{"no time", `{"pricebook":{"product_id":"BTC-USD","bids":[],"asks":[]}}`, 0,
			trade.Book{Symbol: btcusd, Time: now, Bids: []trade.BookLevel{}, Asks: []trade.BookLevel{}}, false},
		{"other product", `{"pricebook":{"product_id":"ETH-USD","bids":[],"asks":[]}}`, 0, trade.Book{}, true},
		{"bad size", `{"pricebook":{"product_id":"BTC-USD","bids":[{"price":"1","size":"x"}],"asks":[]}}`, 0, trade.Book{}, true},
		{"crossed", `{"pricebook":{"product_id":"BTC-USD","bids":[{"price":"2","size":"1"}],"asks":[{"price":"1","size":"1"}]}}`, 0, trade.Book{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w productBookWire
			if err := json.Unmarshal([]byte(tt.body), &w); err != nil {
				t.Fatal(err)
			}
			got, err := mapProductBook(btcusd, w, tt.depth, now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mapProductBook (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMapCandles(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []trade.Candle
		wantErr bool
	}{
		{"documented candle", `{"candles":[{"start":"1639508050","low":"140.21","high":"140.21","open":"140.21","close":"140.21","volume":"56437345"}]}`,
			[]trade.Candle{{Symbol: btcusd, Time: time.Unix(1639508050, 0).UTC(), Open: dd("140.21"), High: dd("140.21"), Low: dd("140.21"), Close: dd("140.21"), Volume: dd("56437345")}}, false},
		{"none", `{"candles":[]}`, []trade.Candle{}, false},
		{"start not a number", `{"candles":[{"start":"soon","low":"1","high":"1","open":"1","close":"1","volume":"1"}]}`, nil, true},
		{"negative volume", `{"candles":[{"start":"1","low":"1","high":"1","open":"1","close":"1","volume":"-1"}]}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w candlesWire
			if err := json.Unmarshal([]byte(tt.body), &w); err != nil {
				t.Fatal(err)
			}
			got, err := mapCandles(btcusd, w)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mapCandles (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCandlesPaging reads 2500 1m candles: eight pages of at most 350.
func TestCandlesPaging(t *testing.T) {
	f, ex, ctx := adapter.Start(t)
	got, err := ex.Candles(ctx, btcusd, venuetest.PagingRange(time.Now(), 2500))
	if err != nil {
		t.Fatal(err)
	}
	n := f.Srv.Count("GET", fakecoinbase.Prefix+"/market/products/BTC-USD/candles")
	t.Logf("coinbase: %d candles in %d candles requests", len(got), n)
	if len(got) != 2500 || n != 8 {
		t.Errorf("%d candles in %d requests, want 2500 in 8 (pages of 350)", len(got), n)
	}
}

// TestFourHourRefused: the public candles endpoint has no FOUR_HOUR, so 4h
// is refused before any request.
func TestFourHourRefused(t *testing.T) {
	f, ex, ctx := adapter.Start(t)
	before := len(f.Srv.Requests())
	r := trade.CandleRange{Interval: trade.Interval4h, Since: time.Now().Add(-48 * time.Hour), Until: time.Now(), Limit: 10}
	_, err := ex.Candles(ctx, btcusd, r)
	if err == nil {
		t.Fatal("4h candles: no error")
	}
	if n := len(f.Srv.Requests()) - before; n != 0 {
		t.Errorf("refusing 4h sent %d requests", n)
	}
}

// TestSlippageGuardRequests measures the guard with a key (top of book:
// best_bid_ask and the product list) and without one (the public ticker);
// the book is one public request either way.
func TestSlippageGuardRequests(t *testing.T) {
	t.Run("with a key", func(t *testing.T) {
		f, ex, ctx := adapter.Start(t)
		quotes, guard := venuetest.GuardRequests(t, ctx, ex, btcusd, func() int { return len(f.Srv.Requests()) })
		venuetest.CheckGuardNoDearer(t, "coinbase (key)", quotes, guard)
	})
	t.Run("without a key", func(t *testing.T) {
		f := adapter.Fixture(t)
		p := f.Params(nil)
		p.Secret = func(context.Context, string) (string, error) { return "", nil }
		ex, err := New(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ex.Close() })
		quotes, guard := venuetest.GuardRequests(t, ctxT(t), ex, btcusd, func() int { return len(f.Srv.Requests()) })
		venuetest.CheckGuardNoDearer(t, "coinbase (no key)", quotes, guard)
	})
}

// FuzzBookDecoders: the product_book and candles decoders never panic,
// and what they accept is a valid book or candle list.
func FuzzBookDecoders(f *testing.F) {
	for _, s := range []string{
		`{"pricebook":{"product_id":"BTC-USD","bids":[{"price":"60000","size":"1.5"}],"asks":[{"price":"60000.01","size":"0.5"}],"time":"2026-01-02T03:04:00Z"}}`,
		`{"candles":[{"start":"1639508050","low":"140.21","high":"140.21","open":"140.21","close":"140.21","volume":"56437345"}]}`,
		`{"pricebook":{"bids":[{"price":"1e99999","size":"1"}]}}`, `{}`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	now := time.Unix(0, 0).UTC()
	f.Fuzz(func(t *testing.T, body []byte) {
		var bw productBookWire
		if json.Unmarshal(body, &bw) == nil {
			if b, err := mapProductBook(btcusd, bw, 2, now); err == nil && (len(b.Bids) > 2 || len(b.Asks) > 2) {
				t.Fatalf("depth 2 gave %d bids, %d asks", len(b.Bids), len(b.Asks))
			}
		}
		var cw candlesWire
		if json.Unmarshal(body, &cw) == nil {
			if cs, err := mapCandles(btcusd, cw); err == nil {
				for _, c := range cs {
					if err := c.Validate(); err != nil {
						t.Fatalf("invalid candle accepted: %v", err)
					}
				}
			}
		}
	})
}
