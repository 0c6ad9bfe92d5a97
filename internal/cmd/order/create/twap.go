package create

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tradectl/tradectl/internal/cmd/notifycmd"
	"github.com/tradectl/tradectl/internal/cmd/order/ordercmd"
	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/confirm"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/orderplan"
	"github.com/tradectl/tradectl/internal/placement"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/twap"
)

// SliceOptions are --slices and --over: the order placed as N children at
// even intervals (a TWAP), resumable by its idempotency key.
type SliceOptions struct {
	// Slices is --slices (0: one order, not sliced).
	Slices int
	// Over is --over: the first child goes at once, the last at
	// Over·(N-1)/N.
	Over time.Duration
	// TimeoutGiven is whether --timeout was on the command line: then it
	// bounds the whole run (as for --wait), so it must outlast the
	// schedule.
	TimeoutGiven bool
}

func addSliceFlags(fl *pflag.FlagSet, s *SliceOptions) {
	fl.IntVar(&s.Slices, "slices", 0, fmt.Sprintf("place the order as N child orders at even intervals over --over (2-%d; a TWAP)", twap.MaxSlices))
	fl.DurationVar(&s.Over, "over", 0, "with --slices: spread the children over this long (first at once, last at over·(N-1)/N)")
}

// checkSlices refuses flag combinations a sliced order cannot honour,
// before anything is read or sent.
func (o *CreateOptions) checkSlices(cmd *cobra.Command) error {
	fl := cmd.Flags()
	if !fl.Changed("slices") {
		if fl.Changed("over") {
			return cmdutil.Usagef("--over needs --slices N")
		}
		return nil
	}
	r := o.Request
	switch {
	case o.Slices < 2 || o.Slices > twap.MaxSlices:
		return cmdutil.Usagef("--slices must be 2 to %d, got %d", twap.MaxSlices, o.Slices)
	case !fl.Changed("over") || o.Over <= 0:
		return cmdutil.Usagef("--slices needs --over D above 0: the time the children are spread over")
	case o.Wait:
		return cmdutil.Usagef("--slices and --wait cannot be combined: follow the children with tradectl order get twap-KEY")
	case r.ClientID != "":
		return cmdutil.Usagef("--slices and --client-id cannot be combined: each child's client id is derived from --idempotency-key and its index")
	case o.QtyShare.Valid || r.QuoteSized():
		return cmdutil.Usagef("--slices needs --qty as a quantity in the base asset: it is split across the children")
	case r.Linked() || r.Trailing() || fl.Changed("cancel-after"):
		return cmdutil.Usagef("--slices takes market, limit, stop and stop-limit orders, without exits, trails or --cancel-after")
	}
	if o.IdempotencyKey != "" {
		if err := twap.ValidateKey(o.IdempotencyKey); err != nil {
			return cmdutil.Usagef("--idempotency-key: %v", err)
		}
	}
	o.TimeoutGiven = fl.Changed("timeout")
	return nil
}

// SliceDryRun is what --slices --dry-run prints: the schedule, and the
// first child checked as a dry run checks one order.
type SliceDryRun struct {
	DryRun         bool   `json:"dry_run"`
	Parent         string `json:"parent"`
	IdempotencyKey string `json:"idempotency_key"`
	// KeyGenerated is true when no --idempotency-key was given: a real
	// run would print a fresh one to resume by.
	KeyGenerated bool             `json:"key_generated"`
	Slices       int              `json:"slices"`
	Over         string           `json:"over"`
	Schedule     []ScheduledSlice `json:"schedule"`
	FirstChild   DryRunResult     `json:"first_child"`
}

// ScheduledSlice is one child of the schedule, its time from the start.
type ScheduledSlice struct {
	Index    int             `json:"index"`
	Qty      decimal.Decimal `json:"qty"`
	After    string          `json:"after"`
	ClientID string          `json:"client_id"`
}

// sliceRun places a sliced order, or resumes one an earlier run of the
// same command started; see the command's help. --timeout bounds each
// child's planning and placement, so a long schedule is never cut short
// by the default; given on the command line it also bounds the whole run.
func sliceRun(parent context.Context, o *CreateOptions) error {
	ctx, cancel, s, err := ordercmd.Open(parent, ordercmd.Deps{Printer: o.Printer, Config: o.Config, OpenExchange: o.OpenExchange})
	defer cancel()
	if err != nil {
		return err
	}
	printer, cfg, ex, prof, sf := s.Printer, s.Config, s.Exchange, s.Profile, s.Safety
	defer ex.Close()
	if o.TimeoutGiven && cfg.Timeout > 0 && cfg.Timeout <= o.Over {
		return cmdutil.Usagef("--timeout %s would end the run before its last slice: leave --timeout out (each slice is then bounded by the configured timeout) or give one longer than --over %s; nothing was sent", cfg.Timeout, o.Over)
	}
	key, generated := o.IdempotencyKey, false
	if key == "" {
		key, generated = twap.NewKey(o.Now()), true
	}
	req := o.Request
	inst, err := exchange.FindInstrument(ctx, ex, req.Symbol)
	if err != nil {
		if errors.Is(err, exchange.ErrNotFound) {
			return fmt.Errorf("%w %s on %s: %w; nothing was sent", orderplan.ErrUnknownSymbol, req.Symbol, ex.Name(), exchange.ErrNotFound)
		}
		return err
	}
	slices, err := twap.Plan(key, req.Qty, inst.StepSize, o.Slices, o.Over)
	if err != nil {
		return cmdutil.Usagef("--slices %d: %v; place fewer or larger slices; nothing was sent", o.Slices, err)
	}
	if err := o.checkSliceRules(ctx, ex, inst, slices); err != nil {
		return err
	}
	j, err := o.Journal()
	if err != nil {
		return err
	}
	earlier, resumed, err := j.TWAP(ctx, prof.Name, key)
	if err != nil {
		return err
	}
	if resumed {
		if slices, err = resumedSlices(earlier, req, o.Slices, o.Over); err != nil {
			return err
		}
	}
	copts := confirm.Options{IO: o.IO, Yes: o.Yes(), Safety: sf}
	disp, err := o.Notify.Open(o.NotifyDeps, prof)
	if err != nil {
		return err
	}
	defer disp.Close()
	planDeps := orderplan.Deps{Exchange: ex, Profile: prof.Name, Safety: sf, Journal: o.Journal, Now: o.Now, Logger: o.Logger(), Confirm: copts,
		Refused: notifycmd.RefusalNotifier(disp, o.Now, "order create", ex.Name())}
	if o.DryRun {
		return o.sliceDryRun(ctx, printer, ex, prof, planDeps, key, generated, slices)
	}
	if !resumed {
		// One confirmation for the whole parent, on the first child's
		// plan (its limits and value), before anything is recorded.
		first, err := orderplan.Make(ctx, planDeps, o.childInput(slices[0], true))
		if err != nil {
			return planWords(err, prof.Name, ex.Name(), req.Symbol)
		}
		summary := first.Summary(prof, ex.Name(), sf)
		summary.Request.Qty = req.Qty
		summary.EstimatedValue = first.EstimatedValue().Mul(req.Qty).Div(slices[0].Qty)
		// The children have client ids of their own; the parent is named
		// by its id.
		summary.Request.ClientID = twap.ParentID(key)
		summary.Notes = append(summary.Notes, scheduleNotes(slices, o.Over)...)
		if err := confirm.Order(parent, copts, summary); err != nil {
			return planWords(err, prof.Name, ex.Name(), req.Symbol)
		}
		started := o.Now()
		rec := journal.TWAP{Profile: prof.Name, Exchange: ex.Name(), IdempotencyKey: key, Request: req, Over: o.Over, StartedAt: started}
		for _, sl := range slices {
			rec.Slices = append(rec.Slices, journal.TWAPSlice{Index: sl.Index, Qty: sl.Qty, DueAt: started.Add(sl.Offset),
				ClientID: placement.ClientIDFor(prof.Name, sl.Key)})
		}
		if earlier, _, err = j.BeginTWAP(context.WithoutCancel(ctx), rec); err != nil {
			return err
		}
	}
	verb := "started"
	if resumed {
		verb = "resumed"
	}
	fmt.Fprintf(o.IO.ErrOut, "%s %s: %d slices of %s %s over %s; resume with --idempotency-key %s\n",
		verb, twap.ParentID(key), len(slices), req.Qty, req.Symbol, o.Over, key)

	// The parent was confirmed as a whole: its children are not asked
	// about one by one.
	childConfirm := copts
	childConfirm.Yes = true
	childDeps := planDeps
	childDeps.Confirm = childConfirm
	// The schedule runs on the command's clock from where it stands now,
	// advanced by the monotonic time elapsed, so a pinned clock
	// (TRADECTL_NOW) still moves through the schedule.
	base, runStart := o.Now(), time.Now()
	runErr := twap.Run(parent, earlier.StartedAt, slices, twap.Runner{
		Now: func() time.Time { return base.Add(time.Since(runStart)) },
		Done: func(ctx context.Context, sl twap.Slice) (bool, error) {
			in, ok, err := j.Intent(ctx, prof.Name, placement.ClientIDFor(prof.Name, sl.Key))
			return ok && in.Status == journal.Placed, err
		},
		Place: func(ctx context.Context, sl twap.Slice) error {
			return o.placeSlice(ctx, cfg, ex, prof.Name, childDeps, j, earlier, sl)
		},
	})
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			// The exit code says "interrupted" and nothing more; the way
			// back in is worth a line of its own.
			fmt.Fprintf(o.IO.ErrOut, "stopped (%v); the children placed so far stand — run the same command again (--idempotency-key %s) to resume\n", runErr, key)
		}
		return sliceRunError(runErr, key)
	}
	// The opening's deadline may be long past: the last look gets its own.
	readCtx, cancelRead := withTimeout(parent, cfg.Timeout)
	defer cancelRead()
	p, err := twap.Read(readCtx, j, ex, earlier)
	if err != nil {
		return err
	}
	return orderview.PrintProgress(printer, p)
}

// childInput is slice s's order as planning takes it.
func (o *CreateOptions) childInput(s twap.Slice, dryRun bool) orderplan.Input {
	req := o.Request
	req.Qty = s.Qty
	return orderplan.Input{Request: req, Round: o.Round, IdempotencyKey: s.Key, Overrides: o.OverrideLimits,
		MaxSlippage: o.MaxSlippage, DryRun: dryRun}
}

// placeSlice takes one child through the whole pipeline — plan (rules,
// risk limits, journaled refusals), placement (intent, lock, reconcile) —
// each bounded by --timeout of its own.
func (o *CreateOptions) placeSlice(parent context.Context, cfg *config.Config, ex exchange.Exchange, profile string,
	deps orderplan.Deps, j *journal.Journal, t journal.TWAP, s twap.Slice) error {
	// Ctrl-C stops the run between slices: a child already on its way
	// finishes, bounded by --timeout, rather than being left with an
	// unknown outcome. Without a timeout nothing else would bound it, so
	// then Ctrl-C ends it as it would a single order.
	if cfg.Timeout > 0 {
		parent = context.WithoutCancel(parent)
	}
	ctx, cancel := withTimeout(parent, cfg.Timeout)
	defer cancel()
	plan, err := orderplan.Make(ctx, deps, o.childInput(s, false))
	if err != nil {
		return planWords(err, profile, ex.Name(), o.Request.Symbol)
	}
	dirs, err := o.Dirs()
	if err != nil {
		return err
	}
	lockTimeout := o.LockTimeout
	if lockTimeout == 0 {
		lockTimeout = -1 // placement's "one try"
	}
	res, err := placement.Place(ctx, placement.Deps{Exchange: ex, Journal: j, Profile: profile,
		LockDir: placement.LockDir(dirs.StateDir()), Logger: o.Logger()},
		plan.Request, placement.Options{IdempotencyKey: s.Key, LockTimeout: lockTimeout, TrustJournal: true})
	jctx := context.WithoutCancel(ctx)
	if err != nil {
		if rerr := j.RecordTWAPSlice(jctx, t.ID, s.Index, "", placement.ErrorCode(err)); rerr != nil {
			o.Logger().Warn("the journal could not record the slice", "slice", s.Index, "err", rerr)
		}
		return planWords(err, profile, ex.Name(), o.Request.Symbol)
	}
	if rerr := j.RecordTWAPSlice(jctx, t.ID, s.Index, res.Order.ID, string(journal.Placed)); rerr != nil {
		o.Logger().Warn("the journal could not record the slice", "slice", s.Index, "err", rerr)
	}
	note := ""
	if res.Existing {
		note = " (already there; nothing sent)"
	}
	fmt.Fprintf(o.IO.ErrOut, "slice %d/%d: order %s, %s %s %s%s\n", s.Index, len(t.Slices), res.Order.ID,
		res.Order.Side, res.Order.Qty, res.Order.Status, note)
	return nil
}

// checkSliceRules refuses, before anything is sent, a split whose slices
// break the instrument's rules (minimum quantity, minimum value): each
// distinct slice quantity is conformed as its child will be.
func (o *CreateOptions) checkSliceRules(ctx context.Context, ex exchange.Exchange, inst trade.Instrument, slices []twap.Slice) error {
	req := o.Request
	ref := decimal.Zero
	if !req.Price.Valid && !req.StopPrice.Valid && inst.MinNotional.IsPositive() {
		qs, err := ex.Quotes(ctx, []trade.Symbol{req.Symbol})
		if err != nil {
			return fmt.Errorf("quote %s: %w", req.Symbol, err)
		}
		if len(qs) == 1 {
			ref = qs[0].Mid()
		}
	}
	checked := map[string]bool{}
	for _, s := range slices {
		if checked[s.Qty.String()] {
			continue
		}
		checked[s.Qty.String()] = true
		child := req
		child.Qty = s.Qty
		got, err := inst.Conform(child, o.Round, ref)
		if err == nil && !got.Qty.Equal(s.Qty) {
			err = fmt.Errorf("qty %s is off the step size %s, so the children could not sum to --qty %s", s.Qty, inst.StepSize, req.Qty)
		}
		if err != nil {
			return cmdutil.Usagef("--slices %d: slice %d/%d of %s: %v; place fewer slices or a larger --qty; nothing was sent",
				len(slices), s.Index, len(slices), s.Qty, flagNames(err))
		}
	}
	return nil
}

// resumedSlices is the schedule an earlier run recorded under the key,
// once the command is known to ask for the same parent.
func resumedSlices(t journal.TWAP, req trade.OrderRequest, n int, over time.Duration) ([]twap.Slice, error) {
	r := t.Request
	same := r.Symbol == req.Symbol && r.Side == req.Side && r.Type == req.Type && r.Qty.Equal(req.Qty) &&
		sameNull(r.Price, req.Price) && sameNull(r.StopPrice, req.StopPrice) && len(t.Slices) == n && t.Over == over
	if !same {
		return nil, cmdutil.Usagef("idempotency key %q was already used for a different sliced order (%s %s %s %s in %d slices over %s); nothing was sent — use a new key for a new order",
			t.IdempotencyKey, r.Side, r.Qty, r.Symbol, r.Type, len(t.Slices), t.Over)
	}
	out := make([]twap.Slice, len(t.Slices))
	for i, s := range t.Slices {
		out[i] = twap.Slice{Index: s.Index, Qty: s.Qty, Offset: s.DueAt.Sub(t.StartedAt), Key: twap.ChildKey(t.IdempotencyKey, s.Index, n)}
	}
	return out, nil
}

// describeParent is the parent order in a line, as order get shows it.
func describeParent(r trade.OrderRequest) string {
	s := fmt.Sprintf("%s %s %s %s", r.Side, r.Qty, r.Symbol, r.Type)
	if r.Price.Valid {
		s += " at " + r.Price.Decimal.String()
	}
	if r.StopPrice.Valid {
		s += " stop " + r.StopPrice.Decimal.String()
	}
	return s
}

func sameNull(a, b decimal.NullDecimal) bool {
	return a.Valid == b.Valid && (!a.Valid || a.Decimal.Equal(b.Decimal))
}

// scheduleNotes are the confirmation's lines about the slicing, each short
// enough for a narrow terminal.
func scheduleNotes(slices []twap.Slice, over time.Duration) []string {
	last := slices[len(slices)-1]
	return []string{
		fmt.Sprintf("sliced: %d children of %s (the last %s)", len(slices), slices[0].Qty, last.Qty),
		fmt.Sprintf("one every %s, the last in %s", over/time.Duration(len(slices)), last.Offset),
		"each child is checked against the limits",
	}
}

// sliceRunError says how to resume a run that stopped early.
func sliceRunError(err error, key string) error {
	return fmt.Errorf("sliced order %s stopped: %w; the children placed so far stand — run the same command again (--idempotency-key %s) to resume",
		twap.ParentID(key), err, key)
}

func (o *CreateOptions) sliceDryRun(ctx context.Context, printer *render.Printer, ex exchange.Exchange, prof config.Profile,
	deps orderplan.Deps, key string, generated bool, slices []twap.Slice) error {
	res := SliceDryRun{DryRun: true, Parent: twap.ParentID(key), IdempotencyKey: key, KeyGenerated: generated,
		Slices: len(slices), Over: o.Over.String()}
	for _, s := range slices {
		res.Schedule = append(res.Schedule, ScheduledSlice{Index: s.Index, Qty: s.Qty, After: s.Offset.String(),
			ClientID: placement.ClientIDFor(prof.Name, s.Key)})
	}
	plan, err := orderplan.Make(ctx, deps, o.childInput(slices[0], true))
	if err != nil {
		return planWords(err, prof.Name, ex.Name(), o.Request.Symbol)
	}
	first := DryRunResult{DryRun: true, Exchange: ex.Name(), Profile: prof.Name, Request: plan.Request}
	if !plan.Rerun {
		first.Risk, first.Slippage = &plan.Decision.Report, plan.Decision.Estimate
	}
	if v, ok := ex.(exchange.OrderValidator); ok {
		switch err := v.ValidateOrder(ctx, plan.Request); {
		case err != nil && errors.Is(err, exchange.ErrDuplicateClientID):
			first.Existing = true
		case err != nil:
			return fmt.Errorf("dry run: slice 1/%d: %w", len(slices), err)
		default:
			first.VenueValidated = true
		}
	}
	res.FirstChild = first
	return printer.Print(res, func() *render.TableData {
		t := &render.TableData{Columns: []render.Column{{Header: "field"}, {Header: "value"}}}
		add := func(k, v string) { t.AddRow(render.S(k, render.Muted), render.T(v)) }
		add("dry run", "nothing was sent")
		add("parent", res.Parent)
		add("exchange", ex.Name())
		add("profile", prof.Name)
		r := o.Request
		add("order", describeParent(r))
		for _, s := range res.Schedule {
			add(fmt.Sprintf("slice %d/%d", s.Index, res.Slices), fmt.Sprintf("%s after %s, client id %s", s.Qty, s.After, s.ClientID))
		}
		switch {
		case first.Existing:
			add("venue check", "slice 1 exists at the venue: a real run resumes")
		case first.VenueValidated:
			add("venue check", "slice 1 passed")
		default:
			add("venue check", "not offered by this venue; slice 1 checked locally")
		}
		return t
	})
}
