// Package cancel implements `tradectl order cancel`.
package cancel

import (
	"context"
	"errors"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/orderref"
	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/confirm"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// CancelOptions is a parsed `order cancel`.
type CancelOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Reconcile    func(ctx context.Context, ex exchange.Exchange, profile string)
	Printer      func() (*render.Printer, error)
	// KnownSymbol finds the symbol of an order placed from this machine
	// by its client id, for venues that cancel only within a symbol.
	KnownSymbol orderref.SymbolSource
	// Yes is the global --yes, read when the command runs.
	Yes      func() bool
	IDs      []string
	ClientID string
	All      bool
	Symbol   trade.Symbol
}

// NewCmdCancel builds the command; runF replaces the run step in tests.
func NewCmdCancel(f *cmdutil.Factory, runF func(*CancelOptions) error) *cobra.Command {
	opts := &CancelOptions{
		IO:           f.IOStreams,
		OpenExchange: f.OpenExchange,
		Reconcile:    f.Reconcile,
		Printer:      f.Printer,
		KnownSymbol:  orderref.FromJournal(f),
		Yes:          func() bool { return f.Globals.Yes },
	}
	var symbol string
	cmd := &cobra.Command{
		Use:   "cancel {ID... | --client-id ID | --all [--symbol S]}",
		Short: "Cancel orders by id, by client id, or all of them",
		Long: heredoc.Doc(`
			Cancel one or more working orders by id, one by client id, or every working
			order (--all), optionally only those of one symbol.

			With several ids every one is tried; when some fail the others are still
			canceled, the failures are reported and the exit code is 8 (partial). A
			single id that does not exist exits 3.

			Binance cancels an order only within its symbol: an id as tradectl prints
			it (BTCUSDT:28) carries it, and an order placed from this machine is found
			by its client id with the symbol the journal recorded. Otherwise give
			--symbol; without it the command exits 2 before sending anything.
		`),
		Example: heredoc.Doc(`
			$ tradectl order cancel 2

			# several at once: one that cannot be canceled is reported, the others are (exit 8)
			$ tradectl order cancel 3 99

			$ tradectl order cancel --client-id nightly-1
			$ tradectl order cancel --all --symbol BTC-USD
		`),
		ValidArgsFunction: completion.OrderIDs(f.CompletionSource(), 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = args
			given := 0
			for _, b := range []bool{len(args) > 0, opts.ClientID != "", opts.All} {
				if b {
					given++
				}
			}
			if given != 1 {
				return cmdutil.Usagef("give order IDs, --client-id, or --all (exactly one of them)")
			}
			if symbol != "" {
				s, err := trade.ParseSymbol(symbol)
				if err != nil {
					return cmdutil.Usagef("--symbol: %v", err)
				}
				opts.Symbol = s
			}
			if err := trade.ValidateClientID(opts.ClientID); err != nil {
				return cmdutil.Usagef("--client-id: %v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return cancelRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.ClientID, "client-id", "", "cancel the order with this client id")
	cmd.Flags().BoolVar(&opts.All, "all", false, "cancel every working order")
	cmd.Flags().StringVar(&symbol, "symbol", "", "with --all: only this symbol; with ids or --client-id: the order's symbol, for venues that need it")
	_ = cmd.RegisterFlagCompletionFunc("symbol", completion.SymbolFlag(f.CompletionSource()))
	_ = cmd.RegisterFlagCompletionFunc("client-id", cobra.NoFileCompletions)
	return cmd
}

// Failure is one id that could not be canceled, as JSON reports it.
type Failure struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

func cancelRun(ctx context.Context, o *CancelOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	ex, prof, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	if o.All && !exchange.IsSimulated(ex) && !o.Yes() {
		// Canceling every live order is not undone by running another
		// command: a person agrees first, and a script says so with --yes.
		// Asked before any request, so a refusal costs nothing.
		if err := confirmCancelAll(o.IO, prof.Name, ex.Name(), o.Symbol); err != nil {
			return err
		}
	}
	var refs []exchange.OrderRef
	if !o.All {
		// Every reference gets the symbol its venue needs before anything
		// is sent: searching the open orders for it would cost a request
		// per order, and a bare id has nothing to search by.
		if refs, err = o.completeRefs(ctx, ex, prof.Name); err != nil {
			return err
		}
	}
	// Orders an earlier process left pending are settled first, so what
	// this command shows or cancels is the venue's current truth.
	o.Reconcile(ctx, ex, prof.Name)

	if o.All {
		canceled, err := ex.CancelAll(ctx, o.Symbol)
		if err != nil {
			return cmdutil.WrapOp("cancel all", err)
		}
		return printer.Print(canceled, func() *render.TableData {
			t := orderview.TableWith(canceled, orderview.CachedPrecisionOf(ctx, ex))
			t.Empty = "no working orders to cancel"
			return t
		})
	}
	var (
		canceled []trade.Order
		failures []Failure
		lastErr  error
	)
	for _, ref := range refs {
		order, err := ex.CancelOrder(ctx, ref)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			lastErr = cmdutil.WrapOp("cancel order "+ref.String(), err)
			failures = append(failures, Failure{ID: ref.String(), Error: err.Error()})
			continue
		}
		canceled = append(canceled, order)
	}
	if len(refs) == 1 && lastErr != nil {
		return lastErr
	}
	table := func() *render.TableData { return orderview.TableWith(canceled, orderview.CachedPrecisionOf(ctx, ex)) }
	if err := printer.Print(canceled, table); err != nil {
		return err
	}
	if len(failures) == 0 {
		return nil
	}
	for _, f := range failures {
		fmt.Fprintf(o.IO.ErrOut, "cancel %s: %s\n", f.ID, f.Error)
	}
	return &cmdutil.SilentError{Err: errors.Join(&cmdutil.PartialError{Failed: len(failures), Total: len(refs)}, lastErr)}
}

// completeRefs names the orders to cancel, each with the symbol its venue
// needs; one the venue cannot find without a symbol that neither --symbol
// nor the journal gives is a usage error, before any request.
func (o *CancelOptions) completeRefs(ctx context.Context, ex exchange.Exchange, profile string) ([]exchange.OrderRef, error) {
	refs := make([]exchange.OrderRef, 0, len(o.IDs)+1)
	for _, id := range o.IDs {
		refs = append(refs, exchange.OrderRef{ID: id, Symbol: o.Symbol})
	}
	if o.ClientID != "" {
		refs = append(refs, exchange.OrderRef{ClientID: o.ClientID, Symbol: o.Symbol})
	}
	for i, ref := range refs {
		var missing bool
		if refs[i], missing = orderref.Complete(ctx, ex, profile, ref, o.KnownSymbol); !missing {
			continue
		}
		if ref.ClientID != "" {
			return nil, cmdutil.Usagef("%s finds an order by client id only with its symbol, and no order with client id %s was placed from this machine on profile %q: pass --symbol", ex.Name(), ref.ClientID, profile)
		}
		return nil, cmdutil.Usagef("%s finds order %s only with its symbol: pass --symbol, or give the id as tradectl prints it (<SYMBOL>:%s)", ex.Name(), ref.ID, ref.ID)
	}
	return refs, nil
}

// confirmCancelAll asks on a terminal before --all cancels live orders;
// without one it refuses (exit 2) and says how to allow it.
func confirmCancelAll(ios *iostreams.IOStreams, profile, venue string, symbol trade.Symbol) error {
	what := "every working order"
	if !symbol.IsZero() {
		what = "every working " + symbol.String() + " order"
	}
	if !ios.CanPrompt() {
		return cmdutil.Usagef("profile %q trades on %s: canceling %s needs confirmation and there is no terminal to ask on; pass --yes", profile, venue, what)
	}
	ok, err := ios.Confirm(fmt.Sprintf("Cancel %s on live profile %q (%s)?", what, profile, venue))
	if err != nil {
		return fmt.Errorf("cancel all: no answer to the confirmation (%v); nothing was canceled: %w", err, confirm.ErrDeclined)
	}
	if !ok {
		return fmt.Errorf("cancel all: %w; nothing was canceled", confirm.ErrDeclined)
	}
	return nil
}
