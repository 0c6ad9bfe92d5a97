// Package watch implements `tradectl order watch` and the --wait of
// `order create`: follow an order until it is filled, canceled, rejected or
// expired, and say how it ended in the exit code.
package watch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// WatchOptions is a parsed `order watch`.
type WatchOptions struct {
	Factory  *cmdutil.Factory
	Ref      exchange.OrderRef
	Interval time.Duration
}

// MinInterval keeps order polling far inside every venue's rate limits.
const MinInterval = 250 * time.Millisecond

// NewCmdWatch builds the command; runF replaces the run step in tests.
func NewCmdWatch(f *cmdutil.Factory, runF func(*WatchOptions) error) *cobra.Command {
	opts := &WatchOptions{Factory: f}
	var symbol string
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
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completion.OrderIDs(f, 1),
		Annotations:       map[string]string{"tradectl/long-running": "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Ref.ID = args[0]
			}
			if (opts.Ref.ID == "") == (opts.Ref.ClientID == "") {
				return cmdutil.Usagef("give exactly one of an order ID or --client-id")
			}
			if err := trade.ValidateClientID(opts.Ref.ClientID); err != nil {
				return cmdutil.Usagef("--client-id: %v", err)
			}
			if symbol != "" {
				s, err := trade.ParseSymbol(symbol)
				if err != nil {
					return cmdutil.Usagef("--symbol: %v", err)
				}
				opts.Ref.Symbol = s
			}
			if opts.Interval < MinInterval {
				return cmdutil.Usagef("--interval must be at least %s", MinInterval)
			}
			if runF != nil {
				return runF(opts)
			}
			return watchRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Ref.ClientID, "client-id", "", "find the order by its client id")
	cmd.Flags().StringVar(&symbol, "symbol", "", "the order's symbol, for venues that need it")
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "how often to check the order")
	_ = cmd.RegisterFlagCompletionFunc("symbol", completion.SymbolFlag(f))
	_ = cmd.RegisterFlagCompletionFunc("client-id", cobra.NoFileCompletions)
	return cmd
}

func watchRun(ctx context.Context, o *WatchOptions) error {
	printer, err := o.Factory.Printer()
	if err != nil {
		return err
	}
	ex, _, err := o.Factory.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	order, err := ex.GetOrder(ctx, o.Ref)
	if err != nil {
		return cmdutil.WrapOp("get order "+o.Ref.String(), err)
	}
	order, err = Follow(ctx, ex, order, o.Interval, o.Factory.IOStreams)
	if perr := printer.Print(order, func() *render.TableData { return orderview.Detail(order) }); perr != nil {
		return perr
	}
	return err
}

// Follow polls order until it is terminal or ctx ends, with a spinner on
// a terminal's stderr. It returns the order as last seen and an error
// that carries the outcome's exit code: nil when filled, ErrRefused when
// rejected, ErrNotFilled when canceled or expired, ErrConditionTimeout
// when ctx's deadline passed first.
func Follow(ctx context.Context, ex exchange.Exchange, order trade.Order, interval time.Duration, ios *iostreams.IOStreams) (trade.Order, error) {
	sp := ios.StartSpinner(progress(order))
	defer sp.Stop()
	ref := exchange.OrderRef{ID: order.ID, Symbol: order.Symbol}
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for !order.Status.Terminal() {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return order, fmt.Errorf("order %s is still %s: %w", order.ID, order.Status, cmdutil.ErrConditionTimeout)
			}
			return order, ctx.Err()
		case <-timer.C:
		}
		next, err := ex.GetOrder(ctx, ref)
		switch {
		case err == nil:
			order = next
			sp.SetLabel(progress(order))
		case ctx.Err() != nil:
			continue // the select above reports why
		case !exchange.Retryable(err):
			return order, fmt.Errorf("follow order %s: %w", order.ID, err)
		}
		timer.Reset(interval)
	}
	return order, Outcome(order)
}

// Outcome maps a finished order to the error that carries its exit code.
func Outcome(o trade.Order) error {
	switch o.Status {
	case trade.StatusFilled:
		return nil
	case trade.StatusRejected:
		reason := o.RejectReason
		if reason == "" {
			reason = "no reason given"
		}
		return fmt.Errorf("order %s was rejected (%s): %w", o.ID, reason, cmdutil.ErrRefused)
	default:
		return fmt.Errorf("order %s ended %s with %s of %s filled: %w", o.ID, o.Status, o.FilledQty, o.Qty, cmdutil.ErrNotFilled)
	}
}

func progress(o trade.Order) string {
	return fmt.Sprintf("order %s %s %s %s: %s, filled %s of %s", o.ID, o.Side, o.Qty, o.Symbol, o.Status, o.FilledQty, o.Qty)
}
