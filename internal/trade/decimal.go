package trade

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// maxDecimalLen bounds what a user or a venue may hand us as one number.
const maxDecimalLen = 64

// ParseDecimal parses a plain decimal number such as "42", "0.001" or "-1.5".
// Unlike decimal.NewFromString it refuses exponents, thousands separators,
// hex, NaN and Inf, so "1e3" typed by mistake is an error rather than 1000.
func ParseDecimal(s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return decimal.Decimal{}, fmt.Errorf("empty number")
	}
	if len(t) > maxDecimalLen {
		return decimal.Decimal{}, fmt.Errorf("number %q is too long", truncate(t, 20))
	}
	body := t
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	digits, dots := 0, 0
	for _, r := range body {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			dots++
		default:
			return decimal.Decimal{}, fmt.Errorf("invalid number %q: unexpected %q", s, r)
		}
	}
	if digits == 0 || dots > 1 {
		return decimal.Decimal{}, fmt.Errorf("invalid number %q", s)
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("invalid number %q: %v", s, err)
	}
	return d, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Dec parses s and panics on error; for tests and tables of constants.
func Dec(s string) decimal.Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// OptDec parses s into a set NullDecimal, or an unset one when s is empty.
func OptDec(s string) decimal.NullDecimal {
	if s == "" {
		return decimal.NullDecimal{}
	}
	return decimal.NewNullDecimal(Dec(s))
}
