// Package trade is tradectl's domain: symbols, order requests and their
// validation, orders, fills, balances, positions, quotes and instrument rules.
// Money and quantities are always decimal.Decimal.
package trade

import (
	"fmt"
	"strings"
)

// Symbol is an instrument's canonical name: "BTC-USD" for a currency pair,
// "AAPL" for a stock (Quote empty).
type Symbol struct {
	Base  string
	Quote string
}

const maxAssetLen = 12

// ParseSymbol accepts "BTC-USD", "BTC/USD", "btc-usd", "btc_usd" and stock
// tickers such as "AAPL" or "BRK.B", and returns the canonical form.
func ParseSymbol(s string) (Symbol, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return Symbol{}, fmt.Errorf("symbol is empty")
	}
	up := strings.ToUpper(raw)
	sep := strings.IndexAny(up, "-/_")
	if sep < 0 {
		if err := checkAsset(up, true); err != nil {
			return Symbol{}, fmt.Errorf("invalid symbol %q: %v", s, err)
		}
		return Symbol{Base: up}, nil
	}
	base, quote := up[:sep], up[sep+1:]
	if strings.ContainsAny(quote, "-/_") {
		return Symbol{}, fmt.Errorf("invalid symbol %q: more than one separator", s)
	}
	if err := checkAsset(base, false); err != nil {
		return Symbol{}, fmt.Errorf("invalid symbol %q: base %v", s, err)
	}
	if err := checkAsset(quote, false); err != nil {
		return Symbol{}, fmt.Errorf("invalid symbol %q: quote %v", s, err)
	}
	return Symbol{Base: base, Quote: quote}, nil
}

// MustSymbol parses s and panics on error; for tests and tables of constants.
func MustSymbol(s string) Symbol {
	sym, err := ParseSymbol(s)
	if err != nil {
		panic(err)
	}
	return sym
}

func checkAsset(a string, ticker bool) error {
	if a == "" {
		return fmt.Errorf("is empty")
	}
	if len(a) > maxAssetLen {
		return fmt.Errorf("%q is longer than %d characters", a, maxAssetLen)
	}
	for i, r := range a {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '.' && ticker && i > 0 && i < len(a)-1:
			// class shares such as BRK.B
		default:
			return fmt.Errorf("%q has invalid character %q", a, r)
		}
	}
	return nil
}

// IsZero reports whether the symbol is unset.
func (s Symbol) IsZero() bool { return s.Base == "" && s.Quote == "" }

// IsPair reports whether the symbol is a currency pair (has a quote asset).
func (s Symbol) IsPair() bool { return s.Quote != "" }

// String returns the canonical form.
func (s Symbol) String() string {
	if s.Quote == "" {
		return s.Base
	}
	return s.Base + "-" + s.Quote
}

// MarshalText implements encoding.TextMarshaler (JSON carries the canonical string).
func (s Symbol) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Symbol) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = Symbol{}
		return nil
	}
	sym, err := ParseSymbol(string(b))
	if err != nil {
		return err
	}
	*s = sym
	return nil
}
