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

// SizesQuoteClientSide implements exchange.ClientQuoteSizer: a sell takes
// base_size only (see doc.go), so tradectl sizes a quote-sized sell from
// the bid and sends the base quantity.
func (e *Exchange) SizesQuoteClientSide(side trade.Side) bool { return side == trade.Sell }

var _ exchange.ClientQuoteSizer = (*Exchange)(nil)
