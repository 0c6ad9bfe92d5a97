package kraken

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// TrailUnits implements exchange.Trailer: Kraken's trailing-stop takes its
// offset as a quote-currency amount ("+50") or a percentage ("+1.5%") on
// every pair (see doc.go).
func (e *Exchange) TrailUnits(trade.Symbol) exchange.TrailUnits {
	return exchange.TrailUnits{Pct: true, Amount: true}
}

var _ exchange.Trailer = (*Exchange)(nil)

// trailOffset is a trailing stop's AddOrder price: the trail relative to
// the reference price, which Kraken requires with a + prefix, and a %
// suffix for a percentage.
func trailOffset(req trade.OrderRequest) string {
	if req.TrailPct.Valid {
		return "+" + req.TrailPct.Decimal.String() + "%"
	}
	return "+" + req.TrailAmount.Decimal.String()
}

// readTrail reads a trailing stop's descr.price ("+50.0", "+1.5000%") back
// into a percentage or an amount; anything else (an absolute price, "#"
// either-way offsets) is left unset.
func readTrail(price string) (pct, amount decimal.NullDecimal) {
	s, relative := strings.CutPrefix(strings.TrimSpace(price), "+")
	if !relative {
		return pct, amount
	}
	isPct := strings.HasSuffix(s, "%")
	d, err := trade.ParseDecimal(strings.TrimSuffix(s, "%"))
	if err != nil || !d.IsPositive() {
		return pct, amount
	}
	if isPct {
		return decimal.NewNullDecimal(d), amount
	}
	return pct, decimal.NewNullDecimal(d)
}
