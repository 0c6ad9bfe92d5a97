// Package expire implements `tradectl order expire`: the client-side half
// of `order create --cancel-after D --client-expiry`, meant for cron.
package expire

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// ExpireOptions is a parsed `order expire`.
type ExpireOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Reconcile    func(ctx context.Context, ex exchange.Exchange, profile string)
	Journal      func() (*journal.Journal, error)
	Printer      func() (*render.Printer, error)
	Now          func() time.Time

	// Profiles are the accounts to look at; empty: the selected profile.
	Profiles []string
}

// Results of one deadline, as Row.Result says.
const (
	// ResultCanceled: the deadline had passed and the order was canceled.
	ResultCanceled = "canceled"
	// ResultSettled: the order had already ended (Row.Status says how);
	// nothing was sent.
	ResultSettled = "settled"
	// ResultFailed: the order could not be canceled or looked up; the
	// deadline stays armed and the next run tries again.
	ResultFailed = "failed"
)

// Row is one order acted on.
type Row struct {
	Profile  string         `json:"profile"`
	OrderID  string         `json:"order_id"`
	ClientID string         `json:"client_id"`
	Symbol   string         `json:"symbol"`
	Deadline trade.JSONTime `json:"deadline"`
	Result   string         `json:"result"`
	// Status is the order's status after the run ("" when unknown).
	Status string `json:"status"`
	Error  string `json:"error"`
}

// NewCmdExpire builds the command; runF replaces the run step in tests.
func NewCmdExpire(f *cmdutil.Factory, runF func(*ExpireOptions) error) *cobra.Command {
	opts := &ExpireOptions{
		IO:           f.IOStreams,
		OpenExchange: f.OpenExchange,
		Reconcile:    f.Reconcile,
		Journal:      f.Journal,
		Printer:      f.Printer,
		Now:          f.Now,
	}
	cmd := &cobra.Command{
		Use:   "expire [--profile a,b,…]",
		Short: "Cancel orders whose client-side deadline has passed",
		Long: heredoc.Doc(`
			Cancel every order placed with --cancel-after D --client-expiry whose
			deadline has passed and that is still working. Such orders went to a venue
			without good-till-date orders (Binance Spot, Alpaca) as gtc, with the
			deadline written to the journal before they were sent; nothing at the venue
			ends them, this command does.

			For each deadline that has passed the order is looked up: still working, it
			is canceled (the same cancel as order cancel); already filled, canceled or
			expired, it is settled without a request. Either way the journal records it
			and the deadline is never acted on again. A cancel or look-up that fails
			leaves the deadline armed for the next run. Orders whose placement is still
			unsettled are left for a later run.

			One row per order acted on: profile, order id, client id, symbol, deadline,
			result (canceled, settled, failed), the order's status and the error. Exit 0
			when every one succeeded (or there was nothing to do), 8 when some failed.
			--profile takes a comma-separated list of accounts.

			Run it from cron every minute: an order is canceled only as punctually as
			that, up to a minute (plus the run) after its deadline, and not at all while
			the machine is off. When that is not good enough, keep a process running
			instead: order create --wait --wait-timeout D --cancel-on-timeout, or
			tradectl deadman.
		`),
		Example: heredoc.Doc(`
			# cancel the orders whose deadline has passed on the selected profile
			$ tradectl order expire

			# crontab line: every minute, on two accounts, a JSON line per order acted on
			# * * * * * tradectl order expire --profile binance,alpaca -o ndjson >> ~/expire.log 2>&1
			$ tradectl order expire --profile paper,rehearsal -o json
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Profiles = f.ProfileList(cmd)
			if runF != nil {
				return runF(opts)
			}
			return expireRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func expireRun(ctx context.Context, o *ExpireOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	j, err := o.Journal()
	if err != nil {
		return err
	}
	profiles := o.Profiles
	if len(profiles) == 0 {
		profiles = []string{""} // the selected profile
	}
	var (
		rows        []Row
		failed      int
		unreachable int // profiles that could not be opened: no rows
		lastErr     error
	)
	for _, name := range profiles {
		got, err := o.expireProfile(ctx, j, name)
		if err != nil {
			if ctx.Err() != nil || len(profiles) == 1 {
				return err
			}
			// One account that cannot be reached does not keep the
			// others' orders working.
			fmt.Fprintf(o.IO.ErrOut, "profile %s: %v\n", name, err)
			failed++
			unreachable++
			lastErr = err
		}
		for _, r := range got {
			if r.Result == ResultFailed {
				failed++
				lastErr = errors.New(r.Error)
			}
		}
		rows = append(rows, got...)
	}
	if rows == nil {
		rows = []Row{}
	}
	if err := printer.Print(rows, func() *render.TableData { return table(rows) }); err != nil {
		return err
	}
	if failed == 0 {
		return nil
	}
	for _, r := range rows {
		if r.Result == ResultFailed {
			fmt.Fprintf(o.IO.ErrOut, "expire order %s (%s): %s\n", r.OrderID, r.Profile, r.Error)
		}
	}
	return &cmdutil.SilentError{Err: errors.Join(&cmdutil.PartialError{Failed: failed, Total: len(rows) + unreachable}, lastErr)}
}

// expireProfile acts on one profile's deadlines that have passed.
func (o *ExpireOptions) expireProfile(ctx context.Context, j *journal.Journal, name string) ([]Row, error) {
	ex, prof, err := o.OpenExchange(ctx, name)
	if err != nil {
		return nil, err
	}
	defer ex.Close()
	// Orders an earlier process left pending are settled first, so a
	// deadline whose placement was ambiguous finds its order.
	o.Reconcile(ctx, ex, prof.Name)
	due, err := j.DueExpiries(ctx, prof.Name, o.Now())
	if err != nil {
		return nil, err
	}
	var rows []Row
	for _, e := range due {
		row, ok := o.expireOne(ctx, j, ex, prof.Name, e)
		if ok {
			rows = append(rows, row)
		}
		if ctx.Err() != nil {
			return rows, ctx.Err()
		}
	}
	return rows, nil
}

// expireOne settles one deadline; ok is false when nothing was done for
// it (its placement is unsettled, or it never reached the venue).
func (o *ExpireOptions) expireOne(ctx context.Context, j *journal.Journal, ex exchange.Exchange, profile string, e journal.Expiry) (Row, bool) {
	in := e.Intent
	// Records are written even after Ctrl-C: a cancel that was sent must
	// not be sent again.
	jctx := context.WithoutCancel(ctx)
	switch in.Status {
	case journal.Pending:
		fmt.Fprintf(o.IO.ErrOut, "order with client id %s is still unsettled (its placement's outcome is unknown); its deadline is left for a later run\n", in.ClientID)
		return Row{}, false
	case journal.Failed, journal.NotPlaced:
		// Never placed: nothing to cancel, now or later.
		o.record(jctx, j, in, journal.ExpirySettled, string(in.Status), "the order was never placed")
		return Row{}, false
	}
	row := Row{Profile: profile, ClientID: in.ClientID, Symbol: in.Request.Symbol.String(), Deadline: trade.JSONTime(e.Deadline)}
	ref := exchange.OrderRef{ClientID: in.ClientID, Symbol: in.Request.Symbol}
	if in.Order != nil {
		ref.ID, row.OrderID = in.Order.ID, in.Order.ID
	}
	fail := func(err error) (Row, bool) {
		row.Result, row.Error = ResultFailed, err.Error()
		o.record(jctx, j, in, journal.ExpiryArmed, ResultFailed, err.Error())
		return row, true
	}
	now, err := ex.GetOrder(ctx, ref)
	if err != nil {
		return fail(fmt.Errorf("look up order %s: %w", ref, err))
	}
	if now.Status.Terminal() {
		row.Result, row.Status = ResultSettled, string(now.Status)
		o.record(jctx, j, in, journal.ExpirySettled, ResultSettled, "order "+now.ID+" was already "+string(now.Status)+"; nothing sent")
		return row, true
	}
	canceled, err := ex.CancelOrder(ctx, ref)
	if err != nil {
		// It may have ended between the look-up and the cancel.
		if after, gerr := ex.GetOrder(ctx, ref); gerr == nil && after.Status.Terminal() {
			row.Result, row.Status = ResultSettled, string(after.Status)
			o.record(jctx, j, in, journal.ExpirySettled, ResultSettled, "order "+after.ID+" ended "+string(after.Status)+" before the cancel")
			return row, true
		}
		row.Status = string(now.Status)
		return fail(fmt.Errorf("cancel order %s: %w", ref, err))
	}
	row.Result, row.Status = ResultCanceled, string(trade.StatusCanceled)
	if canceled.Status != "" {
		row.Status = string(canceled.Status)
	}
	o.record(jctx, j, in, journal.ExpiryCanceled, ResultCanceled, "order "+ref.String()+" canceled at its client-side deadline "+trade.FormatTime(e.Deadline))
	if err := j.RecordOrder(jctx, profile, canceled); err != nil && canceled.ID != "" {
		// What filled before the cancel counts towards daily limits; the
		// cancel itself is already recorded.
		fmt.Fprintf(o.IO.ErrOut, "warning: the journal could not record order %s's fills: %v\n", canceled.ID, err)
	}
	return row, true
}

// record writes a deadline's outcome; failing to write it is said, not
// fatal: the order's state at the venue is what the next run reads.
func (o *ExpireOptions) record(ctx context.Context, j *journal.Journal, in journal.Intent, state journal.ExpiryState, result, msg string) {
	if err := j.RecordExpiry(ctx, in.ID, state, result, msg); err != nil {
		fmt.Fprintf(o.IO.ErrOut, "warning: the journal could not record the deadline of client id %s: %v\n", in.ClientID, err)
	}
}

func table(rows []Row) *render.TableData {
	t := &render.TableData{Columns: []render.Column{{Header: "profile"}, {Header: "order"}, {Header: "symbol"}, {Header: "deadline"},
		{Header: "result"}, {Header: "status"}, {Header: "error", Shrink: true}}}
	t.Empty = "no client-side deadline has passed"
	for _, r := range rows {
		style := render.Plain
		switch r.Result {
		case ResultFailed:
			style = render.Warn
		case ResultSettled:
			style = render.Muted
		}
		t.AddRow(render.T(r.Profile), render.T(r.OrderID), render.T(r.Symbol), render.At(time.Time(r.Deadline)),
			render.S(r.Result, style), render.T(r.Status), render.T(r.Error))
	}
	return t
}
