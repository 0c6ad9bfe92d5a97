package venueorder

import "github.com/tradectl/tradectl/internal/trade"

// CheckTrailing refuses, as the venue's ErrInvalidOrder, a trailing stop
// whose trail is in a unit the venue does not take natively (pct, amount:
// the units it does; both false: it takes no trailing stops). Callers learn
// this from exchange.Trailer first; this is the adapter's own guard, so
// such a request is never sent as some other order type.
func CheckTrailing(venue string, req trade.OrderRequest, pct, amount bool) error {
	switch {
	case !req.Trailing():
		return nil
	case !pct && !amount:
		return Refusef(venue, "%s takes no trailing-stop orders", venue)
	case req.TrailPct.Valid && !pct:
		return Refusef(venue, "%s takes a trailing stop's trail as an amount only: give trail_amount", venue)
	case req.TrailAmount.Valid && !amount:
		return Refusef(venue, "%s takes a trailing stop's trail as a percentage only: give trail_pct", venue)
	}
	return nil
}
