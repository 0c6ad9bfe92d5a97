package alpaca

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func dd(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestMapOrderbook(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	venueTime := time.Date(2023, 3, 18, 13, 31, 44, 932988033, time.UTC)
	tests := []struct {
		name    string
		body    string
		depth   int
		want    trade.Book
		wantErr bool
	}{
		{"documented shape, numbers, cut to depth",
			`{"a":[{"p":27539.494,"s":0.2632414},{"p":27540,"s":1}],"b":[{"p":27511.78083,"s":0.26265668}],"t":"2023-03-18T13:31:44.932988033Z"}`, 1,
			trade.Book{Symbol: btcusd, Time: venueTime, Bids: []trade.BookLevel{{Price: dd("27511.78083"), Qty: dd("0.26265668")}}, Asks: []trade.BookLevel{{Price: dd("27539.494"), Qty: dd("0.2632414")}}}, false},
		{"exponent size", `{"a":[{"p":2,"s":1e-05}],"b":[],"t":""}`, 0,
			trade.Book{Symbol: btcusd, Time: now, Bids: []trade.BookLevel{}, Asks: []trade.BookLevel{{Price: dd("2"), Qty: dd("0.00001")}}}, false},
		{"zero price", `{"a":[{"p":0,"s":1}],"b":[]}`, 0, trade.Book{}, true},
		{"bad time", `{"a":[],"b":[],"t":"yesterday"}`, 0, trade.Book{}, true},
		{"crossed", `{"a":[{"p":1,"s":1}],"b":[{"p":2,"s":1}]}`, 0, trade.Book{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w orderbookWire
			if err := json.Unmarshal([]byte(tt.body), &w); err != nil {
				t.Fatal(err)
			}
			got, err := mapOrderbook(btcusd, w, tt.depth, now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mapOrderbook (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMapStockQuoteBook(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	w := stockQuoteWire{T: "", BP: "189.98", BS: "2", AP: "190.02", AS: "1"}
	got, err := mapStockQuoteBook(aapl, w, now)
	if err != nil {
		t.Fatal(err)
	}
	want := trade.Book{Symbol: aapl, Time: now, Bids: []trade.BookLevel{{Price: dd("189.98"), Qty: dd("2")}}, Asks: []trade.BookLevel{{Price: dd("190.02"), Qty: dd("1")}}, TopOnly: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mapStockQuoteBook (-want +got):\n%s", diff)
	}
	// A side quoted at zero (no ask outside hours) is an empty side.
	got, err = mapStockQuoteBook(aapl, stockQuoteWire{BP: "189.98", BS: "2", AP: "0", AS: "0"}, now)
	if err != nil || len(got.Asks) != 0 || len(got.Bids) != 1 {
		t.Errorf("zero ask: %+v, %v; want one bid and no ask", got, err)
	}
}

func TestMapBars(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []trade.Candle
		wantErr bool
	}{
		{"bar", `[{"t":"2026-01-02T03:04:00Z","o":60000,"h":60010.5,"l":59990,"c":60005,"v":0.25,"n":3,"vw":60001}]`,
			[]trade.Candle{{Symbol: btcusd, Time: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), Open: dd("60000"), High: dd("60010.5"), Low: dd("59990"), Close: dd("60005"), Volume: dd("0.25")}}, false},
		{"none", `[]`, []trade.Candle{}, false},
		{"no time", `[{"o":1,"h":1,"l":1,"c":1,"v":1}]`, nil, true},
		{"high below close", `[{"t":"2026-01-02T03:04:00Z","o":1,"h":1,"l":1,"c":2,"v":1}]`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w []barWire
			if err := json.Unmarshal([]byte(tt.body), &w); err != nil {
				t.Fatal(err)
			}
			got, err := mapBars(btcusd, w)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mapBars (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCandlesPaging reads 2500 1m bars: one request when Alpaca answers
// the whole limit at once, three when it pages by 1000 with
// next_page_token.
func TestCandlesPaging(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []fakealpaca.Option
		want int
	}{
		{"one page", nil, 1},
		{"pages of 1000", []fakealpaca.Option{fakealpaca.WithBarsPageSize(1000)}, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t, tt.opts...)
			ex, ctx := f.Open(t, nil), venuetest.Context(t)
			got, err := ex.Candles(ctx, btcusd, venuetest.PagingRange(time.Now(), 2500))
			if err != nil {
				t.Fatal(err)
			}
			n := f.Srv.Count("GET", pathCryptoBars)
			t.Logf("alpaca (%s): %d candles in %d bars requests", tt.name, len(got), n)
			if len(got) != 2500 || n != tt.want {
				t.Errorf("%d candles in %d requests, want 2500 in %d", len(got), n, tt.want)
			}
		})
	}
}

func TestSlippageGuardRequests(t *testing.T) {
	for _, sym := range []trade.Symbol{btcusd, aapl} {
		t.Run(sym.String(), func(t *testing.T) {
			f, ex, ctx := adapter.Start(t)
			quotes, guard := venuetest.GuardRequests(t, ctx, ex, sym, func() int { return len(f.Srv.Requests()) })
			venuetest.CheckGuardNoDearer(t, "alpaca "+sym.String(), quotes, guard)
		})
	}
}

// FuzzBookDecoders: the order book, quote-book and bars decoders never
// panic, and what they accept is valid.
func FuzzBookDecoders(f *testing.F) {
	for _, s := range []string{
		`{"a":[{"p":27539.494,"s":0.2632414}],"b":[{"p":27511.78083,"s":0.26265668}],"t":"2023-03-18T13:31:44.932988033Z"}`,
		`[{"t":"2026-01-02T03:04:00Z","o":60000,"h":60010.5,"l":59990,"c":60005,"v":0.25}]`,
		`{"t":"","bp":189.98,"bs":2,"ap":190.02,"as":1}`,
		`{"a":[{"p":1e999999999,"s":1}]}`, `{}`, `[]`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	now := time.Unix(0, 0).UTC()
	f.Fuzz(func(t *testing.T, body []byte) {
		var ow orderbookWire
		if json.Unmarshal(body, &ow) == nil {
			if b, err := mapOrderbook(btcusd, ow, 2, now); err == nil && (len(b.Bids) > 2 || len(b.Asks) > 2) {
				t.Fatalf("depth 2 gave %d bids, %d asks", len(b.Bids), len(b.Asks))
			}
		}
		var qw stockQuoteWire
		if json.Unmarshal(body, &qw) == nil {
			if b, err := mapStockQuoteBook(aapl, qw, now); err == nil && (len(b.Bids) > 1 || len(b.Asks) > 1) {
				t.Fatalf("a quote gave %d bids, %d asks", len(b.Bids), len(b.Asks))
			}
		}
		var bw []barWire
		if json.Unmarshal(body, &bw) == nil {
			if cs, err := mapBars(btcusd, bw); err == nil {
				for _, c := range cs {
					if err := c.Validate(); err != nil {
						t.Fatalf("invalid bar accepted: %v", err)
					}
				}
			}
		}
	})
}
