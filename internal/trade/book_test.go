package trade

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestBookQuoteAndSide(t *testing.T) {
	sym := MustSymbol("BTC-USD")
	lv := func(p, q string) BookLevel { return BookLevel{Price: Dec(p), Qty: Dec(q)} }
	b := Book{Symbol: sym, Bids: []BookLevel{lv("99", "1"), lv("98", "1")}, Asks: []BookLevel{lv("101", "2")}}
	tests := []struct {
		name string
		book Book
		want Quote
	}{
		{"both sides", b, Quote{Symbol: sym, Bid: Dec("99"), Ask: Dec("101"), Last: Dec("100")}},
		{"no asks", Book{Symbol: sym, Bids: b.Bids}, Quote{Symbol: sym, Bid: Dec("99")}},
		{"empty", Book{Symbol: sym}, Quote{Symbol: sym}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.book.Quote(), cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("quote (-want +got):\n%s", diff)
			}
		})
	}
	if got := b.Side(Buy); len(got) != 1 || !got[0].Price.Equal(Dec("101")) {
		t.Errorf("a buy takes the asks, got %v", got)
	}
	if got := b.Side(Sell); len(got) != 2 || !got[0].Price.Equal(Dec("99")) {
		t.Errorf("a sell takes the bids, got %v", got)
	}
}
