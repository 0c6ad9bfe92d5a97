package venuews

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTimingForURL(t *testing.T) {
	base := DefaultTiming()
	fast := base
	fast.PollInterval = 200 * time.Millisecond
	polled := base
	polled.PollInterval = UnstreamedPollInterval
	tests := []struct {
		name   string
		timing Timing
		url    string
		want   Timing
	}{
		{"a stream keeps the fallback pace", base, "wss://stream.example", base},
		{"no stream polls at watch's pace", base, "", polled},
		{"no stream keeps a faster pace", fast, "", fast},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.timing.ForURL(tt.url)); diff != "" {
				t.Errorf("ForURL(%q) (-want +got):\n%s", tt.url, diff)
			}
		})
	}
}
