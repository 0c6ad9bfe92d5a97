package root

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/iostreams"
)

func newTestRoot(t *testing.T) (*cobra.Command, *cmdutil.Factory, *bytes.Buffer) {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	f := factory.New(ios, func(string) string { return "" }, nil)
	return NewCmdRoot(f), f, out
}

// TestOverview: tradectl without a command prints the short overview —
// every group with its commands, the three commands to try, the pointer
// to --help — on one screen, without reading the configuration.
func TestOverview(t *testing.T) {
	cmd, f, out := newTestRoot(t)
	f.Config = func() (*config.Config, error) { return nil, errors.New("the overview must not read the configuration") }
	cmd.SetArgs(nil)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > 20 {
		t.Errorf("the overview has %d lines; it should fit a screen with room to spare:\n%s", len(lines), text)
	}
	for _, l := range lines {
		if len(l) > 80 {
			t.Errorf("line wider than 80 columns: %q", l)
		}
	}
	for _, g := range cmd.Groups() {
		if !strings.Contains(text, g.Title) {
			t.Errorf("group %q missing from the overview:\n%s", g.Title, text)
		}
	}
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() && !strings.Contains(text, c.Name()) {
			t.Errorf("command %q missing from the overview:\n%s", c.Name(), text)
		}
		if c.Hidden && strings.Contains(text, c.Name()) {
			t.Errorf("hidden command %q shown in the overview", c.Name())
		}
	}
	try := text[strings.Index(text, "Try first:"):]
	if n := strings.Count(try, "\n  tradectl "); n != 3 {
		t.Errorf("Try first shows %d commands, want 3:\n%s", n, try)
	}
	if !strings.Contains(text, "tradectl --help") {
		t.Errorf("no pointer to --help:\n%s", text)
	}
}

// TestEveryCommandIsDocumented: a one-line summary that fits the command
// list, a longer description, and examples (which cmd/tradectl's
// TestHelpExamples runs).
func TestEveryCommandIsDocumented(t *testing.T) {
	cmd, _, _ := newTestRoot(t)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := c.CommandPath()
		switch {
		case c.Short == "":
			t.Errorf("%s has no Short", path)
		case strings.Contains(c.Short, "\n") || len(c.Short) > 66:
			t.Errorf("%s: Short must be one line of at most 66 characters (the command list's width), got %q", path, c.Short)
		case strings.HasSuffix(c.Short, "."):
			t.Errorf("%s: Short is a phrase, without a full stop: %q", path, c.Short)
		}
		if len(strings.TrimSpace(c.Long)) <= len(c.Short) {
			t.Errorf("%s: Long should say more than Short", path)
		}
		if !strings.Contains(c.Example, "$ tradectl") && !strings.Contains(c.Example, "tradectl ") {
			t.Errorf("%s has no examples", path)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cmd)
}

// TestNoFileCompletion: arguments and flag values without completions of
// their own complete to nothing rather than to file names; --config is
// the exception.
func TestNoFileCompletion(t *testing.T) {
	cmd, _, _ := newTestRoot(t)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.HasSubCommands() && c.ValidArgsFunction == nil && len(c.ValidArgs) == 0 {
			t.Errorf("%s: arguments would complete to file names", c.CommandPath())
		}
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			if fl.Value.Type() == "bool" {
				return
			}
			if _, ok := c.GetFlagCompletionFunc(fl.Name); !ok {
				t.Errorf("%s --%s: values would complete to file names", c.CommandPath(), fl.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cmd)
}

// TestNewCmdRootFor: a run that names a command first gets that command's
// subtree alone, built exactly as in the whole tree (same subcommands and
// flags); every other run gets the whole tree. A name in topLevel that no
// longer matches its command's Use fails here rather than silently
// building the whole tree for every run.
func TestNewCmdRootFor(t *testing.T) {
	whole, _, _ := newTestRoot(t)
	describe := func(root *cobra.Command) []string {
		var lines []string
		var walk func(c *cobra.Command)
		walk = func(c *cobra.Command) {
			line := c.CommandPath()
			c.LocalFlags().VisitAll(func(fl *pflag.Flag) { line += " --" + fl.Name })
			lines = append(lines, line)
			for _, sub := range c.Commands() {
				walk(sub)
			}
		}
		for _, c := range root.Commands() {
			walk(c)
		}
		return lines
	}
	newFor := func(args ...string) *cobra.Command {
		ios, _, _, _ := iostreams.Test()
		return NewCmdRootFor(factory.New(ios, func(string) string { return "" }, nil), args)
	}

	var names []string
	for _, c := range whole.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		names = append(names, c.Name())
		got := newFor(c.Name(), "--help")
		var gotNames []string
		for _, sub := range got.Commands() {
			gotNames = append(gotNames, sub.Name())
		}
		if diff := cmp.Diff([]string{c.Name()}, gotNames); diff != "" {
			t.Errorf("NewCmdRootFor(%s): commands under the root (-want +got):\n%s", c.Name(), diff)
			continue
		}
		want := slices.DeleteFunc(describe(whole), func(line string) bool {
			return !strings.HasPrefix(line+" ", "tradectl "+c.Name()+" ")
		})
		if diff := cmp.Diff(want, describe(got)); diff != "" {
			t.Errorf("NewCmdRootFor(%s) builds the command differently from the whole tree (-want +got):\n%s", c.Name(), diff)
		}
	}
	if len(names) < 10 {
		t.Fatalf("the whole tree has only %v", names)
	}

	for _, args := range [][]string{nil, {}, {"--profile", "order", "balance"}, {"-o", "json", "version"}, {"help", "order"},
		{"completion", "bash"}, {cobra.ShellCompRequestCmd, ""}, {"ordr"}, {"Order"}} {
		if diff := cmp.Diff(describe(whole), describe(newFor(args...))); diff != "" {
			t.Errorf("NewCmdRootFor(%q) is not the whole tree (-want +got):\n%s", args, diff)
		}
	}
}
