package paper

import (
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// Expires implements exchange.Expirer: any resting order can carry an
// expiry; it ends "expired" at that time, checked whenever the engine runs
// (every command that touches the account), as DAY orders end at their
// cut-off.
func (e *Exchange) Expires(typ trade.OrderType) bool { return typ != trade.Market }

var _ exchange.Expirer = (*Exchange)(nil)

// setExpiry gives o the request's expiry. One already past is refused, as
// Kraken refuses an expiretm in the past, rather than placing an order
// that is expired before it could rest.
func setExpiry(o *orderRow, req trade.OrderRequest, now time.Time) error {
	t, ok := req.Expiry()
	if !ok {
		return nil
	}
	if !t.After(now) {
		return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
			Message: fmt.Sprintf("expires_at %s is not after the paper clock's now (%s)", trade.FormatTime(t), trade.FormatTime(now))}
	}
	o.expiresAt = t.UnixMilli()
	return nil
}

// reportedExpiry is the expiry an order shows: the one the trader gave.
// A DAY order's cut-off is the engine's own bookkeeping, implied by its
// time in force, and is not shown.
func reportedExpiry(o *orderRow) *time.Time {
	if o.expiresAt == 0 || o.tif == trade.Day {
		return nil
	}
	t := msTime(o.expiresAt)
	return &t
}
