// Package orderview renders orders the same way for every order command.
package orderview

import (
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// Table lays out a list of orders, one per row.
func Table(orders []trade.Order) *render.TableData {
	t := &render.TableData{
		Columns: []render.Column{
			{Header: "id"}, {Header: "symbol"}, {Header: "side"}, {Header: "type"},
			{Header: "qty", Right: true}, {Header: "filled", Right: true, Drop: 4}, {Header: "price", Right: true},
			{Header: "avg fill", Right: true, Drop: 3}, {Header: "status"}, {Header: "created", Drop: 2},
			{Header: "client id", Shrink: true, Drop: 1},
		},
		Empty: "no orders",
	}
	for _, o := range orders {
		t.AddRow(
			render.S(o.ID, render.Accent),
			render.T(o.Symbol.String()),
			SideCell(o.Side),
			render.T(TypeText(o)),
			render.T(o.Qty.String()),
			render.T(o.FilledQty.String()),
			render.T(PriceText(o)),
			render.T(Opt(o.AvgFillPrice)),
			StatusCell(o.Status),
			render.At(o.CreatedAt),
			render.S(o.ClientID, render.Muted),
		)
	}
	return t
}

// Detail lays out one order as field/value rows.
func Detail(o trade.Order) *render.TableData {
	t := &render.TableData{Columns: []render.Column{{Header: "field"}, {Header: "value"}}}
	add := func(k string, c render.Cell) { t.AddRow(render.S(k, render.Muted), c) }
	add("id", render.S(o.ID, render.Accent))
	add("client id", render.T(o.ClientID))
	add("symbol", render.T(o.Symbol.String()))
	add("side", SideCell(o.Side))
	add("type", render.T(TypeText(o)))
	add("time in force", render.T(string(o.TimeInForce)))
	add("status", StatusCell(o.Status))
	add("qty", render.T(o.Qty.String()))
	add("filled qty", render.T(o.FilledQty.String()))
	add("price", render.T(Opt(o.Price)))
	add("stop price", render.T(Opt(o.StopPrice)))
	add("avg fill price", render.T(Opt(o.AvgFillPrice)))
	add("fee", render.T(feeText(o)))
	if o.RejectReason != "" {
		add("reason", render.S(o.RejectReason, render.Bad))
	}
	add("created", render.At(o.CreatedAt))
	add("updated", render.At(o.UpdatedAt))
	add("exchange", render.T(o.Exchange))
	add("profile", render.T(o.Profile))
	return t
}

func feeText(o trade.Order) string {
	if o.FeeAsset == "" {
		return o.Fee.String()
	}
	return o.Fee.String() + " " + o.FeeAsset
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
