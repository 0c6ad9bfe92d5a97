package venuehttp_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

func TestClockSkewAndDescribeSkew(t *testing.T) {
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		rtt       time.Duration
		venueTime time.Time
		wantSkew  time.Duration
		want      string
	}{
		{"venue ahead", 100 * time.Millisecond, start.Add(1550 * time.Millisecond), 1500 * time.Millisecond,
			"this machine's clock is 1500ms behind the venue's (round trip 100ms)"},
		{"venue behind", 40 * time.Millisecond, start.Add(-980 * time.Millisecond), -time.Second,
			"this machine's clock is 1000ms ahead of the venue's (round trip 40ms)"},
		{"agree at the midpoint", 20 * time.Millisecond, start.Add(10 * time.Millisecond), 0,
			"this machine's clock agrees with the venue's (round trip 20ms)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skew, rtt := venuehttp.ClockSkew(start, start.Add(tt.rtt), tt.venueTime)
			if skew != tt.wantSkew || rtt != tt.rtt {
				t.Fatalf("ClockSkew = %v, %v; want %v, %v", skew, rtt, tt.wantSkew, tt.rtt)
			}
			if got := venuehttp.DescribeSkew(skew, rtt); got != tt.want {
				t.Errorf("DescribeSkew = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHasSecrets(t *testing.T) {
	store := func(values map[string]string) func(context.Context, string) (string, error) {
		return func(_ context.Context, name string) (string, error) {
			v, ok := values[name]
			if !ok {
				return "", errors.New("no such secret")
			}
			return v, nil
		}
	}
	tests := []struct {
		name  string
		store func(context.Context, string) (string, error)
		want  bool
	}{
		{"no store", nil, false},
		{"both set", store(map[string]string{"api_key": "k", "api_secret": "s"}), true},
		{"one blank", store(map[string]string{"api_key": "k", "api_secret": "  \n"}), false},
		{"one missing", store(map[string]string{"api_key": "k"}), false},
	}
	for _, tt := range tests {
		if got := venuehttp.HasSecrets(context.Background(), tt.store, "api_key", "api_secret"); got != tt.want {
			t.Errorf("%s: HasSecrets = %v, want %v", tt.name, got, tt.want)
		}
	}
}
