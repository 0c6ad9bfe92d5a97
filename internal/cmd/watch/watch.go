// Package watch implements `tradectl watch`: live quotes, alerts, and
// --until conditions a script can wait on.
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/notifycmd"
	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/livescreen"
	"github.com/tradectl/tradectl/internal/notify"
	"github.com/tradectl/tradectl/internal/quotes"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/watch/expr"
)

// WatchOptions is a parsed `watch`.
type WatchOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Printer      func() (*render.Printer, error)
	Logger       func() *slog.Logger

	Symbols  []trade.Symbol
	Interval time.Duration
	Count    int
	Until    *expr.Expr
	// Alerts are every --alert given; each is announced on its own.
	Alerts []*expr.Expr
	// OutputChosen says -o or TRADECTL_OUTPUT chose the format, rather
	// than the config file or the default.
	OutputChosen bool
	// Notify are the notification flags: --alert and --until events go
	// to them as well as to the output.
	Notify     notifycmd.Flags
	NotifyDeps notifycmd.Deps
}

// NewCmdWatch builds the command; runF replaces the run step in tests.
func NewCmdWatch(f *cmdutil.Factory, runF func(*WatchOptions) error) *cobra.Command {
	opts := &WatchOptions{
		IO:           f.IOStreams,
		OpenExchange: f.OpenExchange,
		Printer:      f.Printer,
		Logger:       f.Logger,
		NotifyDeps:   notifycmd.NewDeps(f),
	}
	var until string
	var alerts []string
	var notifyFlags *notifycmd.Binding
	cmd := &cobra.Command{
		Use:   "watch SYMBOL... [--until EXPR] [--alert EXPR]",
		Short: "Watch live prices, alert on a condition or wait for one",
		Long: heredoc.Docf(`
			Follow bid, ask and last price of one or more symbols, streamed where the
			venue pushes quotes and polled every --interval otherwise.

			On a terminal a table is redrawn in place, with the change since the watch
			started and a sparkline of recent prices; q leaves with exit 0 (130 while
			--until waits: the condition did not hold) and Ctrl-C with 130. Piped or with -o json/ndjson, one
			JSON object per update is written and flushed at once, so
			'tradectl watch BTC-USD | jq' works line by line.

			-o csv writes a header (the JSON field names) and one row per event.
			-o table needs a terminal: piped, it is refused (exit 2) rather than
			silently turned into JSON.

			--until EXPR ends the watch with exit 0 the moment EXPR holds; if --timeout
			passes first the exit code is 10. --alert EXPR keeps watching and announces
			each time EXPR becomes true (a bell on a terminal, an "alert" event in JSON
			carrying the quote that fired it). --alert may be given more than once.

			An expression compares fields of symbols with decimal numbers:
			  BTC-USD.last >= 60000
			  ETH-USD.bid < 2000 or BTC-USD.change_pct > 5
			  not (AAPL.ask > 200.5) and AAPL.spread <= 0.05
			Fields: %s. Operators: < <= > >= == !=, and, or, not, parentheses.
			change, change_pct, high and low are measured since the watch started.

			--notify CMD, --webhook URL and --desktop-notify also deliver each alert and
			until event (JSON: kind, time, command, profile, venue, symbol, message, expr,
			quote) to a shell command, a webhook or the desktop, without ever slowing the
			watch; --notify-on keeps some kinds. The profile's notify: section sets
			defaults. A failed delivery is a warning on stderr, never a different exit code.
		`, fieldList()),
		Example: heredoc.Doc(`
			# a live table on a terminal until Ctrl-C; here, two updates
			$ tradectl watch BTC-USD ETH-USD --count 2

			# one JSON object per update, for a script to read line by line
			$ tradectl watch BTC-USD --count 3 -o ndjson --jq .last

			# wait until BTC trades at 60000 or more, for at most an hour, then act
			$ tradectl watch BTC-USD --until 'BTC-USD.last >= 60000' --timeout 1h && echo "BTC is at 60000 or more"

			# a condition that does not come true in time (exit 10)
			$ tradectl watch BTC-USD --until 'BTC-USD.last < 1000' --timeout 2s

			# ring the bell each time ETH is down 2 % since the watch started
			$ tradectl watch ETH-USD --alert 'ETH-USD.change_pct <= -2' --count 2

			# from cron: run a script when BTC trades at 60000 or more (the event's JSON on its stdin)
			$ tradectl watch BTC-USD --until 'BTC-USD.last >= 60000' --timeout 1h --notify 'cat >> until-events.ndjson' -o ndjson
		`),
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: completion.Symbols(f.CompletionSource(), 0),
		GroupID:           "market",
		Annotations:       map[string]string{"tradectl/long-running": "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			seen := map[trade.Symbol]bool{}
			add := func(s trade.Symbol) {
				if !seen[s] {
					seen[s] = true
					opts.Symbols = append(opts.Symbols, s)
				}
			}
			for _, a := range args {
				s, err := trade.ParseSymbol(a)
				if err != nil {
					return cmdutil.Usagef("%v", err)
				}
				add(s)
			}
			var err error
			if opts.Until, err = parseExpr("--until", until); err != nil {
				return err
			}
			opts.Alerts = nil
			for _, a := range alerts {
				e, err := parseExpr("--alert", a)
				if err != nil {
					return err
				}
				if e != nil {
					opts.Alerts = append(opts.Alerts, e)
				}
			}
			for _, e := range append([]*expr.Expr{opts.Until}, opts.Alerts...) {
				if e != nil {
					for _, s := range e.Symbols() {
						add(s)
					}
				}
			}
			if len(opts.Symbols) == 0 {
				return cmdutil.Usagef("give at least one symbol to watch")
			}
			if opts.Count < 0 {
				return cmdutil.Usagef("--count must be 0 (no limit) or more")
			}
			if opts.Interval < quotes.MinPollInterval {
				return cmdutil.Usagef("--interval must be at least %s", quotes.MinPollInterval)
			}
			opts.OutputChosen = cmd.Flags().Changed("output") || (f.Getenv != nil && f.Getenv(config.EnvOutput) != "")
			if opts.Notify, err = notifyFlags.Parse(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return watchRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "how often to poll venues that do not stream")
	cmd.Flags().IntVarP(&opts.Count, "count", "n", 0, "stop after this many updates (0: no limit)")
	cmd.Flags().StringVar(&until, "until", "", "exit 0 as soon as this condition holds")
	cmd.Flags().StringArrayVar(&alerts, "alert", nil, "announce each time this condition becomes true (repeatable)")
	notifyFlags = notifycmd.AddFlags(cmd)
	return cmd
}

func fieldList() string {
	s := ""
	for i, f := range expr.Fields() {
		if i > 0 {
			s += ", "
		}
		s += string(f)
	}
	return s
}

func parseExpr(flag, src string) (*expr.Expr, error) {
	if src == "" {
		return nil, nil
	}
	e, err := expr.Parse(src)
	if err != nil {
		var se *expr.SyntaxError
		if errors.As(err, &se) {
			return nil, cmdutil.Usagef("%s: %v\n%s", flag, err, se.Caret())
		}
		return nil, cmdutil.Usagef("%s: %v", flag, err)
	}
	return e, nil
}

// QuoteEvent is one update as JSON shows it.
type QuoteEvent struct {
	Type      string          `json:"type"` // "quote"
	Symbol    trade.Symbol    `json:"symbol"`
	Bid       decimal.Decimal `json:"bid"`
	Ask       decimal.Decimal `json:"ask"`
	Last      decimal.Decimal `json:"last"`
	Change    decimal.Decimal `json:"change"`
	ChangePct decimal.Decimal `json:"change_pct"`
	Time      trade.JSONTime  `json:"time"`
}

// ConditionEvent says an --alert became true ("alert") or --until held
// ("until"), with the quote whose update made it so.
type ConditionEvent struct {
	Type  string         `json:"type"`
	Expr  string         `json:"expr"`
	Time  trade.JSONTime `json:"time"`
	Quote *QuoteEvent    `json:"quote,omitempty"`
}

// csvColumns is the header of watch -o csv: every field of both events,
// the quote of a condition event included, so no row loses a field.
func csvColumns() []string {
	q := QuoteEvent{}
	return render.CSVColumns(q, ConditionEvent{Quote: &q})
}

// streamOutput says how updates are written when no live table is drawn:
// CSV rows, or one JSON object per line. -o table asked for explicitly on
// a pipe is refused: drawing a live table there would garble a file, and
// quietly writing JSON instead would surprise whoever asked for a table.
func streamOutput(o *WatchOptions, p *render.Printer) error {
	if p.Format != render.Table || o.IO.IsStdoutTTY() {
		return nil
	}
	if o.OutputChosen {
		return cmdutil.Usagef("watch -o table needs a terminal; piped, use -o ndjson (one JSON object per update) or -o csv")
	}
	return nil
}

func watchRun(ctx context.Context, o *WatchOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	if err := streamOutput(o, printer); err != nil {
		return err
	}
	ex, prof, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	disp, err := o.Notify.Open(o.NotifyDeps, prof)
	if err != nil {
		return err
	}
	// Closed after the exchange (defers run last first): deliveries in
	// flight get their bounded wait once the watch itself is over.
	defer disp.Close()
	notifier := conditionNotifier{d: disp, profile: prof.Name, venue: ex.Name()}
	// Unknown symbols fail now, with exit 3, rather than as a silent stream.
	if _, err := ex.Quotes(ctx, o.Symbols); err != nil {
		if errors.Is(err, exchange.ErrNotFound) {
			if hint := exchange.UnknownSymbolHint(ctx, ex, o.Symbols); hint != "" {
				err = fmt.Errorf("%w; %s", err, hint)
			}
		}
		return fmt.Errorf("watch: %w", err)
	}

	if o.IO.IsStdoutTTY() && printer.Format == render.Table {
		table := newLiveTable(o.IO, o.Symbols, o.Alerts, o.Until, orderview.PrecisionOf(ctx, ex))
		screen := livescreen.Options{View: table.frame, KeepLastFrame: true}
		err := livescreen.Run(ctx, livescreen.For(o.IO.In, o.IO.Out), screen, func(ctx context.Context, s *livescreen.Screen) error {
			return follow(ctx, o, ex, printer, table, s.Redraw, notifier)
		})
		return liveExit(o, err)
	}
	return follow(ctx, o, ex, printer, nil, nil, notifier)
}

// conditionNotifier sends --alert and --until events to the dispatcher.
type conditionNotifier struct {
	d              *notify.Dispatcher
	profile, venue string
}

func (n conditionNotifier) send(kind notify.Kind, e *expr.Expr, q trade.Quote) {
	if !n.d.Wants(kind) {
		return
	}
	what := "alert"
	if kind == notify.KindUntil {
		what = "condition held"
	}
	n.d.Send(notify.Event{
		Kind: kind, Time: trade.JSONTime(q.Time.UTC()), Command: "watch", Profile: n.profile, Venue: n.venue,
		Symbol:  q.Symbol.String(),
		Message: fmt.Sprintf("%s: %s (%s bid %s ask %s last %s)", what, e.String(), q.Symbol, q.Bid, q.Ask, q.Last),
		Expr:    notify.StrPtr(e.String()), Quote: notify.QuoteOf(q),
	})
}

// liveExit maps a key that ended the live table to the exit code: Ctrl-C
// is 130, as every command; q is 0, except while --until waits: the
// condition did not hold, and a script's `&& next-step` must not run.
func liveExit(o *WatchOptions, err error) error {
	switch {
	case errors.Is(err, livescreen.ErrInterrupted):
		return cmdutil.ErrInterrupted
	case errors.Is(err, livescreen.ErrQuit) && o.Until != nil:
		return cmdutil.ErrInterrupted
	case errors.Is(err, livescreen.ErrQuit):
		return nil
	}
	return err
}

// follow applies every quote until the watch ends: to the live table and
// redraws it when there is one, else written as events.
func follow(ctx context.Context, o *WatchOptions, ex exchange.Exchange, printer *render.Printer, screen *liveTable, redraw func(), notifier conditionNotifier) error {
	emit := printer.PrintEvent
	if printer.Format == render.CSV {
		emit = printer.NewCSVWriter(csvColumns()).Write
	}
	tracker := expr.NewTracker()
	alertWas := make([]bool, len(o.Alerts))
	updates := 0
	err := quotes.Follow(ctx, ex, o.Symbols, o.Interval, o.Logger(), func(q trade.Quote) error {
		tracker.Update(q)
		updates++
		change, _ := tracker.Field(q.Symbol, expr.FieldChange)
		pct, _ := tracker.Field(q.Symbol, expr.FieldChangePct)
		ev := QuoteEvent{Type: "quote", Symbol: q.Symbol, Bid: q.Bid, Ask: q.Ask, Last: q.Last, Change: change, ChangePct: pct.Round(4), Time: trade.JSONTime(q.Time)}
		if screen != nil {
			screen.update(ev)
		} else if err := emit(ev); err != nil {
			return err
		}
		for i, alert := range o.Alerts {
			now, err := alert.Eval(tracker)
			if err != nil {
				return err
			}
			if now && !alertWas[i] {
				notifier.send(notify.KindAlert, alert, q)
				if err := announce(emit, screen, o.IO, "alert", alert, ev); err != nil {
					return err
				}
			}
			alertWas[i] = now
		}
		if o.Until != nil {
			held, err := o.Until.Eval(tracker)
			if err != nil {
				return err
			}
			if held {
				notifier.send(notify.KindUntil, o.Until, q)
				if err := announce(emit, screen, o.IO, "until", o.Until, ev); err != nil {
					return err
				}
				return quotes.ErrStop
			}
		}
		if screen != nil {
			redraw()
		}
		if o.Count > 0 && updates >= o.Count {
			return quotes.ErrStop
		}
		return nil
	})
	if screen != nil {
		redraw()
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		if o.Until != nil {
			return fmt.Errorf("--until %q did not hold before --timeout: %w", o.Until.String(), cmdutil.ErrConditionTimeout)
		}
		return nil // a timed watch without a condition simply ends
	}
	return err
}

func announce(emit func(any) error, screen *liveTable, ios *iostreams.IOStreams, kind string, e *expr.Expr, q QuoteEvent) error {
	ev := ConditionEvent{Type: kind, Expr: e.String(), Time: q.Time, Quote: &q}
	if screen != nil {
		screen.condition(ev)
		if kind == "alert" {
			fmt.Fprint(ios.ErrOut, "\a")
		}
		return nil
	}
	return emit(ev)
}
