package trade

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// ParseQtyShare reads a quantity given as a share of a balance: "all" is
// 1, "N%" is N/100 with 0 < N ≤ 100. ok is false (and err nil) for any
// other text, which is then a plain quantity for ParseDecimal.
func ParseQtyShare(s string) (share decimal.Decimal, ok bool, err error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "all") {
		return decimal.NewFromInt(1), true, nil
	}
	pct, found := strings.CutSuffix(t, "%")
	if !found {
		return decimal.Decimal{}, false, nil
	}
	n, err := ParseDecimal(pct)
	if err != nil {
		return decimal.Decimal{}, true, fmt.Errorf("invalid percentage %q: %v", s, err)
	}
	if !n.IsPositive() || n.GreaterThan(decimal.NewFromInt(100)) {
		return decimal.Decimal{}, true, fmt.Errorf("a percentage must be above 0 and at most 100, got %s", t)
	}
	return n.Div(decimal.NewFromInt(100)), true, nil
}

// ShareText writes a share back the way a trader typed it: "all" or "N%".
func ShareText(share decimal.Decimal) string {
	if share.Equal(decimal.NewFromInt(1)) {
		return "all"
	}
	return share.Mul(decimal.NewFromInt(100)).String() + "%"
}
