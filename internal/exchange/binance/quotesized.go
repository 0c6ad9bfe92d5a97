package binance

import (
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// QuoteSized implements exchange.QuoteSizer: a Binance MARKET order takes
// quoteOrderQty instead of quantity on either side (see doc.go).
func (e *Exchange) QuoteSized(trade.Side) bool { return true }

var _ exchange.QuoteSizer = (*Exchange)(nil)
