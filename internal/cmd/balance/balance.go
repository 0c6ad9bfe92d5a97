// Package balance implements `tradectl balance`.
package balance

import (
	"context"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// BalanceOptions is a parsed `balance`.
type BalanceOptions struct {
	// What the command works with, each built on first use.
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Printer      func() (*render.Printer, error)
}

// NewCmdBalance builds the command; runF replaces the run step in tests.
func NewCmdBalance(f *cmdutil.Factory, runF func(*BalanceOptions) error) *cobra.Command {
	opts := &BalanceOptions{
		OpenExchange: f.OpenExchange,
		Printer:      f.Printer,
	}
	return &cobra.Command{
		Use:   "balance",
		Short: "Show the account's balances: free, locked and total",
		Long: heredoc.Doc(`
			Show every asset the selected profile holds: free (available to trade),
			locked (reserved by working orders) and total. Assets with nothing in them
			are left out. For values in one currency, positions and P&L across several
			accounts, see tradectl dashboard.
		`),
		Example: heredoc.Doc(`
			$ tradectl balance
			$ tradectl balance -o json --jq '.[] | select(.asset == "USD") | .free'
		`),
		Args:    cobra.NoArgs,
		GroupID: "account",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return balanceRun(cmd.Context(), opts)
		},
	}
}

func balanceRun(ctx context.Context, o *BalanceOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	ex, _, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	balances, err := ex.Balances(ctx)
	if err != nil {
		return cmdutil.WrapOp("balances", err)
	}
	return printer.Print(balances, func() *render.TableData {
		return Table(balances, orderview.PrecisionOf(ctx, ex))
	})
}

// Table lays out balances, each amount at its asset's precision (see
// render.Precision).
func Table(balances []trade.Balance, prec render.Precision) *render.TableData {
	t := &render.TableData{
		Columns: []render.Column{{Header: "asset"}, {Header: "free", Right: true}, {Header: "locked", Right: true}, {Header: "total", Right: true}},
		Empty:   "no balances",
	}
	for _, b := range balances {
		places := prec.Asset(b.Asset)
		locked := render.Amount(b.Locked, places)
		if b.Locked.IsZero() {
			locked.Style = render.Muted
		}
		t.AddRow(render.S(b.Asset, render.Bold), render.Amount(b.Free, places), locked, render.Amount(b.Total, places))
	}
	return t
}
