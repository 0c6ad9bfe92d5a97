package doctor

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAddScrubsSecrets: whatever reports a detail — a venue's error, a
// venue's own check — a resolved credential of the profile never reaches
// the report.
func TestAddScrubsSecrets(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		detail  string
		want    string
	}{
		{name: "a secret quoted by a venue", secrets: []string{"k3y-value-123"},
			detail: "the venue refused key k3y-value-123", want: "the venue refused key [redacted]"},
		{name: "each of several", secrets: []string{"first-secret", "second-secret"},
			detail: "first-secret and second-secret", want: "[redacted] and [redacted]"},
		{name: "nothing to scrub", secrets: []string{"first-secret"}, detail: "reachable", want: "reachable"},
		{name: "no secrets", detail: "reachable", want: "reachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &doctor{secrets: tt.secrets}
			d.add("p", CheckVenue, Fail, "%s", tt.detail)
			want := []Check{{Profile: "p", Name: CheckVenue, Status: Fail, Detail: tt.want}}
			if diff := cmp.Diff(want, d.checks); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
