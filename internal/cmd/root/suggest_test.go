package root

import (
	"github.com/tradectl/tradectl/internal/textdist"

	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
)

// TestMistakesAreUsageErrors: a mistyped subcommand at any depth and an
// unknown flag are usage errors (exit 2) naming the nearest names, found
// before the configuration is read; a group alone still shows its help.
func TestMistakesAreUsageErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantErr  []string
		noErr    []string
		wantHelp bool
	}{
		{name: "nested subcommand", args: []string{"order", "lst"}, wantErr: []string{`unknown command "lst" for "tradectl order"`, "Did you mean this?", "\tlist"}},
		{name: "paper subcommand", args: []string{"paper", "rest"}, wantErr: []string{`unknown command "rest" for "tradectl paper"`, "\treset"}},
		{name: "nothing near", args: []string{"order", "zzzzzz"}, wantErr: []string{`unknown command "zzzzzz"`}, noErr: []string{"Did you mean"}},
		{name: "flag", args: []string{"order", "create", "BTC-USD", "--sid", "buy"}, wantErr: []string{"unknown flag: --sid", "Did you mean this?\n\t--side"}},
		{name: "global flag", args: []string{"quote", "BTC-USD", "--outptu", "json"}, wantErr: []string{"\t--output"}},
		{name: "flag with nothing near", args: []string{"quote", "BTC-USD", "--qqqqqqqq"}, wantErr: []string{"unknown flag"}, noErr: []string{"Did you mean"}},
		{name: "group alone", args: []string{"order"}, wantHelp: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd, f, out := newTestRoot(t)
			f.Config = func() (*config.Config, error) {
				return nil, errors.New("a mistake must be found before the configuration is read")
			}
			cmd.SetArgs(tc.args)
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.ExecuteContext(context.Background())
			if tc.wantHelp {
				if err != nil || !strings.Contains(out.String(), "Usage:") {
					t.Fatalf("err = %v, stdout %q: want the group's help", err, out.String())
				}
				return
			}
			var usage *cmdutil.UsageError
			if !errors.As(err, &usage) {
				t.Fatalf("error = %v (%T), want a usage error", err, err)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, w := range tc.noErr {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q should not say %q", err, w)
				}
			}
		})
	}
}

func TestDistance(t *testing.T) {
	got := []int{textdist.Levenshtein("", ""), textdist.Levenshtein("sid", "side"), textdist.Levenshtein("outptu", "output"), textdist.Levenshtein("abc", "xyz"), textdist.Levenshtein("", "abc")}
	if diff := cmp.Diff([]int{0, 1, 2, 3, 3}, got); diff != "" {
		t.Errorf("distances (-want +got):\n%s", diff)
	}
}
