package trade

import (
	"strings"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "42", want: "42"},
		{in: "0.001", want: "0.001"},
		{in: ".5", want: "0.5"},
		{in: "5.", want: "5"},
		{in: "-1.5", want: "-1.5"},
		{in: "+2", want: "2"},
		{in: " 3.25 ", want: "3.25"},
		{in: "100000000000000000000.000000000000000001", want: "100000000000000000000.000000000000000001"},
		{in: "", wantErr: "empty"},
		{in: "1e3", wantErr: "unexpected 'e'"},
		{in: "1,000", wantErr: "unexpected ','"},
		{in: "0x10", wantErr: "unexpected 'x'"},
		{in: "NaN", wantErr: "unexpected 'N'"},
		{in: "Inf", wantErr: "unexpected 'I'"},
		{in: "1.2.3", wantErr: "invalid number"},
		{in: ".", wantErr: "invalid number"},
		{in: "-", wantErr: "invalid number"},
		{in: "--1", wantErr: "unexpected '-'"},
		{in: strings.Repeat("9", 65), wantErr: "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDecimal(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseDecimal(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDecimal(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseDecimal(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"1", "0.1", "-0", ".5", "1e9", "abc", "99999999999999999999.99", "+.", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			return
		}
		// What we accept, we print in a form we accept again, unchanged in value.
		back, err := ParseDecimal(d.String())
		if err != nil {
			t.Fatalf("%q parsed to %s, which does not parse: %v", s, d, err)
		}
		if !back.Equal(d) {
			t.Fatalf("%q: %s != %s", s, d, back)
		}
	})
}
