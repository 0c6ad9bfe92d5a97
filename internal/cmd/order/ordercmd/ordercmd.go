// Package ordercmd holds the plumbing the order commands share: reading
// the order a command names from its arguments, bounding a command by
// --timeout, opening the exchange with the profile's safety settings, and
// finding one order once the journal's pending work is settled. Each
// command keeps only what is its own.
package ordercmd

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/orderref"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// ParseRef reads the order a command names: an ID argument or --client-id
// (exactly one), and the --symbol some venues need to find it. Every
// refusal is a usage error, so the command exits 2 before any request.
func ParseRef(args []string, clientID, symbol string) (exchange.OrderRef, error) {
	ref := exchange.OrderRef{ClientID: clientID}
	if len(args) == 1 {
		ref.ID = args[0]
	}
	if (ref.ID == "") == (ref.ClientID == "") {
		return ref, cmdutil.Usagef("give exactly one of an order ID or --client-id")
	}
	if err := trade.ValidateClientID(ref.ClientID); err != nil {
		return ref, cmdutil.Usagef("--client-id: %v", err)
	}
	if symbol != "" {
		s, err := trade.ParseSymbol(symbol)
		if err != nil {
			return ref, cmdutil.Usagef("--symbol: %v", err)
		}
		ref.Symbol = s
	}
	return ref, nil
}

// RefFlags name the one order a command works on, with the ID argument:
// --client-id and --symbol as the command line gave them.
type RefFlags struct {
	ClientID, Symbol string
}

// Register makes cmd take at most one order ID (completed from the
// orders tradectl knows) and adds --client-id, described by clientIDHelp,
// and --symbol, with their completions.
func (r *RefFlags) Register(cmd *cobra.Command, src completion.Source, clientIDHelp string) {
	cmd.Args = cobra.MaximumNArgs(1)
	cmd.ValidArgsFunction = completion.OrderIDs(src, 1)
	cmd.Flags().StringVar(&r.ClientID, "client-id", "", clientIDHelp)
	cmd.Flags().StringVar(&r.Symbol, "symbol", "", "the order's symbol, for venues that need it")
	_ = cmd.RegisterFlagCompletionFunc("symbol", completion.SymbolFlag(src))
	_ = cmd.RegisterFlagCompletionFunc("client-id", cobra.NoFileCompletions)
}

// Ref reads the order args and the flags name; see ParseRef.
func (r *RefFlags) Ref(args []string) (exchange.OrderRef, error) {
	return ParseRef(args, r.ClientID, r.Symbol)
}

// WithTimeout bounds ctx by d; 0 means no bound, as --timeout 0 promises.
func WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// Deps are the factory's builders a changing command opens its session
// with.
type Deps struct {
	Printer      func() (*render.Printer, error)
	Config       func() (*config.Config, error)
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
}

// Session is what a command that changes orders works with once it has
// opened the default profile's exchange. The caller closes Exchange.
type Session struct {
	Printer  *render.Printer
	Config   *config.Config
	Exchange exchange.Exchange
	Profile  config.Profile
	Safety   config.Safety
}

// Open builds the printer and config, bounds parent by --timeout, and opens
// the exchange with the profile's safety settings, in that order, so a bad
// --output or config fails before any connection. The returned context
// carries the deadline; cancel is always non-nil and the caller defers it.
func Open(parent context.Context, d Deps) (context.Context, context.CancelFunc, Session, error) {
	var s Session
	var err error
	noop := func() {}
	if s.Printer, err = d.Printer(); err != nil {
		return parent, noop, s, err
	}
	if s.Config, err = d.Config(); err != nil {
		return parent, noop, s, err
	}
	ctx, cancel := WithTimeout(parent, s.Config.Timeout)
	if s.Exchange, s.Profile, err = d.OpenExchange(ctx, ""); err != nil {
		return ctx, cancel, s, err
	}
	if s.Safety, err = s.Config.Safety(s.Profile.Name); err != nil {
		s.Exchange.Close()
		return ctx, cancel, s, err
	}
	return ctx, cancel, s, nil
}

// GetSettled settles the orders an earlier process left pending (so what
// the command shows is the venue's current truth), completes ref with the
// symbol the journal knows, and looks the order up. Without a symbol the
// venue may still search its open orders; errors are worded "get order …".
func GetSettled(ctx context.Context, ex exchange.Exchange, profile string, ref exchange.OrderRef,
	known orderref.SymbolSource, reconcile func(context.Context, exchange.Exchange, string)) (trade.Order, error) {
	reconcile(ctx, ex, profile)
	completed, _ := orderref.Complete(ctx, ex, profile, ref, known)
	order, err := ex.GetOrder(ctx, completed)
	if err != nil {
		return order, cmdutil.WrapOp("get order "+ref.String(), err)
	}
	return order, nil
}
