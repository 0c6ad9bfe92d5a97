package positions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/notifycmd"
	"github.com/tradectl/tradectl/internal/cmd/order/ordercmd"
	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/confirm"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/orderplan"
	"github.com/tradectl/tradectl/internal/placement"
	"github.com/tradectl/tradectl/internal/pnl"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/xdg"
)

// CloseOptions is a parsed `positions close`.
type CloseOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	Config       func() (*config.Config, error)
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Journal      func() (*journal.Journal, error)
	Dirs         func() (xdg.Dirs, error)
	Logger       func() *slog.Logger
	Now          func() time.Time
	Printer      func() (*render.Printer, error)
	FillHistory  func(ctx context.Context, ex exchange.Exchange, profile string, f exchange.FillFilter) ([]trade.Fill, error)
	// Yes is the global --yes, read when the command runs.
	Yes func() bool

	Symbol trade.Symbol
	// Qty is how much of the position to close; unset: all of it.
	Qty    decimal.NullDecimal
	DryRun bool
	// Notify are the notification flags: a refusal by the risk limits is
	// a risk_refused notification.
	Notify     notifycmd.Flags
	NotifyDeps notifycmd.Deps
}

// NewCmdClose builds `positions close`; runF replaces the run step in tests.
func NewCmdClose(f *cmdutil.Factory, runF func(*CloseOptions) error) *cobra.Command {
	opts := &CloseOptions{
		IO:           f.IOStreams,
		Config:       f.Config,
		OpenExchange: f.OpenExchange,
		Journal:      f.Journal,
		Dirs:         f.Dirs,
		Logger:       f.Logger,
		Now:          f.Now,
		Printer:      f.Printer,
		FillHistory:  f.FillHistory,
		Yes:          func() bool { return f.Globals.Yes },
		NotifyDeps:   notifycmd.NewDeps(f),
	}
	var qty string
	var notifyFlags *notifycmd.Binding
	cmd := &cobra.Command{
		Use:   "close SYMBOL [--qty Q|all] [--dry-run]",
		Short: "Flatten a position with a market order",
		Long: heredoc.Doc(`
			Place the market order that flattens the selected profile's position in
			SYMBOL: a sell for a long, a buy for a short. The quantity is the position's
			(as tradectl positions shows it), or --qty of it, rounded down to the
			instrument's step; a remainder below one step cannot be traded and is named
			in the output.

			The order takes the same path as tradectl order create: instrument rules,
			risk limits, the confirmation screen on a terminal for a live venue (without
			a terminal --yes is required, else exit 2), one client id journaled before
			it is sent, exactly-once placement. --dry-run shows the order and sends
			nothing.

			Nothing held (or less than one step) is a usage error, exit 2; an unknown
			symbol exits 3.

			A refusal by the risk limits is a risk_refused notification with --notify,
			--webhook or --desktop-notify (or the profile's notify: section).
		`),
		Example: heredoc.Doc(`
			$ tradectl positions close BTC-USD --dry-run
			$ tradectl positions close BTC-USD --qty 0.004 --yes -o json --jq .order.status

			# nothing held (exit 2)
			$ tradectl positions close ETH-USD
		`),
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completion.Symbols(f.CompletionSource(), 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if p := f.Globals.Profile; strings.Contains(p, ",") {
				return cmdutil.Usagef("positions close works on one profile, got --profile %s", p)
			}
			s, err := trade.ParseSymbol(args[0])
			if err != nil {
				return cmdutil.Usagef("%v", err)
			}
			opts.Symbol = s
			if q, err := parseCloseQty(qty); err != nil {
				return err
			} else {
				opts.Qty = q
			}
			if opts.Notify, err = notifyFlags.Parse(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return closeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&qty, "qty", "all", "how much of the position to close, in the base asset, or all")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the order and send nothing")
	_ = cmd.RegisterFlagCompletionFunc("qty", completion.Fixed([]string{"all"}))
	notifyFlags = notifycmd.AddFlags(cmd)
	return cmd
}

// errNothingHeld is wrapped by the refusal to close a position that is
// not there.
var errNothingHeld = errors.New("nothing held")

// parseCloseQty reads --qty: "all" (unset) or a positive decimal.
func parseCloseQty(s string) (decimal.NullDecimal, error) {
	if strings.EqualFold(strings.TrimSpace(s), "all") {
		return decimal.NullDecimal{}, nil
	}
	d, err := trade.ParseDecimal(s)
	if err != nil {
		return decimal.NullDecimal{}, cmdutil.Usagef("--qty: %v; give a quantity in the base asset, or all", err)
	}
	if !d.IsPositive() {
		return decimal.NullDecimal{}, cmdutil.Usagef("--qty must be above 0, or all; got %s", s)
	}
	return decimal.NewNullDecimal(d), nil
}

// Closing is the order that flattens a position, as worked out before any
// check: the side, and the quantity rounded down to the step.
type Closing struct {
	Symbol trade.Symbol `json:"symbol"`
	// Held is the position's quantity, negative for a short.
	Held decimal.Decimal `json:"held"`
	Side trade.Side      `json:"side"`
	Qty  decimal.Decimal `json:"qty"`
	// Remainder is what stays held: below one step when closing all, so
	// no order can trade it.
	Remainder decimal.Decimal `json:"remainder"`
	// CappedToFree is true when a sell was sized to the free balance of
	// the base asset, which was less than the position: fees taken in
	// the base asset, or quantity locked by working orders.
	CappedToFree bool `json:"capped_to_free"`
}

// PlanClose works out the closing order of held (negative: short) for
// want (unset: all), the quantity rounded down to step. A sell is sized
// to at most free, the base asset's free balance, when it is known. It
// refuses when nothing is held, when want exceeds the position, and when
// what is left to trade is below one step.
func PlanClose(sym trade.Symbol, held decimal.Decimal, want decimal.NullDecimal, step decimal.Decimal, free decimal.NullDecimal) (Closing, error) {
	c := Closing{Symbol: sym, Held: held, Side: trade.Sell}
	if held.IsZero() {
		return c, cmdutil.Usagef("no position in %s to close: %w; nothing was sent", sym, errNothingHeld)
	}
	if held.IsNegative() {
		c.Side = trade.Buy
	}
	size := held.Abs()
	qty := size
	if want.Valid {
		if want.Decimal.GreaterThan(size) {
			return c, cmdutil.Usagef("--qty %s is more than the position in %s (%s); nothing was sent", want.Decimal, sym, size)
		}
		qty = want.Decimal
	}
	if c.Side == trade.Sell && free.Valid && free.Decimal.LessThan(qty) {
		qty, c.CappedToFree = decimal.Max(free.Decimal, decimal.Zero), true
	}
	if step.IsPositive() {
		qty = qty.Div(step).Floor().Mul(step)
	}
	if !qty.IsPositive() {
		return c, cmdutil.Usagef("the position in %s (%s) is less than one step (%s): no order can trade it; nothing was sent", sym, size, step)
	}
	c.Qty, c.Remainder = qty, size.Sub(qty)
	return c, nil
}

// CloseResult is what `positions close` prints: the closing worked out,
// then the order placed (or, with --dry-run, the request not sent).
type CloseResult struct {
	Profile  string `json:"profile"`
	Exchange string `json:"exchange"`
	Closing
	DryRun bool `json:"dry_run"`
	// Request is what was (or, in a dry run, would be) sent.
	Request trade.OrderRequest `json:"request"`
	// Order is the order placed; null in a dry run.
	Order *trade.Order `json:"order"`
	// Existing is true when an earlier run placed this order already.
	Existing bool `json:"existing"`
	// VenueValidated is true when a dry run's order passed the venue's own
	// check (exchange.OrderValidator), as order create --dry-run reports.
	VenueValidated bool `json:"venue_validated"`
}

func closeRun(parent context.Context, o *CloseOptions) error {
	ctx, cancel, s, err := ordercmd.Open(parent, ordercmd.Deps{Printer: o.Printer, Config: o.Config, OpenExchange: o.OpenExchange})
	defer cancel()
	if err != nil {
		return err
	}
	printer, cfg, ex, prof, sf := s.Printer, s.Config, s.Exchange, s.Profile, s.Safety
	defer ex.Close()
	disp, err := o.Notify.Open(o.NotifyDeps, prof)
	if err != nil {
		return err
	}
	defer disp.Close()
	inst, err := exchange.FindInstrument(ctx, ex, o.Symbol)
	if err != nil {
		return cmdutil.WrapOp("positions close", err)
	}
	held, err := heldQty(ctx, ex, prof.Name, o.Symbol, o.FillHistory)
	if err != nil {
		return err
	}
	closing, err := PlanClose(o.Symbol, held, o.Qty, inst.StepSize, freeBase(ctx, ex, inst, held))
	if err != nil {
		return err
	}
	copts := confirm.Options{IO: o.IO, Yes: o.Yes(), Safety: sf}
	plan, err := orderplan.Make(ctx, orderplan.Deps{
		Exchange: ex, Profile: prof.Name, Safety: sf, Journal: o.Journal, Now: o.Now, Logger: o.Logger(), Confirm: copts,
		Refused: notifycmd.RefusalNotifier(disp, o.Now, "positions close", ex.Name()),
	}, orderplan.Input{
		Request: trade.OrderRequest{Symbol: o.Symbol, Side: closing.Side, Type: trade.Market, Qty: closing.Qty},
		Round:   trade.RoundDown,
		DryRun:  o.DryRun,
	})
	if err != nil {
		return closeWords(err)
	}
	res := CloseResult{Profile: prof.Name, Exchange: ex.Name(), Closing: closing, DryRun: o.DryRun, Request: plan.Request}
	res.Qty = plan.Request.Qty
	precision := func() render.Precision { return orderview.CachedPrecisionOf(ctx, ex) }
	if o.DryRun {
		if v, ok := ex.(exchange.OrderValidator); ok {
			if err := v.ValidateOrder(ctx, plan.Request); err != nil {
				return fmt.Errorf("dry run: %w", err)
			}
			res.VenueValidated = true
		}
		return printClose(printer, precision, res)
	}
	placeCtx := ctx
	asked := confirm.NeedsPrompt(copts, plan.Simulated)
	if err := confirm.Order(parent, copts, plan.Summary(prof, ex.Name(), sf)); err != nil {
		return closeWords(err)
	}
	if asked {
		// The prompt waited on a person; the placement gets the whole
		// --timeout of its own, as order create's does.
		var cancel context.CancelFunc
		placeCtx, cancel = ordercmd.WithTimeout(parent, cfg.Timeout)
		defer cancel()
	}
	j, err := o.Journal()
	if err != nil {
		return err
	}
	dirs, err := o.Dirs()
	if err != nil {
		return err
	}
	placed, err := placement.Place(placeCtx, placement.Deps{
		Exchange: ex, Journal: j, Profile: prof.Name, LockDir: placement.LockDir(dirs.StateDir()), Logger: o.Logger(),
	}, plan.Request, placement.Options{LockTimeout: placement.DefaultLockTimeout, FreshClientID: plan.FreshClientID})
	if err != nil {
		return closeWords(err)
	}
	res.Order, res.Existing = &placed.Order, placed.Existing
	return printClose(printer, precision, res)
}

// heldQty is the account's position in sym, from the same source
// `positions` reads: the venue's own positions where it keeps them, the
// fills otherwise.
func heldQty(ctx context.Context, ex exchange.Exchange, profile string, sym trade.Symbol,
	history func(context.Context, exchange.Exchange, string, exchange.FillFilter) ([]trade.Fill, error)) (decimal.Decimal, error) {
	if pl, ok := ex.(exchange.PositionLister); ok && !exchange.IsSimulated(ex) {
		ps, err := pl.Positions(ctx)
		if err != nil {
			return decimal.Zero, cmdutil.WrapOp("positions", err)
		}
		for _, p := range ps {
			if p.Symbol == sym {
				return p.Qty, nil
			}
		}
		return decimal.Zero, nil
	}
	fills, err := history(ctx, ex, profile, exchange.FillFilter{Symbol: sym})
	if err != nil {
		return decimal.Zero, err
	}
	book := pnl.NewBook(profile)
	for _, f := range fills {
		if f.Symbol != sym {
			continue
		}
		if err := book.Apply(f); err != nil {
			return decimal.Zero, fmt.Errorf("fills: %w", err)
		}
	}
	p, _ := book.Position(sym)
	return p.Qty, nil
}

// freeBase is the free balance of a long pair's base asset, which a
// closing sell cannot exceed: a venue that takes its fees in the base
// asset (Binance without BNB) leaves less than the fills bought. Unknown
// (null) for a short, a ticker, or when balances cannot be read — the
// venue then answers for itself.
func freeBase(ctx context.Context, ex exchange.Exchange, inst trade.Instrument, held decimal.Decimal) decimal.NullDecimal {
	if !held.IsPositive() || !inst.Symbol.IsPair() {
		return decimal.NullDecimal{}
	}
	balances, err := ex.Balances(ctx)
	if err != nil {
		return decimal.NullDecimal{}
	}
	for _, b := range balances {
		if strings.EqualFold(b.Asset, inst.BaseAsset) {
			return decimal.NewNullDecimal(b.Free)
		}
	}
	return decimal.NewNullDecimal(decimal.Zero)
}

// closeWords turns the refusals of the layers below into what a person
// typed; the exit code stays the one cmdutil.Classify gives the original.
func closeWords(err error) error {
	var rules *orderplan.RulesError
	switch {
	case errors.Is(err, confirm.ErrNeedsYes):
		return &cmdutil.UsageError{Err: fmt.Errorf("%w; pass --yes, or set confirm: false in the profile", err)}
	case errors.Is(err, orderplan.ErrUnknownSymbol):
		return fmt.Errorf("%w; nothing was sent", err)
	case errors.As(err, &rules):
		return cmdutil.Usagef("cannot close: %v; nothing was sent", rules.Err)
	}
	return err
}

func printClose(p *render.Printer, precision func() render.Precision, r CloseResult) error {
	return p.Print(r, func() *render.TableData {
		prec := precision()
		qp := prec.Qty(r.Symbol)
		var t *render.TableData
		if r.Order != nil {
			t = orderview.DetailWith(*r.Order, prec)
		} else {
			t = &render.TableData{Columns: []render.Column{{Header: "field"}, {Header: "value", AlignPoint: true}}}
			t.AddRow(render.S("dry run", render.Muted), render.T("nothing was sent"))
			t.AddRow(render.S("profile", render.Muted), render.T(r.Profile))
			t.AddRow(render.S("symbol", render.Muted), render.T(r.Symbol.String()))
			t.AddRow(render.S("side", render.Muted), render.T(string(r.Request.Side)))
			t.AddRow(render.S("type", render.Muted), render.T(string(r.Request.Type)))
			t.AddRow(render.S("qty", render.Muted), render.Num(r.Request.Qty, qp))
			t.AddRow(render.S("client id", render.Muted), render.T(r.Request.ClientID))
			check := "not offered by this venue; checked locally"
			if r.VenueValidated {
				check = "passed"
			}
			t.AddRow(render.S("venue check", render.Muted), render.T(check))
		}
		t.AddRow(render.S("held", render.Muted), render.Num(r.Held, qp))
		switch {
		case r.CappedToFree:
			t.AddRow(render.S("remainder", render.Muted), render.S(r.Remainder.String()+" stays held: the free balance is smaller (fees in the base asset, or working orders)", render.Warn))
		case r.Remainder.IsPositive():
			t.AddRow(render.S("remainder", render.Muted), render.S(r.Remainder.String()+" stays held: below one step, or not asked to close", render.Warn))
		}
		if r.Existing {
			t.AddRow(render.S("existing", render.Muted), render.T("yes: placed by an earlier run with this client id; nothing was sent"))
		}
		return t
	})
}
