package venueorder

import (
	"slices"

	"github.com/tradectl/tradectl/internal/trade"
)

// CheckQuoteSized refuses, as the venue's ErrInvalidOrder, a quote-sized
// request (trade.OrderRequest.QuoteQty) on a side the venue does not take
// one on natively; sides lists the sides it does (none: neither). Callers
// learn this from exchange.QuoteSizer first; this is the adapter's own
// guard, so such a request is never sent sized some other way.
func CheckQuoteSized(venue string, req trade.OrderRequest, sides ...trade.Side) error {
	if !req.QuoteSized() || slices.Contains(sides, req.Side) {
		return nil
	}
	if len(sides) == 0 {
		return Refusef(venue, "%s takes no quote-sized orders: give the quantity in the base asset", venue)
	}
	return Refusef(venue, "%s takes no quote-sized %s orders: give the quantity in the base asset", venue, req.Side)
}
