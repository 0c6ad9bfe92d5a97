// Package watch implements `tradectl watch`: live quotes, alerts, and
// --until conditions a script can wait on.
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
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
	// Now stamps events (pinned by TRADECTL_NOW in tests); Since measures
	// how long a symbol has gone without an update, on the real clock
	// (time.Since), so a pinned Now never hides a silent feed.
	Now   func() time.Time
	Since func(time.Time) time.Duration

	Symbols  []trade.Symbol
	Interval time.Duration
	Count    int
	// StaleAfter is how long a symbol may go without an update before
	// it is shown as stale and conditions stop reading it.
	StaleAfter time.Duration
	Until      *expr.Expr
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
		Now:          f.Now,
		Since:        time.Since,
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

			A symbol with no update for --stale-after (default 10s) is stale: its row is
			dimmed and marked on a terminal, a {"type":"stale",...} event is written in
			JSON and CSV, and --until and --alert read its fields as unknown, so no
			condition fires on a price that may no longer hold. Its next update makes it
			live again. Streams that fall back to polling keep it fresh as long as the
			polls succeed.

			Where the venue reports them, the rolling 24-hour figures come with each
			quote: change_24h, change_24h_pct, high_24h, low_24h, volume_24h and
			stats_time (Kraken, Coinbase, Binance; Alpaca has none). A figure the venue
			does not report is left out, never shown as 0.

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
			# mark a symbol stale after 30 seconds without an update
			$ tradectl watch BTC-USD --stale-after 30s --count 2 -o ndjson
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
			if opts.StaleAfter < MinStaleAfter {
				return cmdutil.Usagef("--stale-after must be at least %s, got %s", MinStaleAfter, opts.StaleAfter)
			}
			if opts.StaleAfter <= opts.Interval {
				return cmdutil.Usagef("--stale-after (%s) must be longer than --interval (%s): every polled price would show as stale", opts.StaleAfter, opts.Interval)
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
	cmd.Flags().DurationVar(&opts.StaleAfter, "stale-after", DefaultStaleAfter, "show a symbol as stale after this long without an update")
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

// DefaultStaleAfter and MinStaleAfter bound --stale-after.
const (
	DefaultStaleAfter = 10 * time.Second
	MinStaleAfter     = 500 * time.Millisecond
)

// QuoteEvent is one update as JSON shows it. The 24-hour figures are
// there only when the venue sent them.
type QuoteEvent struct {
	Type      string          `json:"type"` // "quote"
	Symbol    trade.Symbol    `json:"symbol"`
	Bid       decimal.Decimal `json:"bid"`
	Ask       decimal.Decimal `json:"ask"`
	Last      decimal.Decimal `json:"last"`
	Change    decimal.Decimal `json:"change"`
	ChangePct decimal.Decimal `json:"change_pct"`
	trade.Stats24h
	Time trade.JSONTime `json:"time"`
}

// StaleEvent says a symbol has had no update for stale_after: its last
// price may no longer hold. The next quote event for it makes it live.
type StaleEvent struct {
	Type       string         `json:"type"` // "stale"
	Symbol     trade.Symbol   `json:"symbol"`
	Since      trade.JSONTime `json:"since"`       // the last update (or the watch's start)
	StaleAfter string         `json:"stale_after"` // --stale-after, e.g. "10s"
	Time       trade.JSONTime `json:"time"`
}

// ConditionEvent says an --alert became true ("alert") or --until held
// ("until"), with the quote whose update made it so.
type ConditionEvent struct {
	Type  string         `json:"type"`
	Expr  string         `json:"expr"`
	Time  trade.JSONTime `json:"time"`
	Quote *QuoteEvent    `json:"quote,omitempty"`
}

// csvColumns is the header of watch -o csv: every field of every event,
// the quote of a condition event and the 24-hour figures included, so no
// row loses a field.
func csvColumns() []string {
	zero, at := decimal.Zero, trade.JSONTime{}
	q := QuoteEvent{Stats24h: trade.Stats24h{Change24h: &zero, Change24hPct: &zero, High24h: &zero, Low24h: &zero, Volume24h: &zero, StatsTime: &at}}
	return render.CSVColumns(q, ConditionEvent{Quote: &q}, StaleEvent{})
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
// redraws it when there is one, else written as events. A quote is
// applied on the goroutine that read it from the venue, with no hand-over
// to another goroutine (each would wake a thread per message); a ticker of
// its own marks symbols stale on time even while no quote comes at all.
// Both take the watcher's lock. The live table is redrawn at most every
// redrawEvery, however fast quotes come.
func follow(ctx context.Context, o *WatchOptions, ex exchange.Exchange, printer *render.Printer, screen *liveTable, redraw func(), notifier conditionNotifier) error {
	emit := printer.PrintEvent
	if printer.Format == render.CSV {
		emit = printer.NewCSVWriter(csvColumns()).Write
	}
	w := newWatcher(o, emit, screen, redraw, notifier)
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stopErr error // what ended the watch from inside: a quote's or a check's; under w.mu
	checked := make(chan struct{})
	go func() {
		defer close(checked)
		check := time.NewTicker(staleCheckEvery(o.StaleAfter))
		defer check.Stop()
		for {
			select {
			case <-fctx.Done():
				return
			case <-check.C:
			}
			w.mu.Lock()
			if !w.ended && stopErr == nil {
				stopErr = w.checkStale()
			}
			failed := stopErr != nil
			w.mu.Unlock()
			if failed {
				cancel()
				return
			}
		}
	}()
	err := quotes.Follow(fctx, ex, o.Symbols, o.Interval, o.Logger(), func(q trade.Quote) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		if stopErr == nil && !w.ended {
			stopErr = w.quote(q)
		}
		return stopErr
	})
	w.mu.Lock()
	w.ended = true // a redraw still pending is the final one's
	if stopErr != nil {
		err = stopErr
	}
	w.mu.Unlock()
	cancel()
	<-checked
	if errors.Is(err, quotes.ErrStop) {
		err = nil
	}
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

// staleCheckEvery is how often symbols are checked for staleness: often
// enough that one is marked within a quarter of --stale-after, at most
// once a second.
func staleCheckEvery(after time.Duration) time.Duration {
	return min(max(after/4, 50*time.Millisecond), time.Second)
}

// watcher is one watch's state; follow applies quotes and staleness
// checks to it one at a time, under its lock.
type watcher struct {
	o      *WatchOptions
	emit   func(any) error
	screen *liveTable
	redraw func()
	// mu serialises quotes, staleness checks and delayed redraws.
	mu    sync.Mutex
	ended bool // follow is done: nothing more is applied or drawn
	// drawnAt is when the live table was last redrawn; drawPending says a
	// redraw is due at drawnAt+redrawEvery. now and afterFunc are the
	// real clock's, but for tests.
	drawnAt     time.Time
	drawPending bool
	now         func() time.Time
	afterFunc   func(time.Duration, func())
	notifier    conditionNotifier
	tracker     *expr.Tracker
	env         staleEnv
	alertWas    []bool
	updates     int
	// lastSeen is when each symbol last had an update (the watch's start
	// before its first), on the real clock; lastAt the same on o.Now, for
	// the events.
	lastSeen map[trade.Symbol]time.Time
	lastAt   map[trade.Symbol]time.Time
	stale    map[trade.Symbol]bool
}

// newWatcher starts a watch of o's symbols now: each counts as updated at
// the start, so one that never quotes is stale after --stale-after.
func newWatcher(o *WatchOptions, emit func(any) error, screen *liveTable, redraw func(), notifier conditionNotifier) *watcher {
	w := &watcher{o: o, emit: emit, screen: screen, redraw: redraw, notifier: notifier, tracker: expr.NewTracker(),
		alertWas: make([]bool, len(o.Alerts)), lastSeen: map[trade.Symbol]time.Time{}, lastAt: map[trade.Symbol]time.Time{},
		stale: map[trade.Symbol]bool{}, now: time.Now, afterFunc: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
	w.env = staleEnv{Env: w.tracker, stale: w.stale}
	start, startAt := time.Now(), o.Now()
	for _, s := range o.Symbols {
		w.lastSeen[s], w.lastAt[s] = start, startAt
	}
	return w
}

// staleEnv reads conditions' fields from the tracker, except a stale
// symbol's, which are unknown: no condition holds on a price that may no
// longer hold.
type staleEnv struct {
	expr.Env
	stale map[trade.Symbol]bool
}

func (e staleEnv) Field(sym trade.Symbol, f expr.Field) (decimal.Decimal, bool) {
	if e.stale[sym] {
		return decimal.Decimal{}, false
	}
	return e.Env.Field(sym, f)
}

func (w *watcher) quote(q trade.Quote) error {
	o := w.o
	w.tracker.Update(q)
	w.updates++
	w.lastSeen[q.Symbol], w.lastAt[q.Symbol] = time.Now(), o.Now()
	delete(w.stale, q.Symbol)
	change, _ := w.tracker.Field(q.Symbol, expr.FieldChange)
	pct, _ := w.tracker.Field(q.Symbol, expr.FieldChangePct)
	ev := QuoteEvent{Type: "quote", Symbol: q.Symbol, Bid: q.Bid, Ask: q.Ask, Last: q.Last, Change: change, ChangePct: pct.Round(4),
		Stats24h: q.Stats24h, Time: trade.JSONTime(q.Time)}
	if w.screen != nil {
		w.screen.update(ev)
	} else if err := w.emit(ev); err != nil {
		return err
	}
	for i, alert := range o.Alerts {
		now, err := alert.Eval(w.env)
		if err != nil {
			return err
		}
		if now && !w.alertWas[i] {
			w.notifier.send(notify.KindAlert, alert, q)
			if err := announce(w.emit, w.screen, o.IO, "alert", alert, ev); err != nil {
				return err
			}
		}
		w.alertWas[i] = now
	}
	if o.Until != nil {
		held, err := o.Until.Eval(w.env)
		if err != nil {
			return err
		}
		if held {
			w.notifier.send(notify.KindUntil, o.Until, q)
			if err := announce(w.emit, w.screen, o.IO, "until", o.Until, ev); err != nil {
				return err
			}
			return quotes.ErrStop
		}
	}
	if w.screen != nil {
		w.redrawSoon()
	}
	if o.Count > 0 && w.updates >= o.Count {
		return quotes.ErrStop
	}
	return nil
}

// checkStale marks every symbol whose last update is older than
// --stale-after, once, and tells whoever reads the watch.
func (w *watcher) checkStale() error {
	o := w.o
	var newly []trade.Symbol
	for _, s := range o.Symbols {
		if !w.stale[s] && o.Since(w.lastSeen[s]) >= o.StaleAfter {
			w.stale[s] = true
			newly = append(newly, s)
		}
	}
	if len(newly) == 0 {
		return nil
	}
	// A condition cannot become true by losing a field (unknown never
	// makes false true), so alerts are only brought up to date here: one
	// that held on a now-stale price may fire again once it is fresh.
	for i, alert := range o.Alerts {
		now, err := alert.Eval(w.env)
		if err != nil {
			return err
		}
		w.alertWas[i] = now
	}
	for _, s := range newly {
		ev := StaleEvent{Type: "stale", Symbol: s, Since: trade.JSONTime(w.lastAt[s]), StaleAfter: o.StaleAfter.String(), Time: trade.JSONTime(o.Now())}
		if w.screen != nil {
			w.screen.markStale(s)
			continue
		}
		if err := w.emit(ev); err != nil {
			return err
		}
	}
	if w.screen != nil {
		w.redrawSoon()
	}
	return nil
}

// redrawEvery caps the live table's redraws. A busy stream brings
// hundreds of quotes a second; drawing the whole table for each would
// cost more than everything else the watch does, for changes faster than
// anyone reads.
const redrawEvery = 100 * time.Millisecond

// redrawSoon redraws the live table now if it has not been for
// redrawEvery, else once that much has passed since the last redraw,
// with whatever has changed by then: one timer per delayed redraw, not
// one per quote. Called under w.mu.
func (w *watcher) redrawSoon() {
	if w.drawPending {
		return
	}
	now := w.now()
	if wait := w.drawnAt.Add(redrawEvery).Sub(now); wait > 0 {
		w.drawPending = true
		w.afterFunc(wait, w.delayedRedraw)
		return
	}
	w.drawnAt = now
	w.redraw()
}

func (w *watcher) delayedRedraw() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.drawPending || w.ended {
		return
	}
	w.drawPending = false
	w.drawnAt = w.now()
	w.redraw()
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
