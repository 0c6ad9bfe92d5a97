// Package quote implements `tradectl quote`.
package quote

import (
	"context"
	"errors"
	"fmt"

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

	Symbols []trade.Symbol
}

// NewCmdQuote builds the command; runF replaces the run step in tests.
func NewCmdQuote(f *cmdutil.Factory, runF func(*QuoteOptions) error) *cobra.Command {
	opts := &QuoteOptions{
		OpenExchange: f.OpenExchange,
		Printer:      f.Printer,
	}
	return &cobra.Command{
		Use:   "quote SYMBOL...",
		Short: "Show bid, ask, last price and spread",
		Long: heredoc.Doc(`
			Show the best bid, best ask, last price and spread of one or more symbols,
			in the order given. Symbols may be written BTC-USD, BTC/USD or btc-usd;
			stocks by ticker (AAPL). An unknown symbol exits 3. To follow prices as they
			move, see tradectl watch.
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
	quotes, err := ex.Quotes(ctx, o.Symbols)
	if err != nil {
		if errors.Is(err, exchange.ErrNotFound) {
			if hint := exchange.UnknownSymbolHint(ctx, ex, o.Symbols); hint != "" {
				err = fmt.Errorf("%w; %s", err, hint)
			}
		}
		return cmdutil.WrapOp("quote", err)
	}
	return printer.Print(quotes, func() *render.TableData {
		return Table(quotes, orderview.PrecisionOf(ctx, ex))
	})
}

// Table lays out quotes, prices at their instrument's tick.
func Table(quotes []trade.Quote, prec render.Precision) *render.TableData {
	t := &render.TableData{Columns: []render.Column{
		{Header: "symbol"}, {Header: "bid", Right: true}, {Header: "ask", Right: true},
		{Header: "last", Right: true}, {Header: "spread", Right: true, Drop: 2}, {Header: "time", Drop: 1},
	}}
	for _, q := range quotes {
		places := prec.Price(q.Symbol)
		spread := render.Num(q.Ask.Sub(q.Bid), places)
		spread.Style = render.Muted
		t.AddRow(render.S(q.Symbol.String(), render.Bold), render.Num(q.Bid, places), render.Num(q.Ask, places),
			render.Num(q.Last, places), spread, render.At(q.Time))
	}
	return t
}
