package venuetest

import (
	"testing"

	"github.com/tradectl/tradectl/internal/trade"
)

// CheckLegStatus checks that every exit leg of a bracket or OCO parent
// stands at want after what happened (the words the failure uses: "after
// canceling the entry"). A parent without legs fails too: a leg check
// that finds nothing to check would pass whatever the adapter did.
func CheckLegStatus(t testing.TB, parent trade.Order, want trade.OrderStatus, after string) {
	t.Helper()
	if len(parent.Legs) == 0 {
		t.Errorf("order %s %s: no legs, want them %s", parent.ID, after, want)
	}
	for _, l := range parent.Legs {
		if l.Status != want {
			t.Errorf("%s %s: %s, want %s", l.Leg, after, l.Status, want)
		}
	}
}
