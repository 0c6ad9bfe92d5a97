// Package deadman implements `tradectl deadman`: a dead-man switch that
// cancels an account's open orders when a bot stops feeding it.
package deadman

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/deadman"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// Client-side limits: a switch tradectl keeps itself reads the heartbeat
// file a few times a second at most, and one that waits longer than a
// day is not watching anything.
const (
	clientMin = time.Second
	clientMax = 24 * time.Hour
)

// DeadmanOptions is a parsed `deadman`.
type DeadmanOptions struct {
	IO           *iostreams.IOStreams
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Printer      func() (*render.Printer, error)
	Logger       func() *slog.Logger
	// Now and Sleep are the switch's clock. It is the wall clock even when
	// TRADECTL_NOW pins the others: heartbeat files and venues' timers
	// run on it.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error

	Timeout   time.Duration
	Heartbeat string
	Once      bool
	// OutputChosen says -o (or its environment variable) was given: a
	// piped -o table prints lines rather than JSON.
	OutputChosen bool
}

// NewCmdDeadman builds the command; runF replaces the run step in tests.
func NewCmdDeadman(f *cmdutil.Factory, runF func(*DeadmanOptions) error) *cobra.Command {
	opts := &DeadmanOptions{
		IO:           f.IOStreams,
		OpenExchange: f.OpenExchange,
		Printer:      f.Printer,
		Logger:       f.Logger,
		Now:          time.Now,
	}
	cmd := &cobra.Command{
		Use:   "deadman [--timeout D] [--heartbeat-file F] [--once]",
		Short: "Cancel the open orders when a bot stops feeding the switch",
		Long: heredoc.Doc(`
			A dead-man switch for unattended bots and cron jobs: while it is fed, the
			profile's open orders stay; when it is not fed for --timeout, every open
			order of the account is canceled.

			It is fed by this process staying alive, or with --heartbeat-file by the
			file's modification time: the bot touches the file on every loop, and a
			heartbeat older than --timeout (counted from the command's start at the
			earliest) is not fed.

			On Kraken the venue keeps the switch (CancelAllOrdersAfter): tradectl
			arms it and pushes it back every third of --timeout while fed, timed to
			run out when the heartbeat turns --timeout old. When the heartbeat goes
			stale it stops refreshing and Kraken cancels; so does a SIGKILL, a lost
			machine or a lost network. On the other venues and paper tradectl keeps
			the switch itself: it needs --heartbeat-file, and cancels every open
			order when the heartbeat goes stale — only while it runs and can reach
			the venue.

			Ctrl-C or SIGTERM is a deliberate stop: the switch is disarmed (Kraken:
			timeout 0) and the command exits 0. When the switch fires, the canceled
			orders are reported and it exits 13.

			--once arms or refreshes Kraken's timer one time and exits, for a bot that
			runs it on every loop or from cron; --once --timeout 0 disarms it. It is
			refused (exit 2, nothing sent) on venues without a timer of their own.

			On a terminal each event is one line. Piped or with -o json/ndjson each
			event is one JSON object per line: armed, refreshed, refresh_failed,
			triggered, canceled (one per order) and disarmed.
		`),
		Example: heredoc.Doc(`
			# keep the open orders while bot.heartbeat is touched; here nobody touches it,
			# so after 2s every open order is canceled (exit 13)
			$ touch bot.heartbeat && tradectl deadman --timeout 2s --heartbeat-file bot.heartbeat

			# the same as JSON lines: the ids of the canceled orders (exit 13)
			$ touch bot.heartbeat && tradectl deadman --timeout 1s --heartbeat-file bot.heartbeat --jq 'select(.kind == "canceled") | .order.id'

			# from a bot's loop or cron on Kraken: push the venue's timer back once;
			# paper keeps no timer, so here it is refused (exit 2)
			$ tradectl deadman --once --timeout 60s
		`),
		Args:    cobra.NoArgs,
		GroupID: "trade",
		Annotations: map[string]string{
			"tradectl/long-running": "true",
			// --timeout is the switch's, not the command's deadline.
			"tradectl/own-timeout": "true",
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(cmd); err != nil {
				return err
			}
			opts.OutputChosen = cmd.Flags().Changed("output") || (f.Getenv != nil && f.Getenv(config.EnvOutput) != "")
			if runF != nil {
				return runF(opts)
			}
			return deadmanRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 60*time.Second, "cancel when the switch goes unfed this long (Kraken: whole seconds; 0 with --once: disarm)")
	cmd.Flags().StringVar(&opts.Heartbeat, "heartbeat-file", "", "fed by this file's modification time instead of the command's own liveness")
	cmd.Flags().BoolVar(&opts.Once, "once", false, "arm or refresh the venue's timer once and exit (Kraken only)")
	return cmd
}

// validate checks what needs no venue: the rest (the venue's limits)
// waits for the profile, still before any request.
func (o *DeadmanOptions) validate(cmd *cobra.Command) error {
	switch {
	case o.Timeout < 0:
		return cmdutil.Usagef("--timeout must not be negative, got %s", o.Timeout)
	case o.Timeout == 0 && !o.Once:
		return cmdutil.Usagef("--timeout 0 disarms the venue's timer and only goes with --once; a running switch needs a timeout above 0")
	case o.Timeout == 0 && o.Heartbeat != "":
		return cmdutil.Usagef("--once --timeout 0 disarms the venue's timer: --heartbeat-file has nothing to do with it")
	}
	if o.Heartbeat != "" {
		fi, err := os.Stat(o.Heartbeat)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return cmdutil.Usagef("--heartbeat-file %s does not exist: create it (touch it) before starting the switch", o.Heartbeat)
		case err != nil:
			return cmdutil.Usagef("--heartbeat-file: %v", err)
		case fi.IsDir():
			return cmdutil.Usagef("--heartbeat-file %s is a directory", o.Heartbeat)
		}
	}
	return nil
}

// checkVenue applies the venue's limits, after the profile is opened and
// before anything is sent.
func (o *DeadmanOptions) checkVenue(ex exchange.Exchange) error {
	native, ok := ex.(exchange.CancelAllAfterer)
	if !ok {
		switch {
		case o.Once:
			return cmdutil.Usagef("%s keeps no dead-man timer of its own, so there is nothing for --once to refresh; run tradectl deadman --heartbeat-file F without --once, which cancels the orders itself while it runs; nothing was sent", ex.Name())
		case o.Heartbeat == "":
			return cmdutil.Usagef("on %s tradectl keeps the switch itself and needs --heartbeat-file: the file a bot touches on every loop (nothing else could go stale); nothing was sent", ex.Name())
		case o.Timeout < clientMin || o.Timeout > clientMax:
			return cmdutil.Usagef("--timeout %s: on %s it must be from %s to %s", o.Timeout, ex.Name(), clientMin, clientMax)
		}
		return nil
	}
	if lim := native.CancelAllAfterLimits(); !lim.Check(o.Timeout) {
		step := ""
		if lim.Step > 0 {
			step = fmt.Sprintf(" in whole multiples of %s", lim.Step)
		}
		return cmdutil.Usagef("--timeout %s: %s's timer takes %s to %s%s (0 with --once disarms); nothing was sent", o.Timeout, ex.Name(), lim.Min, lim.Max, step)
	}
	return nil
}

// Event is one line of output. Its JSON fields are documented in the
// README's dead-man switch section.
type Event struct {
	Time    trade.JSONTime `json:"time"`
	Kind    string         `json:"kind"`
	Profile string         `json:"profile"`
	Venue   string         `json:"venue"`
	// Mode is "native" (the venue keeps the timer) or "client" (tradectl
	// does).
	Mode           string          `json:"mode"`
	TimeoutSeconds float64         `json:"timeout_seconds"`
	TriggerAt      *trade.JSONTime `json:"trigger_at,omitempty"`
	Deadline       *trade.JSONTime `json:"deadline,omitempty"`
	HeartbeatAt    *trade.JSONTime `json:"heartbeat_at,omitempty"`
	Reason         string          `json:"reason,omitempty"`
	By             string          `json:"by,omitempty"`
	Order          *trade.Order    `json:"order,omitempty"`
	Error          string          `json:"error,omitempty"`
}

func optTime(t time.Time) *trade.JSONTime {
	if t.IsZero() {
		return nil
	}
	jt := trade.JSONTime(t.UTC())
	return &jt
}

func deadmanRun(ctx context.Context, o *DeadmanOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	if printer.Format == render.CSV {
		return cmdutil.Usagef("deadman prints events as lines (-o table) or JSON lines (-o json/ndjson), not CSV")
	}
	ex, prof, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	if err := o.checkVenue(ex); err != nil {
		return err
	}
	mode := "client"
	if deadman.Native(ex) {
		mode = "native"
	}
	lines := printer.Format == render.Table && (o.IO.IsStdoutTTY() || o.OutputChosen)
	emit := func(e deadman.Event) error {
		ev := Event{Time: trade.JSONTime(e.Time.UTC()), Kind: string(e.Kind), Profile: prof.Name, Venue: ex.Name(), Mode: mode,
			TimeoutSeconds: o.Timeout.Seconds(), TriggerAt: optTime(e.TriggerAt), Deadline: optTime(e.Deadline),
			HeartbeatAt: optTime(e.HeartbeatAt), Reason: e.Reason, By: e.By, Order: e.Order}
		if e.Err != nil {
			ev.Error = e.Err.Error()
		}
		if lines {
			_, err := fmt.Fprintln(o.IO.Out, Line(ev))
			return err
		}
		return printer.PrintEvent(ev)
	}
	var log *slog.Logger
	if o.Logger != nil {
		log = o.Logger().With("profile", prof.Name)
	}
	err = deadman.Run(ctx, deadman.Options{
		Exchange: ex, Timeout: o.Timeout, Heartbeat: o.Heartbeat, Once: o.Once,
		Emit: emit, Now: o.Now, Sleep: o.Sleep, Log: log,
	})
	if errors.Is(err, deadman.ErrTriggered) && !lines {
		// The events already say it; no error document follows them.
		return &cmdutil.InDocumentError{Err: err}
	}
	return err
}

// Line is one event as a terminal line.
func Line(ev Event) string {
	t := time.Time(ev.Time).Local().Format("15:04:05")
	at := func(p *trade.JSONTime) string {
		if p == nil {
			return "?"
		}
		return time.Time(*p).Local().Format("15:04:05")
	}
	who := fmt.Sprintf("%s (%s)", ev.Profile, ev.Venue)
	switch ev.Kind {
	case string(deadman.Armed), string(deadman.Refreshed):
		if ev.Mode == "native" {
			return fmt.Sprintf("%s  %-14s %s: %s cancels every order at %s unless refreshed", t, ev.Kind, who, ev.Venue, at(ev.TriggerAt))
		}
		return fmt.Sprintf("%s  %-14s %s: tradectl cancels every order once the heartbeat is %s old (at %s unless touched)", t, ev.Kind, who, time.Duration(ev.TimeoutSeconds*float64(time.Second)), at(ev.Deadline))
	case string(deadman.RefreshFailed):
		return fmt.Sprintf("%s  %-14s %s: %s; the venue still cancels at %s unless a retry lands", t, ev.Kind, who, ev.Error, at(ev.TriggerAt))
	case string(deadman.Triggered):
		why := "the heartbeat went stale"
		if ev.Reason == deadman.ReasonRefreshFailed {
			why = "the venue's timer could not be refreshed"
		}
		if ev.By == deadman.ByVenue {
			return fmt.Sprintf("%s  %-14s %s: %s; %s cancels every order at %s", t, ev.Kind, who, why, ev.Venue, at(ev.TriggerAt))
		}
		return fmt.Sprintf("%s  %-14s %s: %s; canceling every open order", t, ev.Kind, who, why)
	case string(deadman.Canceled):
		if od := ev.Order; od != nil {
			return fmt.Sprintf("%s  %-14s %s: order %s %s %s %s %s, %s", t, ev.Kind, who, od.ID, od.Symbol, od.Side, od.Qty, od.Type, od.Status)
		}
	case string(deadman.Disarmed):
		if ev.Mode == "native" {
			return fmt.Sprintf("%s  %-14s %s: %s's timer is off; the orders stay", t, ev.Kind, who, ev.Venue)
		}
		return fmt.Sprintf("%s  %-14s %s: stopped; the orders stay", t, ev.Kind, who)
	}
	return fmt.Sprintf("%s  %-14s %s", t, ev.Kind, who)
}
