// Package candles implements `tradectl candles`: OHLCV candles of a symbol
// as a terminal chart, or as rows for programs.
package candles

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// DefaultLimit is how many candles a read without --since shows.
const DefaultLimit = 100

// CandlesOptions is a parsed `candles`.
type CandlesOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Printer      func() (*render.Printer, error)

	Symbol trade.Symbol
	// Range is the candles asked for, resolved from --interval, --since,
	// --until and --limit against the clock.
	Range trade.CandleRange
}

func intervalNames() string {
	names := make([]string, len(trade.Intervals))
	for i, iv := range trade.Intervals {
		names[i] = string(iv)
	}
	return strings.Join(names, "|")
}

// NewCmdCandles builds the command; runF replaces the run step in tests.
func NewCmdCandles(f *cmdutil.Factory, runF func(*CandlesOptions) error) *cobra.Command {
	opts := &CandlesOptions{
		IO:           f.IOStreams,
		OpenExchange: f.OpenExchange,
		Printer:      f.Printer,
	}
	var interval, since, until string
	var limit int
	cmd := &cobra.Command{
		Use:   "candles SYMBOL [--interval " + intervalNames() + "] [--since T] [--until T] [--limit N]",
		Short: "Show OHLCV candles: a chart on a terminal, rows for programs",
		Long: heredoc.Docf(`
			Show a symbol's candles of one --interval (%s): open, high, low and
			close prices and the volume traded, oldest first. On a terminal they are
			drawn as a candlestick chart; piped, or with -o json/ndjson/csv, they are
			rows (CSV columns: %s).

			Without --since, the --limit (default %d) candles up to --until (default
			now) are shown, the one in progress last. With --since, the candles from
			--since up to --until, or the first --limit of them. --since and --until
			take a duration back from now (90m, 24h, 30d) or a time (2026-01-31,
			2026-01-31T09:30:00Z). One read returns at most %d candles: a longer
			range is refused (exit 2) unless --limit cuts it; the venue's own limit
			per request is paged through.

			An interval the venue does not serve (Coinbase has no 4h) is refused with
			exit 2 before any candle is asked for; so is a range the venue cannot
			serve (Kraken keeps only its latest 720 candles of an interval).
		`, intervalNames(), strings.Join(CSVColumns, ","), DefaultLimit, trade.MaxCandles),
		Example: heredoc.Doc(`
			$ tradectl candles BTC-USD
			$ tradectl candles ETH-USD --interval 15m --limit 48
			$ tradectl candles BTC-USD --interval 1d --since 2026-01-01 --until 2026-02-01 -o csv
			$ tradectl candles AAPL --interval 1h --since 24h -o json --jq '.[-1].close'
		`),
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completion.Symbols(f.CompletionSource(), 1),
		GroupID:           "market",
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := trade.ParseSymbol(args[0])
			if err != nil {
				return cmdutil.Usagef("%v", err)
			}
			opts.Symbol = s
			iv, err := trade.ParseInterval(interval)
			if err != nil {
				return cmdutil.Usagef("--interval %q: use one of %s", interval, strings.ReplaceAll(intervalNames(), "|", ", "))
			}
			r, err := resolveRange(iv, since, until, limit, cmd.Flags().Changed("limit"), f.Now())
			if err != nil {
				return err
			}
			opts.Range = r
			if runF != nil {
				return runF(opts)
			}
			return candlesRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&interval, "interval", "1h", "candle width: "+intervalNames())
	cmd.Flags().StringVar(&since, "since", "", "first candle at or after this time, or this long ago (24h)")
	cmd.Flags().StringVar(&until, "until", "", "only candles opening before this time (default now)")
	cmd.Flags().IntVar(&limit, "limit", DefaultLimit, fmt.Sprintf("how many candles, at most %d", trade.MaxCandles))
	return cmd
}

// resolveRange turns the flags into the range to read; every failure is a
// usage error (exit 2), found before anything is opened.
func resolveRange(iv trade.Interval, since, until string, limit int, limitGiven bool, now time.Time) (trade.CandleRange, error) {
	if limitGiven && (limit < 1 || limit > trade.MaxCandles) {
		return trade.CandleRange{}, cmdutil.Usagef("--limit must be between 1 and %d, got %d", trade.MaxCandles, limit)
	}
	end := now
	if until != "" {
		t, err := cmdutil.ParseSince(until, now)
		if err != nil {
			return trade.CandleRange{}, cmdutil.Usagef("invalid --until %q: use a duration back from now such as 90m, 2h or 7d, or a time such as 2026-11-27 or 2026-11-27T09:30:00Z", until)
		}
		end = t
	}
	if since == "" {
		return trade.Last(iv, end, limit), nil
	}
	start, err := cmdutil.ParseSince(since, now)
	if err != nil {
		return trade.CandleRange{}, cmdutil.Usagef("%v", err)
	}
	if !start.Before(end) {
		return trade.CandleRange{}, cmdutil.Usagef("--since %s is not before --until %s", trade.FormatTime(start), trade.FormatTime(end))
	}
	r := trade.CandleRange{Interval: iv, Since: start, Until: end, Limit: limit}
	if !limitGiven {
		r.Limit = trade.MaxCandles
		if n := r.Slots(); n > trade.MaxCandles {
			return trade.CandleRange{}, cmdutil.Usagef("%s to %s holds %d %s candles, more than the %d one read returns: narrow the range, use a longer --interval, or pass --limit",
				trade.FormatTime(start), trade.FormatTime(end), n, iv, trade.MaxCandles)
		}
	}
	if r.Slots() == 0 {
		return trade.CandleRange{}, cmdutil.Usagef("no %s candle opens between %s and %s", iv, trade.FormatTime(start), trade.FormatTime(end))
	}
	return r, nil
}

// CSVColumns is the documented header of `candles -o csv`.
var CSVColumns = []string{"time", "open", "high", "low", "close", "volume"}

// Row is one candle as `candles` prints it: prices at the instrument's
// tick, the volume at its step.
type Row struct {
	Symbol   trade.Symbol   `json:"symbol"`
	Interval trade.Interval `json:"interval"`
	Time     trade.JSONTime `json:"time"`
	Open     string         `json:"open"`
	High     string         `json:"high"`
	Low      string         `json:"low"`
	Close    string         `json:"close"`
	Volume   string         `json:"volume"`
}

// Rows is a read's candles; its CSV is the documented columns.
type Rows []Row

// CSVTable implements render.CSVTabler.
func (rs Rows) CSVTable() ([]string, [][]string) {
	out := make([][]string, len(rs))
	for i, r := range rs {
		out[i] = []string{trade.FormatTime(time.Time(r.Time)), r.Open, r.High, r.Low, r.Close, r.Volume}
	}
	return CSVColumns, out
}

// NewRows lays candles out at prec.
func NewRows(cs []trade.Candle, iv trade.Interval, prec render.Precision) Rows {
	out := make(Rows, len(cs))
	for i, c := range cs {
		pp, qp := prec.Price(c.Symbol), prec.Qty(c.Symbol)
		out[i] = Row{Symbol: c.Symbol, Interval: iv, Time: trade.JSONTime(c.Time),
			Open: format(c.Open, pp), High: format(c.High, pp), Low: format(c.Low, pp), Close: format(c.Close, pp), Volume: format(c.Volume, qp)}
	}
	return out
}

// format is d at places decimals, or more when d has more, or as it is
// when the precision is unknown: a venue's number is never rounded into
// another.
func format(d decimal.Decimal, places int32) string {
	if places < 0 {
		return d.String()
	}
	return d.StringFixed(max(places, trade.Places(d.Abs())))
}

// Table is the rows as a table (a piped -o table).
func (rs Rows) Table() *render.TableData {
	t := &render.TableData{Columns: []render.Column{
		{Header: "time"}, {Header: "open", Right: true}, {Header: "high", Right: true},
		{Header: "low", Right: true}, {Header: "close", Right: true}, {Header: "volume", Right: true},
	}, Empty: "no candles in this range"}
	num := func(s string) render.Cell { return render.Cell{Text: s, Numeric: true} }
	for _, r := range rs {
		t.AddRow(render.T(trade.FormatTime(time.Time(r.Time))), num(r.Open), num(r.High), num(r.Low), num(r.Close), num(r.Volume))
	}
	return t
}

func candlesRun(ctx context.Context, o *CandlesOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	ex, _, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	cr, ok := ex.(exchange.CandleReader)
	if !ok {
		return cmdutil.Usagef("%s serves no candles", ex.Name())
	}
	if !exchange.OffersInterval(cr, o.Symbol, o.Range.Interval) {
		offered := cr.CandleIntervals(o.Symbol)
		names := make([]string, len(offered))
		for i, iv := range offered {
			names[i] = string(iv)
		}
		return cmdutil.Usagef("%s does not serve %s candles; it offers %s", ex.Name(), o.Range.Interval, strings.Join(names, ", "))
	}
	cs, err := cr.Candles(ctx, o.Symbol, o.Range)
	if err != nil {
		switch {
		case errors.Is(err, exchange.ErrInvalidOrder):
			// The venue cannot serve this range; nothing was sent.
			return &cmdutil.UsageError{Err: fmt.Errorf("candles: %w", err)}
		case errors.Is(err, exchange.ErrNotFound):
			if hint := exchange.UnknownSymbolHint(ctx, ex, []trade.Symbol{o.Symbol}); hint != "" {
				err = fmt.Errorf("%w; %s", err, hint)
			}
		}
		return cmdutil.WrapOp("candles", err)
	}
	rows := NewRows(cs, o.Range.Interval, orderview.PrecisionOf(ctx, ex))
	if printer.Format == render.Table && o.IO.IsStdoutTTY() {
		_, err := fmt.Fprint(o.IO.Out, Chart(o.IO, o.Symbol, ex.Name(), o.Range, cs, rows))
		return err
	}
	return printer.Print(rows, rows.Table)
}
