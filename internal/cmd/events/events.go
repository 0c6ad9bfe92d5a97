// Package events implements `tradectl events`: an account's order changes
// and fills as they happen, from one or more profiles.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/notifycmd"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/notify"
	"github.com/tradectl/tradectl/internal/orderevents"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// EventsOptions is a parsed `events`.
type EventsOptions struct {
	IO           *iostreams.IOStreams
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Printer      func() (*render.Printer, error)
	Logger       func() *slog.Logger

	// Profiles are the accounts to follow; empty: the selected profile.
	Profiles []string
	Symbol   trade.Symbol
	// Interval is the REST poll interval for venues that push nothing.
	Interval time.Duration
	// OutputChosen says -o (or its environment variable) was given, so a
	// piped -o table is refused rather than turned into JSON.
	OutputChosen bool
	// Notify are the notification flags: every event printed is also an
	// order_event notification. The profile defaults are the first
	// profile's.
	Notify     notifycmd.Flags
	NotifyDeps notifycmd.Deps
}

// NewCmdEvents builds the command; runF replaces the run step in tests.
func NewCmdEvents(f *cmdutil.Factory, runF func(*EventsOptions) error) *cobra.Command {
	opts := &EventsOptions{
		IO:           f.IOStreams,
		OpenExchange: f.OpenExchange,
		Printer:      f.Printer,
		Logger:       f.Logger,
		NotifyDeps:   notifycmd.NewDeps(f),
	}
	var symbol string
	var notifyFlags *notifycmd.Binding
	cmd := &cobra.Command{
		Use:   "events [--profile a,b] [--symbol SYMBOL]",
		Short: "Print order changes and fills as they happen",
		Long: heredoc.Doc(`
			Print the account's order changes and fills as they happen, until Ctrl-C
			(exit 0) or --timeout (exit 0). What already stood when the command
			started is not repeated: only what changes from then on.

			Events are pushed where the venue streams them and polled every --interval
			over REST where it does not. After every reconnect of a stream the account
			is read over REST (open orders, recent fills), so a fill that happened
			while the connection was down is still printed, and printed once.

			--profile takes a comma-separated list: one stream per profile, printed as
			the events arrive. --symbol keeps one symbol's events.

			On a terminal each event is one line: time, profile, kind, symbol, side,
			then quantity and price of a fill, or status and filled quantity of an
			order. Piped or with -o json/ndjson, each event is one JSON object on its
			own line, flushed at once; fields: time, profile, venue, kind ("order" or
			"fill"), and order or fill. -o csv writes a header and one row per event.

			--notify CMD, --webhook URL and --desktop-notify also deliver each event as an
			order_event notification, without slowing the stream; the first profile's
			notify: section sets defaults.
		`),
		Example: heredoc.Doc(`
			# follow the selected profile: a line per event on a terminal, here for two seconds
			$ tradectl events --timeout 2s

			# two accounts, as JSON lines
			$ tradectl events --profile paper,rehearsal -o ndjson --timeout 2s

			# the price of every BTC-USD fill
			$ tradectl events --symbol BTC-USD --jq 'select(.kind == "fill") | .fill.price' --timeout 2s

			# run a command for every fill, the event's JSON on its stdin
			$ tradectl events --notify 'jq -r .fill.price >> fills.txt' --notify-on order_event --timeout 2s
		`),
		Args:        cobra.NoArgs,
		GroupID:     "account",
		Annotations: map[string]string{"tradectl/long-running": "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Profiles = f.ProfileList(cmd)
			if symbol != "" {
				s, err := trade.ParseSymbol(symbol)
				if err != nil {
					return cmdutil.Usagef("--symbol: %v", err)
				}
				opts.Symbol = s
			}
			if opts.Interval < 500*time.Millisecond {
				return cmdutil.Usagef("--interval must be at least 500ms")
			}
			opts.OutputChosen = cmd.Flags().Changed("output") || (f.Getenv != nil && f.Getenv(config.EnvOutput) != "")
			var err error
			if opts.Notify, err = notifyFlags.Parse(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return eventsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&symbol, "symbol", "", "only this symbol's events")
	cmd.Flags().DurationVar(&opts.Interval, "interval", 2*time.Second, "how often to poll venues that do not stream")
	notifyFlags = notifycmd.AddFlags(cmd)
	return cmd
}

// Event is one line of output. Its JSON fields are documented in the
// README's events section.
type Event struct {
	Time    trade.JSONTime `json:"time"`
	Profile string         `json:"profile"`
	Venue   string         `json:"venue"`
	Kind    string         `json:"kind"` // "order" or "fill"
	Order   *trade.Order   `json:"order,omitempty"`
	Fill    *trade.Fill    `json:"fill,omitempty"`
}

// account is one profile's opened exchange.
type account struct {
	profile string
	ex      exchange.Exchange
}

func eventsRun(ctx context.Context, o *EventsOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	if printer.Format == render.Table && !o.IO.IsStdoutTTY() && o.OutputChosen {
		return cmdutil.Usagef("events -o table needs a terminal; piped, use -o ndjson (one JSON object per event) or -o csv")
	}
	names := o.Profiles
	if len(names) == 0 {
		names = []string{""}
	}
	var accounts []account
	defer func() {
		for _, a := range accounts {
			a.ex.Close()
		}
	}()
	var first config.Profile
	for i, name := range names {
		ex, p, err := o.OpenExchange(ctx, name)
		if err != nil {
			return err
		}
		if i == 0 {
			first = p
		}
		accounts = append(accounts, account{profile: p.Name, ex: ex})
	}
	disp, err := o.Notify.Open(o.NotifyDeps, first)
	if err != nil {
		return err
	}
	defer disp.Close()

	emit := printer.PrintEvent
	switch {
	case printer.Format == render.CSV:
		emit = printer.NewCSVWriter(render.CSVColumns(Event{Order: &trade.Order{}, Fill: &trade.Fill{}})).Write
	case printer.Format == render.Table && o.IO.IsStdoutTTY():
		emit = func(v any) error {
			_, err := fmt.Fprintln(o.IO.Out, Line(v.(Event)))
			return err
		}
	}
	err = fanIn(ctx, o, accounts, func(ev Event) error {
		disp.Send(notificationOf(ev))
		return emit(ev)
	})
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		// Ctrl-C and --timeout are how an endless stream ends.
		return nil
	}
	return err
}

// fanIn follows every account at once and hands their events to print one
// at a time, in the order they arrive. The first account that fails for
// good ends them all.
func fanIn(ctx context.Context, o *EventsOptions, accounts []account, print func(Event) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, a := range accounts {
		wg.Go(func() {
			err := orderevents.Follow(ctx, a.ex, orderevents.Options{
				Symbol:       o.Symbol,
				PollInterval: o.Interval,
				Log:          o.Logger().With("profile", a.profile),
			}, func(ev exchange.OrderEvent) error {
				out := Event{Time: trade.JSONTime(eventTime(ev)), Profile: a.profile, Venue: a.ex.Name(), Kind: string(ev.Kind)}
				if ev.Kind == exchange.EventFill {
					out.Fill = ev.Fill
				} else {
					out.Order = ev.Order
				}
				mu.Lock()
				defer mu.Unlock()
				return print(out)
			})
			if err != nil && ctx.Err() == nil {
				cancel(fmt.Errorf("events of profile %s: %w", a.profile, err))
			}
		})
	}
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return ctx.Err()
}

// notificationOf is an order_event notification of a printed event.
func notificationOf(ev Event) notify.Event {
	n := notify.Event{Kind: notify.KindOrderEvent, Time: ev.Time, Command: "events", Profile: ev.Profile, Venue: ev.Venue,
		Order: ev.Order, Fill: ev.Fill, Message: Line(ev)}
	switch {
	case ev.Fill != nil:
		n.Symbol = ev.Fill.Symbol.String()
		n.Message = fmt.Sprintf("fill on %s: %s %s %s @ %s (order %s)", ev.Profile, ev.Fill.Side, ev.Fill.Qty, ev.Fill.Symbol, ev.Fill.Price, ev.Fill.OrderID)
	case ev.Order != nil:
		n.Symbol = ev.Order.Symbol.String()
		n.Message = fmt.Sprintf("order %s on %s: %s %s %s %s, filled %s of %s", ev.Order.ID, ev.Profile, ev.Order.Status, ev.Order.Side, ev.Order.Symbol, ev.Order.Type, ev.Order.FilledQty, ev.Order.Qty)
	}
	return n
}

// eventTime is when the venue says the event happened, else now.
func eventTime(ev exchange.OrderEvent) time.Time {
	switch {
	case !ev.Time.IsZero():
		return ev.Time.UTC()
	case ev.Fill != nil && !ev.Fill.Time.IsZero():
		return ev.Fill.Time.UTC()
	case ev.Order != nil && !ev.Order.UpdatedAt.IsZero():
		return ev.Order.UpdatedAt.UTC()
	}
	return time.Now().UTC()
}

// Line is one event as a terminal line.
func Line(ev Event) string {
	t := time.Time(ev.Time).Local().Format("15:04:05.000")
	switch {
	case ev.Fill != nil:
		f := ev.Fill
		return fmt.Sprintf("%s  %-10s %-5s %-10s %-4s %s @ %s  order %s", t, ev.Profile, "fill", f.Symbol, f.Side, f.Qty, f.Price, f.OrderID)
	case ev.Order != nil:
		od := ev.Order
		return fmt.Sprintf("%s  %-10s %-5s %-10s %-4s %s  %s, filled %s of %s  order %s", t, ev.Profile, "order", od.Symbol, od.Side, od.Type, od.Status, od.FilledQty, od.Qty, od.ID)
	}
	return fmt.Sprintf("%s  %-10s %s", t, ev.Profile, ev.Kind)
}
