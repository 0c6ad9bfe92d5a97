package create

import (
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/trade"
)

// exitFlags are --take-profit, --stop-loss, --stop-loss-limit and --oco:
// linked exits on an entry (a bracket), or an OCO pair of exits alone.
type exitFlags struct {
	takeProfit, stopLoss, stopLossLimit string
	oco                                 bool
}

// addExitFlags registers the linked-exit flags on fl.
func addExitFlags(fl *pflag.FlagSet) *exitFlags {
	x := &exitFlags{}
	fl.StringVar(&x.takeProfit, "take-profit", "", "linked take-profit: the limit price of an exit that rests once the entry fills (with --oco: of the OCO's limit leg; alone: a single exit, kraken)")
	fl.StringVar(&x.stopLoss, "stop-loss", "", "linked stop-loss: the trigger price of an exit resting with the take-profit; one filling cancels the other (alone: a single exit, kraken)")
	fl.StringVar(&x.stopLossLimit, "stop-loss-limit", "", "with --stop-loss: make the stop-loss a stop-limit at this price (default: a stop market order; not on coinbase, which sets its own)")
	fl.BoolVar(&x.oco, "oco", false, "place a pair of exits with no entry: a --take-profit limit and a --stop-loss, one cancels the other")
	return x
}

// apply puts the exits into r. An OCO's take-profit is its limit price:
// the request is that leg, so --price and --stop-price do not apply.
func (x *exitFlags) apply(r *trade.OrderRequest, cmd *cobra.Command) error {
	changed := cmd.Flags().Changed
	if !changed("take-profit") && !changed("stop-loss") && !changed("stop-loss-limit") && !x.oco {
		return nil
	}
	if x.oco && (!changed("stop-loss") || !changed("take-profit")) {
		return cmdutil.Usagef("--oco needs --take-profit and --stop-loss: an OCO is a take-profit and stop-loss pair")
	}
	if changed("stop-loss-limit") && !changed("stop-loss") {
		return cmdutil.Usagef("--stop-loss-limit needs --stop-loss: it is the limit of the stop-loss that --stop-loss triggers")
	}
	// --take-profit or --stop-loss alone on an entry is a single exit,
	// which only venues with a conditional close attach (kraken); the
	// plan refuses it elsewhere before anything is sent.
	exits := &trade.Exits{OCO: x.oco}
	for _, f := range []struct {
		name, raw string
		dst       *decimal.NullDecimal
	}{{"take-profit", x.takeProfit, &exits.TakeProfit}, {"stop-loss", x.stopLoss, &exits.StopLoss}, {"stop-loss-limit", x.stopLossLimit, &exits.StopLossLimit}} {
		if !changed(f.name) {
			continue
		}
		d, err := trade.ParseDecimal(f.raw)
		if err != nil {
			return cmdutil.Usagef("--%s: %v", f.name, err)
		}
		*f.dst = decimal.NewNullDecimal(d)
	}
	if x.oco {
		if changed("price") || changed("stop-price") {
			return cmdutil.Usagef("--oco takes its prices from --take-profit and --stop-loss, not --price or --stop-price")
		}
		if changed("type") && r.Type != trade.Limit {
			return cmdutil.Usagef("--oco: the take-profit leg is a limit order; leave out --type")
		}
		r.Price, exits.TakeProfit = exits.TakeProfit, decimal.NullDecimal{}
	}
	r.Exits = exits
	return nil
}

// linkedVenues names the venues that place brackets and OCO pairs, for the
// refusal on the others. The venues themselves say so (exchange.Bracketer,
// exchange.OCOPlacer); this sentence follows the README's venue table.
const linkedVenues = "brackets (--take-profit with --stop-loss on an entry) are placed natively by paper, binance (limit entries only), alpaca (stocks) " +
	"and coinbase (no --stop-loss-limit); " +
	"a single exit (--take-profit or --stop-loss alone on an entry) by kraken; " +
	"--oco pairs by paper, binance, alpaca (stocks) and coinbase (no --stop-loss-limit)"
