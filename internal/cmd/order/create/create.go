// Package create implements `tradectl order create`.
package create

import (
	"context"
	"encoding/json"
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
	"github.com/tradectl/tradectl/internal/notify"
	"github.com/tradectl/tradectl/internal/orderfollow"
	"github.com/tradectl/tradectl/internal/orderplan"
	"github.com/tradectl/tradectl/internal/placement"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/xdg"
)

// CreateOptions is a parsed, validated `order create`.
type CreateOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	Config       func() (*config.Config, error)
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Journal      func() (*journal.Journal, error)
	Dirs         func() (xdg.Dirs, error)
	Logger       func() *slog.Logger
	Now          func() time.Time
	Printer      func() (*render.Printer, error)
	// Yes is the global --yes, read when the command runs.
	Yes func() bool

	Request trade.OrderRequest
	// QtyShare is --qty all or N% (1 or N/100): the plan sizes the order
	// from the free balance; Request.Qty stays zero until then.
	QtyShare    decimal.NullDecimal
	Round       trade.RoundMode
	DryRun      bool
	Wait        bool
	WaitTimeout time.Duration
	// IdempotencyKey derives the client id from the key and the profile,
	// so running the same command again finds the order instead of
	// placing another.
	IdempotencyKey string
	// LockTimeout bounds the wait for another process placing on the
	// same profile (0: one try).
	LockTimeout time.Duration
	// OverrideLimits are the risk limits lifted for this command
	// (--override-limit), checked names, sorted.
	OverrideLimits []string
	// MaxSlippage is --max-slippage in percent; unset means the profile's
	// max_slippage_pct, and no guard when that is unset too.
	MaxSlippage decimal.NullDecimal
	CancelAfterOptions
	SliceOptions
	// Notify are the notification flags: a risk refusal, and with --wait
	// how the order ended, are notified.
	Notify     notifycmd.Flags
	NotifyDeps notifycmd.Deps
}

type rawFlags struct {
	side, qty, quoteQty, typ, price, stopPrice, tif, round string
	overrides                                              []string
	maxSlippage                                            string
	exits                                                  *exitFlags
}

// NewCmdCreate builds the command; runF replaces the run step in tests.
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{
		IO:           f.IOStreams,
		Config:       f.Config,
		OpenExchange: f.OpenExchange,
		Journal:      f.Journal,
		Dirs:         f.Dirs,
		Logger:       f.Logger,
		Now:          f.Now,
		Printer:      f.Printer,
		Yes:          func() bool { return f.Globals.Yes },
		NotifyDeps:   notifycmd.NewDeps(f),
	}
	var raw rawFlags
	var notifyFlags *notifycmd.Binding
	cmd := &cobra.Command{
		Use:   "create SYMBOL --side buy|sell --qty Q|all|N% | --quote-qty AMOUNT [flags]",
		Short: "Place a market, limit, stop or stop-limit order",
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

			--quote-qty sizes a market order in the quote asset instead: the amount to
			spend on a buy, or to receive on a sell, with the venue working out the
			quantity as it fills. Only venues that take such orders natively are sent
			one (paper, Binance, Coinbase for buys, Alpaca). On Kraken, which takes
			none, and for Coinbase sells, tradectl sizes it openly: the amount over
			the ask (buy) or bid (sell), rounded down to the step, sent as a quantity
			and said on stderr. Elsewhere the command refuses (exit 2), sending nothing.
			max_order_notional compares the amount itself.

			--qty all or --qty N% sizes the order from the free balance, with one
			balance request: a sell from the base asset, a buy from the quote asset
			divided by the order's price (its --price or --stop-price, else the current
			ask, fetched for it), rounded down to the step. --dry-run shows the quantity
			it came to. A quantity that rounds to 0 or falls below the minimum is
			refused before anything is sent. A buy of all the quote asset leaves nothing
			for a fee charged in the quote asset: use a share below 100% there.

			--take-profit P --stop-loss S attach two exits to a market or limit entry (a
			bracket): once the entry has filled, a take-profit limit at P and a stop-loss
			at S (a stop-limit with --stop-loss-limit) rest on the other side for the
			entry's quantity, and one filling or triggering cancels the other. For a
			buy, S < entry < P; for a sell, the reverse. --oco places such a pair of
			exits alone, on --side, for --qty: a sell exit's take-profit above the
			market and its stop-loss below it. Only venues that link the orders
			natively are sent either (brackets: paper; binance, limit entries only;
			alpaca, stocks; coinbase, as a trigger bracket attached to the entry.
			--oco: those but kraken. Coinbase prices its trigger bracket's
			stop-limit itself, so --stop-loss-limit is refused there); elsewhere
			the command refuses (exit 2) and sends nothing. Risk limits
			value the entry (an OCO: its take-profit leg); the exits reduce exposure
			and are not added to it. Canceling one exit cancels its pair.

			--take-profit or --stop-loss alone on an entry is a single exit, placed
			by the venue once the entry has filled: kraken's conditional close
			(a limit, stop-loss or stop-loss-limit close). Other venues refuse it
			(exit 2), and kraken refuses both exits together.

			--dry-run runs every check (at the venue too, where it offers a test endpoint),
			prints what would be sent and changes nothing.

			--wait follows the order until it is filled, canceled, rejected or expired
			(a spinner on a terminal's stderr) and sets the exit code by how it ended:
			0 filled, 5 rejected, 11 canceled or expired, 10 when --wait-timeout passes
			first. --timeout bounds the placement, --wait-timeout the wait.
			--cancel-on-timeout cancels the order when --wait-timeout passes (the same
			cancel as order cancel) and prints it as it ended, with what had filled and
			"canceled_on_timeout": true; the exit code stays 10. Ctrl-C is not a
			timeout: it leaves the order working and says so.

			--cancel-after D makes a limit, stop or stop-limit order good till now + D
			(rounded up to the second): the venue itself ends it, expired, whether or
			not tradectl is running. Only venues with good-till-date orders take it
			(paper, Kraken, Coinbase); elsewhere the command refuses (exit 2) and sends
			nothing, unless --client-expiry says tradectl should keep the deadline: the
			order then goes out gtc, its deadline is written to the journal with its
			intent (before it is sent), and tradectl order expire, run from cron,
			cancels it once the deadline has passed. The order shows expires_at and
			"expiry": "client" (or "venue" where the venue keeps it; there the flag
			changes nothing).

			Every order is placed at most once. It carries a client id, and its intent
			is written to the journal (see tradectl journal) before it is sent. When the
			venue's answer is lost, the order is looked up by that id: found, it is
			reported; certainly absent, it is sent again under the same id; still
			unknown, the command exits 9 with the client id. --idempotency-key KEY
			makes the client id a function of the key and the profile, so running the
			same command again prints the existing order ("existing": true, exit 0)
			instead of placing a second one. Processes placing on one profile take
			turns; --lock-timeout bounds the wait (exit 6 when it runs out).

			--slices N --over D places the order as N children at even intervals (a
			TWAP): the first at once, the last at D·(N-1)/N, each of --qty/N rounded down
			to the step with the remainder on the last, so they sum to --qty. A slice
			below the instrument's minimum quantity or value is refused (exit 2) before
			anything is sent. Every child goes through the checks, risk limits, journal
			and placement above; a live parent is confirmed once. Each child's client id
			is derived from --idempotency-key and its index, so the same command run
			again (after a crash, or from cron) places only the children not yet placed,
			on the first run's schedule: a slice whose time has passed goes at once.
			Without a key one is generated and printed on stderr. Ctrl-C stops between
			slices (exit 130). --timeout bounds each child, not the whole schedule,
			unless given on the command line. tradectl order get twap-KEY shows progress.

			--notify CMD, --webhook URL and --desktop-notify tell someone what happened:
			a refusal by the risk limits (risk_refused) and, with --wait, how the order
			ended (order_filled, order_done, wait_timeout). The event's JSON goes to the
			command's stdin and TRADECTL_EVENT_* variables, or is POSTed to the webhook.
			Delivery never delays the order nor changes the exit code; the command waits
			up to 30s for deliveries in flight when it ends. The profile's notify:
			section sets defaults.
		`),
		Example: heredoc.Doc(`
			# buy 0.01 BTC at the market
			$ tradectl order create BTC-USD --side buy --qty 0.01

			# spend 100 USD on BTC at the market
			$ tradectl order create BTC-USD --side buy --quote-qty 100

			# sell half of the free BTC, rounded down to the step
			$ tradectl order create BTC-USD --side sell --qty 50%

			# rest a limit order to buy 5 AAPL at 200, good till canceled
			$ tradectl order create AAPL --side buy --qty 5 --price 200

			# sell 0.005 BTC at the market if the bid falls to 90000 (a stop order)
			$ tradectl order create BTC-USD --side sell --qty 0.005 --stop-price 90000

			# sell 0.002 BTC if the bid falls 2% from its highest since placement (a trailing stop)
			$ tradectl order create BTC-USD --side sell --qty 0.002 --trail-pct 2

			# buy at 3600 or better, wait until filled (at most 10 minutes), then act on it
			$ tradectl order create ETH-USD --side buy --qty 0.5 --price 3600 --wait --wait-timeout 10m && echo filled

			# rest a buy at 90000 for 10 minutes at most: the venue ends it then
			$ tradectl order create BTC-USD --side buy --qty 0.001 --price 90000 --cancel-after 10m

			# on a venue without good-till-date orders: the journal keeps the deadline, order expire cancels it
			$ tradectl order create BTC-USD --side buy --qty 0.001 --price 90000 --cancel-after 10m --client-expiry --dry-run

			# give a buy at 1000 two seconds to fill, then cancel it (exit 10)
			$ tradectl order create BTC-USD --side buy --qty 0.001 --price 1000 --wait --wait-timeout 2s --cancel-on-timeout

			# from cron: safe to run twice, places one order a day
			$ tradectl order create BTC-USD --side buy --qty 0.01 --idempotency-key "dca-$(date -u +%F)" -o json

			# from cron: wait for the fill and run a command with how it ended (the event's JSON on stdin)
			$ tradectl order create BTC-USD --side buy --qty 0.001 --wait --wait-timeout 1m --notify 'echo "$TRADECTL_EVENT_KIND $TRADECTL_EVENT_SYMBOL" >&2'

			# buy 0.03 BTC as 3 limit orders over an hour; re-run the same command to resume.
			# --dry-run shows the schedule and checks the first slice, sending nothing
			$ tradectl order create BTC-USD --side buy --qty 0.03 --price 90000 --slices 3 --over 1h --idempotency-key dca-1 --dry-run

			# buy 0.01 BTC; once filled, sell it at 110000 or, below 100000, at the market (dry run)
			$ tradectl order create BTC-USD --side buy --qty 0.01 --take-profit 110000 --stop-loss 100000 --dry-run

			# check everything and show what would be sent, the price rounded to the tick
			$ tradectl order create ETH-USD --side buy --qty 0.5 --price 1000.005 --round down --dry-run
		`),
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completion.Symbols(f.CompletionSource(), 1),
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
			if cmd.Flags().Changed("idempotency-key") {
				if opts.Request.ClientID != "" {
					return cmdutil.Usagef("give --client-id or --idempotency-key, not both: the key derives the client id")
				}
				if err := placement.ValidateIdempotencyKey(opts.IdempotencyKey); err != nil {
					return cmdutil.Usagef("--idempotency-key: %v", err)
				}
			}
			if opts.LockTimeout < 0 {
				return cmdutil.Usagef("--lock-timeout must be 0 (one try) or more, got %s", opts.LockTimeout)
			}
			if err := opts.checkSlices(cmd); err != nil {
				return err
			}
			var err error
			if opts.Notify, err = notifyFlags.Parse(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Slices > 0 {
				return sliceRun(cmd.Context(), opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&raw.side, "side", "s", "", "buy or sell (required)")
	fl.StringVarP(&raw.qty, "qty", "q", "", "quantity in the base asset, or all / N% of the free balance (sell: base asset; buy: quote asset at the price)")
	fl.StringVar(&raw.quoteQty, "quote-qty", "", "market orders: amount of the quote asset to spend (buy) or receive (sell), instead of --qty")
	fl.StringVarP(&raw.typ, "type", "t", "", "market, limit, stop, stop-limit or trailing-stop (default: inferred from the prices and trail given)")
	fl.StringVarP(&raw.price, "price", "p", "", "limit price (limit and stop-limit orders)")
	fl.StringVar(&raw.stopPrice, "stop-price", "", "trigger price (stop and stop-limit orders)")
	fl.StringVar(&raw.tif, "tif", "gtc", "time in force: gtc, ioc, fok or day")
	fl.BoolVar(&opts.Request.PostOnly, "post-only", false, "refuse the order if it would take liquidity (limit orders only)")
	fl.StringVar(&opts.Request.ClientID, "client-id", "", "your own id for the order (1-36 of A-Z a-z 0-9 . _ - :)")
	fl.StringVar(&raw.round, "round", "reject", "price/quantity off the tick or step: reject, down or nearest")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "check everything and show the order without sending it")
	fl.BoolVar(&opts.Wait, "wait", false, "follow the order until it is filled, canceled, rejected or expired")
	fl.DurationVar(&opts.WaitTimeout, "wait-timeout", 0, "with --wait: give up waiting after this long (exit 10; default: no limit)")
	fl.StringVar(&opts.IdempotencyKey, "idempotency-key", "", "derive the client id from KEY and the profile: a re-run returns the existing order instead of placing another")
	fl.DurationVar(&opts.LockTimeout, "lock-timeout", placement.DefaultLockTimeout, "wait at most this long while another tradectl process places on the same profile (exit 6)")
	fl.StringArrayVar(&raw.overrides, "override-limit", nil, "lift the named risk limit for this command, recorded in the journal (repeatable): "+strings.Join(risk.LimitNames(), ", "))
	raw.exits = addExitFlags(fl)
	fl.StringVar(&raw.maxSlippage, "max-slippage", "", "market orders: refuse when the expected average fill is more than PCT% from the mid (default: the profile's max_slippage_pct)")
	addCancelAfterFlags(fl, &opts.CancelAfterOptions)
	addSliceFlags(fl, &opts.SliceOptions)
	_ = cmd.RegisterFlagCompletionFunc("override-limit", cobra.FixedCompletions(risk.LimitNames(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagRequired("side")
	addTrailFlags(cmd)
	notifyFlags = notifycmd.AddFlags(cmd)
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
	if err := o.parseSize(raw, cmd); err != nil {
		return err
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
	if err := raw.exits.apply(r, cmd); err != nil {
		return err
	}
	if raw.typ != "" {
		if r.Type, err = trade.ParseOrderType(raw.typ); err != nil {
			return cmdutil.Usagef("--type: %v", err)
		}
	} else {
		r.Type = inferType(r.Price.Valid, r.StopPrice.Valid)
	}
	if err := parseTrail(r, raw.typ == "", cmd); err != nil {
		return err
	}
	if r.TimeInForce, err = trade.ParseTimeInForce(raw.tif); err != nil {
		return cmdutil.Usagef("--tif: %v", err)
	}
	if o.Round, err = trade.ParseRoundMode(raw.round); err != nil {
		return cmdutil.Usagef("--round: %v", err)
	}
	if err := o.parseCancelAfter(cmd); err != nil {
		return err
	}
	validate := r.Validate
	if o.QtyShare.Valid {
		validate = r.ValidateUnsized
	}
	if err := validate(); err != nil {
		return cmdutil.Usagef("invalid order: %v", flagNames(err))
	}
	if o.OverrideLimits, err = risk.ParseOverrides(raw.overrides); err != nil {
		return cmdutil.Usagef("--override-limit %w", err)
	}
	if cmd.Flags().Changed("max-slippage") {
		if r.Type != trade.Market {
			return cmdutil.Usagef("--max-slippage applies to market orders only: a limit order's price is already its bound")
		}
		// A --quote-qty order is judged by the plan, which knows the
		// venue: one that takes quote-sized orders takes no limit price
		// with them, so the guard cannot bound it; one whose order
		// tradectl sizes from the quote sends a base quantity, which the
		// guard bounds as any other.
		d, err := risk.ParseTolerance(raw.maxSlippage)
		if err != nil {
			return cmdutil.Usagef("--max-slippage must be a percentage above 0 and below 100, got %s", raw.maxSlippage)
		}
		o.MaxSlippage = decimal.NewNullDecimal(d)
	}
	return nil
}

// parseSize reads the order's size: exactly one of --qty (a quantity, all
// or N%) and --quote-qty.
func (o *CreateOptions) parseSize(raw rawFlags, cmd *cobra.Command) error {
	r := &o.Request
	qtySet, quoteSet := cmd.Flags().Changed("qty"), cmd.Flags().Changed("quote-qty")
	switch {
	case qtySet && quoteSet:
		return cmdutil.Usagef("give --qty or --quote-qty, not both: size the order in the base asset or in the quote asset")
	case !qtySet && !quoteSet:
		return cmdutil.Usagef("give --qty (in the base asset, all or N%%) or --quote-qty (in the quote asset)")
	case quoteSet:
		d, err := trade.ParseDecimal(raw.quoteQty)
		if err != nil {
			return cmdutil.Usagef("--quote-qty: %v", err)
		}
		r.QuoteQty = decimal.NewNullDecimal(d)
		return nil
	}
	share, ok, err := trade.ParseQtyShare(raw.qty)
	switch {
	case err != nil:
		return cmdutil.Usagef("--qty: %v", err)
	case ok:
		o.QtyShare = decimal.NewNullDecimal(share)
		return nil
	}
	if r.Qty, err = trade.ParseDecimal(raw.qty); err != nil {
		return cmdutil.Usagef("--qty: %v", err)
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
		"qty": "--qty", "quote_qty": "--quote-qty", "price": "--price", "stop_price": "--stop-price", "side": "--side",
		"type": "--type", "time_in_force": "--tif", "post_only": "--post-only", "client_id": "--client-id",
		"expires_at":  "--cancel-after",
		"take_profit": "--take-profit", "stop_loss": "--stop-loss", "stop_loss_limit": "--stop-loss-limit",
		"trail_pct": "--trail-pct", "trail_amount": "--trail-amount",
	}[v.Field]
	hint := ""
	if v.OffGrid {
		hint = " (or pass --round down|nearest)"
	}
	if flag == "" {
		return fmt.Errorf("%w%s", err, hint)
	}
	return fmt.Errorf("%s %s%s", flag, v.Message, hint)
}

// DryRunResult is what --dry-run prints: the exact request that would be
// sent after rounding, and whether the venue itself checked it.
type DryRunResult struct {
	DryRun         bool               `json:"dry_run"`
	Exchange       string             `json:"exchange"`
	Profile        string             `json:"profile"`
	Request        trade.OrderRequest `json:"request"`
	VenueValidated bool               `json:"venue_validated"`
	// Existing is true when the venue already has an order with the
	// request's client id: the real run would return it, not place one.
	Existing bool `json:"existing,omitempty"`
	// Risk says which limits the order passed and which were overridden;
	// Slippage is the slippage guard's estimate, when it ran.
	Risk     *risk.Report   `json:"risk,omitempty"`
	Slippage *risk.Estimate `json:"slippage,omitempty"`
	// Sizing says how --qty all or N% became the request's quantity.
	Sizing *orderplan.Sizing `json:"sizing,omitempty"`
	// QuoteSizing says how --quote-qty became the request's quantity where
	// the venue takes no quote-sized order on that side (Kraken; Coinbase
	// sells).
	QuoteSizing *orderplan.QuoteSizing `json:"quote_sizing,omitempty"`
	// ExpiresAt and Expiry ("client") show a deadline --client-expiry
	// would keep: the request itself goes out gtc, without it.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Expiry    string     `json:"expiry,omitempty"`
	// ExitNote is the venue's word on how it places the linked exits,
	// where that differs in a detail from the flags (exchange.ExitNoter).
	ExitNote string `json:"exit_note,omitempty"`
}

// createRun plans the order (internal/orderplan: every check, one
// instrument look-up, a quote only when a check needs one), asks for
// confirmation where it must, places it once, and follows it with --wait.
func createRun(parent context.Context, o *CreateOptions) error {
	// One deadline policy: --timeout bounds the planning, and bounds the
	// placement afresh when a person was asked in between.
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
	copts := confirm.Options{IO: o.IO, Yes: o.Yes(), Safety: sf}
	request, deadline := o.clientDeadline(ex, o.Request)
	plan, err := orderplan.Make(ctx, orderplan.Deps{
		Exchange: ex,
		Profile:  prof.Name,
		Safety:   sf,
		Journal:  o.Journal,
		Now:      o.Now,
		Logger:   o.Logger(),
		Confirm:  copts,
		Refused:  notifycmd.RefusalNotifier(disp, o.Now, "order create", ex.Name()),
	}, orderplan.Input{
		Request:        request,
		QtyShare:       o.QtyShare,
		Round:          o.Round,
		IdempotencyKey: o.IdempotencyKey,
		Overrides:      o.OverrideLimits,
		MaxSlippage:    o.MaxSlippage,
		DryRun:         o.DryRun,
	})
	if err != nil {
		if errors.Is(err, orderplan.ErrSlippageQuoteSized) && o.MaxSlippage.Valid {
			// The guard was asked for on this command line, not lifted
			// from the profile's default: no override to suggest.
			return cmdutil.Usagef("--max-slippage cannot bound a --quote-qty order on %s: it takes no limit price with a quote amount; give --qty instead; nothing was sent", ex.Name())
		}
		return planWords(err, prof.Name, ex.Name(), o.Request.Symbol)
	}
	req := plan.Request
	if o.DryRun {
		return o.dryRun(ctx, printer, ex, prof, plan, deadline)
	}
	placeCtx := ctx
	asked := false
	if !plan.Rerun {
		asked = confirm.NeedsPrompt(copts, plan.Simulated)
		summary := confirmSummary(prof, ex.Name(), plan, sf)
		if note := exchange.ExitNote(ex, req); note != "" {
			summary.Notes = append(summary.Notes, note)
		}
		if !deadline.IsZero() {
			summary.Notes = append(summary.Notes, "good till "+trade.FormatTime(deadline)+" (--cancel-after --client-expiry): "+
				ex.Name()+" has no such orders, so it rests gtc until `tradectl order expire` cancels it after then")
		}
		if err := confirm.Order(parent, copts, summary); err != nil {
			return planWords(err, prof.Name, ex.Name(), req.Symbol)
		}
		if asked {
			// The prompt waited on a person; the placement gets the whole
			// --timeout of its own.
			var cancel context.CancelFunc
			placeCtx, cancel = withTimeout(parent, cfg.Timeout)
			defer cancel()
		}
	}
	if z := plan.QuoteSizing; z != nil && !asked {
		// Said on stderr whatever the output format, so a script's log
		// shows how its amount became a quantity (a person who was asked
		// read it on the confirmation).
		fmt.Fprintln(o.IO.ErrOut, "note: "+z.Note(ex.Name(), plan.Instrument.BaseAsset))
	}
	res, err := place(placeCtx, o, ex, prof.Name, req, plan.FreshClientID, deadline)
	if err != nil {
		return planWords(err, prof.Name, ex.Name(), req.Symbol)
	}
	expiry := o.expiryOf(ctx, prof.Name, request, res, deadline)
	// The plan looked the instrument up: its rules are held, and showing
	// the order at its tick and step costs no request.
	precision := func() render.Precision { return orderview.CachedPrecisionOf(ctx, ex) }
	if !o.Wait {
		return printOrder(printer, precision, res.Order, res.Existing, nil, expiry)
	}
	waitCtx, cancelWait := withTimeout(parent, o.WaitTimeout)
	defer cancelWait()
	order, waitErr := orderfollow.Follow(waitCtx, ex, res.Order, time.Second, o.IO)
	w := &WaitResult{Outcome: string(order.Status), TimedOut: errors.Is(waitErr, cmdutil.ErrConditionTimeout)}
	if w.TimedOut {
		w.Outcome = "timed_out"
	}
	if o.CancelOnTimeout {
		order, waitErr = o.cancelOnTimeout(parent, ex, order, waitErr, cfg.Timeout, w)
	}
	if order.ID != "" {
		disp.Send(waitEvent(o.Now(), prof.Name, ex.Name(), order, w))
	}
	o.recordFills(parent, prof.Name, order)
	if err := printOrder(printer, precision, order, res.Existing, w, expiry); err != nil {
		return err
	}
	if waitErr != nil && order.ID != "" {
		// The document printed carries the outcome; a script reads one.
		return &cmdutil.InDocumentError{Err: waitErr}
	}
	return waitErr
}

// waitEvent is how --wait ended, as a notification: order_filled,
// wait_timeout, or order_done for any other end.
func waitEvent(now time.Time, profile, venue string, order trade.Order, w *WaitResult) notify.Event {
	kind, what := notify.KindOrderDone, string(order.Status)
	switch {
	case w.TimedOut:
		kind, what = notify.KindWaitTimeout, "still "+string(order.Status)+" when --wait-timeout passed"
		if w.CanceledOnTimeout {
			what = "canceled by --cancel-on-timeout"
		}
	case order.Status == trade.StatusFilled:
		kind = notify.KindOrderFilled
	}
	msg := fmt.Sprintf("order %s %s %s %s: %s, filled %s", order.ID, order.Side, order.Qty, order.Symbol, what, order.FilledQty)
	if order.AvgFillPrice.Valid {
		msg += " at " + order.AvgFillPrice.Decimal.String()
	}
	return notify.Event{Kind: kind, Time: trade.JSONTime(now.UTC()), Command: "order create", Profile: profile, Venue: venue,
		Symbol: order.Symbol.String(), Message: msg, Order: &order}
}

// withTimeout bounds ctx by d; 0 means no bound. The one policy lives in
// ordercmd, shared with order amend.
var withTimeout = ordercmd.WithTimeout

// planWords rewrites errors from the layers below in the flags a person
// typed; the exit code stays the one cmdutil.Classify gives the original.
func planWords(err error, profile, venue string, symbol trade.Symbol) error {
	var rules *orderplan.RulesError
	var lt *placement.LockTimeoutError
	var ex *exchange.Error
	var quoteSize *orderplan.QuoteSizeError
	var expiry *orderplan.ExpiryError
	var link *orderplan.LinkError
	if tw, ok := trailWords(err); ok {
		return tw
	}
	switch {
	case errors.Is(err, confirm.ErrNeedsYes):
		return &cmdutil.UsageError{Err: fmt.Errorf("%w; pass --yes, or set confirm: false in the profile", err)}
	case errors.Is(err, orderplan.ErrUnknownSymbol):
		return fmt.Errorf("%w (see `tradectl quote` or the venue's instrument list); nothing was sent", err)
	case errors.As(err, &rules):
		return cmdutil.Usagef("invalid order: %v", flagNames(rules.Err))
	case errors.As(err, &lt):
		why := "--lock-timeout"
		if lt.ByDeadline {
			why = "--timeout"
		}
		return &lockWaitError{lt: lt, why: why}
	case errors.Is(err, exchange.ErrUnknownOutcome) && errors.As(err, &ex) && ex.ClientID != "":
		return fmt.Errorf("%w — or look it up yourself: tradectl order get --client-id %s --symbol %s", err, ex.ClientID, symbol)
	case errors.As(err, &link):
		return cmdutil.Usagef("%v; %s; nothing was sent", link, linkedVenues)
	case errors.As(err, &quoteSize):
		return cmdutil.Usagef("--quote-qty: %v; %s — or give --qty in the base asset; nothing was sent", quoteSize, quoteSizedVenues)
	case errors.As(err, &expiry):
		return expiryRefusal(expiry)
	case errors.Is(err, orderplan.ErrSlippageQuoteSized):
		return cmdutil.Usagef("%v; give --qty instead, or lift the guard with --override-limit max_slippage_pct; nothing was sent", err)
	case errors.Is(err, risk.ErrSlippageNotMarket):
		return cmdutil.Usagef("--max-slippage applies to market orders only: a limit order's price is already its bound")
	}
	return err
}

// quoteSizedVenues names the venues that take --quote-qty, for the refusal
// on the others. The venues themselves say so (exchange.QuoteSizer); this
// sentence follows the README's venue-support table.
const quoteSizedVenues = "quote-sized market orders are taken by paper, binance (quoteOrderQty), coinbase (quote_size, buys) and alpaca (notional, stocks), and sized by tradectl from the quote on kraken and for coinbase sells"

// lockWaitError words a placement lock timeout in flags.
type lockWaitError struct {
	lt  *placement.LockTimeoutError
	why string
}

func (e *lockWaitError) Error() string {
	return fmt.Sprintf("another tradectl process is placing an order on profile %q and still holds its lock (%s); gave up after %s (%s); nothing was sent — try again, or raise --lock-timeout",
		e.lt.Profile, e.lt.Path, e.lt.Waited.Round(time.Millisecond), e.why)
}

func (e *lockWaitError) Unwrap() error { return e.lt }

func (o *CreateOptions) dryRun(ctx context.Context, printer *render.Printer, ex exchange.Exchange, prof config.Profile, plan orderplan.Plan, deadline time.Time) error {
	req := plan.Request
	res := DryRunResult{DryRun: true, Exchange: ex.Name(), Profile: prof.Name, Request: req, Sizing: plan.Sizing, QuoteSizing: plan.QuoteSizing,
		ExitNote: exchange.ExitNote(ex, req)}
	if !deadline.IsZero() {
		// Shown, not journaled: nothing is placed, so nothing is kept.
		res.ExpiresAt, res.Expiry = &deadline, ExpiryByClient
	}
	if !plan.Rerun {
		res.Risk, res.Slippage = &plan.Decision.Report, plan.Decision.Estimate
	}
	if v, ok := ex.(exchange.OrderValidator); ok {
		switch err := v.ValidateOrder(ctx, req); {
		case err != nil && req.ClientID != "" && errors.Is(err, exchange.ErrDuplicateClientID):
			res.Existing = true
		case err != nil:
			return fmt.Errorf("dry run: %w", err)
		default:
			res.VenueValidated = true
		}
	}
	return printer.Print(res, func() *render.TableData {
		return dryRunTable(res, render.NewPrecision([]trade.Instrument{plan.Instrument}))
	})
}

// WaitResult is how --wait ended, inside the one JSON document.
type WaitResult struct {
	// Outcome is the order's final status, or "timed_out".
	Outcome  string `json:"outcome"`
	TimedOut bool   `json:"timed_out"`
	// CanceledOnTimeout is true when --cancel-on-timeout canceled the
	// order after the wait timed out; the order shows what had filled.
	CanceledOnTimeout bool `json:"canceled_on_timeout,omitempty"`
}

// CreatedOrder is what order create prints: the order, and whether it was
// already there (a re-run with the same --idempotency-key or --client-id)
// so nothing was sent.
type CreatedOrder struct {
	trade.Order
	Existing bool `json:"existing"`
	// Wait is how --wait ended; absent without --wait.
	Wait *WaitResult `json:"wait,omitempty"`
	// Expiry says who ends the order at its expires_at: "venue" (a
	// good-till-date order) or "client" (--client-expiry: the journal
	// keeps the deadline, order expire cancels it); "" without one.
	Expiry string `json:"expiry,omitempty"`
}

// printOrder prints the order placed; precision is asked for only when a
// table is printed.
func printOrder(p *render.Printer, precision func() render.Precision, o trade.Order, existing bool, w *WaitResult, e orderExpiry) error {
	if !e.at.IsZero() && o.ExpiresAt == nil {
		at := e.at
		o.ExpiresAt = &at
	}
	return p.Print(CreatedOrder{Order: o, Existing: existing, Wait: w, Expiry: e.by}, func() *render.TableData {
		t := orderview.DetailWith(o, precision())
		if e.by == ExpiryByClient {
			t.AddRow(render.S("expiry", render.Muted), render.T("kept by tradectl: `tradectl order expire` cancels it after "+trade.FormatTime(e.at)))
		}
		if existing {
			t.AddRow(render.S("existing", render.Muted), render.T("yes: placed by an earlier run with this client id; nothing was sent"))
		}
		if w != nil && w.CanceledOnTimeout {
			t.AddRow(render.S("wait", render.Muted), render.T("timed out; canceled by --cancel-on-timeout"))
		}
		return t
	})
}

// place sends req through the exactly-once path: journal, lock,
// reconciliation.
func place(ctx context.Context, o *CreateOptions, ex exchange.Exchange, profile string, req trade.OrderRequest, fresh bool, deadline time.Time) (placement.Result, error) {
	j, err := o.Journal()
	if err != nil {
		return placement.Result{}, err
	}
	dirs, err := o.Dirs()
	if err != nil {
		return placement.Result{}, err
	}
	lockTimeout := o.LockTimeout
	if lockTimeout == 0 {
		lockTimeout = -1 // placement's "one try"
	}
	res, err := placement.Place(ctx, placement.Deps{
		Exchange: ex,
		Journal:  j,
		Profile:  profile,
		LockDir:  placement.LockDir(dirs.StateDir()),
		Logger:   o.Logger(),
	}, req, placement.Options{IdempotencyKey: o.IdempotencyKey, LockTimeout: lockTimeout,
		// A key's client id is derived from the profile and the key, so
		// only tradectl names it and the journal settles whether it was
		// used; a --client-id may come from anywhere, so the venue is
		// asked when the journal has never seen it.
		FreshClientID: fresh, TrustJournal: o.IdempotencyKey != "", ClientExpiry: deadline})
	return res, err
}

// orderExpiry is who ends the created order and when.
type orderExpiry struct {
	at time.Time
	by string
}

// expiryOf says who keeps the order's expiry. A client-side deadline is
// read back from the journal, so a re-run that found the order shows the
// deadline the first run recorded, not its own.
func (o *CreateOptions) expiryOf(ctx context.Context, profile string, req trade.OrderRequest, res placement.Result, deadline time.Time) orderExpiry {
	if t, ok := req.Expiry(); ok {
		if res.Order.ExpiresAt != nil {
			t = res.Order.ExpiresAt.UTC()
		}
		return orderExpiry{at: t, by: ExpiryByVenue}
	}
	if res.Existing || !deadline.IsZero() {
		if j, err := o.Journal(); err == nil {
			if e, ok, err := j.ExpiryOf(ctx, profile, res.ClientID); err == nil && ok {
				return orderExpiry{at: e.Deadline, by: ExpiryByClient}
			}
		}
	}
	if !deadline.IsZero() {
		return orderExpiry{at: deadline, by: ExpiryByClient}
	}
	return orderExpiry{}
}

// recordFills notes the fills --wait saw, so daily P&L limits count them.
// The command's outcome does not depend on it.
func (o *CreateOptions) recordFills(ctx context.Context, profile string, order trade.Order) {
	j, err := o.Journal()
	if err == nil {
		err = j.RecordOrder(context.WithoutCancel(ctx), profile, order)
	}
	if err != nil {
		o.Logger().Warn("the journal could not record the order's fills", "order", order.ID, "err", err)
	}
}

// dryRunTable shows the request as it would be sent, its quantity and
// prices at the instrument's step and tick (they were rounded to them).
func dryRunTable(r DryRunResult, prec render.Precision) *render.TableData {
	q := r.Request
	pp, qp := prec.Price(q.Symbol), prec.Qty(q.Symbol)
	t := &render.TableData{Columns: []render.Column{{Header: "field"}, {Header: "value", AlignPoint: true}}}
	addCell := func(k string, c render.Cell) { t.AddRow(render.S(k, render.Muted), c) }
	add := func(k, v string) { addCell(k, render.T(v)) }
	add("dry run", "nothing was sent")
	add("exchange", r.Exchange)
	add("profile", r.Profile)
	add("symbol", q.Symbol.String())
	add("side", string(q.Side))
	add("type", string(q.Type))
	add("time in force", string(q.EffectiveTIF()))
	if t, ok := q.Expiry(); ok {
		addCell("expires", render.At(t))
	}
	if r.ExpiresAt != nil {
		addCell("expires", render.At(*r.ExpiresAt))
		add("expiry", "kept by tradectl: sent gtc, canceled by `tradectl order expire` after then")
	}
	if q.QuoteSized() {
		add("qty", "worked out by the venue as it fills")
		add("quote qty", q.QuoteQty.Decimal.String()+" "+q.Symbol.Quote)
	} else {
		addCell("qty", render.Num(q.Qty, qp))
	}
	if z := r.Sizing; z != nil {
		from := fmt.Sprintf("%s of free %s %s", trade.ShareText(z.Share), z.Asset, z.Free)
		if z.Price.IsPositive() {
			from += " at " + z.Price.String()
		}
		add("qty from", from+", rounded down to the step")
	}
	if z := r.QuoteSizing; z != nil {
		add("qty from", fmt.Sprintf("%s %s at the %s %s, rounded down to the step (sized by tradectl: %s takes no quote-sized %s orders)",
			z.QuoteQty, z.Asset, z.PriceSide, z.Price, r.Exchange, q.Side))
	}
	addCell("price", render.NumOr(q.Price, pp))
	addCell("stop price", render.NumOr(q.StopPrice, pp))
	if trail := q.TrailText(); trail != "" {
		add("trail", trail+" behind the best price since placement")
	}
	for _, l := range q.ExitLines() {
		add(l[0], l[1])
	}
	if r.ExitNote != "" {
		add("exits", r.ExitNote)
	}
	add("post only", fmt.Sprint(q.PostOnly))
	add("client id", q.ClientID)
	if r.Risk != nil {
		passed := "no limit set"
		if len(r.Risk.Passed) > 0 {
			passed = "within " + strings.Join(r.Risk.Passed, ", ")
		}
		add("risk limits", passed)
		for _, ov := range r.Risk.Overridden {
			add("overridden", ov.Limit)
		}
	}
	if e := r.Slippage; e != nil {
		add("slippage", fmt.Sprintf("about %s%% (average %s, mid %s; %s)", e.SlippagePct.Round(4), e.AvgPrice.Round(8), e.Mid, e.Describe()))
	}
	if r.Existing {
		add("venue check", "an order with this client id exists: a real run returns it and sends nothing")
	} else if r.VenueValidated {
		add("venue check", "passed")
	} else {
		add("venue check", "not offered by this venue; checked locally")
	}
	return t
}

// confirmSummary is the confirmation screen of a live order; the plan
// words it (orderplan.Plan.Summary) so positions close shows the same one.
func confirmSummary(prof config.Profile, exName string, plan orderplan.Plan, sf config.Safety) confirm.Summary {
	return plan.Summary(prof, exName, sf)
}

// MarshalJSON keeps "existing" and "wait" next to the order's fields:
// trade.Order marshals itself, which an embedding struct would otherwise
// inherit whole.
func (c CreatedOrder) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(c.Order)
	if err != nil {
		return nil, err
	}
	if b, err = trade.AppendJSONField(b, "existing", c.Existing); err != nil {
		return b, err
	}
	if c.Expiry != "" {
		if b, err = trade.AppendJSONField(b, "expiry", c.Expiry); err != nil {
			return b, err
		}
	}
	if c.Wait == nil {
		return b, nil
	}
	return trade.AppendJSONField(b, "wait", c.Wait)
}
