// Package book implements `tradectl book`: a symbol's order book, once or
// refreshed in place.
package book

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// MaxDepth is the most levels a side `book` asks for: the most every venue
// serves in one request (Kraken's Depth count tops out at 500).
const MaxDepth = 500

// MinInterval is the shortest --interval: a depth request is among a
// venue's dearer public calls.
const MinInterval = time.Second

// BookOptions is a parsed `book`.
type BookOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Printer      func() (*render.Printer, error)
	Config       func() (*config.Config, error)
	Now          func() time.Time
	Logger       func() *slog.Logger

	Symbol   trade.Symbol
	Depth    int
	Watch    bool
	Interval time.Duration
	// OutputChosen says -o or TRADECTL_OUTPUT chose the format.
	OutputChosen bool
	// TimeoutGiven says --timeout was on the command line: a watch then
	// ends when it runs out; without it only a one-shot read is bounded.
	TimeoutGiven bool
}

// NewCmdBook builds the command; runF replaces the run step in tests.
func NewCmdBook(f *cmdutil.Factory, runF func(*BookOptions) error) *cobra.Command {
	opts := &BookOptions{
		IO:           f.IOStreams,
		OpenExchange: f.OpenExchange,
		Printer:      f.Printer,
		Config:       f.Config,
		Now:          f.Now,
		Logger:       f.Logger,
	}
	cmd := &cobra.Command{
		Use:   "book SYMBOL [--depth N] [--watch [--interval D]]",
		Short: "Show a symbol's order book: bids, asks, spread and mid",
		Long: heredoc.Docf(`
			Show the best --depth levels of each side of a symbol's order book, with
			each level's price, quantity and the quantity from the top down to it, and
			the spread and mid. Prices are shown at the instrument's tick and
			quantities at its step, in every format alike.

			--watch refreshes the book every --interval: on a terminal in place until
			q, Esc or Ctrl-C; piped or with -o json/ndjson, one JSON object per
			refresh, written and flushed at once; -o csv writes the header once and
			the rows of every refresh. --depth is 1 to %d (default 10). A venue
			that shows no depth for the symbol (Alpaca's stocks) gives its quote as
			a one-level book marked top_only.
		`, MaxDepth),
		Example: heredoc.Doc(`
			$ tradectl book BTC-USD
			$ tradectl book BTC-USD --depth 3 -o json --jq '.spread'
			$ tradectl book ETH-USD --depth 5 -o csv

			# refresh every 2 s; on a terminal until q, piped one JSON line a refresh (here for 3 s)
			$ tradectl book BTC-USD --watch --interval 2s --timeout 3s -o ndjson --jq .mid
		`),
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completion.Symbols(f.CompletionSource(), 1),
		GroupID:           "market",
		Annotations:       map[string]string{"tradectl/long-running": "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := trade.ParseSymbol(args[0])
			if err != nil {
				return cmdutil.Usagef("%v", err)
			}
			opts.Symbol = s
			if opts.Depth < 1 || opts.Depth > MaxDepth {
				return cmdutil.Usagef("--depth must be between 1 and %d, got %d", MaxDepth, opts.Depth)
			}
			if cmd.Flags().Changed("interval") && !opts.Watch {
				return cmdutil.Usagef("--interval applies with --watch only")
			}
			if opts.Interval < MinInterval {
				return cmdutil.Usagef("--interval must be at least %s", MinInterval)
			}
			opts.OutputChosen = cmd.Flags().Changed("output") || (f.Getenv != nil && f.Getenv(config.EnvOutput) != "")
			opts.TimeoutGiven = cmd.Flags().Changed("timeout")
			if runF != nil {
				return runF(opts)
			}
			return bookRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.Depth, "depth", 10, fmt.Sprintf("levels a side, 1 to %d", MaxDepth))
	cmd.Flags().BoolVar(&opts.Watch, "watch", false, "refresh the book until stopped")
	cmd.Flags().DurationVar(&opts.Interval, "interval", 2*time.Second, "how often --watch refreshes")
	return cmd
}

// Level is one price level as every format shows it: price at the tick,
// quantities at the step.
type Level struct {
	Price  string `json:"price"`
	Qty    string `json:"qty"`
	CumQty string `json:"cum_qty"`
}

// View is the order book as `book` prints it.
type View struct {
	Symbol   trade.Symbol   `json:"symbol"`
	Exchange string         `json:"exchange"`
	Time     trade.JSONTime `json:"time"`
	BestBid  *string        `json:"best_bid"`
	BestAsk  *string        `json:"best_ask"`
	Spread   *string        `json:"spread"`
	Mid      *string        `json:"mid"`
	TopOnly  bool           `json:"top_only"`
	Bids     []Level        `json:"bids"`
	Asks     []Level        `json:"asks"`
}

// CSVColumns is the header of `book -o csv`, one row per level.
var CSVColumns = []string{"symbol", "time", "side", "level", "price", "qty", "cum_qty"}

// CSVTable implements render.CSVTabler: bids then asks, best first.
func (v View) CSVTable() ([]string, [][]string) { return CSVColumns, v.csvRows() }

func (v View) csvRows() [][]string {
	var rows [][]string
	add := func(side string, ls []Level) {
		for i, l := range ls {
			rows = append(rows, []string{v.Symbol.String(), trade.FormatTime(time.Time(v.Time)), side, strconv.Itoa(i + 1), l.Price, l.Qty, l.CumQty})
		}
	}
	add("bid", v.Bids)
	add("ask", v.Asks)
	return rows
}

// format writes d with places decimals, or more when d has more (a value
// off the tick is shown as it is, never rounded into another), or as it
// is when the precision is unknown.
func format(d decimal.Decimal, places int32) string {
	if places < 0 {
		return d.String()
	}
	return d.StringFixed(max(places, trade.Places(d.Abs())))
}

func ptr(s string) *string { return &s }

// NewView lays out b for printing at prec.
func NewView(b trade.Book, venue string, prec render.Precision) View {
	pp, qp := prec.Price(b.Symbol), prec.Qty(b.Symbol)
	v := View{Symbol: b.Symbol, Exchange: venue, Time: trade.JSONTime(b.Time), TopOnly: b.TopOnly, Bids: []Level{}, Asks: []Level{}}
	side := func(ls []trade.BookLevel) []Level {
		out := make([]Level, 0, len(ls))
		cum := decimal.Zero
		for _, l := range ls {
			cum = cum.Add(l.Qty)
			out = append(out, Level{Price: format(l.Price, pp), Qty: format(l.Qty, qp), CumQty: format(cum, qp)})
		}
		return out
	}
	v.Bids, v.Asks = side(b.Bids), side(b.Asks)
	if len(b.Bids) > 0 {
		v.BestBid = ptr(format(b.Bids[0].Price, pp))
	}
	if len(b.Asks) > 0 {
		v.BestAsk = ptr(format(b.Asks[0].Price, pp))
	}
	if len(b.Bids) > 0 && len(b.Asks) > 0 {
		v.Spread = ptr(format(b.Spread(), pp))
		midPlaces := pp
		if pp >= 0 {
			midPlaces = pp + 1 // halfway between two ticks
		}
		mid := b.Bids[0].Price.Add(b.Asks[0].Price).Div(decimal.NewFromInt(2))
		v.Mid = ptr(format(mid, midPlaces))
	}
	return v
}

func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

// Summary is the line above the table: symbol, venue, spread and mid.
func (v View) Summary() string {
	s := fmt.Sprintf("%s on %s · spread %s · mid %s", v.Symbol, v.Exchange, orDash(v.Spread), orDash(v.Mid))
	if v.TopOnly {
		s += " · top of book only: the venue shows no depth"
	}
	return s
}

// Table is the ladder: bids on the left, asks on the right, best first on
// the top row, each side's cumulative quantity on its outer edge.
func (v View) Table() *render.TableData {
	t := &render.TableData{
		Columns: []render.Column{
			{Header: "bid cum", Right: true, Drop: 1}, {Header: "bid qty", Right: true}, {Header: "bid", Right: true},
			{Header: "ask", Right: true}, {Header: "ask qty", Right: true}, {Header: "ask cum", Right: true, Drop: 1},
		},
		Empty: "the book is empty",
	}
	num := func(s string, style render.Style) render.Cell {
		return render.Cell{Text: s, Numeric: true, Style: style}
	}
	for i := range max(len(v.Bids), len(v.Asks)) {
		row := make([]render.Cell, 6)
		for j := range row {
			row[j] = render.T("")
		}
		if i < len(v.Bids) {
			b := v.Bids[i]
			row[0], row[1], row[2] = num(b.CumQty, render.Muted), num(b.Qty, render.Plain), num(b.Price, render.Good)
		}
		if i < len(v.Asks) {
			a := v.Asks[i]
			row[3], row[4], row[5] = num(a.Price, render.Bad), num(a.Qty, render.Plain), num(a.CumQty, render.Muted)
		}
		t.AddRow(row...)
	}
	return t
}

// fetch reads the book and lays it out.
func fetch(ctx context.Context, r exchange.OrderBookReader, ex exchange.Exchange, o *BookOptions, prec render.Precision) (View, error) {
	b, err := r.OrderBook(ctx, o.Symbol, o.Depth)
	if err != nil {
		if errors.Is(err, exchange.ErrNotFound) {
			if hint := exchange.UnknownSymbolHint(ctx, ex, []trade.Symbol{o.Symbol}); hint != "" {
				err = fmt.Errorf("%w; %s", err, hint)
			}
		}
		return View{}, cmdutil.WrapOp("book", err)
	}
	return NewView(b, ex.Name(), prec), nil
}

func bookRun(ctx context.Context, o *BookOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	if o.Watch && printer.Format == render.Table && !o.IO.IsStdoutTTY() && o.OutputChosen {
		return cmdutil.Usagef("book --watch -o table needs a terminal; piped, use -o ndjson (one JSON object per refresh) or -o csv")
	}
	// One read is bounded by --timeout like any command; a watch runs
	// until stopped unless --timeout is on the command line.
	if !o.Watch && !o.TimeoutGiven {
		cfg, err := o.Config()
		if err != nil {
			return err
		}
		if cfg.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
			defer cancel()
		}
	}
	ex, _, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	r, ok := ex.(exchange.OrderBookReader)
	if !ok {
		return cmdutil.Usagef("%s shows no order book", ex.Name())
	}
	prec := orderview.PrecisionOf(ctx, ex)
	if !o.Watch {
		v, err := fetch(ctx, r, ex, o, prec)
		if err != nil {
			return err
		}
		if printer.Format == render.Table {
			if _, err := fmt.Fprintln(o.IO.Out, v.Summary()); err != nil {
				return err
			}
		}
		return printer.Print(v, v.Table)
	}
	poll := func(ctx context.Context) (View, error) { return fetch(ctx, r, ex, o, prec) }
	view := func(b trade.Book) View { return NewView(b, ex.Name(), prec) }
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	src := newFeed(ctx, ex, o, poll, view, o.Logger)
	if printer.Format == render.Table && o.IO.IsStdoutTTY() {
		return runLive(ctx, o, src)
	}
	return stream(ctx, o, printer, src)
}

// stream writes one refresh after another until the context ends: a JSON
// line each (json, ndjson, and a piped table), or CSV rows under one
// header. Ctrl-C ends it with exit 130; --timeout running out ends it as
// asked, with exit 0.
func stream(ctx context.Context, o *BookOptions, printer *render.Printer, src *feed) error {
	header := printer.Format == render.CSV
	for {
		v, err := src.next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return streamEnd(ctx)
			}
			return err
		}
		if printer.Format == render.CSV {
			if err := writeCSV(o.IO, v, header); err != nil {
				return err
			}
			header = false
		} else if err := printer.PrintEvent(v); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return streamEnd(ctx)
		case <-time.After(src.pause()):
		}
	}
}

func streamEnd(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return nil
}

// writeCSV writes one refresh's rows, after the header on the first.
func writeCSV(ios *iostreams.IOStreams, v View, header bool) error {
	w := csv.NewWriter(ios.Out)
	if header {
		if err := w.Write(CSVColumns); err != nil {
			return err
		}
	}
	return w.WriteAll(v.csvRows()) // flushes, so each refresh is out at once
}
