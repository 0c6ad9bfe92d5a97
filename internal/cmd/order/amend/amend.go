// Package amend implements `tradectl order amend`: change a working
// order's quantity, limit price or stop price with the venue's own
// operation, once.
package amend

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
	"github.com/tradectl/tradectl/internal/cmd/order/orderref"
	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/confirm"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/placement"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/trade"
)

// AmendOptions is a parsed `order amend`.
type AmendOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	Config       func() (*config.Config, error)
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Reconcile    func(ctx context.Context, ex exchange.Exchange, profile string)
	Journal      func() (*journal.Journal, error)
	Logger       func() *slog.Logger
	Printer      func() (*render.Printer, error)
	KnownSymbol  orderref.SymbolSource
	// Yes is the global --yes, read when the command runs.
	Yes func() bool

	Ref            exchange.OrderRef
	Amend          trade.AmendRequest
	Round          trade.RoundMode
	DryRun         bool
	OverrideLimits []string
	// Notify are the notification flags: a refusal by the risk limits is
	// a risk_refused notification.
	Notify     notifycmd.Flags
	NotifyDeps notifycmd.Deps
	Now        func() time.Time
}

// NewCmdAmend builds the command; runF replaces the run step in tests.
func NewCmdAmend(f *cmdutil.Factory, runF func(*AmendOptions) error) *cobra.Command {
	opts := &AmendOptions{
		IO:           f.IOStreams,
		Config:       f.Config,
		OpenExchange: f.OpenExchange,
		Reconcile:    f.Reconcile,
		Journal:      f.Journal,
		Logger:       f.Logger,
		Printer:      f.Printer,
		KnownSymbol:  orderref.FromJournal(f),
		Yes:          func() bool { return f.Globals.Yes },
		NotifyDeps:   notifycmd.NewDeps(f),
		Now:          f.Now,
	}
	var notifyFlags *notifycmd.Binding
	var (
		refFlags                ordercmd.RefFlags
		qty, price, stop, round string
		overrides               []string
	)
	cmd := &cobra.Command{
		Use:   "amend {ID | --client-id ID} [--qty Q] [--price P] [--stop-price S]",
		Short: "Change a working order's quantity, price or stop price",
		Long: heredoc.Doc(`
			Change a working order with the venue's own amend operation: its total
			quantity (--qty, filled part included), its limit price (--price) or its stop
			price (--stop-price). Unchanged fields stay as they are.

			Venues differ in what they change and how (see the README's venue table).
			Paper and Kraken (AmendOrder) amend in place and keep the id. Coinbase edits
			the size and price of limit gtc orders in place. Binance lowers a quantity in
			place (keepPriority) and makes other changes by cancel-replace, under a new
			id; when the new order is refused after the cancel, the error says the order
			was canceled. Alpaca replaces the order by a new one with a new id. A new id
			is printed with the id it replaced ("replaced_id"). A change a venue cannot
			make is refused (exit 2) before anything is sent: tradectl never cancels and
			places behind your back.

			The new values are rounded to the instrument's tick and step as order create
			rounds (--round), and the amended order must pass the profile's
			max_order_qty, max_order_notional and price_band_pct limits. On a live
			profile the confirmation shows old → new. --dry-run shows what would change
			and sends nothing.

			Every amendment is journaled before it is sent. When the venue's answer is
			lost the order is looked up, never amended a second time blindly: the
			command exits 9 when the look-up cannot tell, and the next amend of the order
			settles it first.

			A refusal by the risk limits is a risk_refused notification with --notify,
			--webhook or --desktop-notify (or the profile's notify: section).
		`),
		Example: heredoc.Doc(`
			# lower the quantity of order 2 (keeps its place in the queue on most venues)
			$ tradectl order amend 2 --qty 0.25

			# move the limit price; --round down fits it to the tick
			$ tradectl order amend 2 --price 1999.994 --round down

			# see what would change without sending anything
			$ tradectl order amend 2 --price 1950 --dry-run
		`),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := refFlags.Ref(args)
			if err != nil {
				return err
			}
			opts.Ref = ref
			for _, fl := range []struct {
				name, raw string
				dst       *decimal.NullDecimal
			}{{"qty", qty, &opts.Amend.Qty}, {"price", price, &opts.Amend.Price}, {"stop-price", stop, &opts.Amend.StopPrice}} {
				if !cmd.Flags().Changed(fl.name) {
					continue
				}
				d, err := decimal.NewFromString(fl.raw)
				if err != nil {
					return cmdutil.Usagef("--%s: %q is not a number", fl.name, fl.raw)
				}
				*fl.dst = decimal.NewNullDecimal(d)
			}
			if err := opts.Amend.Validate(); err != nil {
				return cmdutil.Usagef("%v", flagWords(err))
			}
			if opts.Round, err = trade.ParseRoundMode(round); err != nil {
				return cmdutil.Usagef("--round: %v", err)
			}
			if opts.OverrideLimits, err = risk.ParseOverrides(overrides); err != nil {
				return cmdutil.Usagef("--override-limit %w", err)
			}
			if opts.Notify, err = notifyFlags.Parse(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return amendRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&qty, "qty", "", "new total quantity, filled part included")
	fl.StringVar(&price, "price", "", "new limit price (limit and stop-limit orders)")
	fl.StringVar(&stop, "stop-price", "", "new stop price (stop and stop-limit orders not yet triggered)")
	refFlags.Register(cmd, f.CompletionSource(), "amend the order with this client id")
	fl.StringVar(&round, "round", "reject", "price/quantity off the tick or step: reject, down or nearest")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "check everything and show what would change without sending it")
	fl.StringArrayVar(&overrides, "override-limit", nil, "lift the named risk limit for this command (repeatable): "+strings.Join(risk.LimitNames(), ", "))
	_ = cmd.RegisterFlagCompletionFunc("override-limit", cobra.FixedCompletions(risk.LimitNames(), cobra.ShellCompDirectiveNoFileComp))
	cmdutil.RegisterEnumCompletion(cmd, "round", trade.RoundModes)
	notifyFlags = notifycmd.AddFlags(cmd)
	return cmd
}

// flagWords names a validation error's field as the flag a person typed.
func flagWords(err error) error {
	var v *trade.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	hint := ""
	if v.OffGrid {
		hint = " (or pass --round down|nearest)"
	}
	if v.Field == "" {
		return fmt.Errorf("%w%s", err, hint)
	}
	return fmt.Errorf("--%s: %s%s", strings.ReplaceAll(v.Field, "_", "-"), v.Message, hint)
}

// AmendedOrder is what order amend prints: the order as it now stands
// and, when the venue replaced it, the id it replaced.
type AmendedOrder struct {
	trade.Order
	ReplacedID string `json:"replaced_id,omitempty"`
}

// MarshalJSON keeps replaced_id next to the order's fields; it is left
// out when the id did not change.
func (a AmendedOrder) MarshalJSON() ([]byte, error) {
	b, err := a.Order.MarshalJSON()
	if err != nil || a.ReplacedID == "" {
		return b, err
	}
	return trade.AppendJSONField(b, "replaced_id", a.ReplacedID)
}

// DryRunResult is what --dry-run prints.
type DryRunResult struct {
	DryRun   bool               `json:"dry_run"`
	Exchange string             `json:"exchange"`
	Profile  string             `json:"profile"`
	Order    trade.Order        `json:"order"`
	Amend    trade.AmendRequest `json:"amend"`
	Plan     exchange.AmendPlan `json:"plan"`
	Risk     risk.Report        `json:"risk"`
}

func amendRun(parent context.Context, o *AmendOptions) error {
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
	am, ok := ex.(exchange.Amender)
	if !ok {
		return cmdutil.Usagef("%s cannot amend orders: %s; cancel it and place a new order if that is what you want; nothing was sent", ex.Name(), amendVenues)
	}
	copts := confirm.Options{IO: o.IO, Yes: o.Yes(), Safety: sf}
	simulated := exchange.IsSimulated(ex)
	if !o.DryRun && confirm.NeedsYes(copts, simulated) {
		return &cmdutil.UsageError{Err: fmt.Errorf("%w; pass --yes, or set confirm: false in the profile", &confirm.NeedsYesError{Profile: prof.Name, Exchange: ex.Name()})}
	}
	ref, missing := orderref.Complete(ctx, ex, prof.Name, o.Ref, o.KnownSymbol)
	if missing {
		return cmdutil.Usagef("%s finds order %s only with its symbol: pass --symbol, or give the id as tradectl prints it (<SYMBOL>:<ID>)", ex.Name(), ref)
	}
	o.Reconcile(ctx, ex, prof.Name)

	order, err := ex.GetOrder(ctx, ref)
	if err != nil {
		return cmdutil.WrapOp("amend order "+ref.String(), err)
	}
	var j *journal.Journal
	if !o.DryRun {
		if j, err = o.Journal(); err != nil {
			return err
		}
		// An earlier amendment whose answer was lost is settled before
		// this one is sent: two changes in flight could land in any order.
		if order, err = settlePending(ctx, ex, j, prof.Name, order); err != nil {
			return err
		}
	}
	inst, err := exchange.FindInstrument(ctx, ex, order.Symbol)
	if err != nil {
		return cmdutil.WrapOp("amend order "+order.ID, err)
	}
	a, err := inst.ConformAmend(order, o.Amend, o.Round)
	if err != nil {
		return cmdutil.Usagef("cannot amend order %s: %v; nothing was sent", order.ID, flagWords(err))
	}
	plan, err := am.PlanAmend(order, a)
	if err != nil {
		return cmdutil.Usagef("cannot amend order %s on %s: %v; nothing was sent", order.ID, ex.Name(), err)
	}
	amended, _ := a.Amended(order)
	rep, err := risk.Check(ctx, risk.Input{Profile: prof.Name, Exchange: ex, Request: amended, Instrument: inst,
		Safety: amendLimits(sf), Overrides: o.OverrideLimits})
	if err != nil {
		if j != nil {
			recordRefusal(ctx, j, prof.Name, err)
			var refused *risk.RefusedError
			if errors.As(err, &refused) {
				disp.Send(notifycmd.Refusal(o.Now(), "order amend", prof.Name, ex.Name(), amended, refused.Limits(), refused))
			}
		}
		return err
	}
	if o.DryRun {
		res := DryRunResult{DryRun: true, Exchange: ex.Name(), Profile: prof.Name, Order: order, Amend: a, Plan: plan, Risk: rep}
		return printer.Print(res, func() *render.TableData { return dryRunTable(res) })
	}
	sendCtx := ctx
	if confirm.NeedsPrompt(copts, simulated) {
		if err := ask(parent, o.IO, prof.Name, ex.Name(), order, a, plan); err != nil {
			return err
		}
		// The prompt waited on a person; the amendment gets the whole
		// --timeout of its own.
		var cancel context.CancelFunc
		sendCtx, cancel = ordercmd.WithTimeout(parent, cfg.Timeout)
		defer cancel()
	}
	for _, ov := range rep.Overridden {
		if err := j.RecordOverride(ctx, prof.Name, ov.Limit, "order amend "+order.ID+": "+a.Changes(order)); err != nil {
			return err
		}
	}
	res, err := send(sendCtx, am, ex, j, prof.Name, order, a, plan, o.Logger())
	if err != nil {
		return err
	}
	precision := orderview.CachedPrecisionOf(ctx, ex)
	return printer.Print(AmendedOrder{Order: res.Order, ReplacedID: res.ReplacedID}, func() *render.TableData {
		t := orderview.DetailWith(res.Order, precision)
		if res.ReplacedID != "" {
			t.AddRow(render.S("replaced id", render.Muted), render.T(res.ReplacedID))
		}
		return t
	})
}

// amendVenues names the venues that amend, for the refusal on the others;
// it follows the README's venue-support table.
const amendVenues = "orders are amended on paper, kraken (AmendOrder), binance (keepPriority, cancel-replace), coinbase (orders/edit) and alpaca (replace)"

// amendLimits are the limits that judge an amended order: its size and
// price. An amendment adds no order (max_open_orders) and realises
// nothing (max_daily_loss), and the symbol does not change.
func amendLimits(sf config.Safety) config.Safety {
	sf.MaxOpenOrders, sf.MaxDailyLoss, sf.AllowedSymbols = 0, decimal.Zero, nil
	return sf
}

func recordRefusal(ctx context.Context, j *journal.Journal, profile string, err error) {
	var refused *risk.RefusedError
	if !errors.As(err, &refused) {
		return
	}
	for _, b := range refused.Breaches {
		_ = j.RecordRefusal(ctx, profile, b.Limit, "order amend: "+b.Message)
	}
}

// send journals the amendment, sends it once and settles its outcome.
func send(ctx context.Context, am exchange.Amender, ex exchange.Exchange, j *journal.Journal, profile string,
	order trade.Order, a trade.AmendRequest, plan exchange.AmendPlan, log *slog.Logger) (exchange.AmendResult, error) {
	newClientID := ""
	if plan.NewID {
		newClientID = placement.NewClientID()
	}
	id, err := j.BeginAmend(ctx, journal.NewAmend{Profile: profile, Exchange: ex.Name(), Before: order, Request: a,
		NewClientID: newClientID, Simulated: exchange.IsSimulated(ex)})
	if errors.Is(err, journal.ErrAmendPending) {
		return exchange.AmendResult{}, cmdutil.Usagef("%v: another tradectl process is amending it; nothing was sent", err)
	}
	if err != nil {
		return exchange.AmendResult{}, err
	}
	res, err := am.AmendOrder(ctx, order, a, newClientID)
	// The outcome is recorded even when the command's deadline has passed.
	rctx := context.WithoutCancel(ctx)
	if err == nil {
		if jerr := j.RecordAmended(rctx, id, res.Order); jerr != nil {
			log.Warn("the journal could not record the amendment's outcome", "order", order.ID, "err", jerr)
		}
		return res, nil
	}
	if !unknownOutcome(ctx, err) {
		code := cmdutil.Classify(ctx, err).Code
		if jerr := j.RecordAmendFailed(rctx, id, code, err.Error()); jerr != nil {
			log.Warn("the journal could not record the amendment's outcome", "order", order.ID, "err", jerr)
		}
		return res, cmdutil.WrapOp("amend order "+order.ID, err)
	}
	// The request may have reached the venue: look, never send again.
	lctx, cancel := context.WithTimeout(rctx, lookupTimeout)
	defer cancel()
	pending := journal.Amend{ID: id, OrderID: order.ID, Symbol: order.Symbol, NewClientID: newClientID, Request: a, Before: order}
	now, applied, lerr := lookUp(lctx, ex, pending)
	switch {
	case lerr == nil && applied:
		_ = j.RecordAmended(rctx, id, now)
		out := exchange.AmendResult{Order: now}
		if now.ID != order.ID {
			out.ReplacedID = order.ID
		}
		return out, nil
	case lerr == nil:
		_ = j.RecordAmendFailed(rctx, id, "not_applied", "looked up after: "+err.Error())
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w; the order was looked up and is unchanged, so the amendment was not applied — run the command again to send it", order.ID, err)
	}
	_ = j.RecordAmendUnknown(rctx, id, "unknown_outcome", err.Error())
	return exchange.AmendResult{}, &exchange.Error{Kind: exchange.ErrUnknownOutcome, Venue: ex.Name(), Err: err,
		Message: fmt.Sprintf("amend order %s: the answer was lost and the order could not be looked up (%v); it was not sent again — check it with `tradectl order get %s`; the next amend of it settles this one first", order.ID, lerr, order.ID)}
}

// lookupTimeout bounds the look-up after a lost answer, which runs even
// when the command's own deadline has passed.
const lookupTimeout = 10 * time.Second

// unknownOutcome reports whether err leaves open whether the venue applied
// the amendment: a timeout or a connection lost after the request left.
func unknownOutcome(ctx context.Context, err error) bool {
	return errors.Is(err, exchange.ErrUnknownOutcome) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.Is(err, exchange.ErrUnavailable) && ctx.Err() != nil)
}

// lookUp finds whether a pending amendment was applied: by the new order's
// client id where the venue replaces orders, else by the order itself
// carrying the new values.
func lookUp(ctx context.Context, ex exchange.Exchange, p journal.Amend) (trade.Order, bool, error) {
	if p.NewClientID != "" {
		o, err := ex.GetOrder(ctx, exchange.OrderRef{ClientID: p.NewClientID, Symbol: p.Symbol})
		switch {
		case err == nil:
			return o, true, nil
		case !errors.Is(err, exchange.ErrNotFound):
			return trade.Order{}, false, err
		}
	}
	o, err := ex.GetOrder(ctx, exchange.OrderRef{ID: p.OrderID, Symbol: p.Symbol})
	if err != nil {
		return trade.Order{}, false, err
	}
	return o, p.NewClientID == "" && carries(o, p.Request), nil
}

// carries reports whether o shows every value a sets.
func carries(o trade.Order, a trade.AmendRequest) bool {
	return (!a.Qty.Valid || o.Qty.Equal(a.Qty.Decimal)) &&
		(!a.Price.Valid || o.Price.Valid && o.Price.Decimal.Equal(a.Price.Decimal)) &&
		(!a.StopPrice.Valid || o.StopPrice.Valid && o.StopPrice.Decimal.Equal(a.StopPrice.Decimal))
}

// settlePending settles the order's amendments left pending by an earlier
// run, and returns the order as it now stands (replaced: the new one).
func settlePending(ctx context.Context, ex exchange.Exchange, j *journal.Journal, profile string, order trade.Order) (trade.Order, error) {
	amends, err := j.Amends(ctx, profile, order.ID)
	if err != nil {
		return order, err
	}
	for _, p := range amends {
		if p.Status != journal.AmendPending {
			continue
		}
		now, applied, err := lookUp(ctx, ex, p)
		if err != nil {
			return order, &exchange.Error{Kind: exchange.ErrUnknownOutcome, Venue: ex.Name(), Err: err,
				Message: fmt.Sprintf("an earlier amendment of order %s (%s) is still unsettled and the look-up failed; nothing was sent", p.OrderID, p.Request.Changes(p.Before))}
		}
		if applied {
			if err := j.RecordAmended(ctx, p.ID, now); err != nil {
				return order, err
			}
			order = now
			continue
		}
		if err := j.RecordAmendFailed(ctx, p.ID, "not_applied", "looked up by a later amend: not applied"); err != nil {
			return order, err
		}
	}
	return order, nil
}

// ask shows old → new on a live profile and waits for a yes.
func ask(ctx context.Context, ios *iostreams.IOStreams, profile, venue string, o trade.Order, a trade.AmendRequest, plan exchange.AmendPlan) error {
	note := ""
	if plan.NewID {
		note = " (the venue replaces it: new id, place in the queue lost)"
	}
	type answer struct {
		ok  bool
		err error
	}
	done := make(chan answer, 1)
	go func() {
		ok, err := ios.Confirm(fmt.Sprintf("Amend %s %s %s order %s on live profile %q (%s): %s%s?",
			o.Side, o.Symbol, o.Type, o.ID, profile, venue, a.Changes(o), note))
		done <- answer{ok, err}
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case r := <-done:
		if r.err != nil {
			return fmt.Errorf("amend: no answer to the confirmation (%v); nothing was sent: %w", r.err, confirm.ErrDeclined)
		}
		if !r.ok {
			return fmt.Errorf("amend: %w; nothing was sent", confirm.ErrDeclined)
		}
		return nil
	}
}

func dryRunTable(r DryRunResult) *render.TableData {
	t := &render.TableData{Columns: []render.Column{{Header: "field"}, {Header: "value"}}}
	add := func(k, v string) { t.AddRow(render.S(k, render.Muted), render.T(v)) }
	add("dry run", "nothing was sent")
	add("exchange", r.Exchange)
	add("profile", r.Profile)
	add("order", fmt.Sprintf("%s %s %s %s (%s)", r.Order.ID, r.Order.Side, r.Order.Symbol, r.Order.Type, r.Order.Status))
	add("change", r.Amend.Changes(r.Order))
	add("method", r.Plan.Method)
	id := "kept"
	if r.Plan.NewID {
		id = "new (the venue replaces the order)"
	}
	add("id", id)
	add("queue priority", map[bool]string{true: "kept", false: "lost"}[r.Plan.KeepsPriority])
	passed := "no limit set"
	if len(r.Risk.Passed) > 0 {
		passed = "within " + strings.Join(r.Risk.Passed, ", ")
	}
	add("risk limits", passed)
	for _, ov := range r.Risk.Overridden {
		add("overridden", ov.Limit)
	}
	return t
}
