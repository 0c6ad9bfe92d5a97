// Package positions implements `tradectl positions` and `positions close`:
// what each account holds, at what average cost, and what it has made.
package positions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/fanout"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/pnl"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// Sources of a position's quantity and average cost.
const (
	// SourceVenue: the venue's own position record (Alpaca), which knows
	// holdings no fill explains (transfers, corporate actions).
	SourceVenue = "venue"
	// SourceFills: worked out from the account's whole fill history with
	// internal/pnl (average cost, fees in the cost basis).
	SourceFills = "fills"
)

// Position is one account's holding of one symbol, marked at the last
// price. Its JSON form is documented in the README; keep the two in step.
type Position struct {
	Profile  string       `json:"profile"`
	Exchange string       `json:"exchange"`
	Symbol   trade.Symbol `json:"symbol"`
	// Currency is what prices, costs and P&L are in: the quote asset.
	Currency string `json:"currency"`
	// Source is SourceVenue or SourceFills.
	Source string `json:"source"`
	// Qty is negative for a short, 0 for a flat position (--all).
	Qty       decimal.Decimal `json:"qty"`
	AvgCost   decimal.Decimal `json:"avg_cost"`
	CostBasis decimal.Decimal `json:"cost_basis"`
	// Last is the mark (last trade, else the mid); it and the fields
	// priced from it are null when the venue gave no price.
	Last          decimal.NullDecimal `json:"last"`
	MarketValue   decimal.NullDecimal `json:"market_value"`
	UnrealizedPnL decimal.NullDecimal `json:"unrealized_pnl"`
	UnrealizedPct decimal.NullDecimal `json:"unrealized_pct"`
	// RealizedPnL and Fees come from the fills; null when the venue's fill
	// history could not be read (the venue's own position still shows).
	RealizedPnL decimal.NullDecimal `json:"realized_pnl"`
	Fees        decimal.NullDecimal `json:"fees"`
	// OtherFees are fees paid in assets other than Currency, by asset;
	// they are not in the P&L.
	OtherFees map[string]decimal.Decimal `json:"other_fees,omitempty"`
	Fills     int                        `json:"fills"`
}

// PositionsOptions is a parsed `positions`.
type PositionsOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	Config       func() (*config.Config, error)
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Printer      func() (*render.Printer, error)
	// FillHistory is the profile's fills, oldest first (the Factory's,
	// served from the local fill cache).
	FillHistory func(ctx context.Context, ex exchange.Exchange, profile string, f exchange.FillFilter) ([]trade.Fill, error)

	Profiles      []string // empty: the selected profile
	Symbol        trade.Symbol
	All           bool
	TargetTimeout time.Duration
}

// NewCmdPositionsGroup is `positions` with `positions close` under it.
func NewCmdPositionsGroup(f *cmdutil.Factory) *cobra.Command {
	cmd := NewCmdPositions(f, nil)
	cmd.AddCommand(NewCmdClose(f, nil))
	return cmd
}

// NewCmdPositions builds the command; runF replaces the run step in tests.
func NewCmdPositions(f *cmdutil.Factory, runF func(*PositionsOptions) error) *cobra.Command {
	opts := &PositionsOptions{
		IO:           f.IOStreams,
		Config:       f.Config,
		OpenExchange: f.OpenExchange,
		Printer:      f.Printer,
		FillHistory:  f.FillHistory,
	}
	var symbol string
	cmd := &cobra.Command{
		Use:   "positions [--profile a,b,…] [--symbol S] [--all]",
		Short: "Holdings with average cost, value, unrealised and realised P&L",
		Long: heredoc.Doc(`
			Show what each chosen account holds, per symbol: quantity (negative for a
			short), average cost, last price, market value, unrealised P&L and its
			percentage of the cost basis, realised P&L and fees, all in the symbol's
			quote currency.

			Quantity and average cost come from the venue where it keeps positions of
			its own (alpaca: source "venue"); elsewhere they are worked out from the
			account's whole fill history (source "fills") with the average-cost method,
			fees in the cost basis. Realised P&L and fees always come from the fills;
			where a venue's fills cannot be read they are null and a warning says why.
			The last price is one quote request per account for what it holds.

			Flat symbols (quantity 0) are left out unless --all: they still carry
			realised P&L. --profile takes a comma-separated list; accounts are read
			concurrently, one that fails is reported on stderr while the others print,
			and the exit code is then 8. An unknown --symbol exits 3.

			To flatten a position, see tradectl positions close.
		`),
		Example: heredoc.Doc(`
			$ tradectl positions
			$ tradectl positions --profile paper,rehearsal --symbol BTC-USD
			$ tradectl positions --all -o json --jq '.[] | select(.realized_pnl != "0") | .symbol + " " + .realized_pnl'
			$ tradectl positions -o csv > positions.csv
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
				opts.Symbol = s
			}
			if opts.TargetTimeout < 0 {
				return cmdutil.Usagef("--target-timeout must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return positionsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&symbol, "symbol", "", "show only this symbol")
	cmd.Flags().BoolVar(&opts.All, "all", false, "also show flat symbols (quantity 0) that carry realised P&L")
	cmd.Flags().DurationVar(&opts.TargetTimeout, "target-timeout", 0, "give up on one account after this long (0: only --timeout bounds it)")
	_ = cmd.RegisterFlagCompletionFunc("symbol", completion.SymbolFlag(f.CompletionSource()))
	return cmd
}

// account is what one account's read brings back.
type account struct {
	positions []Position
	prec      render.Precision
	warnings  []string
}

func positionsRun(ctx context.Context, o *PositionsOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	names := o.Profiles
	if len(names) == 0 {
		cfg, err := o.Config()
		if err != nil {
			return err
		}
		p, err := cfg.Selected()
		if err != nil {
			return err
		}
		names = []string{p.Name}
	}
	results := fanout.Run(ctx, names, o.TargetTimeout, func(ctx context.Context, name string) (account, error) {
		return o.read(ctx, name)
	})
	var (
		all    []Position
		precs  = map[string]render.Precision{}
		failed int
	)
	for _, r := range results {
		for _, w := range r.Value.warnings {
			fmt.Fprintf(o.IO.ErrOut, "warning: %s: %s\n", r.Target, w)
		}
		if r.Err != nil {
			if len(results) == 1 {
				return r.Err
			}
			failed++
			fmt.Fprintf(o.IO.ErrOut, "Error: %s: %v\n", r.Target, r.Err)
			continue
		}
		all = append(all, r.Value.positions...)
		precs[r.Target] = r.Value.prec
	}
	if err := printer.Print(all, func() *render.TableData { return Table(all, precs, len(names) > 1) }); err != nil {
		return err
	}
	if failed > 0 {
		return &cmdutil.SilentError{Err: &cmdutil.PartialError{Failed: failed, Total: len(results)}}
	}
	return nil
}

// read builds one account's positions: the venue's own where it keeps
// them, the fills' otherwise; realised P&L from the fills; marked at one
// quote request for what is held.
func (o *PositionsOptions) read(ctx context.Context, profile string) (account, error) {
	var acct account
	ex, _, err := o.OpenExchange(ctx, profile)
	if err != nil {
		return acct, err
	}
	defer ex.Close()
	instruments, err := ex.Instruments(ctx)
	if err != nil {
		return acct, cmdutil.WrapOp("instruments", err)
	}
	if !o.Symbol.IsZero() {
		if _, err := exchange.FindInstrument(ctx, ex, o.Symbol); err != nil {
			return acct, cmdutil.WrapOp("positions", err)
		}
	}
	acct.prec = render.NewPrecision(instruments)

	var venue []trade.Position
	pl, hasVenue := ex.(exchange.PositionLister)
	// The paper exchange's positions are its own fills averaged without
	// their fees; the fills, read below, give the documented method.
	hasVenue = hasVenue && !exchange.IsSimulated(ex)
	if hasVenue {
		if venue, err = pl.Positions(ctx); err != nil {
			return acct, cmdutil.WrapOp("positions", err)
		}
	}
	fills, fillErr := o.FillHistory(ctx, ex, profile, exchange.FillFilter{Symbol: o.Symbol})
	if errors.Is(fillErr, exchange.ErrInvalidOrder) && o.Symbol.IsZero() {
		// The venue keeps executions per symbol only (Binance) and the
		// history in use cannot fan out by itself: ask for the pairs the
		// balances say the account trades.
		fills, fillErr = o.heldPairFills(ctx, ex, profile, instruments)
	}
	if fillErr != nil {
		if !hasVenue {
			return acct, fillErr
		}
		acct.warnings = append(acct.warnings, fmt.Sprintf("realised P&L and fees unknown: %v", fillErr))
	}
	fromFills, err := pnl.FromFills(profile, fills)
	if err != nil {
		return acct, fmt.Errorf("fills: %w", err)
	}
	rows := Merge(profile, ex.Name(), venue, hasVenue, fromFills, fillErr == nil)
	rows = slices.DeleteFunc(rows, func(p Position) bool {
		return (!o.Symbol.IsZero() && p.Symbol != o.Symbol) || (!o.All && p.Qty.IsZero())
	})
	quoteAsset := map[trade.Symbol]string{}
	for _, in := range instruments {
		quoteAsset[in.Symbol] = in.QuoteAsset
	}
	var held []trade.Symbol
	for i := range rows {
		if rows[i].Currency == "" {
			rows[i].Currency = quoteAsset[rows[i].Symbol]
		}
		if !rows[i].Qty.IsZero() {
			held = append(held, rows[i].Symbol)
		}
	}
	var marks map[trade.Symbol]decimal.Decimal
	if len(held) > 0 {
		quotes, err := ex.Quotes(ctx, held)
		if err != nil {
			return acct, cmdutil.WrapOp("quotes", err)
		}
		marks = pnl.Marks(quotes)
	}
	for i := range rows {
		Mark(&rows[i], marks)
	}
	acct.positions = rows
	return acct, nil
}

// heldPairFills reads the fills of every pair whose base and quote assets
// both have a balance: the pairs an account that bought with its cash
// holds. A pair sold out entirely (its base gone) is not asked for, so its
// realised P&L is missing from this fallback; a fill history that fans out
// over the account's whole history by itself never needs it.
func (o *PositionsOptions) heldPairFills(ctx context.Context, ex exchange.Exchange, profile string, instruments []trade.Instrument) ([]trade.Fill, error) {
	balances, err := ex.Balances(ctx)
	if err != nil {
		return nil, cmdutil.WrapOp("balances", err)
	}
	held := map[string]bool{}
	for _, b := range balances {
		if !b.Total.IsZero() {
			held[strings.ToUpper(b.Asset)] = true
		}
	}
	var fills []trade.Fill
	for _, in := range instruments {
		if !held[strings.ToUpper(in.BaseAsset)] || !held[strings.ToUpper(in.QuoteAsset)] {
			continue
		}
		got, err := o.FillHistory(ctx, ex, profile, exchange.FillFilter{Symbol: in.Symbol})
		if err != nil {
			return nil, err
		}
		fills = append(fills, got...)
	}
	return fills, nil
}

// Merge joins the venue's positions (when the venue keeps them) with the
// positions worked out from fills: quantity and average cost from the
// venue where it has them, realised P&L and fees from the fills (null when
// fillsOK is false). Symbols only the fills know are kept — a venue
// lists open positions only, and a flat symbol still carries realised
// P&L. Sorted by symbol.
func Merge(profile, venueName string, venue []trade.Position, useVenue bool, fromFills []pnl.Position, fillsOK bool) []Position {
	bySymbol := map[trade.Symbol]*Position{}
	var order []trade.Symbol
	row := func(sym trade.Symbol) *Position {
		p := bySymbol[sym]
		if p == nil {
			p = &Position{Profile: profile, Exchange: venueName, Symbol: sym, Currency: sym.Quote, Source: SourceFills}
			if useVenue {
				p.Source = SourceVenue
			}
			bySymbol[sym] = p
			order = append(order, sym)
		}
		return p
	}
	for _, f := range fromFills {
		p := row(f.Symbol)
		if !useVenue {
			p.Qty, p.AvgCost, p.CostBasis = f.Qty, f.AvgCost, f.CostBasis
		}
		if fillsOK {
			p.RealizedPnL, p.Fees = decimal.NewNullDecimal(f.RealizedPnL), decimal.NewNullDecimal(f.Fees)
			p.OtherFees, p.Fills = f.OtherFees, f.Fills
		}
	}
	for _, v := range venue {
		p := row(v.Symbol)
		p.Qty, p.AvgCost, p.CostBasis = v.Qty, v.AvgCost, v.Qty.Mul(v.AvgCost)
	}
	slices.SortFunc(order, func(a, b trade.Symbol) int { return strings.Compare(a.String(), b.String()) })
	out := make([]Position, 0, len(order))
	for _, s := range order {
		out = append(out, *bySymbol[s])
	}
	return out
}

// Mark prices p at its symbol's mark: market value, unrealised P&L and its
// percentage of the cost basis, by internal/pnl's rules. Without a mark
// they stay null, except for a flat position, which is worth 0.
func Mark(p *Position, marks map[trade.Symbol]decimal.Decimal) {
	base := pnl.Position{Symbol: p.Symbol, Qty: p.Qty, AvgCost: p.AvgCost, CostBasis: p.CostBasis}
	v := pnl.ValueAll([]pnl.Position{base}, marks)[0]
	p.Last, p.MarketValue, p.UnrealizedPnL, p.UnrealizedPct = v.Price, v.MarketValue, v.UnrealizedPnL, v.UnrealizedPct
}

// Table lays out positions: prices at the instrument's tick, quantities
// at its step, money at the quote asset's precision, each by its own
// account's venue rules (precs, by profile).
func Table(rows []Position, precs map[string]render.Precision, showProfile bool) *render.TableData {
	cols := []render.Column{{Header: "symbol"}, {Header: "qty", Right: true}, {Header: "avg cost", Right: true},
		{Header: "last", Right: true}, {Header: "value", Right: true, Drop: 3}, {Header: "unrealised", Right: true},
		{Header: "%", Right: true, Drop: 2}, {Header: "realised", Right: true, Drop: 4}, {Header: "fees", Right: true, Drop: 1}}
	if showProfile {
		cols = append([]render.Column{{Header: "profile"}}, cols...)
	}
	t := &render.TableData{Columns: cols, Empty: "no positions"}
	for _, p := range rows {
		prec := precs[p.Profile]
		pp, qp, mp := prec.Price(p.Symbol), prec.Qty(p.Symbol), prec.Asset(p.Currency)
		// As on the dashboard: the average cost carries fees, so it has
		// two places more than a price; fees are shown as charged, never
		// rounded away (as in order get and pnl).
		avg := pp
		if avg >= 0 {
			avg += 2
		}
		fees := render.Cell{Text: "-"}
		if p.Fees.Valid {
			fees = render.Amount(p.Fees.Decimal, mp)
		}
		cells := []render.Cell{render.S(p.Symbol.String(), render.Bold), render.Num(p.Qty, qp), render.Num(p.AvgCost, avg),
			render.NumOr(p.Last, pp), render.NumOr(p.MarketValue, mp), signed(p.UnrealizedPnL, mp),
			pctCell(p.UnrealizedPct), signed(p.RealizedPnL, mp), fees}
		if showProfile {
			cells = append([]render.Cell{render.T(p.Profile)}, cells...)
		}
		t.AddRow(cells...)
	}
	return t
}

func signed(d decimal.NullDecimal, places int32) render.Cell {
	c := render.NumOr(d, places)
	switch {
	case !d.Valid:
	case d.Decimal.IsPositive():
		c.Style = render.Good
	case d.Decimal.IsNegative():
		c.Style = render.Bad
	}
	return c
}

func pctCell(d decimal.NullDecimal) render.Cell {
	// The column's header says "%", as on the dashboard.
	return signed(d, 2)
}
