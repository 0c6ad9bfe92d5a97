// Package quote implements `tradectl quote`.
package quote

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// QuoteOptions is a parsed `quote`.
type QuoteOptions struct {
	// What the command works with, each built on first use.
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Printer      func() (*render.Printer, error)
	Logger       func() *slog.Logger
	// DayStatsWait is how long the quotes wait, once they have arrived,
	// for 24-hour figures still on their way: a venue slow to send them
	// does not hold the prices back longer than that.
	DayStatsWait time.Duration

	Symbols []trade.Symbol
}

// dayStatsWait is DayStatsWait unless a test sets it.
const dayStatsWait = 2 * time.Second

// NewCmdQuote builds the command; runF replaces the run step in tests.
func NewCmdQuote(f *cmdutil.Factory, runF func(*QuoteOptions) error) *cobra.Command {
	opts := &QuoteOptions{
		OpenExchange: f.OpenExchange,
		Printer:      f.Printer,
		Logger:       f.Logger,
		DayStatsWait: dayStatsWait,
	}
	return &cobra.Command{
		Use:   "quote SYMBOL...",
		Short: "Show bid, ask, last price and spread",
		Long: heredoc.Doc(`
			Show the best bid, best ask, last price and spread of one or more symbols,
			in the order given. Symbols may be written BTC-USD, BTC/USD or btc-usd;
			stocks by ticker (AAPL). An unknown symbol exits 3. To follow prices as they
			move, see tradectl watch.

			Where the venue reports them, the rolling 24-hour figures follow: change,
			change %, high, low and volume (Binance: all five; Kraken: high, low and
			volume; Coinbase: change % and volume). JSON carries them as change_24h,
			change_24h_pct, high_24h, low_24h, volume_24h and stats_time; a figure the
			venue does not report is left out, never shown as 0. Binance and Coinbase
			send them from a request of their own, made together with the quote: when
			it fails, or has not answered 2s after the quote, the quote is shown
			without them and a warning says why.
		`),
		Example: heredoc.Doc(`
			$ tradectl quote BTC-USD ETH-USD AAPL
			$ tradectl quote BTC-USD -o json --jq '.[0].ask'
			$ tradectl quote SOL-USD AAPL -o csv
		`),
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completion.Symbols(f.CompletionSource(), 0),
		GroupID:           "market",
		RunE: func(cmd *cobra.Command, args []string) error {
			seen := map[trade.Symbol]bool{}
			for _, a := range args {
				s, err := trade.ParseSymbol(a)
				if err != nil {
					return cmdutil.Usagef("%v", err)
				}
				if !seen[s] {
					seen[s] = true
					opts.Symbols = append(opts.Symbols, s)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return quoteRun(cmd.Context(), opts)
		},
	}
}

func quoteRun(ctx context.Context, o *QuoteOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	ex, _, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	// The 24-hour figures are asked for together with the quotes, so they
	// add a request but no round trip; when the quotes fail they are no
	// longer wanted.
	statsCtx, cancelStats := context.WithCancel(ctx)
	defer cancelStats()
	stats := fetchDayStats(statsCtx, ex, o.Symbols)
	quotes, err := ex.Quotes(ctx, o.Symbols)
	if err != nil {
		cancelStats()
		if errors.Is(err, exchange.ErrNotFound) {
			if hint := exchange.UnknownSymbolHint(ctx, ex, o.Symbols); hint != "" {
				err = fmt.Errorf("%w; %s", err, hint)
			}
		}
		return cmdutil.WrapOp("quote", err)
	}
	wait := time.NewTimer(o.DayStatsWait)
	defer wait.Stop()
	select {
	case r := <-stats:
		if r.err != nil {
			o.logger().Warn("quote: shown without 24-hour figures", slog.String("err", r.err.Error()))
		} else {
			quotes = MergeDayStats(quotes, r.stats)
		}
	case <-wait.C:
		cancelStats()
		o.logger().Warn("quote: shown without 24-hour figures", slog.String("err", fmt.Sprintf("no answer %s after the quotes", o.DayStatsWait)))
	}
	return printer.Print(quotes, func() *render.TableData {
		return Table(quotes, orderview.PrecisionOf(ctx, ex))
	})
}

// dayStatsResult is what a DayStats call gave.
type dayStatsResult struct {
	stats map[trade.Symbol]trade.Stats24h
	err   error
}

// fetchDayStats starts reading the 24-hour figures of syms from a venue
// that serves them apart from its quotes; the channel gets one result
// (none to read, from a venue that does not: a nil map).
func fetchDayStats(ctx context.Context, ex exchange.Exchange, syms []trade.Symbol) <-chan dayStatsResult {
	ch := make(chan dayStatsResult, 1)
	dr, ok := ex.(exchange.DayStatsReader)
	if !ok {
		ch <- dayStatsResult{}
		return ch
	}
	go func() {
		st, err := dr.DayStats(ctx, syms)
		ch <- dayStatsResult{stats: st, err: err}
	}()
	return ch
}

// MergeDayStats gives each quote without 24-hour figures of its own those
// of stats; figures the quote already carries (a venue's own ticker) are
// kept.
func MergeDayStats(quotes []trade.Quote, stats map[trade.Symbol]trade.Stats24h) []trade.Quote {
	if len(stats) == 0 {
		return quotes
	}
	out := make([]trade.Quote, len(quotes))
	for i, q := range quotes {
		if st, ok := stats[q.Symbol]; ok && !q.Has24h() {
			q.Stats24h = st
		}
		out[i] = q
	}
	return out
}

func (o *QuoteOptions) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger()
}

// Table lays out quotes, prices at their instrument's tick. The venue's
// 24-hour figures get columns when any quote has them ("-" where one
// quote lacks one); they give way before bid, ask and last on a narrow
// terminal.
func Table(quotes []trade.Quote, prec render.Precision) *render.TableData {
	with24h := false
	for _, q := range quotes {
		with24h = with24h || q.Has24h()
	}
	t := &render.TableData{Columns: []render.Column{
		{Header: "symbol"}, {Header: "bid", Right: true}, {Header: "ask", Right: true},
		{Header: "last", Right: true}, {Header: "spread", Right: true, Drop: 2},
	}}
	if with24h {
		t.Columns = append(t.Columns, render.Column{Header: "24h change", Right: true, Drop: 3}, render.Column{Header: "24h %", Right: true, Drop: 6},
			render.Column{Header: "24h high", Right: true, Drop: 5}, render.Column{Header: "24h low", Right: true, Drop: 5},
			render.Column{Header: "24h volume", Right: true, Drop: 4})
	}
	t.Columns = append(t.Columns, render.Column{Header: "time", Drop: 1})
	for _, q := range quotes {
		places := prec.Price(q.Symbol)
		spread := render.Num(q.Ask.Sub(q.Bid), places)
		spread.Style = render.Muted
		row := []render.Cell{render.S(q.Symbol.String(), render.Bold), render.Num(q.Bid, places), render.Num(q.Ask, places),
			render.Num(q.Last, places), spread}
		if with24h {
			chg, pct := render.OptNum(q.Change24h, places), render.OptNum(q.Change24hPct, 2)
			if d := q.Change24hPct; d != nil && d.IsPositive() {
				chg.Style, pct.Style = render.Good, render.Good
			} else if d != nil && d.IsNegative() {
				chg.Style, pct.Style = render.Bad, render.Bad
			}
			row = append(row, chg, pct, render.OptNum(q.High24h, places), render.OptNum(q.Low24h, places), render.OptNum(q.Volume24h, prec.Qty(q.Symbol)))
		}
		t.AddRow(append(row, render.At(q.Time))...)
	}
	return t
}
