package orderplan

import (
	"fmt"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// ExpiryError refuses an order with an expiry (--cancel-after) on a venue
// that does not end orders at a given time natively; nothing was sent.
type ExpiryError struct {
	Venue string
	Type  trade.OrderType
}

func (e *ExpiryError) Error() string {
	return fmt.Sprintf("%s does not take an expiry time on %s orders", e.Venue, e.Type)
}

// checkExpiry refuses an expiry the venue cannot keep itself.
func checkExpiry(ex exchange.Exchange, req trade.OrderRequest) error {
	if _, ok := req.Expiry(); ok && !exchange.CanExpire(ex, req.Type) {
		return &ExpiryError{Venue: ex.Name(), Type: req.Type}
	}
	return nil
}
