package exchange

import "github.com/tradectl/tradectl/internal/trade"

// Expirer is implemented by venues that end a resting order at a time the
// trader gives (trade.OrderRequest.ExpiresAt, --cancel-after) natively:
// Kraken timeinforce=GTD with expiretm, Coinbase's *_gtd configurations
// with end_time, and the paper exchange. Expires says whether the venue
// takes an expiry on an order of type typ. A venue without the capability
// is never sent one: tradectl does not stand in for the venue by
// canceling the order itself, which would only happen while tradectl runs.
type Expirer interface {
	Expires(typ trade.OrderType) bool
}

// CanExpire reports whether ex takes an expiry on an order of type typ.
func CanExpire(ex Exchange, typ trade.OrderType) bool {
	e, ok := ex.(Expirer)
	return ok && e.Expires(typ)
}
