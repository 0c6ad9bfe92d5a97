// Package get implements `tradectl order get`.
package get

import (
	"context"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/ordercmd"
	"github.com/tradectl/tradectl/internal/cmd/order/orderref"
	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/twap"
)

// GetOptions is a parsed `order get`.
type GetOptions struct {
	// What the command works with, each built on first use.
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Reconcile    func(ctx context.Context, ex exchange.Exchange, profile string)
	Printer      func() (*render.Printer, error)
	// KnownSymbol finds the symbol of an order placed from this machine
	// by its client id, for venues that look orders up within a symbol.
	KnownSymbol orderref.SymbolSource
	// Journal holds sliced orders (order create --slices), shown by
	// their parent id.
	Journal journalOpener

	Ref exchange.OrderRef
}

// NewCmdGet builds the command; runF replaces the run step in tests.
func NewCmdGet(f *cmdutil.Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{
		OpenExchange: f.OpenExchange,
		Reconcile:    f.Reconcile,
		Printer:      f.Printer,
		KnownSymbol:  orderref.FromJournal(f),
		Journal:      f.Journal,
	}
	var refFlags ordercmd.RefFlags
	cmd := &cobra.Command{
		Use:   "get {ID | twap-KEY | --client-id ID}",
		Short: "Show one order, by id or client id",
		Long: heredoc.Doc(`
			Show one order by the venue's id or by your client id: its status, what has
			filled and at what average price, fees, and when it was created and last
			changed. An order that does not exist exits 3.

			Binance finds an order by a bare numeric id only together with its symbol;
			give it with --symbol, or use the id as tradectl prints it (BTCUSDT:28).

			twap-KEY shows a sliced order (order create --slices N --over D
			--idempotency-key KEY) from the journal: its schedule, how many children are
			placed and filled, the filled quantity and average price, the next slice's
			time, and each child as the venue shows it now. -o json prints it as one
			document (parent, slices, over, started_at, placed, filled, filled_qty,
			avg_fill_price, next_slice_at, complete, children[]).
		`),
		Example: heredoc.Doc(`
			$ tradectl order get 1
			$ tradectl order get --client-id nightly-1
			$ tradectl order get 1 -o json --jq .status
			$ tradectl order get twap-dca-2026-01-05 -o json --jq .filled_qty
		`),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && refFlags.ClientID == "" {
				if key, ok := twap.KeyOf(args[0]); ok {
					if runF != nil {
						return runF(opts)
					}
					return parentRun(cmd.Context(), opts, key)
				}
			}
			ref, err := refFlags.Ref(args)
			if err != nil {
				return err
			}
			opts.Ref = ref
			if runF != nil {
				return runF(opts)
			}
			return getRun(cmd.Context(), opts)
		},
	}
	refFlags.Register(cmd, f.CompletionSource(), "find the order by its client id")
	return cmd
}

func getRun(ctx context.Context, o *GetOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	ex, prof, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	order, err := ordercmd.GetSettled(ctx, ex, prof.Name, o.Ref, o.KnownSymbol, o.Reconcile)
	if err != nil {
		return err
	}
	return printer.Print(order, func() *render.TableData {
		return orderview.DetailWith(order, orderview.CachedPrecisionOf(ctx, ex))
	})
}
