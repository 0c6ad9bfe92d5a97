// Package watch implements `tradectl order watch` and the --wait of
// `order create`: follow an order until it is filled, canceled, rejected or
// expired, and say how it ended in the exit code.
package watch

import (
	"context"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/ordercmd"
	"github.com/tradectl/tradectl/internal/cmd/order/orderref"
	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/orderfollow"
	"github.com/tradectl/tradectl/internal/render"
)

// WatchOptions is a parsed `order watch`.
type WatchOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Reconcile    func(ctx context.Context, ex exchange.Exchange, profile string)
	Printer      func() (*render.Printer, error)
	// Yes is the global --yes, read when the command runs.
	Yes func() bool
	// KnownSymbol gives the symbol of an order placed from this machine,
	// for venues that find an order only with its symbol.
	KnownSymbol orderref.SymbolSource
	Ref         exchange.OrderRef
	Interval    time.Duration
}

// MinInterval keeps order polling far inside every venue's rate limits.
const MinInterval = 250 * time.Millisecond

// NewCmdWatch builds the command; runF replaces the run step in tests.
func NewCmdWatch(f *cmdutil.Factory, runF func(*WatchOptions) error) *cobra.Command {
	opts := &WatchOptions{
		IO:           f.IOStreams,
		OpenExchange: f.OpenExchange,
		Reconcile:    f.Reconcile,
		Printer:      f.Printer,
		KnownSymbol:  orderref.FromJournal(f),
	}
	var refFlags ordercmd.RefFlags
	cmd := &cobra.Command{
		Use:   "watch {ID | --client-id ID}",
		Short: "Follow an order until it is filled, canceled, rejected or expired",
		Long: heredoc.Doc(`
			Follow one order until it finishes, showing its progress (a spinner on a
			terminal's stderr), and print it as it ended. The exit code says how: 0
			filled, 5 rejected, 11 canceled or expired, 10 when --timeout passes while it
			is still working. Without --timeout it waits as long as the order works.

			The order is checked every --interval; on the paper exchange a resting order
			fills when the simulated price crosses its limit.
		`),
		Example: heredoc.Doc(`
			# an order that has already filled ends at once
			$ tradectl order watch 1

			# a resting order, given two seconds to fill (exit 10)
			$ tradectl order watch --client-id nightly-1 --timeout 2s -o json
		`),
		Annotations: map[string]string{"tradectl/long-running": "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := refFlags.Ref(args)
			if err != nil {
				return err
			}
			opts.Ref = ref
			if opts.Interval < MinInterval {
				return cmdutil.Usagef("--interval must be at least %s", MinInterval)
			}
			if runF != nil {
				return runF(opts)
			}
			return watchRun(cmd.Context(), opts)
		},
	}
	refFlags.Register(cmd, f.CompletionSource(), "find the order by its client id")
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "how often to check the order")
	return cmd
}

func watchRun(ctx context.Context, o *WatchOptions) error {
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
	order, err = orderfollow.Follow(ctx, ex, order, o.Interval, o.IO)
	table := func() *render.TableData { return orderview.DetailWith(order, orderview.CachedPrecisionOf(ctx, ex)) }
	if perr := printer.Print(order, table); perr != nil {
		return perr
	}
	return err
}
