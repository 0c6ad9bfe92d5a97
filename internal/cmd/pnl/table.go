package pnl

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/pnl"
	"github.com/tradectl/tradectl/internal/render"
)

// sortLines orders the lines of several accounts by period; within a
// period they keep their order — the accounts as given, each one's
// symbols sorted — so every output lists the same lines in the same order.
func sortLines(lines []pnl.PeriodLine) {
	slices.SortStableFunc(lines, func(a, b pnl.PeriodLine) int { return a.Start.Compare(b.Start) })
}

// Rows is the machine-readable output of sorted lines.
func Rows(lines []pnl.PeriodLine) []Row {
	rows := make([]Row, len(lines))
	for i, l := range lines {
		rows[i] = rowOf(l)
	}
	return rows
}

// Table lays out sorted lines period by period, each period followed by
// its total per currency (pnl.SumPeriods). Amounts of a currency are shown
// at its precision on the accounts' venues (precs, by profile; the finest
// where they differ), P&L and volume rounded to it, fees never rounded
// (render.Amount). showProfile adds the profile column, for several
// accounts.
func Table(lines []pnl.PeriodLine, showProfile bool, precs map[string]render.Precision) *render.TableData {
	places := currencyPlaces(lines, precs)
	withOther := slices.ContainsFunc(lines, func(l pnl.PeriodLine) bool { return len(l.OtherFees) > 0 })

	cols := []render.Column{{Header: "period"}}
	if showProfile {
		cols = append(cols, render.Column{Header: "profile"})
	}
	cols = append(cols, render.Column{Header: "symbol"}, render.Column{Header: "ccy"},
		render.Column{Header: "realised", Right: true}, render.Column{Header: "fees", Right: true, Drop: 2})
	if withOther {
		cols = append(cols, render.Column{Header: "other fees", Drop: 1, Shrink: true})
	}
	cols = append(cols, render.Column{Header: "volume", Right: true, Drop: 3}, render.Column{Header: "fills", Right: true})
	t := &render.TableData{Columns: cols, Empty: "no fills in this range"}

	row := func(period, profile string, symbol render.Cell, currency string, realized, fees decimal.Decimal, other map[string]decimal.Decimal, volume decimal.Decimal, fills int) {
		p := places[currency]
		cells := []render.Cell{render.T(period)}
		if showProfile {
			cells = append(cells, render.S(profile, render.Muted))
		}
		cells = append(cells, symbol, render.T(orDash(currency)), pnlCell(realized, p), render.Amount(fees, p))
		if withOther {
			cells = append(cells, render.T(otherFeesText(other)))
		}
		cells = append(cells, render.Num(volume, p), render.T(fmt.Sprint(fills)))
		t.AddRow(cells...)
	}
	for start := 0; start < len(lines); {
		end := start + 1
		for end < len(lines) && lines[end].Start.Equal(lines[start].Start) {
			end++
		}
		period := lines[start:end:end]
		for _, l := range period {
			row(l.Period, l.Account, render.S(l.Symbol.String(), render.Bold), l.Currency, l.RealizedPnL, l.Fees, l.OtherFees, l.Volume, l.Fills)
		}
		for _, total := range pnl.SumPeriods(period) {
			row(total.Period, "", render.S("total", render.Accent), total.Currency, total.RealizedPnL, total.Fees, total.OtherFees, total.Volume, total.Fills)
		}
		start = end
	}
	return t
}

// currencyPlaces is the decimal places each currency's amounts show: the
// most any account's venue gives it, or -1 (exact) where none knows it.
func currencyPlaces(lines []pnl.PeriodLine, precs map[string]render.Precision) map[string]int32 {
	places := map[string]int32{}
	for _, l := range lines {
		p := precs[l.Account].Asset(l.Currency)
		if cur, ok := places[l.Currency]; !ok || p > cur {
			places[l.Currency] = p
		}
	}
	return places
}

// pnlCell is a P&L amount, green when a gain and red when a loss.
func pnlCell(d decimal.Decimal, places int32) render.Cell {
	c := render.Num(d, places)
	switch {
	case d.IsPositive():
		c.Style = render.Good
	case d.IsNegative():
		c.Style = render.Bad
	}
	return c
}

// otherFeesText lists fees in other assets, by asset: "0.005 BNB".
func otherFeesText(fees map[string]decimal.Decimal) string {
	if len(fees) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(fees))
	for _, asset := range slices.Sorted(maps.Keys(fees)) {
		parts = append(parts, fees[asset].String()+" "+asset)
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
