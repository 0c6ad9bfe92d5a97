package pnl

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// Period is the length of a reporting period.
type Period string

// Reporting periods. A week is an ISO week: it starts on Monday.
const (
	Day   Period = "day"
	Week  Period = "week"
	Month Period = "month"
)

// Periods lists every Period, shortest first.
var Periods = []Period{Day, Week, Month}

// ParsePeriod reads "day", "week" or "month".
func ParsePeriod(s string) (Period, error) {
	p := Period(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Periods, p) {
		return p, nil
	}
	return "", fmt.Errorf("period %q: use day, week or month", s)
}

// Start returns the start of the period holding t, as a time in loc (nil:
// UTC): local midnight of t's day, of the Monday of t's week, or of the
// first of t's month. Days are counted on the calendar, not in 24-hour
// steps, so a day or week across a daylight-saving change starts at
// midnight all the same.
func (p Period) Start(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	y, m, d := t.Date()
	switch p {
	case Week:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Label names the period that starts at start (a time Start returned):
// 2026-03-05 for a day, 2026-W09 for a week (its ISO year and week, which
// near New Year may differ from the calendar year), 2026-03 for a month.
func (p Period) Label(start time.Time) string {
	switch p {
	case Week:
		y, w := start.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case Month:
		return start.Format("2006-01")
	}
	return start.Format("2006-01-02")
}

// PeriodOptions say how ByPeriod reports.
type PeriodOptions struct {
	// Account names the account on every line.
	Account string
	// By is the period length; "" is Day.
	By Period
	// Location is where periods start and end; nil is UTC.
	Location *time.Location
	// Since: fills before it are applied to the book, since the cost basis
	// needs the whole history, but not reported. Zero reports every fill.
	Since time.Time
	// Until: fills at or after it are neither applied nor reported. Zero
	// is no end.
	Until time.Time
	// Currency returns the currency a symbol's prices, fees and P&L are in;
	// nil, or "" from it, is the symbol's quote asset. A ticker (AAPL) has
	// none of its own: its instrument's quote asset says it.
	Currency func(trade.Symbol) string
}

// PeriodLine is one symbol's trading in one period of one account.
type PeriodLine struct {
	Account string
	// Start is the period's first instant, in the report's location.
	Start time.Time
	// Period is the period's label (Period.Label).
	Period   string
	Symbol   trade.Symbol
	Currency string
	// RealizedPnL is the change in the symbol's realised P&L made by the
	// period's fills (average cost, fees included: see the package doc),
	// so a position opened in one period and closed in another shows its
	// P&L in the period of the closing fill.
	RealizedPnL decimal.Decimal
	// Fees is the fees paid in Currency; OtherFees those in any other
	// asset, by asset (not in RealizedPnL, as in Position).
	Fees      decimal.Decimal
	OtherFees map[string]decimal.Decimal
	// Volume is Σ qty × price of the period's fills, buys and sells alike.
	Volume  decimal.Decimal
	BuyQty  decimal.Decimal
	SellQty decimal.Decimal
	Fills   int
}

// ByPeriod reports an account's fills per period and symbol, sorted by
// period then symbol. Every fill is applied, in time order, to one Book
// (a stable sort: fills with equal times keep their input order, as in
// FromFills), and each fill's change in its position's realised P&L is
// attributed to the fill's period; so the realised P&L of all periods
// together equals what FromFills reports for the same fills. A fill the
// Book refuses is an error, and nothing is reported.
func ByPeriod(fills []trade.Fill, o PeriodOptions) ([]PeriodLine, error) {
	by := o.By
	if by == "" {
		by = Day
	}
	sorted := slices.Clone(fills)
	slices.SortStableFunc(sorted, func(a, b trade.Fill) int { return a.Time.Compare(b.Time) })

	type key struct {
		start  int64
		symbol trade.Symbol
	}
	lines := map[key]*PeriodLine{}
	book := NewBook(o.Account)
	for _, f := range sorted {
		if !o.Until.IsZero() && !f.Time.Before(o.Until) {
			break
		}
		before := book.realized(f.Symbol)
		if err := book.Apply(f); err != nil {
			return nil, err
		}
		if f.Time.Before(o.Since) {
			continue
		}
		after := book.realized(f.Symbol)
		start := by.Start(f.Time, o.Location)
		k := key{start.UnixNano(), f.Symbol}
		l := lines[k]
		if l == nil {
			l = &PeriodLine{Account: o.Account, Start: start, Period: by.Label(start), Symbol: f.Symbol, Currency: currencyOf(f.Symbol, o.Currency)}
			lines[k] = l
		}
		l.Fills++
		l.RealizedPnL = l.RealizedPnL.Add(after.Sub(before))
		switch {
		case feeInPriceCurrency(f):
			l.Fees = l.Fees.Add(f.Fee)
		case !f.Fee.IsZero():
			if l.OtherFees == nil {
				l.OtherFees = map[string]decimal.Decimal{}
			}
			asset := strings.ToUpper(f.FeeAsset)
			l.OtherFees[asset] = l.OtherFees[asset].Add(f.Fee)
		}
		l.Volume = l.Volume.Add(f.Qty.Mul(f.Price))
		if f.Side == trade.Buy {
			l.BuyQty = l.BuyQty.Add(f.Qty)
		} else {
			l.SellQty = l.SellQty.Add(f.Qty)
		}
	}
	out := make([]PeriodLine, 0, len(lines))
	for _, l := range lines {
		out = append(out, *l)
	}
	slices.SortFunc(out, func(a, b PeriodLine) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Symbol.String(), b.Symbol.String()))
	})
	return out, nil
}

// realized is sym's realised P&L so far, read without the copy Position
// makes: ByPeriod reads it twice per fill.
func (b *Book) realized(sym trade.Symbol) decimal.Decimal {
	if p := b.positions[sym]; p != nil {
		return p.RealizedPnL
	}
	return decimal.Zero
}

func currencyOf(sym trade.Symbol, of func(trade.Symbol) string) string {
	if of != nil {
		if c := of(sym); c != "" {
			return c
		}
	}
	return sym.Quote
}

// PeriodTotal sums the lines of one period in one currency, across
// symbols and accounts. Quantities of different symbols do not add up, so
// it has none.
type PeriodTotal struct {
	Start       time.Time
	Period      string
	Currency    string
	RealizedPnL decimal.Decimal
	Fees        decimal.Decimal
	OtherFees   map[string]decimal.Decimal
	Volume      decimal.Decimal
	Fills       int
	// Lines is how many lines (symbols, per account) were added up.
	Lines int
}

// SumPeriods totals lines per period and currency — amounts in different
// currencies are never added together — sorted by period then currency.
// The lines may come from several ByPeriod reports of the same Period and
// location (several accounts).
func SumPeriods(lines []PeriodLine) []PeriodTotal {
	type key struct {
		start    int64
		currency string
	}
	totals := map[key]*PeriodTotal{}
	for _, l := range lines {
		k := key{l.Start.UnixNano(), l.Currency}
		t := totals[k]
		if t == nil {
			t = &PeriodTotal{Start: l.Start, Period: l.Period, Currency: l.Currency}
			totals[k] = t
		}
		t.Lines++
		t.Fills += l.Fills
		t.RealizedPnL = t.RealizedPnL.Add(l.RealizedPnL)
		t.Fees = t.Fees.Add(l.Fees)
		t.Volume = t.Volume.Add(l.Volume)
		for asset, fee := range l.OtherFees {
			if t.OtherFees == nil {
				t.OtherFees = map[string]decimal.Decimal{}
			}
			t.OtherFees[asset] = t.OtherFees[asset].Add(fee)
		}
	}
	out := make([]PeriodTotal, 0, len(totals))
	for _, t := range totals {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b PeriodTotal) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}
