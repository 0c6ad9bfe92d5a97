package coinbase

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange/venuews"
)

func TestSequenceAdmit(t *testing.T) {
	num := func(n int64) *int64 { return &n }
	type step struct {
		Fresh bool
		Gap   bool
	}
	var s wsSequence
	var got []step
	for _, n := range []*int64{num(5), nil, num(6), num(6), num(4), num(7), num(9)} {
		fresh, err := s.admit(n)
		if err != nil && !errors.Is(err, venuews.ErrResync) {
			t.Fatalf("admit: %v, want a resync error", err)
		}
		got = append(got, step{fresh, err != nil})
	}
	// The first number starts the count; unnumbered messages pass;
	// repeats and late ones are not new; 9 after 7 is a gap.
	want := []step{{true, false}, {true, false}, {true, false}, {false, false}, {false, false}, {true, false}, {false, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("admit (-want +got):\n%s", diff)
	}
}
