// Package mcp implements `tradectl mcp`: a Model Context Protocol server
// over stdin/stdout whose tools are tradectl's own commands.
//
// A tool call is not a second implementation of a command: it is turned
// into the command line the CLI would run (`order create … -o json`) and
// executed in process through a fresh command tree and factory, so
// parsing, validation, risk limits, the journal and exactly-once
// placement are the CLI's own. The tool's result is the JSON the CLI
// prints, or its error with the exit-code classification.
package mcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/MakeNowJust/heredoc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// NewRootFunc builds the command tree for one command line, as
// root.NewCmdRootFor does; the root passes it in, as the root imports
// this package.
type NewRootFunc func(f *cmdutil.Factory, args []string) *cobra.Command

// MCPOptions is a parsed `mcp`.
type MCPOptions struct {
	IO           *iostreams.IOStreams
	Config       func() (*config.Config, error)
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Logger       func() *slog.Logger
	// Exec runs one tradectl command line in process and returns what it
	// printed on stdout; its stderr goes to the server's stderr.
	Exec func(ctx context.Context, args []string) ([]byte, error)

	// GlobalArgs are the global flags every tool's command line carries
	// (--config, --timeout when given to mcp); the profile is added per
	// call from the loaded config.
	GlobalArgs []string
}

// NewCmdMCP builds the command; runF replaces the run step in tests.
func NewCmdMCP(f *cmdutil.Factory, newRoot NewRootFunc, runF func(*MCPOptions) error) *cobra.Command {
	opts := &MCPOptions{
		IO:           f.IOStreams,
		Config:       f.Config,
		OpenExchange: f.OpenExchange,
		Logger:       f.Logger,
		Exec:         inProcess(f, newRoot),
	}
	cmd := &cobra.Command{
		Use:   "mcp [--profile P]",
		Short: "Serve the commands to AI agents over MCP (stdio)",
		Long: heredoc.Doc(`
			Serve the Model Context Protocol over stdin and stdout until stdin ends or
			the process is told to stop, so an AI agent (an MCP client) can call
			tradectl's commands as tools on one profile (--profile, else the selected
			one): quote, balance, positions, order_list, order_get, dashboard,
			order_create and order_cancel.

			Each tool runs the tradectl command of the same name, with the same checks:
			instrument rules, risk limits, the journal and exactly-once placement. Its
			result is the JSON the command prints with -o json; a failure is a tool
			error carrying {"exit_code", "error": {"code", "message", …}}, the
			classification the command's exit code has.

			Orders on a profile that is not simulated (any real venue) are refused
			unless the configuration says mcp: {allow_live_orders: true}; a dry run is
			always allowed. Nobody can answer a confirmation here, so a live
			order_create, when allowed, also needs the call's own "confirm": true
			(the --yes of the command line).

			stdout carries only the protocol; logs and warnings go to stderr.
		`),
		Example: heredoc.Doc(`
			# what an MCP client's configuration runs; it ends when stdin does
			$ tradectl mcp --profile paper < /dev/null

			# a script's session: every request read is answered before the server ends
			$ printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"sh","version":"1"}}}' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"quote","arguments":{"symbols":["BTC-USD"]}}}' | tradectl mcp
		`),
		Args:    cobra.NoArgs,
		GroupID: "setup",
		// The server lives as long as its client: no --timeout on it, each
		// tool call gets its own.
		Annotations: map[string]string{"tradectl/long-running": "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if p := f.Globals.ConfigPath; p != "" {
				opts.GlobalArgs = append(opts.GlobalArgs, "--config="+p)
			}
			if cmd.Flags().Changed("timeout") {
				opts.GlobalArgs = append(opts.GlobalArgs, "--timeout="+f.Globals.Timeout.String())
			}
			if runF != nil {
				return runF(opts)
			}
			return mcpRun(cmd.Context(), opts)
		},
	}
	return cmd
}

// inProcess runs a command line the way app.Run does, on a factory of its
// own: its own config load, journal and exit hooks, stdout into a buffer,
// no terminal (so nothing can prompt).
func inProcess(parent *cmdutil.Factory, newRoot NewRootFunc) func(ctx context.Context, args []string) ([]byte, error) {
	return func(ctx context.Context, args []string) ([]byte, error) {
		var out bytes.Buffer
		ios := &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: parent.IOStreams.ErrOut}
		f := factory.New(ios, parent.Getenv, nil)
		cmd := newRoot(f, args)
		cmd.SetArgs(args)
		cmd.SetIn(ios.In)
		cmd.SetOut(ios.Out)
		cmd.SetErr(ios.ErrOut)
		err := cmd.ExecuteContext(ctx)
		f.RunExitHooks()
		return out.Bytes(), err
	}
}

func mcpRun(ctx context.Context, o *MCPOptions) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	if _, err := cfg.Selected(); err != nil {
		return err
	}
	s := &server{opts: o, profile: cfg.Profile, allowLive: cfg.MCP.AllowLiveOrders}
	srv := s.build()
	o.Logger().Info("mcp server ready", slog.String("profile", s.profile), slog.Bool("allow_live_orders", s.allowLive))
	d := newDrain()
	err = srv.Run(ctx, &sdk.IOTransport{Reader: d.reader(ctx, o.IO.In), Writer: d.writer(o.IO.Out)})
	switch {
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, sdk.ErrConnectionClosed):
		return nil // the client went away: the normal end
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return fmt.Errorf("mcp: %w", err)
}
