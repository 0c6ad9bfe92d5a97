// Package orderview renders orders the same way for every order command.
package orderview

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// PrecisionOf reads the venue's instrument rules for table output. A
// venue that cannot list them gives the zero Precision: numbers are then
// shown as they are, never at an invented precision.
func PrecisionOf(ctx context.Context, ex exchange.Exchange) render.Precision {
	ins, err := ex.Instruments(ctx)
	if err != nil {
		return render.Precision{}
	}
	return render.NewPrecision(ins)
}

// Table lays out a list of orders, one per row, numbers as they are.
func Table(orders []trade.Order) *render.TableData { return TableWith(orders, render.Precision{}) }

// TableWith lays out orders with prices at their instrument's tick and
// quantities at its step.
func TableWith(orders []trade.Order, prec render.Precision) *render.TableData {
	t := &render.TableData{
		Columns: []render.Column{
			{Header: "id"}, {Header: "symbol"}, {Header: "side"}, {Header: "type"},
			{Header: "qty", Right: true}, {Header: "filled", Right: true, Drop: 4}, {Header: "price", Right: true},
			{Header: "avg fill", Right: true, Drop: 3}, {Header: "status", Keep: true}, {Header: "created", Drop: 2},
			{Header: "client id", Shrink: true, Drop: 1},
		},
		Empty: "no orders",
	}
	for _, o := range orders {
		pp, qp := prec.Price(o.Symbol), prec.Qty(o.Symbol)
		t.AddRow(
			render.S(o.ID, render.Accent),
			render.T(o.Symbol.String()),
			SideCell(o.Side),
			render.T(TypeText(o)),
			render.Num(o.Qty, qp),
			render.Num(o.FilledQty, qp),
			PriceCell(o, pp),
			render.NumOr(o.AvgFillPrice, pp),
			StatusCell(o.Status),
			render.At(o.CreatedAt),
			render.S(o.ClientID, render.Muted),
		)
	}
	return t
}

// Detail lays out one order as field/value rows, numbers as they are.
func Detail(o trade.Order) *render.TableData { return DetailWith(o, render.Precision{}) }

// DetailWith lays out one order as field/value rows, prices at the
// instrument's tick, quantities at its step and the fee at its asset's
// precision.
func DetailWith(o trade.Order, prec render.Precision) *render.TableData {
	pp, qp := prec.Price(o.Symbol), prec.Qty(o.Symbol)
	t := &render.TableData{Columns: []render.Column{{Header: "field"}, {Header: "value", Keep: true}}}
	add := func(k string, c render.Cell) { t.AddRow(render.S(k, render.Muted), c) }
	add("id", render.S(o.ID, render.Accent))
	add("client id", render.T(o.ClientID))
	add("symbol", render.T(o.Symbol.String()))
	add("side", SideCell(o.Side))
	add("type", render.T(TypeText(o)))
	add("time in force", render.T(string(o.TimeInForce)))
	add("status", StatusCell(o.Status))
	add("qty", render.Num(o.Qty, qp))
	add("filled qty", render.Num(o.FilledQty, qp))
	add("price", render.NumOr(o.Price, pp))
	add("stop price", render.NumOr(o.StopPrice, pp))
	add("avg fill price", render.NumOr(o.AvgFillPrice, pp))
	add("fee", feeCell(o, prec))
	if o.RejectReason != "" {
		add("reason", render.S(o.RejectReason, render.Bad))
	}
	add("created", render.At(o.CreatedAt))
	add("updated", render.At(o.UpdatedAt))
	add("exchange", render.T(o.Exchange))
	add("profile", render.T(o.Profile))
	return t
}

// feeCell is the fee at its asset's precision, followed by the asset. It
// is text, not a number cell: the asset after it would break alignment.
func feeCell(o trade.Order, prec render.Precision) render.Cell {
	places := int32(-1)
	if o.FeeAsset != "" {
		places = prec.Asset(o.FeeAsset)
	}
	c := render.Amount(o.Fee, places)
	if o.FeeAsset == "" {
		return c
	}
	return render.T(c.Text + " " + o.FeeAsset)
}

// PriceCell shows the limit price, the stop price, or both, at places
// decimal places (-1: as they are). A single limit price is a number cell.
func PriceCell(o trade.Order, places int32) render.Cell {
	fmtp := func(d decimal.Decimal) string { return render.Num(d, places).Text }
	switch {
	case o.Price.Valid && o.StopPrice.Valid:
		return render.T(fmtp(o.Price.Decimal) + " @stop " + fmtp(o.StopPrice.Decimal))
	case o.StopPrice.Valid:
		return render.T("stop " + fmtp(o.StopPrice.Decimal))
	case o.Price.Valid:
		return render.Num(o.Price.Decimal, places)
	}
	return render.T("market")
}

// TypeText is the type with "post-only" when set.
func TypeText(o trade.Order) string {
	if o.PostOnly {
		return string(o.Type) + " (post-only)"
	}
	return string(o.Type)
}

// PriceText shows the limit price, the stop price, or both.
func PriceText(o trade.Order) string {
	switch {
	case o.Price.Valid && o.StopPrice.Valid:
		return o.Price.Decimal.String() + " @stop " + o.StopPrice.Decimal.String()
	case o.StopPrice.Valid:
		return "stop " + o.StopPrice.Decimal.String()
	case o.Price.Valid:
		return o.Price.Decimal.String()
	}
	return "market"
}

// Opt shows an optional decimal or "-".
func Opt(d decimal.NullDecimal) string {
	if !d.Valid {
		return "-"
	}
	return d.Decimal.String()
}

// SideCell colours buys and sells.
func SideCell(s trade.Side) render.Cell {
	if s == trade.Buy {
		return render.S(string(s), render.Good)
	}
	return render.S(string(s), render.Bad)
}

// StatusCell colours a status by how it ended.
func StatusCell(s trade.OrderStatus) render.Cell {
	switch s {
	case trade.StatusFilled:
		return render.S(string(s), render.Good)
	case trade.StatusRejected, trade.StatusExpired:
		return render.S(string(s), render.Bad)
	case trade.StatusCanceled:
		return render.S(string(s), render.Muted)
	case trade.StatusPartiallyFilled:
		return render.S(string(s), render.Warn)
	}
	return render.T(string(s))
}
