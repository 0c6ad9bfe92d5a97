package venueorder

import (
	"testing"
	"time"
)

func TestFields(t *testing.T) {
	var fs Fields
	price := fs.Decimal("price", "1.5")
	qty := fs.Decimal("qty", "x")
	at := fs.Time("time", "2026-01-02T03:04:05Z")
	bad := fs.Time("settled", "yesterday")
	if price.String() != "1.5" {
		t.Errorf("price = %s, want 1.5", price)
	}
	if !qty.IsZero() || !bad.IsZero() {
		t.Errorf("failed fields read as %s and %s, want zero values", qty, bad)
	}
	if want := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC); !at.Equal(want) {
		t.Errorf("time = %s, want %s", at, want)
	}
	err := fs.Err()
	if err == nil {
		t.Fatal("Err() = nil, want both failures")
	}
	_, errQty := Decimal("qty", "x")
	_, errSettled := Time("settled", "yesterday")
	if want := errQty.Error() + "\n" + errSettled.Error(); err.Error() != want {
		t.Errorf("Err() = %q, want %q", err, want)
	}

	var ok Fields
	ok.Decimal("price", "")
	ok.Time("time", "")
	if err := ok.Err(); err != nil {
		t.Errorf("Err() after empty fields = %v, want nil", err)
	}
}
