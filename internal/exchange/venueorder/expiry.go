package venueorder

import "github.com/tradectl/tradectl/internal/trade"

// CheckExpiry refuses, as the venue's ErrInvalidOrder, a request with an
// expiry (trade.OrderRequest.ExpiresAt) that the venue cannot keep
// natively: takes says whether it does on this request's type. Callers
// learn this from exchange.Expirer first; this is the adapter's own guard,
// so an expiry is never dropped on the way and the order left resting
// until canceled.
func CheckExpiry(venue string, req trade.OrderRequest, takes bool) error {
	if _, ok := req.Expiry(); !ok || takes {
		return nil
	}
	return Refusef(venue, "%s takes no expiry time on %s orders: place it without an expiry and cancel it yourself", venue, req.Type)
}
