package fakevenue_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

func TestListing(t *testing.T) {
	var l fakevenue.Listing[int]
	if _, ok := l.Get("BTC"); ok || len(l.All()) != 0 {
		t.Fatal("a zero Listing is not empty")
	}
	l.Put("BTC", 1)
	l.Put("ETH", 2)
	l.Put("BTC", 3) // replaced in its place
	if v, ok := l.Get("BTC"); !ok || v != 3 {
		t.Errorf("Get(BTC) = %d, %v; want 3, true", v, ok)
	}
	if diff := cmp.Diff([]int{3, 2}, l.All()); diff != "" {
		t.Errorf("All (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"BTC", "ETH"}, l.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	l.Reset()
	if _, ok := l.Get("ETH"); ok || len(l.Names()) != 0 {
		t.Error("Reset left something listed")
	}
}
