package venuebook

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestFigures(t *testing.T) {
	known := decimal.RequireFromString("7")
	tests := []struct {
		name              string
		change, high, vol string
		wantChange        string // "" for nil
		wantHigh          string // "" for nil
		wantVol           string // "" for nil
		wantErr           string
	}{
		{name: "all read", change: "-1.5", high: "10", vol: "0", wantChange: "-1.5", wantHigh: "10", wantVol: "0"},
		{name: "absent ones keep what was known", high: "10", wantHigh: "10", wantVol: "7"},
		{name: "a negative change is a change", change: "-3", wantChange: "-3", wantVol: "7"},
		{name: "a negative high is not", high: "-1", wantErr: "high: negative -1"},
		{name: "not a decimal", vol: "x", wantErr: "volume"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var change, high *decimal.Decimal
			vol := &known
			err := Figures(Signed("change", tt.change, &change), Unsigned("high", tt.high, &high), Unsigned("volume", tt.vol, &vol))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Figures() = %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Figures() = %v", err)
			}
			for _, c := range []struct {
				name string
				got  *decimal.Decimal
				want string
			}{{"change", change, tt.wantChange}, {"high", high, tt.wantHigh}, {"volume", vol, tt.wantVol}} {
				switch {
				case c.want == "" && c.got != nil:
					t.Errorf("%s = %s, want nil", c.name, c.got)
				case c.want != "" && (c.got == nil || !c.got.Equal(decimal.RequireFromString(c.want))):
					t.Errorf("%s = %v, want %s", c.name, c.got, c.want)
				}
			}
		})
	}
}
