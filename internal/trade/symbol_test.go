package trade

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSymbol(t *testing.T) {
	tests := []struct {
		in      string
		want    Symbol
		wantErr string
	}{
		{in: "BTC-USD", want: Symbol{"BTC", "USD"}},
		{in: "BTC/USD", want: Symbol{"BTC", "USD"}},
		{in: "btc-usd", want: Symbol{"BTC", "USD"}},
		{in: "btc_usdt", want: Symbol{"BTC", "USDT"}},
		{in: "  eth-usd ", want: Symbol{"ETH", "USD"}},
		{in: "AAPL", want: Symbol{Base: "AAPL"}},
		{in: "brk.b", want: Symbol{Base: "BRK.B"}},
		{in: "1INCH-USD", want: Symbol{"1INCH", "USD"}},
		{in: "", wantErr: "empty"},
		{in: "BTC-", wantErr: "quote is empty"},
		{in: "-USD", wantErr: "base is empty"},
		{in: "BTC-USD-X", wantErr: "more than one separator"},
		{in: "BTC USD", wantErr: "invalid character"},
		{in: "BTC-U$D", wantErr: "invalid character"},
		{in: ".AAPL", wantErr: "invalid character"},
		{in: "BTC.X-USD", wantErr: "invalid character"},
		{in: "ABCDEFGHIJKLMN", wantErr: "longer than"},
		{in: "€-USD", wantErr: "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSymbol(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSymbol(%q) error = %v, want it to mention %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSymbol(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseSymbol(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestSymbolTextRoundTrip(t *testing.T) {
	for _, s := range []string{"BTC-USD", "AAPL", "BRK.B", "ETH-USDT"} {
		sym := MustSymbol(s)
		b, err := sym.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Symbol
		if err := back.UnmarshalText(b); err != nil {
			t.Fatal(err)
		}
		if back != sym || string(b) != s {
			t.Errorf("round trip of %q gave %q / %+v", s, b, back)
		}
	}
}

func FuzzParseSymbol(f *testing.F) {
	for _, s := range []string{"BTC-USD", "btc/usd", "AAPL", "BRK.B", "", "-", "a-b-c", "x_y", "..", "€"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sym, err := ParseSymbol(s)
		if err != nil {
			return
		}
		// A parsed symbol is canonical: printing and parsing it again is stable.
		again, err := ParseSymbol(sym.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", sym, s, err)
		}
		if again != sym {
			t.Fatalf("%q → %q → %q: not stable", s, sym, again)
		}
		if sym.String() != strings.ToUpper(sym.String()) {
			t.Fatalf("canonical form %q is not upper case", sym)
		}
	})
}
