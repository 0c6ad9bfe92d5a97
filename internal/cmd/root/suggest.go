package root

import (
	"github.com/tradectl/tradectl/internal/textdist"

	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tradectl/tradectl/internal/cmdutil"
)

// unknownSubcommands makes every command that only groups others (order,
// paper, config …) answer a mistyped subcommand the way the root does:
// exit 2 with the nearest names. Cobra itself checks subcommand names
// only at the root; below it, "order lst" would print order's help and
// exit 0, and a script would carry on as if it had listed orders.
func unknownSubcommands(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		unknownSubcommands(c)
	}
	if !cmd.HasParent() || !cmd.HasSubCommands() || cmd.Runnable() {
		return
	}
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
		if c.SuggestionsMinimumDistance <= 0 {
			c.SuggestionsMinimumDistance = 2 // cobra's default, applied only at the root
		}
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
		}
		return cmdutil.Usagef("%s\n\nRun '%s --help' for its commands.", msg, c.CommandPath())
	}
	// Without arguments the group shows its help, as before, with exit 0.
	cmd.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
}

// suggestFlag names the flags nearest to an unknown one ("--sid": did you
// mean --side?), or says nothing when none is near.
func suggestFlag(c *cobra.Command, err error) string {
	const prefix = "unknown flag: --"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return ""
	}
	typed := strings.SplitN(strings.TrimPrefix(msg, prefix), "=", 2)[0]
	type candidate struct {
		name string
		dist int
	}
	var near []candidate
	c.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		d := textdist.Levenshtein(strings.ToLower(typed), fl.Name)
		limit := 2
		if len(typed) <= 3 {
			limit = 1
		}
		if d <= limit || (len(typed) >= 3 && strings.HasPrefix(fl.Name, typed)) {
			near = append(near, candidate{fl.Name, d})
		}
	})
	if len(near) == 0 {
		return ""
	}
	sort.SliceStable(near, func(i, j int) bool {
		if near[i].dist != near[j].dist {
			return near[i].dist < near[j].dist
		}
		return near[i].name < near[j].name
	})
	if len(near) > 3 {
		near = near[:3]
	}
	names := make([]string, len(near))
	for i, n := range near {
		names[i] = "--" + n.name
	}
	return "\n\nDid you mean this?\n\t" + strings.Join(names, "\n\t")
}
