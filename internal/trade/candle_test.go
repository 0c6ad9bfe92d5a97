package trade

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestParseInterval(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Interval
		wantErr bool
	}{
		{"1m", Interval1m, false}, {" 4h ", Interval4h, false}, {"1d", Interval1d, false},
		{"1M", "", true}, {"2h", "", true}, {"", "", true}, {"60", "", true},
	} {
		got, err := ParseInterval(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseInterval(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Errorf("ParseInterval(%q): %T, want *ValidationError", tt.in, err)
		}
	}
}

func TestIntervalFloor(t *testing.T) {
	at := time.Date(2026, 3, 2, 13, 47, 31, 0, time.FixedZone("X", 3600))
	want := map[Interval]time.Time{
		Interval1m:  time.Date(2026, 3, 2, 12, 47, 0, 0, time.UTC),
		Interval15m: time.Date(2026, 3, 2, 12, 45, 0, 0, time.UTC),
		Interval4h:  time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC),
		Interval1d:  time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
	}
	for iv, w := range want {
		if got := iv.Floor(at); !got.Equal(w) {
			t.Errorf("%s.Floor(%s) = %s, want %s", iv, at, got, w)
		}
	}
}

func TestCandleRange(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 30, 0, time.UTC)
	r := CandleRange{Interval: Interval1m, Since: t0, Until: t0.Add(10 * time.Minute), Limit: 100}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if got, want := r.First(), time.Date(2026, 3, 2, 10, 1, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("First = %s, want %s", got, want)
	}
	if got := r.Slots(); got != 10 { // 10:01 … 10:10, the last opening before 10:10:30
		t.Errorf("Slots = %d, want 10", got)
	}
	for at, want := range map[time.Time]bool{
		time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC):  false, // before Since
		time.Date(2026, 3, 2, 10, 1, 0, 0, time.UTC):  true,
		time.Date(2026, 3, 2, 10, 1, 5, 0, time.UTC):  false, // not on the minute
		time.Date(2026, 3, 2, 10, 10, 0, 0, time.UTC): true,
		time.Date(2026, 3, 2, 10, 11, 0, 0, time.UTC): false, // after Until
	} {
		if got := r.Contains(at); got != want {
			t.Errorf("Contains(%s) = %v, want %v", at, got, want)
		}
	}
	for name, bad := range map[string]CandleRange{
		"interval": {Interval: "2h", Since: t0, Until: t0.Add(time.Hour), Limit: 1},
		"backward": {Interval: Interval1m, Since: t0, Until: t0, Limit: 1},
		"no start": {Interval: Interval1m, Until: t0, Limit: 1},
		"limit 0":  {Interval: Interval1m, Since: t0, Until: t0.Add(time.Hour), Limit: 0},
		"too many": {Interval: Interval1m, Since: t0, Until: t0.Add(time.Hour), Limit: MaxCandles + 1},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, bad)
		}
	}
}

func TestLast(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 7, 30, 0, time.UTC)
	got := Last(Interval5m, now, 3)
	want := CandleRange{Interval: Interval5m, Since: time.Date(2026, 3, 2, 9, 55, 0, 0, time.UTC),
		Until: now, Limit: 3}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Last (-want +got):\n%s", diff)
	}
	if got.Slots() != 3 {
		t.Errorf("Slots = %d, want 3 (9:55, 10:00 and the current 10:05)", got.Slots())
	}
}

func TestCandleValidate(t *testing.T) {
	d := decimal.RequireFromString
	ok := Candle{Open: d("10"), High: d("12"), Low: d("9"), Close: d("11"), Volume: d("0")}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid candle: %v", err)
	}
	for name, mod := range map[string]func(*Candle){
		"high below close": func(c *Candle) { c.High = d("10.5") },
		"low above open":   func(c *Candle) { c.Low = d("10.5") },
		"zero open":        func(c *Candle) { c.Open = d("0") },
		"negative volume":  func(c *Candle) { c.Volume = d("-1") },
	} {
		c := ok
		mod(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted %+v", name, c)
		}
	}
}

func TestNewBook(t *testing.T) {
	d := decimal.RequireFromString
	sym := MustSymbol("BTC-USD")
	at := time.Unix(0, 0).UTC()
	got, err := NewBook(sym, at,
		[]BookLevel{{d("99"), d("1")}, {d("100"), d("2")}, {d("98"), d("0")}, {d("97"), d("3")}},
		[]BookLevel{{d("102"), d("1")}, {d("101"), d("2")}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := Book{Symbol: sym, Time: at,
		Bids: []BookLevel{{d("100"), d("2")}, {d("99"), d("1")}},
		Asks: []BookLevel{{d("101"), d("2")}, {d("102"), d("1")}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NewBook (-want +got):\n%s", diff)
	}
	if s := got.Spread(); !s.Equal(d("1")) {
		t.Errorf("Spread = %s, want 1", s)
	}
	if _, err := NewBook(sym, at, []BookLevel{{d("101"), d("1")}}, []BookLevel{{d("101"), d("1")}}, 0); err == nil {
		t.Error("a crossed book was accepted")
	}
}

// FuzzParseInterval: whatever the text, ParseInterval returns a valid
// interval or a *ValidationError, never a panic.
func FuzzParseInterval(f *testing.F) {
	for _, s := range []string{"1m", "4h", " 1d", "1M", "", "60", "1h\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := ParseInterval(s)
		var ve *ValidationError
		switch {
		case err == nil && !iv.Valid():
			t.Fatalf("ParseInterval(%q) = %q, invalid without an error", s, iv)
		case err != nil && !errors.As(err, &ve):
			t.Fatalf("ParseInterval(%q): %T", s, err)
		case err == nil && iv.Duration() <= 0:
			t.Fatalf("ParseInterval(%q) = %q with no width", s, iv)
		}
	})
}
