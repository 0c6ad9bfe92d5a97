package kraken

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// Expires implements exchange.Expirer: AddOrder takes timeinforce=GTD with
// expiretm on the orders the adapter sends a time in force with (limit and
// stop-loss-limit). A stop-loss is a market order once triggered and is
// sent without one, so it takes no expiry here.
func (e *Exchange) Expires(typ trade.OrderType) bool { return takesExpiry(typ) }

func takesExpiry(typ trade.OrderType) bool { return typ == trade.Limit || typ == trade.StopLimit }

var _ exchange.Expirer = (*Exchange)(nil)

// expiryWire sets w's GTD time in force and expiry for a request with an
// expiry. The expiry goes out as an absolute unix time, never Kraken's
// relative "+<seconds>": an order sent again under the same client id
// after an unknown outcome must keep the deadline the trader was shown.
func expiryWire(req trade.OrderRequest, w *wireOrder) error {
	t, ok := req.Expiry()
	if !ok {
		return nil
	}
	if !takesExpiry(req.Type) {
		return invalidf("kraken takes an expiry time (timeinforce=GTD) only on limit and stop-limit orders, not on %s orders", req.Type)
	}
	if req.EffectiveTIF() != trade.GTC {
		return invalidf("an expiry time is kraken's time in force GTD: it cannot be combined with %s", req.EffectiveTIF())
	}
	w.TimeInForce = "GTD"
	w.ExpireTm = strconv.FormatInt(t.Unix(), 10)
	return nil
}

// expiryOf reads an order's expiretm: 0 (or absent) is no expiry.
func expiryOf(n json.Number) (*time.Time, error) {
	t, err := unixTime(n)
	if err != nil || t.IsZero() {
		return nil, err
	}
	return &t, nil
}
