package dashboard

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
)

// View renders a snapshot as sections of tables for a person.
func View(ios *iostreams.IOStreams, s Snapshot, now time.Time) string {
	pal := ios.Palette()
	var b strings.Builder
	section := func(title string, t *render.TableData) {
		if len(t.Rows) == 0 {
			return
		}
		b.WriteString(pal.Bold.Render(title))
		b.WriteString("\n")
		b.WriteString(table(ios, t, now))
		b.WriteString("\n")
	}
	section(fmt.Sprintf("Accounts (valued in %s)", s.Currency), accountsTable(s))
	section("Balances", balancesTable(s))
	section("Positions", positionsTable(s))
	section("Open orders", openOrdersTable(s))
	t := s.Totals
	line := fmt.Sprintf("Total equity %s %s   realised P&L %s   unrealised P&L %s   fees %s",
		money(t.Equity), s.Currency, signed(pal, t.RealizedPnL), signed(pal, t.UnrealizedPnL), money(t.Fees))
	width := ios.TerminalWidth()
	if !ios.IsStdoutTTY() {
		width = 0 // piped: complete, as tables are
	}
	b.WriteString(render.FitLine(pal.Bold.Render(line), width))
	b.WriteString("\n")
	if len(t.Unvalued) > 0 {
		b.WriteString(render.FitLine(pal.Warn.Render("not valued (no "+s.Currency+" price): "+strings.Join(t.Unvalued, ", ")), width))
		b.WriteString("\n")
	}
	if s.Failed > 0 {
		b.WriteString(pal.Bad.Render(fmt.Sprintf("%d of %d accounts could not be read", s.Failed, len(s.Accounts))))
		b.WriteString("\n")
	}
	return b.String()
}

func table(ios *iostreams.IOStreams, t *render.TableData, now time.Time) string {
	var b strings.Builder
	sub := *ios
	sub.Out = &b
	p, _ := render.NewPrinter(&sub, "table", "", func() time.Time { return now })
	_ = p.Print(nil, func() *render.TableData { return t })
	return b.String()
}

func accountsTable(s Snapshot) *render.TableData {
	t := &render.TableData{Columns: []render.Column{
		{Header: "profile"}, {Header: "exchange"}, {Header: "equity", Right: true}, {Header: "cash", Right: true},
		{Header: "realised", Right: true, Drop: 2}, {Header: "unrealised", Right: true, Drop: 3}, {Header: "orders", Right: true, Drop: 1}, {Header: "status", Shrink: true},
	}}
	for _, a := range s.Accounts {
		if !a.OK {
			why := a.Error.Code + ": " + a.Error.Message
			t.AddRow(render.S(a.Profile, render.Bold), render.T(a.Exchange), render.S("-", render.Muted), render.S("-", render.Muted),
				render.S("-", render.Muted), render.S("-", render.Muted), render.S("-", render.Muted), render.S(why, render.Bad))
			continue
		}
		status := render.S(fmt.Sprintf("ok (%dms)", a.ElapsedMS), render.Good)
		if len(a.Totals.Unvalued) > 0 {
			status = render.S("not valued: "+strings.Join(a.Totals.Unvalued, ","), render.Warn)
		}
		t.AddRow(render.S(a.Profile, render.Bold), render.T(a.Exchange), render.T(money(a.Totals.Equity)), render.T(money(a.Totals.Cash)),
			pnlCell(a.Totals.RealizedPnL), pnlCell(a.Totals.UnrealizedPnL), render.T(fmt.Sprint(len(a.OpenOrders))), status)
	}
	return t
}

func balancesTable(s Snapshot) *render.TableData {
	t := &render.TableData{Columns: []render.Column{
		{Header: "profile"}, {Header: "asset"}, {Header: "free", Right: true, Drop: 2}, {Header: "locked", Right: true, Drop: 1},
		{Header: "total", Right: true}, {Header: "value " + s.Currency, Right: true},
	}}
	for _, a := range s.Accounts {
		for _, bl := range a.Balances {
			t.AddRow(render.S(a.Profile, render.Muted), render.S(bl.Asset, render.Bold), render.T(bl.Free.String()),
				render.T(bl.Locked.String()), render.T(bl.Total.String()), render.T(optMoney(bl.Value)))
		}
	}
	return t
}

// balancesCSV is the flat form spreadsheets want: one balance per row.
func balancesCSV(s Snapshot) *render.TableData {
	t := &render.TableData{Columns: []render.Column{
		{Header: "profile"}, {Header: "exchange"}, {Header: "asset"}, {Header: "free"}, {Header: "locked"},
		{Header: "total"}, {Header: "price"}, {Header: "value"}, {Header: "currency"},
	}}
	for _, a := range s.Accounts {
		for _, bl := range a.Balances {
			t.AddRow(render.T(a.Profile), render.T(a.Exchange), render.T(bl.Asset), render.T(bl.Free.String()), render.T(bl.Locked.String()),
				render.T(bl.Total.String()), render.T(orderview.Opt(bl.Price)), render.T(orderview.Opt(bl.Value)), render.T(s.Currency))
		}
	}
	return t
}

func positionsTable(s Snapshot) *render.TableData {
	t := &render.TableData{Columns: []render.Column{
		{Header: "profile"}, {Header: "symbol"}, {Header: "qty", Right: true}, {Header: "avg cost", Right: true, Drop: 2},
		{Header: "last", Right: true, Drop: 1}, {Header: "value", Right: true}, {Header: "unrealised", Right: true}, {Header: "%", Right: true, Drop: 3},
	}}
	for _, a := range s.Accounts {
		for _, p := range a.Positions {
			pct := render.S("-", render.Muted)
			if p.UnrealizedPct.Valid {
				pct = pnlCell(p.UnrealizedPct.Decimal.Round(2))
				pct.Text = p.UnrealizedPct.Decimal.StringFixed(2)
			}
			unreal := render.S("-", render.Muted)
			if p.UnrealizedPnL.Valid {
				unreal = pnlCell(p.UnrealizedPnL.Decimal)
			}
			t.AddRow(render.S(a.Profile, render.Muted), render.S(p.Symbol.String(), render.Bold), render.T(p.Qty.String()),
				render.T(money(p.AvgCost)), render.T(orderview.Opt(p.Price)), render.T(optMoney(p.MarketValue)), unreal, pct)
		}
	}
	return t
}

func openOrdersTable(s Snapshot) *render.TableData {
	t := &render.TableData{Columns: []render.Column{
		{Header: "profile"}, {Header: "id"}, {Header: "symbol"}, {Header: "side"}, {Header: "type"},
		{Header: "qty", Right: true}, {Header: "filled", Right: true, Drop: 2}, {Header: "price", Right: true}, {Header: "created", Drop: 1},
	}}
	for _, a := range s.Accounts {
		for _, o := range a.OpenOrders {
			t.AddRow(render.S(a.Profile, render.Muted), render.S(o.ID, render.Accent), render.T(o.Symbol.String()), orderview.SideCell(o.Side),
				render.T(orderview.TypeText(o)), render.T(o.Qty.String()), render.T(o.FilledQty.String()), render.T(orderview.PriceText(o)), render.At(o.CreatedAt))
		}
	}
	return t
}

// money shows an amount to the cent, or more places when it has them and
// is small (crypto prices below a cent).
func money(d decimal.Decimal) string {
	if d.Abs().LessThan(decimal.NewFromInt(1)) && !d.IsZero() {
		return d.Round(8).String()
	}
	return d.StringFixed(2)
}

func optMoney(d decimal.NullDecimal) string {
	if !d.Valid {
		return "-"
	}
	return money(d.Decimal)
}

func pnlCell(d decimal.Decimal) render.Cell {
	style := render.Plain
	if d.IsPositive() {
		style = render.Good
	} else if d.IsNegative() {
		style = render.Bad
	}
	return render.S(money(d), style)
}

func signed(p iostreams.Palette, d decimal.Decimal) string {
	c := pnlCell(d)
	switch c.Style {
	case render.Good:
		return p.Good.Render(c.Text)
	case render.Bad:
		return p.Bad.Render(c.Text)
	}
	return c.Text
}
