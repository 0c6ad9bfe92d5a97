// Package fills implements `tradectl fills`: every fill of one or more
// accounts, from the venue's full history through the local fill cache.
package fills

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/fanout"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// FillsOptions is a parsed `fills`.
type FillsOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	FillHistory  func(ctx context.Context, ex exchange.Exchange, profile string, f exchange.FillFilter) ([]trade.Fill, error)
	Printer      func() (*render.Printer, error)

	// Profiles are the accounts to read; empty: the selected profile.
	Profiles []string
	Filter   exchange.FillFilter
}

// NewCmdFills builds the command; runF replaces the run step in tests.
func NewCmdFills(f *cmdutil.Factory, runF func(*FillsOptions) error) *cobra.Command {
	opts := &FillsOptions{
		IO:           f.IOStreams,
		OpenExchange: f.OpenExchange,
		FillHistory:  f.FillHistory,
		Printer:      f.Printer,
	}
	var symbol, since, until string
	cmd := &cobra.Command{
		Use:   "fills [--since T] [--until T] [--symbol S] [--profile a,b,…]",
		Short: "List every fill (trade execution) of the account, oldest first",
		Long: heredoc.Doc(`
			List the account's fills from the venue's full history, oldest first: time,
			symbol, side, quantity, price, quote amount, fee and fee asset, maker or
			taker, and the order it belongs to.

			Venue history is kept in a local cache (fills.db in the cache directory),
			so a second run asks the venue only for fills newer than the ones it
			holds. The paper exchange is read directly: its fills are already local.

			--since and --until take a duration back from now (90m, 24h, 30d) or a
			time (2026-01-31, 2026-01-31T09:30:00Z); --since is inclusive, --until
			exclusive. --profile takes a comma-separated list of accounts.

			-o csv writes the documented export columns (see the README's History
			section), for a spreadsheet or tax software.
		`),
		Example: heredoc.Doc(`
			$ tradectl fills --since 30d
			$ tradectl fills --symbol BTC-USD --since 2026-01-01 --until 2027-01-01 -o csv > fills-2026.csv
			$ tradectl fills --profile paper,rehearsal -o json --jq '.[] | select(.liquidity == "maker")'
		`),
		Args:    cobra.NoArgs,
		GroupID: "account",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Profiles = f.ProfileList(cmd)
			if symbol != "" {
				s, err := trade.ParseSymbol(symbol)
				if err != nil {
					return cmdutil.Usagef("--symbol: %v", err)
				}
				opts.Filter.Symbol = s
			}
			var err error
			if opts.Filter.Since, err = cmdutil.ParseSince(since, f.Now()); err != nil {
				return cmdutil.Usagef("%v", err)
			}
			if opts.Filter.Until, err = parseUntil(until, f.Now()); err != nil {
				return err
			}
			if !opts.Filter.Since.IsZero() && !opts.Filter.Until.IsZero() && !opts.Filter.Until.After(opts.Filter.Since) {
				return cmdutil.Usagef("--until %s is not after --since %s", trade.FormatTime(opts.Filter.Until), trade.FormatTime(opts.Filter.Since))
			}
			if runF != nil {
				return runF(opts)
			}
			return fillsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&symbol, "symbol", "", "only this symbol")
	cmd.Flags().StringVar(&since, "since", "", "only fills at or after this time, or this long ago (30d)")
	cmd.Flags().StringVar(&until, "until", "", "only fills before this time, or before this long ago")
	_ = cmd.RegisterFlagCompletionFunc("symbol", completion.SymbolFlag(f.CompletionSource()))
	return cmd
}

// parseUntil reads --until as ParseSince reads --since.
func parseUntil(s string, now time.Time) (time.Time, error) {
	t, err := cmdutil.ParseSince(s, now)
	if err != nil {
		return time.Time{}, cmdutil.Usagef("invalid --until %q: use a duration back from now such as 90m, 2h or 7d, or a time such as 2026-11-27 or 2026-11-27T09:30:00Z", s)
	}
	return t, nil
}

// account is what one profile's read gave.
type account struct {
	rows []Row
}

func fillsRun(ctx context.Context, o *FillsOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	if len(o.Profiles) <= 1 {
		name := ""
		if len(o.Profiles) == 1 {
			name = o.Profiles[0]
		}
		acc, err := o.read(ctx, name)
		if err != nil {
			return err
		}
		return printRows(printer, Rows(acc.rows), false)
	}
	results := fanout.Run(ctx, o.Profiles, 0, o.read)
	var rows []Row
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
			fmt.Fprintf(o.IO.ErrOut, "%s: %v\n", r.Target, r.Err)
			continue
		}
		rows = append(rows, r.Value.rows...)
	}
	if failed == len(results) {
		// Nothing to show: the first account's error says why, with its
		// own exit code.
		return results[0].Err
	}
	// One history across accounts, oldest first; a profile's own order is
	// kept within a millisecond.
	slices.SortStableFunc(rows, func(a, b Row) int { return time.Time(a.Time).Compare(time.Time(b.Time)) })
	if err := printRows(printer, Rows(rows), true); err != nil {
		return err
	}
	if failed > 0 {
		return &cmdutil.SilentError{Err: &cmdutil.PartialError{Failed: failed, Total: len(results)}}
	}
	return nil
}

// read is one profile's fills in the filter's range.
func (o *FillsOptions) read(ctx context.Context, profile string) (account, error) {
	ex, prof, err := o.OpenExchange(ctx, profile)
	if err != nil {
		return account{}, err
	}
	defer ex.Close()
	if !o.Filter.Symbol.IsZero() {
		// An unknown symbol is a mistake to point out (with the venue's
		// nearest names), not an empty history.
		if _, err := exchange.FindInstrument(ctx, ex, o.Filter.Symbol); err != nil {
			return account{}, cmdutil.WrapOp("fills", err)
		}
	}
	fills, err := o.FillHistory(ctx, ex, prof.Name, o.Filter)
	if err != nil {
		var ue *cmdutil.UsageError
		if errors.As(err, &ue) {
			return account{}, err
		}
		return account{}, cmdutil.WrapOp("fills", err)
	}
	// The table shows amounts at the instruments' precision from rules
	// already held; the history is not worth another request.
	cachedCtx := exchange.CachedRulesOnly(context.WithoutCancel(ctx))
	instruments, _ := ex.Instruments(cachedCtx)
	return account{rows: rowsOf(fills, prof.Name, ex.Name(), instruments)}, nil
}

func rowsOf(fills []trade.Fill, profile, venue string, instruments []trade.Instrument) []Row {
	prec := render.NewPrecision(instruments)
	quoteOf := map[trade.Symbol]string{}
	baseOf := map[trade.Symbol]string{}
	for _, in := range instruments {
		quoteOf[in.Symbol], baseOf[in.Symbol] = in.QuoteAsset, in.BaseAsset
	}
	rows := make([]Row, 0, len(fills))
	for _, f := range fills {
		r := Row{
			ID: f.ID, OrderID: f.OrderID, ClientID: f.ClientID, Symbol: f.Symbol, Side: f.Side,
			Qty: f.Qty, Price: f.Price, QuoteQty: f.Qty.Mul(f.Price), Fee: f.Fee, FeeAsset: f.FeeAsset,
			Liquidity: f.Liquidity, Time: trade.JSONTime(f.Time), Profile: profile, Venue: venue,
			baseAsset: cmpOr(baseOf[f.Symbol], f.Symbol.Base), quoteAsset: cmpOr(quoteOf[f.Symbol], f.Symbol.Quote),
			pricePlaces: prec.Price(f.Symbol), qtyPlaces: prec.Qty(f.Symbol), feePlaces: -1,
		}
		r.quotePlaces = -1
		if r.quoteAsset != "" {
			r.quotePlaces = prec.Asset(r.quoteAsset)
		}
		if f.FeeAsset != "" {
			r.feePlaces = prec.Asset(f.FeeAsset)
		}
		rows = append(rows, r)
	}
	return rows
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func printRows(p *render.Printer, rows Rows, manyAccounts bool) error {
	return p.Print(rows, func() *render.TableData { return Table(rows, manyAccounts) })
}

// Row is one fill as `fills` prints it: the fill, its quote amount (qty ×
// price, exact) and the account it belongs to.
type Row struct {
	ID        string          `json:"id"`
	OrderID   string          `json:"order_id"`
	ClientID  string          `json:"client_id,omitempty"`
	Symbol    trade.Symbol    `json:"symbol"`
	Side      trade.Side      `json:"side"`
	Qty       decimal.Decimal `json:"qty"`
	Price     decimal.Decimal `json:"price"`
	QuoteQty  decimal.Decimal `json:"quote_qty"`
	Fee       decimal.Decimal `json:"fee"`
	FeeAsset  string          `json:"fee_asset"`
	Liquidity trade.Liquidity `json:"liquidity"`
	Time      trade.JSONTime  `json:"time"`
	Profile   string          `json:"profile"`
	Venue     string          `json:"venue"`

	// For the table and the CSV: the instrument's assets and the places
	// its numbers are shown at (-1: as they are).
	baseAsset, quoteAsset                          string
	pricePlaces, qtyPlaces, quotePlaces, feePlaces int32
}

// Rows is the command's result. Its CSV is the export's fixed columns
// (CSVColumns), not its JSON fields.
type Rows []Row

// CSVColumns are the export's columns, in order. They are a documented
// interface (README, History): add at the end, never rename or reorder.
var CSVColumns = []string{
	"time_utc", "venue", "profile", "symbol", "base_asset", "quote_asset", "side", "qty", "price",
	"quote_amount", "fee", "fee_asset", "liquidity", "order_id", "client_id", "fill_id",
}

// CSVTable writes every row at its exact values: plain decimals, times in
// UTC.
func (rs Rows) CSVTable() ([]string, [][]string) {
	out := make([][]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, []string{
			trade.FormatTime(time.Time(r.Time)), r.Venue, r.Profile, r.Symbol.String(), r.baseAsset, r.quoteAsset,
			string(r.Side), r.Qty.String(), r.Price.String(), r.QuoteQty.String(), r.Fee.String(), r.FeeAsset,
			string(r.Liquidity), r.OrderID, r.ClientID, r.ID,
		})
	}
	return CSVColumns, out
}

// Table lays out the fills for people, amounts at their instrument's
// precision; the account column only when there is more than one.
func Table(rows Rows, manyAccounts bool) *render.TableData {
	cols := []render.Column{{Header: "time"}}
	if manyAccounts {
		cols = append(cols, render.Column{Header: "profile"})
	}
	cols = append(cols,
		render.Column{Header: "symbol"}, render.Column{Header: "side"},
		render.Column{Header: "qty", Right: true}, render.Column{Header: "price", Right: true},
		render.Column{Header: "value", Right: true, Drop: 3}, render.Column{Header: "fee", Right: true, Drop: 2},
		render.Column{Header: "liquidity", Drop: 1}, render.Column{Header: "order", Shrink: true, Drop: 4},
	)
	t := &render.TableData{Columns: cols, Empty: "no fills"}
	for _, r := range rows {
		cells := []render.Cell{render.At(time.Time(r.Time))}
		if manyAccounts {
			cells = append(cells, render.T(r.Profile))
		}
		value := render.Amount(r.QuoteQty, r.quotePlaces)
		value.Unit = r.quoteAsset
		fee := render.Amount(r.Fee, r.feePlaces)
		fee.Unit = r.FeeAsset
		liq := render.S(string(r.Liquidity), render.Muted)
		cells = append(cells,
			render.T(r.Symbol.String()), orderview.SideCell(r.Side),
			render.Num(r.Qty, r.qtyPlaces), render.Num(r.Price, r.pricePlaces),
			value, fee, liq, render.S(r.OrderID, render.Accent),
		)
		t.AddRow(cells...)
	}
	return t
}
