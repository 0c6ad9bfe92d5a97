package mcp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOrderRefArgs(t *testing.T) {
	tests := []struct {
		in   orderRefArgs
		want []string
		err  bool
	}{
		{orderRefArgs{ID: "42"}, []string{"order", "get", "--", "42"}, false},
		// A value that looks like a flag stays a value.
		{orderRefArgs{ID: "--yes"}, []string{"order", "get", "--", "--yes"}, false},
		{orderRefArgs{ClientID: "-x"}, []string{"order", "get", "--client-id=-x"}, false},
		{orderRefArgs{}, nil, true},
		{orderRefArgs{ID: "1", ClientID: "c"}, nil, true},
	}
	for _, tt := range tests {
		got, err := tt.in.args("get")
		if (err != nil) != tt.err {
			t.Errorf("%+v: error %v, want error %v", tt.in, err, tt.err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestOrderCancelArgs(t *testing.T) {
	tests := []struct {
		in   orderCancelArgs
		want []string
	}{
		{orderCancelArgs{orderRefArgs: orderRefArgs{ID: "42"}}, []string{"order", "cancel", "--", "42"}},
		{orderCancelArgs{orderRefArgs: orderRefArgs{ID: "42"}, Symbol: "BTC-USDT"}, []string{"order", "cancel", "--symbol=BTC-USDT", "--", "42"}},
		{orderCancelArgs{orderRefArgs: orderRefArgs{ClientID: "c1"}, Symbol: "BTC-USDT"}, []string{"order", "cancel", "--symbol=BTC-USDT", "--client-id=c1"}},
	}
	for _, tt := range tests {
		got, err := tt.in.cancelArgs()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tt.in, diff)
		}
	}
}
