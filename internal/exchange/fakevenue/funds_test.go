package fakevenue_test

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

func TestFundsHoldAndRelease(t *testing.T) {
	d := decimal.RequireFromString
	type state struct{ Free, Held, Total string }
	snap := func(f *fakevenue.Funds) state {
		return state{f.Free.String(), f.Held.String(), f.Total().String()}
	}
	tests := []struct {
		name string
		run  func(f *fakevenue.Funds) bool // reports whether the last hold is still active
		want state
		live bool
	}{
		{
			name: "a hold moves free to held",
			run:  func(f *fakevenue.Funds) bool { h := f.Hold(d("30")); return h.Active() },
			want: state{"70", "30", "100"},
			live: true,
		},
		{
			name: "release gives it back",
			run: func(f *fakevenue.Funds) bool {
				h := f.Hold(d("30"))
				h.Release()
				return h.Active()
			},
			want: state{"100", "0", "100"},
		},
		{
			name: "releasing twice gives back once",
			run: func(f *fakevenue.Funds) bool {
				other := f.Hold(d("10"))
				h := f.Hold(d("30"))
				h.Release()
				h.Release()
				return other.Active()
			},
			want: state{"90", "10", "100"},
			live: true,
		},
		{
			name: "a zero hold releases nothing",
			run: func(f *fakevenue.Funds) bool {
				var h fakevenue.Hold
				h.Release()
				return h.Active()
			},
			want: state{"100", "0", "100"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakevenue.Funds{Free: d("100")}
			live := tt.run(f)
			if diff := cmp.Diff(tt.want, snap(f)); diff != "" {
				t.Errorf("funds (-want +got):\n%s", diff)
			}
			if live != tt.live {
				t.Errorf("Active() = %v; want %v", live, tt.live)
			}
		})
	}
}

func TestNewUUID(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := fakevenue.NewUUID(), fakevenue.NewUUID()
	for _, id := range []string{a, b} {
		if !v4.MatchString(id) {
			t.Errorf("NewUUID() = %q; want a version 4 UUID", id)
		}
	}
	if a == b {
		t.Errorf("two NewUUID() calls gave %q twice", a)
	}
}
