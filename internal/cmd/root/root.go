// Package root builds tradectl's root command: global flags, command
// groups and the per-command setup (timeout, colour, logging).
package root

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/balance"
	"github.com/tradectl/tradectl/internal/cmd/configcmd"
	"github.com/tradectl/tradectl/internal/cmd/dashboard"
	"github.com/tradectl/tradectl/internal/cmd/doctor"
	"github.com/tradectl/tradectl/internal/cmd/journal"
	"github.com/tradectl/tradectl/internal/cmd/order"
	"github.com/tradectl/tradectl/internal/cmd/paper"
	"github.com/tradectl/tradectl/internal/cmd/quote"
	"github.com/tradectl/tradectl/internal/cmd/version"
	"github.com/tradectl/tradectl/internal/cmd/watch"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
)

// annotationNoConfig marks commands that must run without reading the
// configuration (version, help, completion), so they stay fast and work
// even when the config file is broken.
const annotationNoConfig = "tradectl/no-config"

// NewCmdRoot builds the whole command tree.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	g := f.Globals
	cmd := &cobra.Command{
		Use:   "tradectl <command> [flags]",
		Short: "Trade from the terminal, scripts and cron",
		Long: heredoc.Doc(`
			tradectl places, inspects and cancels orders, shows balances and quotes, on
			an embedded paper exchange by default and on real venues with the same
			commands. Tables for people, JSON for programs, exit codes for scripts.

			Try first:
			  tradectl quote BTC-USD ETH-USD AAPL
			  tradectl order create BTC-USD --side buy --qty 0.01
			  tradectl order list --status all
		`),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return setup(cmd, f)
		},
	}
	cmd.AddGroup(
		&cobra.Group{ID: "trade", Title: "Trading:"},
		&cobra.Group{ID: "account", Title: "Accounts:"},
		&cobra.Group{ID: "market", Title: "Market data:"},
		&cobra.Group{ID: "setup", Title: "Setup:"},
	)
	pf := cmd.PersistentFlags()
	pf.StringVar(&g.ConfigPath, "config", "", "config file (default $XDG_CONFIG_HOME/tradectl/config.yaml; env TRADECTL_CONFIG)")
	pf.StringVarP(&g.Profile, "profile", "P", "", "profile to use (env TRADECTL_PROFILE; default: the config's default_profile, else paper)")
	pf.StringVarP(&g.Output, "output", "o", "", "output format: table, json, ndjson or csv (env TRADECTL_OUTPUT)")
	pf.StringVar(&g.JQ, "jq", "", "filter JSON output with a jq expression (implies -o json)")
	pf.DurationVar(&g.Timeout, "timeout", 30*time.Second, "give up after this long (env TRADECTL_TIMEOUT; 0: no limit)")
	pf.BoolVarP(&g.Yes, "yes", "y", false, "answer yes to confirmations")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "log what happens to stderr")
	pf.StringVar(&g.LogFormat, "log-format", "text", "log format on stderr: text or json")
	pf.StringVar(&g.Color, "color", "auto", "colour: auto, always or never (NO_COLOR and CLICOLOR_FORCE are honoured)")
	cmdutil.RegisterEnumCompletion(cmd, "output", render.Formats)
	_ = cmd.RegisterFlagCompletionFunc("log-format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("color", cobra.FixedCompletions([]string{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cmdutil.UsageError{Err: fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})

	cmd.AddCommand(order.NewCmdOrder(f))
	cmd.AddCommand(journal.NewCmdJournal(f, nil))
	cmd.AddCommand(balance.NewCmdBalance(f, nil))
	cmd.AddCommand(dashboard.NewCmdDashboard(f, nil))
	cmd.AddCommand(quote.NewCmdQuote(f, nil))
	cmd.AddCommand(watch.NewCmdWatch(f, nil))
	cmd.AddCommand(paper.NewCmdPaper(f))
	cmd.AddCommand(configcmd.NewCmdConfig(f))
	cmd.AddCommand(doctor.NewCmdDoctor(f, nil))
	v := version.NewCmdVersion(f)
	v.GroupID = "setup"
	v.Annotations = map[string]string{annotationNoConfig: "true"}
	cmd.AddCommand(v)
	cmd.SetHelpCommandGroupID("setup")
	cmd.SetCompletionCommandGroupID("setup")
	markUsageErrors(cmd)
	return cmd
}

// markUsageErrors wraps every command's argument check so a wrong number
// of arguments is reported as a usage error (exit 2).
func markUsageErrors(cmd *cobra.Command) {
	if args := cmd.Args; args != nil {
		cmd.Args = func(c *cobra.Command, a []string) error {
			if err := args(c, a); err != nil {
				return &cmdutil.UsageError{Err: fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
			}
			return nil
		}
	}
	for _, c := range cmd.Commands() {
		markUsageErrors(c)
	}
}

// setup runs before every command: colour, logging and the deadline.
func setup(cmd *cobra.Command, f *cmdutil.Factory) error {
	g := f.Globals
	f.SetFlags(cmd.Flags())
	mode, ok := iostreams.ParseColorMode(g.Color)
	if !ok {
		return cmdutil.Usagef("--color %q: use auto, always or never", g.Color)
	}
	f.IOStreams.SetColorMode(mode, f.Getenv)
	if g.LogFormat != "text" && g.LogFormat != "json" {
		return cmdutil.Usagef("--log-format %q: use text or json", g.LogFormat)
	}
	if _, err := render.ParseFormat(g.Output); err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	if noConfig(cmd) {
		return nil
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if !cmd.Flags().Changed("color") {
		// TRADECTL_COLOR and the file's color: apply once the config is read.
		if m, ok := iostreams.ParseColorMode(cfg.Color); ok {
			f.IOStreams.SetColorMode(m, f.Getenv)
		}
	}
	for _, w := range cfg.Warnings() {
		f.Logger().Warn(w)
	}
	// Long-running commands (watch, order watch, create with --wait) are
	// bounded only when --timeout is given; create bounds its own placement.
	if cmd.Annotations["tradectl/long-running"] != "true" || cmd.Flags().Changed("timeout") {
		if cfg.Timeout > 0 {
			ctx, cancel := context.WithTimeout(cmd.Context(), cfg.Timeout)
			cmd.SetContext(ctx)
			f.OnExit(cancel)
		}
	}
	f.Logger().Debug("command start", slog.String("command", cmd.CommandPath()), slog.String("profile", cfg.Profile))
	return nil
}

func noConfig(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[annotationNoConfig] == "true" {
			return true
		}
		switch c.Name() {
		case "help", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd, "completion":
			return true
		}
	}
	return false
}
