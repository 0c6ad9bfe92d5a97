package create

import (
	"errors"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/orderplan"
	"github.com/tradectl/tradectl/internal/trade"
)

// addTrailFlags registers the trailing-stop flags of order create.
func addTrailFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.String("trail-pct", "", "trailing stop: trigger PCT% behind the best price since placement (a sell trails the highest bid, a buy the lowest ask)")
	fl.String("trail-amount", "", "trailing stop: trigger this far, in the quote asset, behind the best price since placement")
	cmd.MarkFlagsMutuallyExclusive("trail-pct", "trail-amount")
}

// parseTrail reads --trail-pct / --trail-amount into r. A trail makes the
// order a trailing stop when --type is not given; with any other --type
// the request's validation refuses it.
func parseTrail(r *trade.OrderRequest, inferType bool, cmd *cobra.Command) error {
	for _, f := range []struct {
		name string
		dst  *decimal.NullDecimal
	}{{"trail-pct", &r.TrailPct}, {"trail-amount", &r.TrailAmount}} {
		if !cmd.Flags().Changed(f.name) {
			continue
		}
		raw, _ := cmd.Flags().GetString(f.name)
		d, err := trade.ParseDecimal(raw)
		if err != nil {
			return cmdutil.Usagef("--%s: %v", f.name, err)
		}
		*f.dst = decimal.NewNullDecimal(d)
		if inferType {
			r.Type = trade.TrailingStop
		}
	}
	return nil
}

// trailVenues names the venues that take trailing stops, for the refusal
// on the others. The venues themselves say so (exchange.Trailer); this
// sentence follows the README's venue-support table.
const trailVenues = "trailing stops are taken by paper (simulated), binance (--trail-pct only), kraken and alpaca (stocks)"

// trailWords words the plan's refusal of a trailing stop in flags.
func trailWords(err error) (error, bool) {
	var te *orderplan.TrailError
	if !errors.As(err, &te) {
		return nil, false
	}
	switch u := te.Units; {
	case !u.Pct && !u.Amount:
		return cmdutil.Usagef("--trail-pct/--trail-amount: %v; %s; nothing was sent", te, trailVenues), true
	case te.Unit == "pct":
		return cmdutil.Usagef("--trail-pct: %v: give --trail-amount; nothing was sent", te), true
	default:
		return cmdutil.Usagef("--trail-amount: %v: give --trail-pct; nothing was sent", te), true
	}
}
