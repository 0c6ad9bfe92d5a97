// Package instruments implements `tradectl instruments`: the venue's
// symbols and their order rules, the list did-you-mean and completion draw
// from.
package instruments

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/textdist"
	"github.com/tradectl/tradectl/internal/trade"
)

// InstrumentsOptions is a parsed `instruments`.
type InstrumentsOptions struct {
	// What the command works with, each built on first use.
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Printer      func() (*render.Printer, error)

	// Search narrows the list (see Match); "" lists everything.
	Search string
	// All includes symbols that take no new orders today, where the venue
	// lists them (exchange.AllInstrumentLister).
	All bool
}

// NewCmdInstruments builds the command; runF replaces the run step in tests.
func NewCmdInstruments(f *cmdutil.Factory, runF func(*InstrumentsOptions) error) *cobra.Command {
	opts := &InstrumentsOptions{
		OpenExchange: f.OpenExchange,
		Printer:      f.Printer,
	}
	cmd := &cobra.Command{
		Use:   "instruments [SEARCH] [--all]",
		Short: "List the venue's symbols with tick, step, minimums and status",
		Long: heredoc.Doc(`
			List the symbols the selected profile's venue trades, sorted, with their base
			and quote asset, price tick, quantity step, minimum quantity, minimum order
			value (min notional), status and the venue's own name for the symbol.

			SEARCH keeps the symbols whose symbol, base, quote or venue symbol contains it,
			ignoring case (usd, btc, XBT); when nothing contains it, the symbols a typo away
			from it (EHT finds ETH-USD; a longer search allows more). No match prints nothing
			and exits 0.

			The list is read through the venue's rule cache: one request when the cache is
			cold, none when warm. Symbols that take no new orders today (halted,
			cancel-only) are left out, as order commands leave them out; --all shows them
			too, with their status, on venues whose rule list keeps them (binance,
			coinbase, kraken, alpaca; paper lists only trading symbols).
		`),
		Example: heredoc.Doc(`
			$ tradectl instruments
			$ tradectl instruments btc
			$ tradectl instruments --all -o json --jq '.[] | select(.status != "trading") | .symbol'
			$ tradectl instruments usd -o csv > instruments.csv
		`),
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completion.Symbols(f.CompletionSource(), 1),
		GroupID:           "market",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Search = strings.TrimSpace(args[0])
				if opts.Search == "" {
					return cmdutil.Usagef("SEARCH is empty: give part of a symbol, or nothing to list every symbol")
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return instrumentsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "also list symbols that take no new orders today (halted, cancel-only)")
	return cmd
}

func instrumentsRun(ctx context.Context, o *InstrumentsOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	ex, _, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	var list []trade.Instrument
	if all, ok := ex.(exchange.AllInstrumentLister); ok && o.All {
		list, err = all.AllInstruments(ctx)
	} else {
		list, err = ex.Instruments(ctx)
	}
	if err != nil {
		return cmdutil.WrapOp("instruments", err)
	}
	list = Match(list, o.Search)
	return printer.Print(list, func() *render.TableData { return Table(list, o.Search) })
}

// Match returns the instruments SEARCH finds, sorted by symbol: those
// whose symbol, base, quote or venue symbol contains it (any case), or,
// when none does, those whose symbol, base or venue symbol is a typo away
// from it (see near). An empty search keeps every instrument.
func Match(list []trade.Instrument, search string) []trade.Instrument {
	out := make([]trade.Instrument, 0, len(list))
	needle := strings.ToUpper(search)
	for _, in := range list {
		if needle == "" || containsAny(needle, in.Symbol.String(), in.BaseAsset, in.QuoteAsset, in.VenueSymbol) {
			out = append(out, in)
		}
	}
	if len(out) == 0 && needle != "" {
		// Separators differ between venues (BTC/USD, BTC-USD, BTCUSD); the
		// distance is taken on what the person typed against each form.
		for _, in := range list {
			if near(needle, in.Symbol.String(), in.BaseAsset, in.VenueSymbol) {
				out = append(out, in)
			}
		}
	}
	slices.SortFunc(out, func(a, b trade.Instrument) int { return strings.Compare(a.Symbol.String(), b.Symbol.String()) })
	return out
}

func containsAny(needle string, fields ...string) bool {
	for _, f := range fields {
		if f != "" && strings.Contains(strings.ToUpper(f), needle) {
			return true
		}
	}
	return false
}

// near reports whether needle is a typo away from one of fields: two
// neighbouring letters swapped (EHT for ETH), or, in a longer needle, a
// few edits — one per three letters beyond the first, so a three-letter
// ticker never matches another (LTC is not BTC).
func near(needle string, fields ...string) bool {
	typos := (len(needle) - 1) / 3
	for _, f := range fields {
		f = strings.ToUpper(f)
		if f != "" && (swapped(needle, f) || textdist.Levenshtein(needle, f) <= typos) {
			return true
		}
	}
	return false
}

// swapped reports whether a and b differ only by two neighbouring
// characters in the other order.
func swapped(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] == b[i] {
			continue
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return false
}

// Table lays out instruments. Tick, step and the minimums are shown
// exactly as the venue states them: they are the rules themselves, and
// rounding them would misstate what an order must meet.
func Table(list []trade.Instrument, search string) *render.TableData {
	empty := "no instruments"
	if search != "" {
		empty = fmt.Sprintf("no instrument matches %q", search)
	}
	t := &render.TableData{
		Columns: []render.Column{
			{Header: "symbol"}, {Header: "base", Drop: 2}, {Header: "quote", Drop: 2},
			{Header: "tick", Right: true}, {Header: "step", Right: true},
			{Header: "min qty", Right: true, Drop: 3}, {Header: "min notional", Right: true, Drop: 4},
			{Header: "status", Keep: true}, {Header: "venue symbol", Drop: 1},
		},
		Empty: empty,
	}
	for _, in := range list {
		status := render.T(in.Status)
		switch in.Status {
		case trade.StatusTrading:
		case "":
			status = render.S("-", render.Muted)
		default:
			status.Style = render.Warn
		}
		t.AddRow(render.S(in.Symbol.String(), render.Bold), render.T(in.BaseAsset), render.T(in.QuoteAsset),
			rule(in.TickSize), rule(in.StepSize), rule(in.MinQty), rule(in.MinNotional), status, render.T(in.VenueSymbol))
	}
	return t
}

// rule shows one rule exactly, or a muted "-" when the venue sets none.
func rule(d decimal.Decimal) render.Cell {
	if d.IsZero() {
		return render.S("-", render.Muted)
	}
	return render.T(d.String())
}
