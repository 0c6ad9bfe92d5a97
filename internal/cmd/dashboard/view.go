package dashboard

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
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
	width := ios.TerminalWidth()
	if !ios.IsStdoutTTY() {
		width = 0 // piped: complete, as tables are
	}
	// The totals read as the tables above them: with thousands separators
	// on a terminal, plain digits when piped.
	group := func(s string) string { return s }
	if ios.IsStdoutTTY() {
		group = render.Group
	}
	totalLine := func(label string, cur string, t Totals) {
		places := moneyPlaces(cur)
		line := fmt.Sprintf("%s %s %s   realised P&L %s   unrealised P&L %s   fees %s", label,
			group(render.Num(t.Equity, places).Text), cur, signed(pal, t.RealizedPnL, places, group),
			signed(pal, t.UnrealizedPnL, places, group), group(render.Num(t.Fees, places).Text))
		b.WriteString(render.FitLine(pal.Bold.Render(line), width))
		b.WriteString("\n")
		if len(t.Unvalued) > 0 {
			b.WriteString(render.FitLine(pal.Warn.Render("not valued (no price on their own venue): "+strings.Join(t.Unvalued, ", ")), width))
			b.WriteString("\n")
		}
	}
	totalLine("Total equity", s.Currency, s.Totals)
	for _, o := range s.OtherTotals {
		// Never added to the line above: no venue of these accounts
		// quotes their currency in the view's.
		totalLine(fmt.Sprintf("Not converted to %s (%s): equity", s.Currency, strings.Join(o.Accounts, ", ")), o.Currency, o.Totals)
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
		{Header: "profile"}, {Header: "exchange"}, {Header: "equity", Right: true}, {Header: "ccy"}, {Header: "cash", Right: true, Drop: 4},
		{Header: "realised", Right: true, Drop: 2}, {Header: "unrealised", Right: true, Drop: 3}, {Header: "orders", Right: true, Drop: 1}, {Header: "status", Shrink: true},
	}}
	for _, a := range s.Accounts {
		if !a.OK {
			why := a.Error.Code + ": " + a.Error.Message
			t.AddRow(render.S(a.Profile, render.Bold), render.T(a.Exchange), render.S("-", render.Muted), render.S("-", render.Muted), render.S("-", render.Muted),
				render.S("-", render.Muted), render.S("-", render.Muted), render.S("-", render.Muted), render.S(why, render.Bad))
			continue
		}
		places := moneyPlaces(a.Currency)
		status := render.S(fmt.Sprintf("ok (%dms)", a.ElapsedMS), render.Good)
		if c := a.Conversion; c != nil {
			status = render.S(fmt.Sprintf("ok (%dms), %s→%s at %s %s", a.ElapsedMS, c.From, c.To, c.Symbol, c.Rate.String()), render.Good)
		}
		if len(a.Totals.Unvalued) > 0 {
			status = render.S("not valued: "+strings.Join(a.Totals.Unvalued, ","), render.Warn)
		}
		t.AddRow(render.S(a.Profile, render.Bold), render.T(a.Exchange), render.Num(a.Totals.Equity, places), render.T(a.Currency), render.Num(a.Totals.Cash, places),
			pnlCell(a.Totals.RealizedPnL, places), pnlCell(a.Totals.UnrealizedPnL, places), render.T(fmt.Sprint(len(a.OpenOrders))), status)
	}
	return t
}

func balancesTable(s Snapshot) *render.TableData {
	t := &render.TableData{Columns: []render.Column{
		{Header: "profile"}, {Header: "asset"}, {Header: "free", Right: true, Drop: 2}, {Header: "locked", Right: true, Drop: 1},
		{Header: "total", Right: true}, {Header: "price", Right: true, Drop: 3}, {Header: "value", Right: true}, {Header: "ccy"},
	}}
	for _, a := range s.Accounts {
		places := moneyPlaces(a.Currency)
		for _, bl := range a.Balances {
			qp := qtyPlaces(a, bl.Asset)
			value, ccy := render.S("unvalued", render.Warn), render.S("-", render.Muted)
			price := render.S("-", render.Muted)
			if bl.Value.Valid {
				value, ccy = render.Num(bl.Value.Decimal, places), render.T(a.Currency)
				price = render.Num(bl.Price.Decimal, pricePlaces(a, bl.Asset))
			}
			t.AddRow(render.S(a.Profile, render.Muted), render.S(bl.Asset, render.Bold), render.Num(bl.Free, qp),
				render.Num(bl.Locked, qp), render.Num(bl.Total, qp), price, value, ccy)
		}
	}
	return t
}

// balancesCSV is the flat form spreadsheets want: one balance per row,
// exact decimals, each in its account's currency.
func balancesCSV(s Snapshot) *render.TableData {
	t := &render.TableData{Columns: []render.Column{
		{Header: "profile"}, {Header: "exchange"}, {Header: "asset"}, {Header: "free"}, {Header: "locked"},
		{Header: "total"}, {Header: "price"}, {Header: "value"}, {Header: "currency"},
	}}
	for _, a := range s.Accounts {
		for _, bl := range a.Balances {
			t.AddRow(render.T(a.Profile), render.T(a.Exchange), render.T(bl.Asset), render.T(bl.Free.String()), render.T(bl.Locked.String()),
				render.T(bl.Total.String()), render.T(orderview.Opt(bl.Price)), render.T(orderview.Opt(bl.Value)), render.T(a.Currency))
		}
	}
	return t
}

func positionsTable(s Snapshot) *render.TableData {
	t := &render.TableData{Columns: []render.Column{
		{Header: "profile"}, {Header: "symbol"}, {Header: "qty", Right: true}, {Header: "avg cost", Right: true, Drop: 2},
		{Header: "last", Right: true, Drop: 1}, {Header: "value", Right: true, Drop: 4}, {Header: "unrealised", Right: true}, {Header: "%", Right: true, Drop: 3},
	}}
	for _, a := range s.Accounts {
		for _, p := range a.Positions {
			in, _ := instrument(a, p.Symbol)
			pp, qp := in.PricePlaces(), in.QtyPlaces()
			money := moneyPlaces(p.Symbol.Quote)
			if p.Symbol.Quote == "" {
				money = moneyPlaces(in.QuoteAsset)
			}
			pct := render.S("-", render.Muted)
			if p.UnrealizedPct.Valid {
				pct = pnlCell(p.UnrealizedPct.Decimal, 2)
			}
			unreal := render.S("-", render.Muted)
			if p.UnrealizedPnL.Valid {
				unreal = pnlCell(p.UnrealizedPnL.Decimal, money)
			}
			last, value := render.S("-", render.Muted), render.S("-", render.Muted)
			if p.Price.Valid {
				last = render.Num(p.Price.Decimal, pp)
			}
			if p.MarketValue.Valid {
				value = render.Num(p.MarketValue.Decimal, money)
			}
			// The average cost carries fees, so it has more places than a
			// price: shown at the price precision plus two.
			avg := pp
			if avg >= 0 {
				avg += 2
			}
			t.AddRow(render.S(a.Profile, render.Muted), render.S(p.Symbol.String(), render.Bold), render.Num(p.Qty, qp),
				render.Num(p.AvgCost, avg), last, value, unreal, pct)
		}
	}
	return t
}

func openOrdersTable(s Snapshot) *render.TableData {
	t := &render.TableData{Columns: []render.Column{
		{Header: "profile"}, {Header: "id"}, {Header: "symbol"}, {Header: "side"}, {Header: "type", Drop: 3},
		{Header: "qty", Right: true}, {Header: "filled", Right: true, Drop: 2}, {Header: "price", Right: true},
		{Header: "stop", Right: true}, {Header: "created", Drop: 1},
	}}
	for _, a := range s.Accounts {
		for _, o := range a.OpenOrders {
			in, _ := instrument(a, o.Symbol)
			pp, qp := in.PricePlaces(), in.QtyPlaces()
			t.AddRow(render.S(a.Profile, render.Muted), render.S(o.ID, render.Accent), render.T(o.Symbol.String()), orderview.SideCell(o.Side),
				render.T(orderview.TypeText(o)), render.Num(o.Qty, qp), render.Num(o.FilledQty, qp),
				orderview.LimitCell(o, pp), render.NumOr(o.StopPrice, pp), render.At(o.CreatedAt))
		}
	}
	return t
}

// instrument finds an account's instrument by symbol; the zero one (whose
// places are unknown, -1) when the venue did not list it.
func instrument(a Account, sym trade.Symbol) (trade.Instrument, bool) {
	for _, in := range a.instruments {
		if in.Symbol == sym {
			return in, true
		}
	}
	return trade.Instrument{}, false
}

// assetInstrument is the instrument that prices asset in the account's
// venue currency: its step is the asset's quantity precision.
func assetInstrument(a Account, asset string) (trade.Instrument, bool) {
	base := a.Currency
	if a.Conversion != nil {
		base = a.Conversion.From
	}
	for _, in := range a.instruments {
		if norm(in.BaseAsset) == norm(asset) && norm(in.QuoteAsset) == base {
			return in, true
		}
	}
	for _, in := range a.instruments {
		if norm(in.BaseAsset) == norm(asset) {
			return in, true
		}
	}
	return trade.Instrument{}, false
}

func qtyPlaces(a Account, asset string) int32 {
	if in, ok := assetInstrument(a, asset); ok {
		return in.QtyPlaces()
	}
	return moneyPlaces(asset) // cash: the currency's own precision
}

func pricePlaces(a Account, asset string) int32 {
	if norm(asset) == a.Currency {
		return moneyPlaces(a.Currency) // cash: 1.00
	}
	if in, ok := assetInstrument(a, asset); ok && a.Conversion == nil {
		return in.PricePlaces()
	}
	// A converted price has the rate's places: shown exact.
	return -1
}

// moneyPlaces is how many decimals amounts in a currency are shown with:
// cents for fiat and dollar stablecoins, eight for anything else (BTC).
func moneyPlaces(currency string) int32 {
	switch norm(currency) {
	case "USD", "EUR", "GBP", "CHF", "CAD", "AUD", "JPY", "USDT", "USDC", "FDUSD", "DAI", "PYUSD", "":
		return 2
	}
	return 8
}

func pnlCell(d decimal.Decimal, places int32) render.Cell {
	c := render.Num(d, places)
	if d.IsPositive() {
		c.Style = render.Good
	} else if d.IsNegative() {
		c.Style = render.Bad
	}
	return c
}

func signed(p iostreams.Palette, d decimal.Decimal, places int32, group func(string) string) string {
	c := pnlCell(d, places)
	text := group(c.Text)
	switch c.Style {
	case render.Good:
		return p.Good.Render(text)
	case render.Bad:
		return p.Bad.Render(text)
	}
	return text
}
