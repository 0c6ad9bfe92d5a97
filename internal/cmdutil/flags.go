package cmdutil

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// RegisterEnumCompletion completes a flag with a fixed set of values.
func RegisterEnumCompletion[T ~string](cmd *cobra.Command, flag string, values []T) {
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = string(v)
	}
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(names, cobra.ShellCompDirectiveNoFileComp))
}

// ParseSince accepts a duration back from now ("90m", "2h", "7d") or an
// absolute time (RFC 3339, or a date YYYY-MM-DD in UTC).
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && n >= 0 && fmt.Sprint(n) == days {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("invalid --since %q: a duration back from now must be positive", s)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid --since %q: use a duration such as 90m, 2h or 7d, or a time such as 2026-11-27 or 2026-11-27T09:30:00Z", s)
}
