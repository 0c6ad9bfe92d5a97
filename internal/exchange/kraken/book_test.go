package kraken

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

var xbtRules = pairRules{ID: "XXBTZUSD", AltName: "XBTUSD", Base: "BTC", Quote: "USD"}

func dd(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestMapDepth(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		body    string
		depth   int
		want    trade.Book
		wantErr bool
	}{
		{"documented shape, cut to depth",
			`{"XXBTZUSD":{"asks":[["30384.10000","2.059",1688671659],["30387.90000","1.500",1688671380]],"bids":[["30297.00000","0.115",1688671701],["30296.70000","0.002",1688671674]]}}`, 1,
			trade.Book{Symbol: btcusd, Time: now, Bids: []trade.BookLevel{{Price: dd("30297"), Qty: dd("0.115")}}, Asks: []trade.BookLevel{{Price: dd("30384.1"), Qty: dd("2.059")}}}, false},
		{"keyed by altname", `{"XBTUSD":{"asks":[["2","1",1]],"bids":[["1","1",1]]}}`, 0,
			trade.Book{Symbol: btcusd, Time: now, Bids: []trade.BookLevel{{Price: dd("1"), Qty: dd("1")}}, Asks: []trade.BookLevel{{Price: dd("2"), Qty: dd("1")}}}, false},
		{"other pair only", `{"XETHZUSD":{"asks":[],"bids":[]}}`, 0, trade.Book{}, true},
		{"number instead of string", `{"XXBTZUSD":{"asks":[[2,1,1]],"bids":[]}}`, 0, trade.Book{}, true},
		{"short level", `{"XXBTZUSD":{"asks":[["2"]],"bids":[]}}`, 0, trade.Book{}, true},
		{"crossed", `{"XXBTZUSD":{"asks":[["1","1",1]],"bids":[["2","1",1]]}}`, 0, trade.Book{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mapDepth(btcusd, xbtRules, []byte(tt.body), tt.depth, now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mapDepth (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMapOHLC(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []trade.Candle
		wantErr bool
	}{
		{"documented entry",
			`{"XXBTZUSD":[[1688671200,"30306.1","30306.2","30305.7","30305.7","30306.1","3.39243896",23]],"last":1688672160}`,
			[]trade.Candle{{Symbol: btcusd, Time: time.Unix(1688671200, 0).UTC(), Open: dd("30306.1"), High: dd("30306.2"), Low: dd("30305.7"), Close: dd("30305.7"), Volume: dd("3.39243896")}}, false},
		{"empty", `{"XXBTZUSD":[],"last":0}`, []trade.Candle{}, false},
		{"missing pair", `{"last":0}`, nil, true},
		{"short entry", `{"XXBTZUSD":[[1,"1","1","1","1"]]}`, nil, true},
		{"low above close", `{"XXBTZUSD":[[1,"2","3","2.5","2","2","1",1]]}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mapOHLC(btcusd, xbtRules, []byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mapOHLC (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCandlesPaging: OHLC answers up to 720 entries from since, and keeps
// only its latest 720, so any range it serves is one request; a range
// reaching further back is refused before anything is sent.
func TestCandlesPaging(t *testing.T) {
	f, ex, ctx := adapter.Start(t)
	got, err := ex.Candles(ctx, btcusd, venuetest.PagingRange(time.Now(), 700))
	if err != nil {
		t.Fatal(err)
	}
	n := f.Srv.Count(pathOHLC)
	t.Logf("kraken: %d candles in %d OHLC requests", len(got), n)
	if len(got) != 700 || n != 1 {
		t.Errorf("%d candles in %d requests, want 700 in 1", len(got), n)
	}
	_, err = ex.Candles(ctx, btcusd, venuetest.PagingRange(time.Now(), 2500))
	if !errors.Is(err, exchange.ErrInvalidOrder) {
		t.Errorf("2500 minutes back: %v, want ErrInvalidOrder", err)
	}
	if n2 := f.Srv.Count(pathOHLC); n2 != n {
		t.Errorf("the refused range sent %d OHLC requests", n2-n)
	}
}

func TestSlippageGuardRequests(t *testing.T) {
	f, ex, ctx := adapter.Start(t)
	quotes, guard := venuetest.GuardRequests(t, ctx, ex, btcusd, func() int { return len(f.Srv.Requests()) })
	venuetest.CheckGuardNoDearer(t, "kraken", quotes, guard)
}

// FuzzBookDecoders: the Depth and OHLC decoders never panic, and what they
// accept is a valid book or candle list.
func FuzzBookDecoders(f *testing.F) {
	for _, s := range []string{
		`{"XXBTZUSD":{"asks":[["30384.10000","2.059",1688671659]],"bids":[["30297.00000","0.115",1688671701]]}}`,
		`{"XXBTZUSD":[[1688671200,"30306.1","30306.2","30305.7","30305.7","30306.1","3.39243896",23]],"last":1688672160}`,
		`{"XXBTZUSD":{"asks":[["1e99999","1",1]]}}`, `{}`, `[]`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	now := time.Unix(0, 0).UTC()
	f.Fuzz(func(t *testing.T, body []byte) {
		if b, err := mapDepth(btcusd, xbtRules, body, 2, now); err == nil {
			if len(b.Bids) > 2 || len(b.Asks) > 2 {
				t.Fatalf("depth 2 gave %d bids, %d asks", len(b.Bids), len(b.Asks))
			}
		}
		if cs, err := mapOHLC(btcusd, xbtRules, body); err == nil {
			for _, c := range cs {
				if err := c.Validate(); err != nil {
					t.Fatalf("invalid candle accepted: %v", err)
				}
			}
		}
	})
}
