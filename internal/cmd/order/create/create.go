// Package create implements `tradectl order create`.
package create

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	orderwatch "github.com/tradectl/tradectl/internal/cmd/order/watch"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// CreateOptions is a parsed, validated `order create`.
type CreateOptions struct {
	Factory *cmdutil.Factory

	Request     trade.OrderRequest
	Round       trade.RoundMode
	DryRun      bool
	Wait        bool
	WaitTimeout time.Duration
}

type rawFlags struct {
	side, qty, typ, price, stopPrice, tif, round string
}

// NewCmdCreate builds the command; runF replaces the run step in tests.
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{Factory: f}
	var raw rawFlags
	cmd := &cobra.Command{
		Use:   "create SYMBOL --side buy|sell --qty Q [flags]",
		Short: "Place an order",
		Long: heredoc.Doc(`
			Place a market, limit, stop or stop-limit order on the selected profile.

			The order is checked before anything is sent: the request itself (quantity
			above zero, a price for limit orders, a stop price for stop orders, post-only
			only on limits) and the instrument's rules (tick size, step size, minimum and
			maximum quantity, minimum order value). A price or quantity that is not a
			multiple of the tick or step is refused with the nearest valid values, unless
			--round down|nearest says how to round it.

			Without --type the order is a limit order when --price is given, a stop or
			stop-limit order when --stop-price is given, and a market order otherwise.

			--dry-run runs every check (at the venue too, where it offers a test endpoint),
			prints what would be sent and changes nothing.

			--wait follows the order until it is filled, canceled, rejected or expired
			(a spinner on a terminal's stderr) and sets the exit code by how it ended:
			0 filled, 5 rejected, 11 canceled or expired, 10 when --wait-timeout passes
			first. --timeout bounds the placement, --wait-timeout the wait.
		`),
		Example: heredoc.Doc(`
			# buy 0.01 BTC at the market on the paper exchange
			$ tradectl order create BTC-USD --side buy --qty 0.01

			# rest a limit order to sell 5 AAPL at 250, good till canceled
			$ tradectl order create AAPL --side sell --qty 5 --price 250

			# buy and wait until filled, at most 10 minutes, then act on it
			$ tradectl order create ETH-USD --side buy --qty 0.5 --price 2000 --wait --wait-timeout 10m && ./hedge.sh

			# see what would be sent, without sending it
			$ tradectl order create ETH-USD --side buy --qty 0.5 --price 1000.005 --round down --dry-run
		`),
		Args: cobra.ExactArgs(1),
		// The command bounds placement by --timeout itself, so --wait can
		// outlast it.
		Annotations: map[string]string{"tradectl/long-running": "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.parse(args[0], raw, cmd); err != nil {
				return err
			}
			if opts.WaitTimeout < 0 || (opts.WaitTimeout > 0 && !opts.Wait) {
				return cmdutil.Usagef("--wait-timeout needs --wait and a duration above 0")
			}
			if opts.Wait && opts.DryRun {
				return cmdutil.Usagef("--wait and --dry-run cannot be combined: a dry run places nothing to wait for")
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&raw.side, "side", "s", "", "buy or sell (required)")
	fl.StringVarP(&raw.qty, "qty", "q", "", "quantity in the base asset (required)")
	fl.StringVarP(&raw.typ, "type", "t", "", "market, limit, stop or stop-limit (default: inferred from the prices given)")
	fl.StringVarP(&raw.price, "price", "p", "", "limit price (limit and stop-limit orders)")
	fl.StringVar(&raw.stopPrice, "stop-price", "", "trigger price (stop and stop-limit orders)")
	fl.StringVar(&raw.tif, "tif", "gtc", "time in force: gtc, ioc, fok or day")
	fl.BoolVar(&opts.Request.PostOnly, "post-only", false, "refuse the order if it would take liquidity (limit orders only)")
	fl.StringVar(&opts.Request.ClientID, "client-id", "", "your own id for the order (1-36 of A-Z a-z 0-9 . _ - :)")
	fl.StringVar(&raw.round, "round", "reject", "price/quantity off the tick or step: reject, down or nearest")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "check everything and show the order without sending it")
	fl.BoolVar(&opts.Wait, "wait", false, "follow the order until it is filled, canceled, rejected or expired")
	fl.DurationVar(&opts.WaitTimeout, "wait-timeout", 0, "with --wait: give up waiting after this long (exit 10; default: no limit)")
	_ = cmd.MarkFlagRequired("side")
	_ = cmd.MarkFlagRequired("qty")
	cmdutil.RegisterEnumCompletion(cmd, "side", trade.Sides)
	cmdutil.RegisterEnumCompletion(cmd, "type", trade.OrderTypes)
	cmdutil.RegisterEnumCompletion(cmd, "tif", trade.TimesInForce)
	cmdutil.RegisterEnumCompletion(cmd, "round", trade.RoundModes)
	return cmd
}

// parse turns flags into a validated request: every pure check happens
// here, before any config is read or exchange opened.
func (o *CreateOptions) parse(symbol string, raw rawFlags, cmd *cobra.Command) error {
	var err error
	r := &o.Request
	if r.Symbol, err = trade.ParseSymbol(symbol); err != nil {
		return cmdutil.Usagef("%v", err)
	}
	if r.Side, err = trade.ParseSide(raw.side); err != nil {
		return cmdutil.Usagef("--side: %v", err)
	}
	if r.Qty, err = trade.ParseDecimal(raw.qty); err != nil {
		return cmdutil.Usagef("--qty: %v", err)
	}
	if cmd.Flags().Changed("price") {
		d, err := trade.ParseDecimal(raw.price)
		if err != nil {
			return cmdutil.Usagef("--price: %v", err)
		}
		r.Price = decimal.NewNullDecimal(d)
	}
	if cmd.Flags().Changed("stop-price") {
		d, err := trade.ParseDecimal(raw.stopPrice)
		if err != nil {
			return cmdutil.Usagef("--stop-price: %v", err)
		}
		r.StopPrice = decimal.NewNullDecimal(d)
	}
	if raw.typ != "" {
		if r.Type, err = trade.ParseOrderType(raw.typ); err != nil {
			return cmdutil.Usagef("--type: %v", err)
		}
	} else {
		r.Type = inferType(r.Price.Valid, r.StopPrice.Valid)
	}
	if r.TimeInForce, err = trade.ParseTimeInForce(raw.tif); err != nil {
		return cmdutil.Usagef("--tif: %v", err)
	}
	if o.Round, err = trade.ParseRoundMode(raw.round); err != nil {
		return cmdutil.Usagef("--round: %v", err)
	}
	if err := r.Validate(); err != nil {
		return cmdutil.Usagef("invalid order: %v", flagNames(err))
	}
	return nil
}

func inferType(price, stop bool) trade.OrderType {
	switch {
	case price && stop:
		return trade.StopLimit
	case stop:
		return trade.Stop
	case price:
		return trade.Limit
	}
	return trade.Market
}

// flagNames rewrites a validation error's field into the flag a person typed.
func flagNames(err error) error {
	var v *trade.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	flag := map[string]string{
		"qty": "--qty", "price": "--price", "stop_price": "--stop-price", "side": "--side",
		"type": "--type", "time_in_force": "--tif", "post_only": "--post-only", "client_id": "--client-id",
	}[v.Field]
	if flag == "" {
		return err
	}
	return fmt.Errorf("%s %s", flag, v.Message)
}

// DryRunResult is what --dry-run prints: the exact request that would be
// sent after rounding, and whether the venue itself checked it.
type DryRunResult struct {
	DryRun         bool               `json:"dry_run"`
	Exchange       string             `json:"exchange"`
	Profile        string             `json:"profile"`
	Request        trade.OrderRequest `json:"request"`
	VenueValidated bool               `json:"venue_validated"`
}

func createRun(parent context.Context, o *CreateOptions) error {
	f := o.Factory
	printer, err := f.Printer()
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	ctx := parent
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(parent, cfg.Timeout)
		defer cancel()
	}
	ex, prof, err := f.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()

	req, err := Prepare(ctx, ex, o.Request, o.Round)
	if err != nil {
		return err
	}
	if o.DryRun {
		res := DryRunResult{DryRun: true, Exchange: ex.Name(), Profile: prof.Name, Request: req}
		if v, ok := ex.(exchange.OrderValidator); ok {
			if err := v.ValidateOrder(ctx, req); err != nil {
				return fmt.Errorf("dry run: %w", err)
			}
			res.VenueValidated = true
		}
		return printer.Print(res, func() *render.TableData { return dryRunTable(res) })
	}
	order, err := ex.PlaceOrder(ctx, req)
	if err != nil {
		return fmt.Errorf("place order: %w", err)
	}
	if o.Wait {
		waitCtx := parent
		if o.WaitTimeout > 0 {
			var cancel context.CancelFunc
			waitCtx, cancel = context.WithTimeout(parent, o.WaitTimeout)
			defer cancel()
		}
		var waitErr error
		order, waitErr = orderwatch.Follow(waitCtx, ex, order, time.Second, f.IOStreams)
		if err := printer.Print(order, func() *render.TableData { return orderview.Detail(order) }); err != nil {
			return err
		}
		return waitErr
	}
	return printer.Print(order, func() *render.TableData { return orderview.Detail(order) })
}

// Prepare checks req against the venue's instrument rules, rounding as
// mode says, and returns the request to send. An unknown symbol or a rule
// violation is a usage error: nothing has been sent.
func Prepare(ctx context.Context, ex exchange.Exchange, req trade.OrderRequest, mode trade.RoundMode) (trade.OrderRequest, error) {
	inst, err := exchange.FindInstrument(ctx, ex, req.Symbol)
	if err != nil {
		if errors.Is(err, exchange.ErrNotFound) {
			return req, cmdutil.Usagef("unknown symbol %s on %s (see `tradectl quote` or the venue's instrument list)", req.Symbol, ex.Name())
		}
		return req, err
	}
	var ref decimal.Decimal
	if req.Type == trade.Market {
		qs, err := ex.Quotes(ctx, []trade.Symbol{req.Symbol})
		if err != nil {
			return req, fmt.Errorf("quote %s: %w", req.Symbol, err)
		}
		if len(qs) == 1 {
			ref = qs[0].Mid()
		}
	}
	out, err := inst.Conform(req, mode, ref)
	if err != nil {
		return req, cmdutil.Usagef("invalid order: %v", flagNames(err))
	}
	return out, nil
}

func dryRunTable(r DryRunResult) *render.TableData {
	q := r.Request
	t := &render.TableData{Columns: []render.Column{{Header: "field"}, {Header: "value"}}}
	add := func(k, v string) { t.AddRow(render.S(k, render.Muted), render.T(v)) }
	add("dry run", "nothing was sent")
	add("exchange", r.Exchange)
	add("profile", r.Profile)
	add("symbol", q.Symbol.String())
	add("side", string(q.Side))
	add("type", string(q.Type))
	add("time in force", string(q.EffectiveTIF()))
	add("qty", q.Qty.String())
	add("price", orderview.Opt(q.Price))
	add("stop price", orderview.Opt(q.StopPrice))
	add("post only", fmt.Sprint(q.PostOnly))
	add("client id", q.ClientID)
	if r.VenueValidated {
		add("venue check", "passed")
	} else {
		add("venue check", "not offered by this venue; checked locally")
	}
	return t
}
