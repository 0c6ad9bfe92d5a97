// Package root builds tradectl's root command: global flags, command
// groups and the per-command setup (timeout, colour, logging).
package root

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tradectl/tradectl/internal/cmd/balance"
	"github.com/tradectl/tradectl/internal/cmd/book"
	"github.com/tradectl/tradectl/internal/cmd/candles"
	"github.com/tradectl/tradectl/internal/cmd/configcmd"
	"github.com/tradectl/tradectl/internal/cmd/dashboard"
	"github.com/tradectl/tradectl/internal/cmd/deadman"
	"github.com/tradectl/tradectl/internal/cmd/doctor"
	"github.com/tradectl/tradectl/internal/cmd/events"
	"github.com/tradectl/tradectl/internal/cmd/fills"
	"github.com/tradectl/tradectl/internal/cmd/instruments"
	"github.com/tradectl/tradectl/internal/cmd/journal"
	"github.com/tradectl/tradectl/internal/cmd/mcp"
	"github.com/tradectl/tradectl/internal/cmd/order"
	"github.com/tradectl/tradectl/internal/cmd/paper"
	pnlcmd "github.com/tradectl/tradectl/internal/cmd/pnl"
	"github.com/tradectl/tradectl/internal/cmd/positions"
	"github.com/tradectl/tradectl/internal/cmd/quote"
	"github.com/tradectl/tradectl/internal/cmd/version"
	"github.com/tradectl/tradectl/internal/cmd/watch"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
)

// annotationNoConfig marks commands that must run without reading the
// configuration (version, help, completion), so they stay fast and work
// even when the config file is broken.
const annotationNoConfig = "tradectl/no-config"

// NewCmdRoot builds the whole command tree: what help, completion, the
// man pages and the overview need.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	return newRoot(f, topLevel())
}

// NewCmdRootFor builds the tree args need. When args starts with the name
// of a command (`version`, `order create …`), that is the only command the
// run can reach, and only its subtree is built: every other command's
// flags, help text and completion set-up would be start-up time spent on
// nothing. Anything else — no arguments, a global flag first, help,
// completion, a mistyped name that wants suggestions — gets the whole tree.
func NewCmdRootFor(f *cmdutil.Factory, args []string) *cobra.Command {
	if len(args) > 0 {
		for _, c := range topLevel() {
			if c.name == args[0] {
				return newRoot(f, []topCommand{c})
			}
		}
	}
	return NewCmdRoot(f)
}

// topCommand is one command directly under the root and how to build it
// (with everything below it).
type topCommand struct {
	name  string
	build func(*cmdutil.Factory) *cobra.Command
}

// topLevel lists the root's commands in the order they are added. Each
// name is the one the built command answers to (TestTopLevelNames).
func topLevel() []topCommand {
	return []topCommand{
		{"order", order.NewCmdOrder},
		{"journal", func(f *cmdutil.Factory) *cobra.Command { return journal.NewCmdJournal(f, nil) }},
		{"balance", func(f *cmdutil.Factory) *cobra.Command { return balance.NewCmdBalance(f, nil) }},
		{"dashboard", func(f *cmdutil.Factory) *cobra.Command { return dashboard.NewCmdDashboard(f, nil) }},
		{"pnl", func(f *cmdutil.Factory) *cobra.Command { return pnlcmd.NewCmdPnL(f, nil) }},
		{"positions", positions.NewCmdPositionsGroup},
		{"fills", func(f *cmdutil.Factory) *cobra.Command { return fills.NewCmdFills(f, nil) }},
		{"quote", func(f *cmdutil.Factory) *cobra.Command { return quote.NewCmdQuote(f, nil) }},
		{"book", func(f *cmdutil.Factory) *cobra.Command { return book.NewCmdBook(f, nil) }},
		{"candles", func(f *cmdutil.Factory) *cobra.Command { return candles.NewCmdCandles(f, nil) }},
		{"instruments", func(f *cmdutil.Factory) *cobra.Command { return instruments.NewCmdInstruments(f, nil) }},
		{"watch", func(f *cmdutil.Factory) *cobra.Command { return watch.NewCmdWatch(f, nil) }},
		{"events", func(f *cmdutil.Factory) *cobra.Command { return events.NewCmdEvents(f, nil) }},
		{"deadman", func(f *cmdutil.Factory) *cobra.Command { return deadman.NewCmdDeadman(f, nil) }},
		{"paper", paper.NewCmdPaper},
		{"config", configcmd.NewCmdConfig},
		{"doctor", func(f *cmdutil.Factory) *cobra.Command { return doctor.NewCmdDoctor(f, nil) }},
		// mcp runs the other commands in process, so it gets the tree builder.
		{"mcp", func(f *cmdutil.Factory) *cobra.Command { return mcp.NewCmdMCP(f, NewCmdRootFor, nil) }},
		{"version", func(f *cmdutil.Factory) *cobra.Command {
			v := version.NewCmdVersion(f, nil)
			v.GroupID = "setup"
			v.Annotations = map[string]string{annotationNoConfig: "true"}
			return v
		}},
	}
}

// newRoot builds the root command with the given commands under it. With
// all of them it is the whole tree, with cobra's help and completion
// commands described and every flag's file completion turned off.
func newRoot(f *cmdutil.Factory, commands []topCommand) *cobra.Command {
	g := f.Globals
	cmd := &cobra.Command{
		Use:   "tradectl <command> [flags]",
		Short: "Trade from the terminal, scripts and cron",
		Long: heredoc.Doc(`
			tradectl places, inspects and cancels orders and shows balances, positions
			and quotes: on an embedded paper exchange by default (no keys, no network),
			and on Binance, Kraken, Coinbase and Alpaca with the same commands. Tables
			for people, JSON for programs, documented exit codes for scripts.

			Try first:
			  tradectl quote BTC-USD ETH-USD AAPL
			  tradectl order create BTC-USD --side buy --qty 0.01
			  tradectl order list --status all

			Then: tradectl config init writes a commented configuration file, and
			tradectl completion bash|zsh|fish|powershell sets up Tab completion.
		`),
		Example: heredoc.Doc(`
			$ tradectl quote BTC-USD ETH-USD AAPL
			$ tradectl order create BTC-USD --side buy --qty 0.01 -o json --jq .status
			$ tradectl --profile paper balance
		`),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return setup(cmd, f)
		},
		// Without a command tradectl answers with a short overview rather
		// than the whole reference: what there is, and what to try first.
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := io.WriteString(f.IOStreams.Out, overview(cmd))
			return err
		},
	}
	cmd.AddGroup(
		&cobra.Group{ID: "trade", Title: "Trading:"},
		&cobra.Group{ID: "account", Title: "Accounts:"},
		&cobra.Group{ID: "market", Title: "Market data:"},
		&cobra.Group{ID: "setup", Title: "Setup:"},
	)
	cmd.SetUsageTemplate(usageTemplate)
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
	pf.Bool(flagAbsoluteTime, false, "on a terminal, show times as local date and time with the zone instead of \"3m ago\"")
	_ = cmd.RegisterFlagCompletionFunc("output", completion.Fixed(render.Formats))
	_ = cmd.RegisterFlagCompletionFunc("log-format", completion.Fixed([]string{"text", "json"}))
	_ = cmd.RegisterFlagCompletionFunc("color", completion.Fixed(config.ColorModes()))
	_ = cmd.RegisterFlagCompletionFunc("profile", completion.Profiles(f.CompletionSource()))
	_ = cmd.RegisterFlagCompletionFunc("config", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	})
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cmdutil.UsageError{Err: fmt.Errorf("%w (see '%s --help')%s", err, c.CommandPath(), suggestFlag(c, err))}
	})

	for _, c := range commands {
		cmd.AddCommand(c.build(f))
	}
	cmd.SetHelpCommandGroupID("setup")
	cmd.SetCompletionCommandGroupID("setup")
	// Cobra's completion command binds its output stream when it is
	// created, which describeBuiltins does: the streams must be set first.
	cmd.SetIn(f.IOStreams.In)
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	whole := len(commands) == len(topLevel())
	if whole {
		// A tree built for one command never runs help or completion
		// (NewCmdRootFor), so neither needs describing or completing.
		describeBuiltins(cmd)
	}
	markUsageErrors(cmd)
	if whole {
		noFileArgs(cmd)
	}
	unknownSubcommands(cmd)
	return cmd
}

// flagAbsoluteTime names the global flag that shows absolute times on a
// terminal.
const flagAbsoluteTime = "absolute-time"

// usageTemplate is cobra's, with one usage line per command (a group
// command shows "<command>", the root no "[command]" twice) and the
// pointer to per-command help at the end.
const usageTemplate = `Usage:{{if and .Runnable (not .HasAvailableSubCommands)}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} <command> [flags]{{end}}{{if gt (len .Aliases) 0}}

Aliases:
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Examples:
{{.Example | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}{{$cmds := .Commands}}{{if eq (len .Groups) 0}}

Commands:{{range $cmds}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{else}}{{range $group := .Groups}}

{{.Title}}{{range $cmds}}{{if (and (eq .GroupID $group.ID) (or .IsAvailableCommand (eq .Name "help")))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if not .AllChildCommandsHaveGroup}}

Additional Commands:{{range $cmds}}{{if (and (eq .GroupID "") (or .IsAvailableCommand (eq .Name "help")))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Global Flags:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{.CommandPath}} <command> --help" for more about a command.{{end}}
`

// overview is what tradectl prints without a command: the command groups
// on one line each, the three commands to try first, and where to read on.
// It fits a 80-column terminal and a screen of 24 lines.
func overview(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString("tradectl: trade from the terminal, scripts and cron, on an embedded paper\n")
	b.WriteString("exchange by default (no keys, no network) and on real venues.\n\n")
	b.WriteString("Commands:\n")
	width := 0
	for _, g := range root.Groups() {
		width = max(width, len(g.Title))
	}
	for _, g := range root.Groups() {
		var names []string
		for _, c := range root.Commands() {
			if c.GroupID == g.ID && (c.IsAvailableCommand() || c.Name() == "help") {
				names = append(names, c.Name())
			}
		}
		if len(names) > 0 {
			fmt.Fprintf(&b, "  %-*s %s\n", width, g.Title, strings.Join(names, ", "))
		}
	}
	b.WriteString("\nTry first:\n")
	b.WriteString("  tradectl quote BTC-USD ETH-USD AAPL                  # prices, bid and ask\n")
	b.WriteString("  tradectl order create BTC-USD --side buy --qty 0.01  # a paper market order\n")
	b.WriteString("  tradectl order list --status all                     # and there it is\n")
	b.WriteString("\nSet up a real venue with 'tradectl config init'.\n")
	b.WriteString("More: 'tradectl --help', and 'tradectl <command> --help' for one command.\n")
	return b.String()
}

// describeBuiltins gives cobra's own help and completion commands the
// examples every other command has.
func describeBuiltins(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Long = heredoc.Doc(`
				Show the help of any command: what it does, its flags and examples that
				run as written against the paper exchange. The same as COMMAND --help.
			`)
			c.Example = heredoc.Doc(`
				$ tradectl help
				$ tradectl help order create
			`)
		case "completion":
			c.Short = "Print the shell completion script (bash, zsh, fish, powershell)"
			c.Long = heredoc.Doc(`
				Print the script that teaches a shell to complete tradectl's commands,
				flags and values: profiles from the configuration, symbols from the
				profile's instruments, order ids from its open orders, and every fixed
				choice (sides, order types, formats …).

				Completion never uses the network and never runs a secret command. The
				paper exchange answers from its local database. A venue's symbols come
				from its instrument cache, which commands that read the venue's rules fill
				(order create, --dry-run included, and doctor), and its order ids are not
				offered: they are at the venue.

				Release archives carry the scripts in completions/. Each shell's own
				subcommand says where to install its script.
			`)
			c.Example = heredoc.Doc(`
				# bash: load it in this shell (add the line to ~/.bashrc to keep it)
				$ source <(tradectl completion bash)

				# zsh: a directory on $fpath (add fpath+=(~/.zfunc) to ~/.zshrc before compinit)
				$ mkdir -p ~/.zfunc && tradectl completion zsh > ~/.zfunc/_tradectl

				# fish
				$ mkdir -p ~/.config/fish/completions && tradectl completion fish > ~/.config/fish/completions/tradectl.fish
			`)
			for _, sh := range c.Commands() {
				sh.Example = "$ tradectl completion " + sh.Name() + " > " + scriptName(sh.Name())
			}
		}
	}
}

// scriptName is the file name completions/ and the release archives use
// for a shell's completion script.
func scriptName(shell string) string {
	switch shell {
	case "zsh":
		return "_tradectl"
	case "powershell":
		return "tradectl.ps1"
	}
	return "tradectl." + shell
}

// noFileArgs stops shells from offering file names where tradectl takes
// no file: every argument and flag value without a completion of its own
// (prices, quantities, ids, durations …) completes to nothing. --config is
// the one file name, and has its own.
func noFileArgs(cmd *cobra.Command) {
	if cmd.ValidArgsFunction == nil && len(cmd.ValidArgs) == 0 && !cmd.HasSubCommands() {
		cmd.ValidArgsFunction = cobra.NoFileCompletions
	}
	noFileFlags := func(fl *pflag.Flag) {
		if fl.Value.Type() == "bool" {
			return
		}
		if _, ok := cmd.GetFlagCompletionFunc(fl.Name); !ok {
			_ = cmd.RegisterFlagCompletionFunc(fl.Name, cobra.NoFileCompletions)
		}
	}
	cmd.LocalNonPersistentFlags().VisitAll(noFileFlags)
	cmd.PersistentFlags().VisitAll(noFileFlags)
	for _, c := range cmd.Commands() {
		noFileArgs(c)
	}
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
	// A command whose own --timeout means something else (deadman: how
	// long its switch may go unfed) is never bounded by it, and the
	// configuration does not read it as the global one.
	ownTimeout := cmd.Annotations[annotationOwnTimeout] == "true"
	if ownTimeout {
		f.SetFlags(without(cmd.Flags(), "timeout"))
	} else {
		f.SetFlags(cmd.Flags())
	}
	mode, ok := iostreams.ParseColorMode(g.Color)
	if !ok {
		return cmdutil.Usagef("--color %q: use auto, always or never", g.Color)
	}
	f.IOStreams.SetColorMode(mode, f.Getenv)
	if abs, err := cmd.Flags().GetBool(flagAbsoluteTime); err == nil {
		f.IOStreams.SetAbsoluteTime(abs)
	}
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
	if !ownTimeout && (cmd.Annotations["tradectl/long-running"] != "true" || cmd.Flags().Changed("timeout")) {
		if cfg.Timeout > 0 {
			ctx, cancel := context.WithTimeout(cmd.Context(), cfg.Timeout)
			cmd.SetContext(ctx)
			f.OnExit(cancel)
		}
	}
	f.Logger().Debug("command start", slog.String("command", cmd.CommandPath()), slog.String("profile", cfg.Profile))
	return nil
}

// annotationOwnTimeout marks a command whose --timeout is its own flag,
// not the global deadline.
const annotationOwnTimeout = "tradectl/own-timeout"

// without copies fs but for the flag name.
func without(fs *pflag.FlagSet, name string) *pflag.FlagSet {
	out := pflag.NewFlagSet(fs.Name(), pflag.ContinueOnError)
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Name != name {
			out.AddFlag(fl)
		}
	})
	return out
}

func noConfig(cmd *cobra.Command) bool {
	if !cmd.HasParent() {
		return true // the overview: it must work before any configuration does
	}
	if cmd.HasSubCommands() {
		return true // a group only shows its help or names a mistyped subcommand
	}
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
