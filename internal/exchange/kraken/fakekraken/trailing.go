package fakekraken

import (
	"regexp"

	"github.com/shopspring/decimal"
)

// trailParam is a trailing stop's price as AddOrder takes it: a relative
// offset with a + prefix, in the quote currency or with a % suffix
// ("trailing-stop … price must use the + prefix"; Kraken REST AddOrder,
// price).
var trailParam = regexp.MustCompile(`^\+([0-9]{1,20}(\.[0-9]{1,20})?)(%?)$`)

// parseTrail reads a trailing stop's price; a missing or absolute one is
// refused as Kraken refuses it.
func (o *order) parseTrail(raw string) string {
	m := trailParam.FindStringSubmatch(raw)
	if m == nil || !decimal.RequireFromString(m[1]).IsPositive() {
		return invalidArgs("price")
	}
	o.trail = raw
	return ""
}
