package dashboard

import (
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/pnl"
	"github.com/tradectl/tradectl/internal/trade"
)

// Conversion says how an account valued in its venue's own quote asset
// (USDT on Binance) was brought into the view's currency: at the mark of
// an instrument of the same venue, never at an assumed 1:1.
type Conversion struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Symbol is the venue's instrument whose quote gave Rate.
	Symbol trade.Symbol `json:"symbol"`
	// Rate is units of To per unit of From: the mark of Symbol, or its
	// inverse (rounded to pnl.Precision places) when Symbol is quoted the
	// other way round (Inverted).
	Rate     decimal.Decimal `json:"rate"`
	Inverted bool            `json:"inverted"`
}

// plan is how one account is valued: in which currency its venue prices
// it, whether and with what instrument that currency is converted to the
// view's, and which symbols' quotes it needs.
type plan struct {
	// Base is the currency the venue prices the account's assets in: the
	// view's currency when the venue lists pairs quoted in it for what the
	// account holds, else the quote asset most of its holdings trade in.
	Base string
	// Convert is the venue's instrument between Base and the view's
	// currency, zero when Base is the view's currency or the venue lists
	// none (the account then stays in Base).
	Convert trade.Symbol
	// Symbols are the instruments whose quotes price the account in Base,
	// plus Convert.
	Symbols []trade.Symbol
	// FillSymbols are the pairs, quoted in Base, of what the account holds:
	// the symbols a venue that lists executions per symbol is asked for.
	FillSymbols []trade.Symbol
}

// planFor decides the valuation of one account from its own venue's
// instruments only: another venue's prices never value it.
func planFor(want string, d accountData) plan {
	held := map[string]bool{}
	for _, b := range d.balances {
		if !b.Total.IsZero() {
			held[norm(b.Asset)] = true
		}
	}
	for _, p := range d.positions {
		if !p.Qty.IsZero() {
			held[norm(p.Symbol.Base)] = true
		}
	}
	// Each candidate currency scores the held assets it can value: those
	// with a pair quoted in it, and itself when held as cash. The view's
	// currency wins ties; otherwise the venue's own quote asset (Binance
	// lists USDT pairs, not USD) values the account, ties broken by name
	// for a stable view.
	score := map[string]int{want: 0}
	for _, in := range d.instruments {
		if held[norm(in.BaseAsset)] {
			score[norm(in.QuoteAsset)]++
		}
	}
	for q := range score {
		if held[q] {
			score[q]++
		}
	}
	base := want
	for q, n := range score {
		if n > score[base] || (n == score[base] && (q == want || (base != want && q < base))) {
			base = q
		}
	}
	p := plan{Base: base}
	if base != want {
		for _, in := range d.instruments {
			b, q := norm(in.BaseAsset), norm(in.QuoteAsset)
			if (b == base && q == want) || (b == want && q == base) {
				// Prefer the pair quoted in the view's currency (USDT-USD).
				if p.Convert.IsZero() || q == want {
					p.Convert = in.Symbol
				}
			}
		}
	}
	seen := map[trade.Symbol]bool{}
	add := func(list *[]trade.Symbol, s trade.Symbol) {
		if !seen[s] {
			seen[s] = true
			*list = append(*list, s)
		}
	}
	for _, pos := range d.positions {
		if !pos.Qty.IsZero() {
			add(&p.Symbols, pos.Symbol)
		}
	}
	for _, in := range d.instruments {
		if held[norm(in.BaseAsset)] && norm(in.BaseAsset) != base && norm(in.QuoteAsset) == base {
			add(&p.Symbols, in.Symbol)
			p.FillSymbols = append(p.FillSymbols, in.Symbol)
		}
	}
	if !p.Convert.IsZero() {
		add(&p.Symbols, p.Convert)
	}
	bySymbol := func(l []trade.Symbol) {
		sort.Slice(l, func(i, j int) bool { return l[i].String() < l[j].String() })
	}
	bySymbol(p.Symbols)
	bySymbol(p.FillSymbols)
	return p
}

// valueAccount fills an OK account's balances, positions and totals from
// its own data: quotes of its own venue, in the plan's currency, then
// converted when the plan has a conversion whose quote came back.
func valueAccount(want string, p plan, d accountData, acct *Account) {
	prices := valuePrices(p.Base, d.quotes, d.instruments)
	marks := pnl.Marks(d.quotes)
	acct.Currency = p.Base
	rate := decimal.NewFromInt(1)
	if !p.Convert.IsZero() {
		if m, ok := marks[p.Convert]; ok && m.IsPositive() {
			c := &Conversion{From: p.Base, To: want, Symbol: p.Convert, Rate: m}
			if norm(p.Convert.Base) == want {
				c.Rate, c.Inverted = decimal.NewFromInt(1).DivRound(m, pnl.Precision), true
			}
			acct.Conversion, acct.Currency, rate = c, want, c.Rate
		}
	}
	vals := pnl.ValueAll(d.positions, marks)
	for _, v := range vals {
		// A flat position still carries realised P&L for the totals, but
		// there is nothing held to show.
		if !v.Qty.IsZero() {
			acct.Positions = append(acct.Positions, v)
		}
	}
	eq := pnl.ValueIn(p.Base, []pnl.Account{{Name: acct.Profile, Balances: d.balances, Positions: tradePositions(d.positions)}}, prices)
	for _, b := range d.balances {
		line := BalanceLine{Balance: b}
		if price, ok := priceOf(p.Base, b.Asset, prices); ok {
			price = price.Mul(rate)
			line.Price = decimal.NewNullDecimal(price)
			line.Value = decimal.NewNullDecimal(b.Total.Mul(price))
		}
		acct.Balances = append(acct.Balances, line)
	}
	t := totalsOf(p.Base, eq.Subtotal, vals, d.instruments)
	acct.Totals = Totals{
		Equity: t.Equity.Mul(rate), Cash: t.Cash.Mul(rate), Holdings: t.Holdings.Mul(rate),
		RealizedPnL: t.RealizedPnL.Mul(rate), UnrealizedPnL: t.UnrealizedPnL.Mul(rate), Fees: t.Fees.Mul(rate),
		Unvalued: t.Unvalued,
	}
}

// add sums b into t; Unvalued becomes the sorted union.
func (t *Totals) add(b Totals) {
	t.Equity = t.Equity.Add(b.Equity)
	t.Cash = t.Cash.Add(b.Cash)
	t.Holdings = t.Holdings.Add(b.Holdings)
	t.RealizedPnL = t.RealizedPnL.Add(b.RealizedPnL)
	t.UnrealizedPnL = t.UnrealizedPnL.Add(b.UnrealizedPnL)
	t.Fees = t.Fees.Add(b.Fees)
	for _, u := range b.Unvalued {
		if !contains(t.Unvalued, u) {
			t.Unvalued = append(t.Unvalued, u)
		}
	}
	sort.Strings(t.Unvalued)
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func norm(a string) string { return strings.ToUpper(strings.TrimSpace(a)) }
