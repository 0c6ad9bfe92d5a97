package cmdutil

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// ProfileList is the accounts a multi-account command (dashboard,
// positions, fills, pnl, events) was asked for with --profile a,b: each
// name once, in the order given; empty when --profile was not given on
// the command line, which means the selected profile.
func (f *Factory) ProfileList(cmd *cobra.Command) []string {
	p := f.Globals.Profile
	if p == "" || !cmd.Flags().Changed("profile") {
		return nil
	}
	var out []string
	for _, name := range strings.Split(p, ",") {
		if name = strings.TrimSpace(name); name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}
