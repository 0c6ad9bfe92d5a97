// Package order groups the order verbs.
package order

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/amend"
	"github.com/tradectl/tradectl/internal/cmd/order/cancel"
	"github.com/tradectl/tradectl/internal/cmd/order/create"
	"github.com/tradectl/tradectl/internal/cmd/order/expire"
	"github.com/tradectl/tradectl/internal/cmd/order/get"
	"github.com/tradectl/tradectl/internal/cmd/order/list"
	orderwatch "github.com/tradectl/tradectl/internal/cmd/order/watch"
	"github.com/tradectl/tradectl/internal/cmdutil"
)

// NewCmdOrder builds `tradectl order`.
func NewCmdOrder(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "order <command>",
		Short: "Place, inspect, list, follow and cancel orders",
		Long: heredoc.Doc(`
			Work with orders on the selected profile (--profile; the paper exchange
			unless the configuration says otherwise). Every order is checked against the
			instrument's rules and the profile's safety limits before it is sent, placed
			at most once, and recorded in the journal (see tradectl journal).

			Orders are named by the venue's id (what order create prints) or by your
			client id (--client-id). On the paper exchange ids count up from 1.
		`),
		Example: heredoc.Doc(`
			$ tradectl order create BTC-USD --side buy --qty 0.01
			$ tradectl order list --status all
			$ tradectl order get 1
		`),
		GroupID: "trade",
	}
	cmd.AddCommand(create.NewCmdCreate(f, nil))
	cmd.AddCommand(get.NewCmdGet(f, nil))
	cmd.AddCommand(cancel.NewCmdCancel(f, nil))
	cmd.AddCommand(expire.NewCmdExpire(f, nil))
	cmd.AddCommand(amend.NewCmdAmend(f, nil))
	cmd.AddCommand(list.NewCmdList(f, nil))
	cmd.AddCommand(orderwatch.NewCmdWatch(f, nil))
	return cmd
}
