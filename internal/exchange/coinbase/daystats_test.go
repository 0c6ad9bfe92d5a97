package coinbase

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/trade"
)

func decPtr(s string) *decimal.Decimal { return trade.DecimalPtr(decimal.RequireFromString(s)) }

// TestMapProductStats: the change in percent and the volume are read as
// Coinbase writes them; change, high, low and time are never invented.
func TestMapProductStats(t *testing.T) {
	tests := []struct {
		name    string
		in      productStatsWire
		want    trade.Stats24h
		wantErr bool
	}{
		{name: "both", in: productStatsWire{ProductID: "BTC-USD", PricePercentageChange24h: "-2.6170468018115006", Volume24h: "9571.21698146"},
			want: trade.Stats24h{Change24hPct: decPtr("-2.6170468018115006"), Volume24h: decPtr("9571.21698146")}},
		{name: "percent sign, as the reference's example", in: productStatsWire{PricePercentageChange24h: "9.43%", Volume24h: "1908432"},
			want: trade.Stats24h{Change24hPct: decPtr("9.43"), Volume24h: decPtr("1908432")}},
		{name: "only a percent sign", in: productStatsWire{PricePercentageChange24h: "%"}},
		{name: "two percent signs", in: productStatsWire{PricePercentageChange24h: "1%%"}, wantErr: true},
		{name: "volume only", in: productStatsWire{Volume24h: "0"}, want: trade.Stats24h{Volume24h: decPtr("0")}},
		{name: "none", in: productStatsWire{ProductID: "BTC-USD"}},
		{name: "percent not a decimal", in: productStatsWire{PricePercentageChange24h: "NaN"}, wantErr: true},
		{name: "float syntax", in: productStatsWire{Volume24h: "1e5"}, wantErr: true},
		{name: "negative volume", in: productStatsWire{Volume24h: "-3"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mapProductStats(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeProductStats: the answer must be the product asked for.
func TestDecodeProductStats(t *testing.T) {
	if _, err := decodeProductStats([]byte(`{"product_id":"ETH-USD","volume_24h":"1"}`), "BTC-USD"); err == nil {
		t.Error("an answer for another product was accepted")
	}
	got, err := decodeProductStats([]byte(`{"product_id":"BTC-USD","price":"1","price_percentage_change_24h":"1.5","volume_24h":"7"}`), "BTC-USD")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(trade.Stats24h{Change24hPct: decPtr("1.5"), Volume24h: decPtr("7")}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzDecodeProductStats(f *testing.F) {
	f.Add(`{"product_id":"BTC-USD","price_percentage_change_24h":"-2.6170468018115006","volume_24h":"9571.2"}`)
	f.Add(`{"product_id":"BTC-USD","volume_24h":"-1"}`)
	f.Add(`{"product_id":"BTC-USD","price_percentage_change_24h":1.5}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, s string) {
		st, err := decodeProductStats([]byte(s), "BTC-USD")
		if err != nil {
			return
		}
		if st.Volume24h != nil && st.Volume24h.IsNegative() {
			t.Fatalf("%q: negative volume accepted", s)
		}
		if st.Change24h != nil || st.High24h != nil || st.Low24h != nil || st.StatsTime != nil {
			t.Fatalf("%q: a figure Coinbase's product does not carry was filled: %+v", s, st)
		}
	})
}

// TestDayStatsAgainstFake: one public, unsigned product request per
// distinct symbol; the percent agrees with the fake's prices.
func TestDayStatsAgainstFake(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	sol := trade.MustSymbol("SOL-USD")
	if _, err := e.Instruments(ctx); err != nil { // the product list, cached as after any earlier command
		t.Fatal(err)
	}
	before := len(f.Srv.Requests())
	got, err := e.DayStats(ctx, []trade.Symbol{btcusd, sol, btcusd})
	if err != nil {
		t.Fatal(err)
	}
	want := map[trade.Symbol]trade.Stats24h{
		btcusd: {Change24hPct: decPtr("2.0408163265306122"), Volume24h: decPtr("1000")},
		sol:    {Change24hPct: decPtr("2.0408163265306122"), Volume24h: decPtr("1000")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	var routes []string
	for _, r := range f.Srv.Requests()[before:] {
		routes = append(routes, r.Route())
		if r.Query != "" || r.Authenticated || r.AuthError != "" {
			t.Errorf("%s: query %q, authenticated %v (%s); want a bare public request", r.Route(), r.Query, r.Authenticated, r.AuthError)
		}
	}
	slices.Sort(routes)
	wantRoutes := []string{"GET " + fakecoinbase.Prefix + "/market/products/BTC-USD", "GET " + fakecoinbase.Prefix + "/market/products/SOL-USD"}
	if diff := cmp.Diff(wantRoutes, routes); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// TestDayStatsUnknownSymbol: named from the product list, before any
// product request.
func TestDayStatsUnknownSymbol(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	_, err := e.DayStats(ctx, []trade.Symbol{trade.MustSymbol("NOPE-USD")})
	if !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if n := f.Srv.Count("GET", fakecoinbase.Prefix+"/market/products/NOPE-USD"); n != 0 {
		t.Errorf("%d product requests for an unknown symbol", n)
	}
}

// TestDayStatsVenueFailure: a failed product request fails the call with
// the venue's typed error.
func TestDayStatsVenueFailure(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	if _, err := e.Instruments(ctx); err != nil {
		t.Fatal(err)
	}
	f.Srv.FailNext(503, `{"error":"UNAVAILABLE","message":"try later"}`, nil)
	_, err := e.DayStats(ctx, []trade.Symbol{btcusd})
	if !errors.Is(err, exchange.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}
