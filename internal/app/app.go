// Package app runs tradectl: it builds the factory and the command tree,
// executes the command and turns its error into an exit code. It is the
// only package that decides how the process ends.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/cmd/root"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// Main runs the process's command line and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ios := iostreams.System(os.Getenv)
	f := factory.New(ios, os.Getenv, nil)
	return Run(ctx, f, os.Args[1:])
}

// Run executes args with an already built factory; tests call it in process.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	cmd := root.NewCmdRootFor(f, args)
	cmd.SetArgs(args)
	cmd.SetIn(f.IOStreams.In)
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	ran, err := cmd.ExecuteContextC(ctx)
	f.RunExitHooks()
	if err == nil {
		return cmdutil.ExitOK
	}
	err = classifyCobra(err)
	err = flagHint(ran, err)
	c := cmdutil.Classify(ctx, err)
	var silent *cmdutil.SilentError
	if !errors.As(err, &silent) {
		if factory.JSONStderr(f) {
			printErrorJSON(f.IOStreams.ErrOut, err, c)
		} else {
			printError(f.IOStreams.ErrOut, err, c)
		}
	}
	// A partial result was already printed, failures included; a second
	// document after it would only confuse a JSON reader. The same holds
	// for an outcome the printed document states itself.
	var inDoc *cmdutil.InDocumentError
	if wantsJSON(f) && c.Exit != cmdutil.ExitPartial && !errors.As(err, &inDoc) {
		writeErrorJSON(f.IOStreams.Out, err, c)
	}
	return c.Exit
}

// classifyCobra marks the usage errors cobra reports as plain errors.
func classifyCobra(err error) error {
	var u *cmdutil.UsageError
	if errors.As(err, &u) {
		return err
	}
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "required flag", "unknown flag", "unknown shorthand flag", "invalid argument", "if any flags in the group", "flag needs an argument"} {
		if strings.HasPrefix(msg, prefix) {
			return &cmdutil.UsageError{Err: err}
		}
	}
	return err
}

func printError(w io.Writer, err error, c cmdutil.Classification) {
	fmt.Fprintln(w, "Error: "+errorMessage(err, c))
}

// printErrorJSON is the error as one JSON log line on stderr, in the
// shape of tradectl's other log lines, for logs that must stay JSON.
func printErrorJSON(w io.Writer, err error, c cmdutil.Classification) {
	slog.New(factory.JSONLogHandler(w, slog.LevelError)).Error(errorMessage(err, c),
		slog.String("code", c.Code), slog.Int("exit_code", c.Exit), slog.Bool("retryable", c.Retryable))
}

func errorMessage(err error, c cmdutil.Classification) string {
	msg := err.Error()
	switch {
	case c.Exit == cmdutil.ExitInterrupted:
		msg = "interrupted"
	case c.Code == "timeout":
		msg += " (the command's --timeout ran out)"
	case c.Exit == cmdutil.ExitInternal:
		msg = "internal error: " + msg
	}
	return msg
}

// wantsJSON says the error envelope goes to stdout: the output is json or
// ndjson, decided once (factory.OutputFormat) — from -o, TRADECTL_OUTPUT
// or the config file's output alike. With --jq the filter shapes stdout,
// so no envelope is added to it.
func wantsJSON(f *cmdutil.Factory) bool {
	return f.Globals.JQ == "" && factory.OutputFormat(f).Machine()
}

// ErrorJSON is the envelope scripts get on stdout with -o json.
type ErrorJSON struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody describes one failure.
type ErrorBody struct {
	Code       string  `json:"code"`
	ExitCode   int     `json:"exit_code"`
	Message    string  `json:"message"`
	Retryable  bool    `json:"retryable"`
	RetryAfter float64 `json:"retry_after_seconds,omitempty"`
	ClientID   string  `json:"client_id,omitempty"`
}

func writeErrorJSON(w io.Writer, err error, c cmdutil.Classification) {
	body := ErrorBody{Code: c.Code, ExitCode: c.Exit, Message: err.Error(), Retryable: c.Retryable}
	if d, ok := exchange.RetryAfter(err); ok {
		body.RetryAfter = d.Seconds()
	}
	var xe *exchange.Error
	if errors.As(err, &xe) {
		body.ClientID = xe.ClientID
	}
	b, _ := json.Marshal(ErrorJSON{Error: body})
	fmt.Fprintln(w, string(b))
}

// flagHint names the flag of the command that ran for a refusal the
// layers below word in the domain's terms: a venue that needs the order's
// symbol (exchange.ErrSymbolNeeded) is answered with --symbol where the
// command has one.
func flagHint(ran *cobra.Command, err error) error {
	if ran == nil || !errors.Is(err, exchange.ErrSymbolNeeded) || ran.Flags().Lookup("symbol") == nil {
		return err
	}
	return &hinted{err: err, hint: "pass --symbol"}
}

// hinted is an error with the flag that avoids it appended; it is still
// the error it wraps for errors.Is/As (and so for Classify).
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() + "; " + h.hint }
func (h *hinted) Unwrap() error { return h.err }
