package coinbase

import (
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// Expires implements exchange.Expirer: limit and stop-limit orders have a
// good-till-date configuration (limit_limit_gtd, stop_limit_stop_limit_gtd)
// whose end_time is the expiry. Market orders are immediate and Coinbase
// has no stop-market order.
func (e *Exchange) Expires(typ trade.OrderType) bool { return takesExpiry(typ) }

func takesExpiry(typ trade.OrderType) bool { return typ == trade.Limit || typ == trade.StopLimit }

var _ exchange.Expirer = (*Exchange)(nil)

// endTime is the end_time of a good-till-date configuration for req, and
// whether req is one: its own expiry (--cancel-after), or the next 00:00
// UTC for a day order.
func endTime(req trade.OrderRequest, now time.Time) (string, bool) {
	if t, ok := req.Expiry(); ok {
		return t.Format(time.RFC3339), true
	}
	return endOfUTCDay(now).Format(time.RFC3339), req.EffectiveTIF() == trade.Day
}

// readExpiry reads a good-till-date order's end_time. One that ends at
// 00:00 UTC reads as a day order, as tradectl places them; any other end
// is an expiry the trader gave, shown as a gtc order with expires_at.
func readExpiry(o *trade.Order, body *configBody) {
	t, ok := parseTime(body.EndTime)
	if !ok || o.TimeInForce != trade.Day {
		return
	}
	if t.UTC().Equal(t.UTC().Truncate(24 * time.Hour)) {
		return
	}
	t = t.UTC()
	o.TimeInForce, o.ExpiresAt = trade.GTC, &t
}
