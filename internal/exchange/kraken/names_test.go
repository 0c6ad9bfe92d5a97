package kraken

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/trade"
)

func TestCanonicalAsset(t *testing.T) {
	tests := []struct{ in, want string }{
		{"XXBT", "BTC"}, {"XBT", "BTC"}, {"XXDG", "DOGE"}, {"XDG", "DOGE"},
		{"ZUSD", "USD"}, {"ZEUR", "EUR"}, {"XETH", "ETH"}, {"XXRP", "XRP"}, {"XZEC", "ZEC"},
		{"SOL", "SOL"}, {"USDT", "USDT"}, {"ZRX", "ZRX"}, {"DOT", "DOT"},
		{"XBT.M", "BTC.M"}, {"ETH2.S", "ETH2.S"}, {"USD.HOLD", "USD.HOLD"}, {"XXBT.F", "BTC.F"},
		{" xxbt ", "BTC"},
	}
	for _, tt := range tests {
		if got := canonicalAsset(tt.in); got != tt.want {
			t.Errorf("canonicalAsset(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKrakenAltAsset(t *testing.T) {
	tests := []struct{ in, want string }{{"BTC", "XBT"}, {"DOGE", "XDG"}, {"ETH", "ETH"}, {"USD", "USD"}, {"SOL", "SOL"}}
	for _, tt := range tests {
		if got := krakenAltAsset(tt.in); got != tt.want {
			t.Errorf("krakenAltAsset(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// Both directions agree.
		if back := canonicalAsset(krakenAltAsset(tt.in)); back != tt.in {
			t.Errorf("round trip of %q gave %q", tt.in, back)
		}
	}
}

func TestPairNames(t *testing.T) {
	tests := []struct {
		name   string
		want   string // "" means not splittable
		altRev string // altPairName of want, when it differs from name
	}{
		{name: "XXBTZUSD", want: "BTC-USD", altRev: "XBTUSD"},
		{name: "XBTUSD", want: "BTC-USD"},
		{name: "XETHZUSD", want: "ETH-USD", altRev: "ETHUSD"},
		{name: "XETHXXBT", want: "ETH-BTC", altRev: "ETHXBT"},
		{name: "ETHXBT", want: "ETH-BTC"},
		{name: "XXDGZUSD", want: "DOGE-USD", altRev: "XDGUSD"},
		{name: "XDGUSD", want: "DOGE-USD"},
		{name: "SOLUSD", want: "SOL-USD"},
		{name: "SOLUSDT", want: "SOL-USDT"},
		{name: "USDCUSD", want: "USDC-USD"},
		{name: "DOTEUR", want: "DOT-EUR"},
		{name: "XXBTZEUR", want: "BTC-EUR", altRev: "XBTEUR"},
		{name: "USD", want: ""},
		{name: "", want: ""},
		{name: "??", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sym, ok := guessPair(tt.name)
			if tt.want == "" {
				if ok {
					t.Errorf("guessPair(%q) = %s, want no split", tt.name, sym)
				}
				return
			}
			if !ok || sym != trade.MustSymbol(tt.want) {
				t.Fatalf("guessPair(%q) = %s, %v; want %s", tt.name, sym, ok, tt.want)
			}
			alt := tt.altRev
			if alt == "" {
				alt = tt.name
			}
			if got := altPairName(sym); got != alt {
				t.Errorf("altPairName(%s) = %q, want %q", sym, got, alt)
			}
		})
	}
}

// TestAssetPairsNaming checks that AssetPairs' own names win over guessing:
// wsname carries both altnames, ids and altnames both resolve.
func TestAssetPairsNaming(t *testing.T) {
	rs, err := parseAssetPairs([]byte(assetPairsFixture))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, name := range []string{"XXBTZUSD", "XBTUSD", "XETHXXBT", "ETHXBT", "XXDGZUSD", "XDGUSD", "SOLUSD"} {
		r, ok := rs.forName(name)
		if !ok {
			got[name] = "missing"
			continue
		}
		got[name] = r.symbol().String()
	}
	want := map[string]string{
		"XXBTZUSD": "BTC-USD", "XBTUSD": "BTC-USD", "XETHXXBT": "ETH-BTC", "ETHXBT": "ETH-BTC",
		"XXDGZUSD": "DOGE-USD", "XDGUSD": "DOGE-USD", "SOLUSD": "SOL-USD",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pair names (-want +got):\n%s", diff)
	}
	r, ok := rs.forSymbol(trade.MustSymbol("DOGE-USD"))
	if !ok || r.ID != "XXDGZUSD" {
		t.Errorf("forSymbol(DOGE-USD) = %+v, %v; want XXDGZUSD", r, ok)
	}
}
