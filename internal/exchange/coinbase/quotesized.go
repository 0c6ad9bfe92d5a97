package coinbase

import (
	"slices"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// quoteSizedSides are the sides market_market_ioc.quote_size is documented
// for: buys (see doc.go).
var quoteSizedSides = []trade.Side{trade.Buy}

// QuoteSized implements exchange.QuoteSizer.
func (e *Exchange) QuoteSized(side trade.Side) bool { return slices.Contains(quoteSizedSides, side) }

var _ exchange.QuoteSizer = (*Exchange)(nil)
