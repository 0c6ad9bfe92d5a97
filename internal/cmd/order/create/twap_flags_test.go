package create

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
)

func TestSliceFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      string
		want      SliceOptions
		wantUsage string
	}{
		{name: "not sliced", args: "BTC-USD --side buy --qty 1"},
		{name: "sliced", args: "BTC-USD --side buy --qty 1 --price 5 --slices 4 --over 1h --idempotency-key dca",
			want: SliceOptions{Slices: 4, Over: time.Hour}},
		{name: "one slice", args: "BTC-USD --side buy --qty 1 --slices 1 --over 1m", wantUsage: "--slices must be 2 to 1000, got 1"},
		{name: "too many", args: "BTC-USD --side buy --qty 1 --slices 1001 --over 1m", wantUsage: "--slices must be 2 to 1000"},
		{name: "no over", args: "BTC-USD --side buy --qty 1 --slices 3", wantUsage: "--slices needs --over D above 0"},
		{name: "over alone", args: "BTC-USD --side buy --qty 1 --over 1m", wantUsage: "--over needs --slices N"},
		{name: "with wait", args: "BTC-USD --side buy --qty 1 --slices 3 --over 1m --wait", wantUsage: "--slices and --wait cannot be combined"},
		{name: "with client id", args: "BTC-USD --side buy --qty 1 --slices 3 --over 1m --client-id x", wantUsage: "--slices and --client-id cannot be combined"},
		{name: "with a share", args: "BTC-USD --side sell --qty all --slices 3 --over 1m", wantUsage: "--slices needs --qty as a quantity"},
		{name: "quote sized", args: "BTC-USD --side buy --quote-qty 100 --slices 3 --over 1m", wantUsage: "--slices needs --qty as a quantity"},
		{name: "trailing", args: "BTC-USD --side sell --qty 1 --trail-pct 2 --slices 3 --over 1m", wantUsage: "--slices takes market, limit, stop and stop-limit orders"},
		{name: "key too long", args: "BTC-USD --side buy --qty 1 --slices 3 --over 1m --idempotency-key " + strings.Repeat("k", 190),
			wantUsage: "the idempotency key of a sliced order is 190 bytes; at most 189"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ordertest.FlagsFactory()
			got := ordertest.ParseFlags(t, f, NewCmdCreate, strings.Fields(tt.args), tt.wantUsage)
			if got == nil {
				return
			}
			if diff := cmp.Diff(tt.want, got.SliceOptions); diff != "" {
				t.Errorf("slice options (-want +got):\n%s", diff)
			}
		})
	}
}
