package rulecache_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/rulecache"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestRows(t *testing.T) {
	rows := []string{"BTC-USD", "ETH-USD", "OLD-USD"}
	index := map[string]int{"BTCUSD": 0, "ETHUSD": 1, "STALE": 7}
	for _, tt := range []struct {
		key    string
		want   string
		wantOK bool
	}{{"ETHUSD", "ETH-USD", true}, {"XRPUSD", "", false}, {"STALE", "", false}} {
		got, ok := rulecache.Find(rows, index, tt.key)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Find(%q) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.wantOK)
		}
	}
	live := func(s string) bool { return s != "OLD-USD" }
	inst := func(s string) trade.Instrument { return trade.Instrument{VenueSymbol: s} }
	want := []trade.Instrument{{VenueSymbol: "BTC-USD"}, {VenueSymbol: "ETH-USD"}}
	if diff := cmp.Diff(want, rulecache.Instruments(rows, live, inst)); diff != "" {
		t.Errorf("Instruments (-want +got):\n%s", diff)
	}
	if err := rulecache.Unreadable("binance", errors.New("bad tick")); !errors.Is(err, exchange.ErrUnavailable) {
		t.Errorf("Unreadable = %v, want ErrUnavailable", err)
	}
}

func TestIndexBy(t *testing.T) {
	rows := []string{"BTC-USD", "ETH-USD", "BTC-EUR"}
	base := func(s string) string { return s[:3] }
	got := rulecache.IndexBy(rows, base)
	if diff := cmp.Diff(map[string]int{"BTC": 2, "ETH": 1}, got); diff != "" {
		t.Errorf("IndexBy (-want +got):\n%s", diff)
	}
	if r, ok := rulecache.Find(rows, got, "ETH"); !ok || r != "ETH-USD" {
		t.Errorf(`Find(IndexBy(...), "ETH") = %q, %v; want ETH-USD`, r, ok)
	}
}
