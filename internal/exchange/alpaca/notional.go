package alpaca

import (
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// QuoteSized implements exchange.QuoteSizer: Alpaca's notional sizes a
// market order in dollars on either side (see doc.go). Crypto symbols are
// refused per order, in notionalToWire.
func (e *Exchange) QuoteSized(trade.Side) bool { return true }

var _ exchange.QuoteSizer = (*Exchange)(nil)

// notionalToWire maps a quote-sized market order to a notional body:
// market and day only, per the reference; gtc, the default, becomes day,
// which for a market order differs in nothing but the name.
func notionalToWire(req trade.OrderRequest, r assetRule, clientID string, tif trade.TimeInForce) (orderRequestWire, error) {
	switch {
	case r.crypto():
		return orderRequestWire{}, refuse("alpaca takes notional orders as market day orders only, and crypto orders are never day: give %s a quantity", req.Symbol)
	case !r.Fractionable:
		// A dollar amount buys fractional shares.
		return orderRequestWire{}, refuse("%s is not fractionable on alpaca: a notional order needs fractional shares; give a whole quantity", req.Symbol)
	case tif == trade.GTC:
		tif = trade.Day
	case tif != trade.Day:
		return orderRequestWire{}, refuse("alpaca takes notional orders as day orders only, not %s", tif)
	}
	return orderRequestWire{
		Symbol:        r.VenueSymbol,
		Notional:      req.QuoteQty.Decimal.String(),
		Side:          string(req.Side),
		Type:          typeToWire[req.Type],
		TimeInForce:   string(tif),
		ClientOrderID: clientID,
	}, nil
}
