package pnl

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// Account is what one account holds, as its venue reports it.
type Account struct {
	Name      string
	Balances  []trade.Balance
	Positions []trade.Position
}

// Prices maps an asset (upper case: "BTC", "AAPL") to the price of one unit
// in the currency being valued in.
type Prices map[string]decimal.Decimal

// PricesFromQuotes takes the Mark of every quote of a pair quoted in
// currency (BTC-USD gives BTC in USD). A ticker's quote (AAPL) does not
// say its currency, so add those yourself when you know it.
func PricesFromQuotes(currency string, quotes []trade.Quote) Prices {
	currency = normAsset(currency)
	p := Prices{}
	for _, q := range quotes {
		if !q.Symbol.IsPair() || normAsset(q.Symbol.Quote) != currency {
			continue
		}
		if m, ok := Mark(q); ok {
			p[normAsset(q.Symbol.Base)] = m
		}
	}
	return p
}

// Line sources.
const (
	SourceBalance  = "balance"
	SourcePosition = "position"
)

// EquityLine is one holding and its value; Price and Value are null when
// the asset has no price.
type EquityLine struct {
	Account string              `json:"account"`
	Asset   string              `json:"asset"`
	Source  string              `json:"source"`
	Qty     decimal.Decimal     `json:"qty"`
	Price   decimal.NullDecimal `json:"price"`
	Value   decimal.NullDecimal `json:"value"`
}

// Subtotal is the value of a set of holdings in one currency.
type Subtotal struct {
	// Total is Cash + Holdings: the equity of what could be valued.
	Total decimal.Decimal `json:"total"`
	// Cash is the balances held in the currency itself.
	Cash decimal.Decimal `json:"cash"`
	// Holdings is the value of everything else that has a price.
	Holdings decimal.Decimal `json:"holdings"`
	// Unvalued lists the assets, sorted, that had no price and so are
	// missing from Total; empty when Total is complete.
	Unvalued []string `json:"unvalued"`
}

// Complete reports whether every holding was valued.
func (s Subtotal) Complete() bool { return len(s.Unvalued) == 0 }

// AccountEquity is one account's subtotal.
type AccountEquity struct {
	Account string `json:"account"`
	Subtotal
}

// Equity values holdings across accounts in one currency. Accounts and
// Lines keep the order of the input.
type Equity struct {
	Currency string `json:"currency"`
	Subtotal
	Accounts []AccountEquity `json:"accounts"`
	Lines    []EquityLine    `json:"lines"`
}

// ValueIn values every account's balances and positions in currency.
//
// A balance or position in currency itself is worth its quantity; any
// other asset needs a price in prices, and one without is listed as
// unvalued — never counted as zero. Zero quantities are skipped. A
// position counts only when its account has no balance in the position's
// base asset: spot venues report holdings as balances, and an engine that
// reports both must not be counted twice. Short positions count negative.
func ValueIn(currency string, accounts []Account, prices Prices) Equity {
	currency = normAsset(currency)
	eq := Equity{Currency: currency, Subtotal: Subtotal{Unvalued: []string{}}, Accounts: []AccountEquity{}, Lines: []EquityLine{}}
	for _, acct := range accounts {
		sub := Subtotal{Unvalued: []string{}}
		held := map[string]bool{}
		add := func(asset, source string, qty decimal.Decimal) {
			asset = normAsset(asset)
			if qty.IsZero() {
				return
			}
			line := EquityLine{Account: acct.Name, Asset: asset, Source: source, Qty: qty}
			price, ok := prices[asset]
			if asset == currency {
				price, ok = decimal.NewFromInt(1), true
			}
			if ok {
				line.Price = decimal.NewNullDecimal(price)
				line.Value = decimal.NewNullDecimal(qty.Mul(price))
			}
			eq.Lines = append(eq.Lines, line)
			switch {
			case !ok:
				sub.Unvalued = appendUnique(sub.Unvalued, asset)
				eq.Unvalued = appendUnique(eq.Unvalued, asset)
			case asset == currency:
				sub.Cash = sub.Cash.Add(line.Value.Decimal)
			default:
				sub.Holdings = sub.Holdings.Add(line.Value.Decimal)
			}
		}
		for _, b := range acct.Balances {
			if !b.Total.IsZero() {
				held[normAsset(b.Asset)] = true
			}
			add(b.Asset, SourceBalance, b.Total)
		}
		for _, p := range acct.Positions {
			if held[normAsset(p.Symbol.Base)] {
				continue
			}
			add(p.Symbol.Base, SourcePosition, p.Qty)
		}
		sub.Total = sub.Cash.Add(sub.Holdings)
		slices.Sort(sub.Unvalued)
		eq.Accounts = append(eq.Accounts, AccountEquity{Account: acct.Name, Subtotal: sub})
		eq.Cash = eq.Cash.Add(sub.Cash)
		eq.Holdings = eq.Holdings.Add(sub.Holdings)
	}
	eq.Total = eq.Cash.Add(eq.Holdings)
	slices.Sort(eq.Unvalued)
	return eq
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func normAsset(a string) string { return strings.ToUpper(strings.TrimSpace(a)) }
