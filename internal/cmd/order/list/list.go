// Package list implements `tradectl order list`.
package list

import (
	"context"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// ListOptions is a parsed `order list`.
type ListOptions struct {
	// What the command works with, each built on first use.
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Reconcile    func(ctx context.Context, ex exchange.Exchange, profile string)
	Printer      func() (*render.Printer, error)
	// Yes is the global --yes, read when the command runs.
	Yes    func() bool
	Filter exchange.ListFilter
}

var statusChoices = []string{"open", "filled", "canceled", "rejected", "expired", "all"}

// NewCmdList builds the command; runF replaces the run step in tests.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{
		OpenExchange: f.OpenExchange,
		Reconcile:    f.Reconcile,
		Printer:      f.Printer,
	}
	var status, symbol, since string
	cmd := &cobra.Command{
		Use:   "list [flags]",
		Short: "List orders, working ones unless --status says otherwise",
		Long: heredoc.Doc(`
			List orders, newest first. By default only working orders (open and
			partially filled); --status picks finished ones or all of them.

			--since takes a duration back from now (90m, 2h, 7d) or a time
			(2026-11-27, 2026-11-27T09:30:00Z).
		`),
		Example: heredoc.Doc(`
			$ tradectl order list
			$ tradectl order list --status all --symbol BTC-USD --since 24h
			$ tradectl order list --status filled -o csv > filled.csv
			$ tradectl order list -o json --jq '.[].id'
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch status {
			case "open":
				opts.Filter.Scope = exchange.ListOpen
			case "all":
				opts.Filter.Scope = exchange.ListAll
			case "filled", "canceled", "rejected", "expired":
				opts.Filter.Scope = exchange.ListAll
				opts.Filter.Statuses = []trade.OrderStatus{trade.OrderStatus(status)}
			default:
				return cmdutil.Usagef("--status %q: use one of open, filled, canceled, rejected, expired, all", status)
			}
			if symbol != "" {
				s, err := trade.ParseSymbol(symbol)
				if err != nil {
					return cmdutil.Usagef("--symbol: %v", err)
				}
				opts.Filter.Symbol = s
			}
			t, err := cmdutil.ParseSince(since, f.Now())
			if err != nil {
				return cmdutil.Usagef("%v", err)
			}
			opts.Filter.Since = t
			if opts.Filter.Limit < 0 {
				return cmdutil.Usagef("--limit must be 0 (no limit) or more, got %d", opts.Filter.Limit)
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&status, "status", "open", "open, filled, canceled, rejected, expired or all")
	cmd.Flags().StringVar(&symbol, "symbol", "", "only this symbol")
	cmd.Flags().StringVar(&since, "since", "", "only orders created since this duration ago or time")
	cmd.Flags().IntVarP(&opts.Filter.Limit, "limit", "n", 100, "at most this many orders (0: no limit)")
	_ = cmd.RegisterFlagCompletionFunc("status", completion.Fixed(statusChoices))
	_ = cmd.RegisterFlagCompletionFunc("symbol", completion.SymbolFlag(f.CompletionSource()))
	return cmd
}

func listRun(ctx context.Context, o *ListOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	ex, prof, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	// Orders an earlier process left pending are settled first, so what
	// this command shows or cancels is the venue's current truth.
	o.Reconcile(ctx, ex, prof.Name)
	orders, err := ex.ListOrders(ctx, o.Filter)
	if err != nil {
		return cmdutil.WrapOp("list orders", err)
	}
	orders = o.Filter.Apply(orders)
	return printer.Print(orders, func() *render.TableData {
		return orderview.TableWith(orders, orderview.CachedPrecisionOf(ctx, ex))
	})
}
