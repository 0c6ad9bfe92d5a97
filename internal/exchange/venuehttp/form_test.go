package venuehttp

import "testing"

func TestForm(t *testing.T) {
	var f Form
	f.Add("symbol", "BTCUSDT")
	f.Add("close[ordertype]", "limit")
	f.Add("note", "a b&c=é")
	f.Add("side", "SELL")
	// In the order added, not sorted; names and values percent-encoded.
	if got, want := f.String(), "symbol=BTCUSDT&close%5Bordertype%5D=limit&note=a+b%26c%3D%C3%A9&side=SELL"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	var none *Form
	if got := none.String(); got != "" {
		t.Errorf("nil String() = %q, want empty", got)
	}
}
