// Package pnl computes positions, average cost and profit and loss from
// fills, and values holdings in one currency, all in exact decimals.
//
// # Method
//
// Average cost: a fill that opens or adds to a position adds its cost to
// the position's cost basis, and the average cost is cost basis ÷ quantity.
// A fill that reduces a position realises P&L against the average cost and
// leaves the average unchanged. A fill that goes past zero closes the old
// position and opens the opposite one at the fill price; a buy covering a
// short realises P&L the same way a sell closing a long does.
//
// # Fees
//
// Fees in the price currency (the symbol's quote asset) are costs:
//   - On the opening side they are capitalised: a buy's fee raises a long's
//     cost basis (and so its average cost); a short-opening sell's fee
//     lowers the short's entry value (its average entry price).
//   - On the closing side they are charged to realised P&L when paid.
//   - A fill that both closes and opens splits its fee by quantity.
//   - A fill of zero quantity with a fee (an adjustment) is charged to
//     realised P&L.
//
// Negative fees (maker rebates) work the same way and reduce costs. Fees
// in any other asset (BNB, or the base asset) cannot be priced here: they
// are summed per asset in OtherFees and left out of cost and P&L. For a
// ticker without a quote asset (AAPL) the fee is taken to be in the price
// currency whatever its FeeAsset says.
//
// # Rounding
//
// Sums, differences and products are exact. The divisions — average cost,
// the fee split of a fill that goes past zero, percentages — round half
// away from zero at Precision decimal places. The cost a partial close
// releases is average cost × quantity, exact; a close to zero releases
// whatever basis is left, so the rounding of the average never leaks into
// realised P&L: once a position is flat, its realised P&L is exactly what
// came in minus what went out.
package pnl

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// Precision is the number of decimal places kept where a division cannot
// be exact.
const Precision = 16

// Position is one symbol's holding in one account, built from its fills.
type Position struct {
	Account string       `json:"account,omitempty"`
	Symbol  trade.Symbol `json:"symbol"`
	// Qty is negative for a short.
	Qty decimal.Decimal `json:"qty"`
	// AvgCost is the average price paid for a long, or received for a
	// short, fees included (see the package doc); 0 when flat.
	AvgCost decimal.Decimal `json:"avg_cost"`
	// CostBasis is what the open quantity cost, signed like Qty: positive
	// for a long, minus the net proceeds for a short, 0 when flat. It is
	// the exact basis; AvgCost is derived from it and rounded.
	CostBasis   decimal.Decimal `json:"cost_basis"`
	RealizedPnL decimal.Decimal `json:"realized_pnl"`
	// Fees is every fee paid in the price currency, already included in
	// CostBasis or RealizedPnL; shown for information.
	Fees decimal.Decimal `json:"fees"`
	// OtherFees is fees paid in other assets, by asset; not in P&L.
	OtherFees map[string]decimal.Decimal `json:"other_fees,omitempty"`
	Fills     int                        `json:"fills"`
}

// Currency is the currency prices, costs and P&L are in: the symbol's
// quote asset, or "" for a ticker.
func (p Position) Currency() string { return p.Symbol.Quote }

// Trade returns the position as the domain type venues report.
func (p Position) Trade() trade.Position {
	return trade.Position{Symbol: p.Symbol, Qty: p.Qty, AvgCost: p.AvgCost}
}

// Book accumulates one account's fills, in time order, into positions.
// It is not safe for concurrent use.
type Book struct {
	account   string
	positions map[trade.Symbol]*Position
}

// NewBook returns an empty book whose positions carry the account name.
func NewBook(account string) *Book {
	return &Book{account: account, positions: make(map[trade.Symbol]*Position)}
}

// FromFills builds the positions of one account from its fills, sorted by
// symbol. The fills are taken in time order — a stable sort, so fills with
// equal times keep their input order — so a newest-first listing works as
// it comes.
func FromFills(account string, fills []trade.Fill) ([]Position, error) {
	sorted := slices.Clone(fills)
	slices.SortStableFunc(sorted, func(a, b trade.Fill) int { return a.Time.Compare(b.Time) })
	b := NewBook(account)
	for _, f := range sorted {
		if err := b.Apply(f); err != nil {
			return nil, err
		}
	}
	return b.Positions(), nil
}

// Apply adds the next fill. A fill that is not a buy or sell of a positive
// (or zero) quantity at a non-negative price is an error and leaves the
// book unchanged.
func (b *Book) Apply(f trade.Fill) error {
	if err := check(f); err != nil {
		return err
	}
	p := b.positions[f.Symbol]
	if p == nil {
		p = &Position{Account: b.account, Symbol: f.Symbol}
		b.positions[f.Symbol] = p
	}
	p.Fills++

	fee := decimal.Zero
	switch {
	case feeInPriceCurrency(f):
		fee = f.Fee
	case !f.Fee.IsZero():
		if p.OtherFees == nil {
			p.OtherFees = make(map[string]decimal.Decimal)
		}
		asset := strings.ToUpper(f.FeeAsset)
		p.OtherFees[asset] = p.OtherFees[asset].Add(f.Fee)
	}
	p.Fees = p.Fees.Add(fee)

	if f.Qty.IsZero() {
		p.RealizedPnL = p.RealizedPnL.Sub(fee)
		return nil
	}

	// qty is signed: + buys, - sells. What it does not use up closing the
	// current position opens (or adds to) one on its side.
	qty := f.Qty
	if f.Side == trade.Sell {
		qty = qty.Neg()
	}
	openQty, openFee := qty, fee
	if !p.Qty.IsZero() && p.Qty.Sign() != qty.Sign() {
		held := p.Qty.Abs()
		closeQty := decimal.Min(f.Qty, held)
		closeFee := fee
		if closeQty.LessThan(f.Qty) {
			closeFee = fee.Mul(closeQty).DivRound(f.Qty, Precision)
		}
		released := p.CostBasis
		if closeQty.LessThan(held) {
			released = p.AvgCost.Mul(closeQty)
			if p.Qty.IsNegative() {
				released = released.Neg()
			}
		}
		// Long: sold for price×q, bought for released. Short: sold for
		// -released (released is negative), bought back for price×q.
		gross := f.Price.Mul(closeQty).Sub(released)
		if p.Qty.IsNegative() {
			gross = released.Neg().Sub(f.Price.Mul(closeQty))
		}
		p.RealizedPnL = p.RealizedPnL.Add(gross).Sub(closeFee)
		p.CostBasis = p.CostBasis.Sub(released)
		closed := closeQty
		if qty.IsNegative() {
			closed = closed.Neg()
		}
		p.Qty = p.Qty.Add(closed)
		openQty, openFee = qty.Sub(closed), fee.Sub(closeFee)
		if p.Qty.IsZero() {
			p.AvgCost = decimal.Zero
		}
	}
	if !openQty.IsZero() {
		p.CostBasis = p.CostBasis.Add(openQty.Mul(f.Price)).Add(openFee)
		p.Qty = p.Qty.Add(openQty)
		p.AvgCost = p.CostBasis.DivRound(p.Qty, Precision)
	}
	return nil
}

func check(f trade.Fill) error {
	what := "fill"
	if f.ID != "" {
		what = "fill " + f.ID
	}
	switch {
	case f.Symbol.IsZero():
		return fmt.Errorf("%s: no symbol", what)
	case f.Side != trade.Buy && f.Side != trade.Sell:
		return fmt.Errorf("%s: side must be buy or sell, got %q", what, f.Side)
	case f.Qty.IsNegative():
		return fmt.Errorf("%s: negative quantity %s", what, f.Qty)
	case f.Price.IsNegative():
		return fmt.Errorf("%s: negative price %s", what, f.Price)
	}
	return nil
}

func feeInPriceCurrency(f trade.Fill) bool {
	return f.FeeAsset == "" || !f.Symbol.IsPair() || strings.EqualFold(f.FeeAsset, f.Symbol.Quote)
}

// Position returns one symbol's position.
func (b *Book) Position(sym trade.Symbol) (Position, bool) {
	p := b.positions[sym]
	if p == nil {
		return Position{}, false
	}
	return p.clone(), true
}

// Positions returns every symbol that had a fill, flat ones included (they
// carry realised P&L), sorted by symbol.
func (b *Book) Positions() []Position {
	out := make([]Position, 0, len(b.positions))
	for _, p := range b.positions {
		out = append(out, p.clone())
	}
	slices.SortFunc(out, func(a, b Position) int { return cmp.Compare(a.Symbol.String(), b.Symbol.String()) })
	return out
}

func (p *Position) clone() Position {
	c := *p
	c.OtherFees = maps.Clone(p.OtherFees)
	return c
}

// Valuation is a position marked at a price. The price-dependent fields
// are null when no price was given, so an unknown price never reads as 0.
type Valuation struct {
	Position
	Price       decimal.NullDecimal `json:"price"`
	MarketValue decimal.NullDecimal `json:"market_value"`
	// UnrealizedPnL is MarketValue − CostBasis, for longs and shorts alike.
	UnrealizedPnL decimal.NullDecimal `json:"unrealized_pnl"`
	// UnrealizedPct is UnrealizedPnL as a percentage of |CostBasis|; 0
	// when the basis is 0 (a flat position, or one got for nothing).
	UnrealizedPct decimal.NullDecimal `json:"unrealized_pct"`
}

// Priced reports whether the price-dependent fields are set.
func (v Valuation) Priced() bool { return v.MarketValue.Valid }

// Value marks the position at price.
func (p Position) Value(price decimal.Decimal) Valuation {
	v := Valuation{Position: p, Price: decimal.NewNullDecimal(price)}
	mv := p.Qty.Mul(price)
	u := mv.Sub(p.CostBasis)
	v.MarketValue = decimal.NewNullDecimal(mv)
	v.UnrealizedPnL = decimal.NewNullDecimal(u)
	v.UnrealizedPct = decimal.NewNullDecimal(pct(u, p.CostBasis.Abs()))
	return v
}

// ValueAll marks each position at its symbol's price. A position without a
// price stays unpriced, except a flat one, which is worth 0 at any price.
func ValueAll(positions []Position, prices map[trade.Symbol]decimal.Decimal) []Valuation {
	out := make([]Valuation, len(positions))
	for i, p := range positions {
		price, ok := prices[p.Symbol]
		switch {
		case ok:
			out[i] = p.Value(price)
		case p.Qty.IsZero():
			out[i] = p.Value(decimal.Zero)
			out[i].Price = decimal.NullDecimal{}
		default:
			out[i] = Valuation{Position: p}
		}
	}
	return out
}

func pct(part, whole decimal.Decimal) decimal.Decimal {
	if whole.IsZero() {
		return decimal.Zero
	}
	return part.Mul(decimal.NewFromInt(100)).DivRound(whole, Precision)
}

// Mark is the price a quote values a holding at: the last trade, or the
// bid/ask midpoint when there has been none; ok is false when the quote
// has neither.
func Mark(q trade.Quote) (price decimal.Decimal, ok bool) {
	switch {
	case q.Last.IsPositive():
		return q.Last, true
	case q.Bid.IsPositive() && q.Ask.IsPositive():
		return q.Bid.Add(q.Ask).Mul(decimal.New(5, -1)), true
	}
	return decimal.Decimal{}, false
}

// Marks maps each quote's symbol to its Mark; quotes with neither a last
// trade nor both sides are left out, so their holdings stay unpriced.
func Marks(quotes []trade.Quote) map[trade.Symbol]decimal.Decimal {
	out := make(map[trade.Symbol]decimal.Decimal, len(quotes))
	for _, q := range quotes {
		if m, ok := Mark(q); ok {
			out[q.Symbol] = m
		}
	}
	return out
}

// Totals sums the valuations of one currency, across symbols and accounts.
type Totals struct {
	Currency  string `json:"currency"`
	Positions int    `json:"positions"`
	// CostBasis, MarketValue and UnrealizedPnL cover priced positions only;
	// Unpriced lists the others.
	CostBasis     decimal.Decimal `json:"cost_basis"`
	MarketValue   decimal.Decimal `json:"market_value"`
	UnrealizedPnL decimal.Decimal `json:"unrealized_pnl"`
	// UnrealizedPct is relative to the gross basis, Σ|CostBasis|, so longs
	// and shorts do not cancel out in the denominator.
	UnrealizedPct decimal.Decimal            `json:"unrealized_pct"`
	RealizedPnL   decimal.Decimal            `json:"realized_pnl"`
	Fees          decimal.Decimal            `json:"fees"`
	OtherFees     map[string]decimal.Decimal `json:"other_fees,omitempty"`
	Unpriced      []Unpriced                 `json:"unpriced,omitempty"`
}

// Unpriced names a position left out of the market value for want of a price.
type Unpriced struct {
	Account string       `json:"account,omitempty"`
	Symbol  trade.Symbol `json:"symbol"`
}

// Sum totals valuations per currency, since amounts in different
// currencies do not add up; sorted by currency. To total across
// currencies, value holdings in one currency with ValueIn.
func Sum(vals []Valuation) []Totals {
	byCurrency := map[string]*Totals{}
	gross := map[string]decimal.Decimal{}
	for _, v := range vals {
		c := v.Currency()
		t := byCurrency[c]
		if t == nil {
			t = &Totals{Currency: c}
			byCurrency[c] = t
		}
		t.Positions++
		t.RealizedPnL = t.RealizedPnL.Add(v.RealizedPnL)
		t.Fees = t.Fees.Add(v.Fees)
		for asset, fee := range v.OtherFees {
			if t.OtherFees == nil {
				t.OtherFees = make(map[string]decimal.Decimal)
			}
			t.OtherFees[asset] = t.OtherFees[asset].Add(fee)
		}
		if !v.Priced() {
			t.Unpriced = append(t.Unpriced, Unpriced{Account: v.Account, Symbol: v.Symbol})
			continue
		}
		t.CostBasis = t.CostBasis.Add(v.CostBasis)
		t.MarketValue = t.MarketValue.Add(v.MarketValue.Decimal)
		t.UnrealizedPnL = t.UnrealizedPnL.Add(v.UnrealizedPnL.Decimal)
		gross[c] = gross[c].Add(v.CostBasis.Abs())
	}
	out := make([]Totals, 0, len(byCurrency))
	for c, t := range byCurrency {
		t.UnrealizedPct = pct(t.UnrealizedPnL, gross[c])
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Totals) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}
