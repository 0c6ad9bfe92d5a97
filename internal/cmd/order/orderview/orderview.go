// Package orderview renders orders the same way for every order command.
package orderview

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// PrecisionOf reads the venue's instrument rules for table output,
// asking the venue for them when they are not cached. A venue that cannot
// list them gives the zero Precision: numbers are then shown as they are,
// never at an invented precision.
func PrecisionOf(ctx context.Context, ex exchange.Exchange) render.Precision {
	ins, err := ex.Instruments(ctx)
	if err != nil {
		return render.Precision{}
	}
	return render.NewPrecision(ins)
}

// CachedPrecisionOf is PrecisionOf from the rules already held (in
// memory or the venue's rule cache file) and never asks the venue: an
// order command's table is not worth a round trip. Without cached rules
// it is the zero Precision, and numbers are shown exact, still aligned.
// A finished or timed-out ctx does not stop it, since nothing waits on
// the network: the order is shown at its precision either way.
func CachedPrecisionOf(ctx context.Context, ex exchange.Exchange) render.Precision {
	return PrecisionOf(exchange.CachedRulesOnly(context.WithoutCancel(ctx)), ex)
}

// TableWith lays out orders with prices at their instrument's tick and
// quantities at its step, each column aligned on the decimal point. The
// limit price and the stop price have a column each, so both stay
// numbers that line up: PRICE says "market" for an order without a limit
// (a stop that becomes a market order too), STOP "-" for one without a
// trigger.
//
// A narrow terminal gives up, in order: the client id, the creation
// time, the average fill price, the filled quantity and the type (which
// PRICE and STOP already imply); never the status.
func TableWith(orders []trade.Order, prec render.Precision) *render.TableData {
	t := &render.TableData{
		Columns: []render.Column{
			{Header: "id"}, {Header: "symbol"}, {Header: "side"}, {Header: "type", Drop: 5},
			{Header: "qty", Right: true}, {Header: "filled", Right: true, Drop: 4},
			{Header: "price", Right: true}, {Header: "stop", Right: true},
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
			LimitCell(o, pp),
			render.NumOr(o.StopPrice, pp),
			render.NumOr(o.AvgFillPrice, pp),
			StatusCell(o.Status),
			render.At(o.CreatedAt),
			render.S(o.ClientID, render.Muted),
		)
	}
	return t
}

// DetailWith lays out one order as field/value rows, prices at the
// instrument's tick, quantities at its step and the fee at its asset's
// precision, the numbers lined up on their decimal point.
func DetailWith(o trade.Order, prec render.Precision) *render.TableData {
	pp, qp := prec.Price(o.Symbol), prec.Qty(o.Symbol)
	t := &render.TableData{Columns: []render.Column{{Header: "field"}, {Header: "value", Keep: true, AlignPoint: true}}}
	add := func(k string, c render.Cell) { t.AddRow(render.S(k, render.Muted), c) }
	add("id", render.S(o.ID, render.Accent))
	add("client id", render.T(o.ClientID))
	add("symbol", render.T(o.Symbol.String()))
	add("side", SideCell(o.Side))
	add("type", render.T(TypeText(o)))
	add("time in force", render.T(string(o.TimeInForce)))
	if o.ExpiresAt != nil {
		add("expires", render.At(*o.ExpiresAt))
	}
	add("status", StatusCell(o.Status))
	add("qty", render.Num(o.Qty, qp))
	add("filled qty", render.Num(o.FilledQty, qp))
	add("price", render.NumOr(o.Price, pp))
	add("stop price", render.NumOr(o.StopPrice, pp))
	if trail := o.TrailText(); trail != "" {
		add("trail", render.T(trail))
	}
	add("avg fill price", render.NumOr(o.AvgFillPrice, pp))
	add("fee", feeCell(o, prec))
	if o.RejectReason != "" {
		add("reason", render.S(o.RejectReason, render.Bad))
	}
	if o.ListID != "" {
		add("list", render.T(o.ListID))
		add("leg", render.T(LegText(o.Leg)))
	}
	if o.ParentID != "" {
		add("parent", render.T(o.ParentID))
	}
	for _, l := range o.Legs {
		add(LegText(l.Leg), render.T(LegSummary(l)))
	}
	add("created", render.At(o.CreatedAt))
	add("updated", render.At(o.UpdatedAt))
	add("exchange", render.T(o.Exchange))
	add("profile", render.T(o.Profile))
	return t
}

// feeCell is the fee at its asset's precision (never fewer digits than
// it has), followed by the asset as the cell's unit.
func feeCell(o trade.Order, prec render.Precision) render.Cell {
	places := int32(-1)
	if o.FeeAsset != "" {
		places = prec.Asset(o.FeeAsset)
	}
	c := render.Amount(o.Fee, places)
	c.Unit = o.FeeAsset
	return c
}

// LimitCell is the order's limit price at places decimal places (-1: as
// it is), or "market" for an order that has none: a market order, or a
// stop order, which becomes one when triggered.
func LimitCell(o trade.Order, places int32) render.Cell {
	if !o.Price.Valid {
		return render.S("market", render.Muted)
	}
	return render.Num(o.Price.Decimal, places)
}

// TypeText is the type with "post-only" when set, a trailing stop's trail
// ("trailing-stop 0.5%": its STOP is the current trigger, which moves, so
// the trail is what the trader set), and the order's leg when it is
// linked to others (a bracket or an OCO), so a listing shows which orders
// belong together.
func TypeText(o trade.Order) string {
	t := string(o.Type)
	if trail := o.TrailText(); trail != "" {
		t += " " + trail
	}
	if o.PostOnly {
		t += " (post-only)"
	}
	if o.Leg != "" {
		t += " · " + LegText(o.Leg)
	}
	return t
}

// LegText is a leg's role in words: "take-profit".
func LegText(l trade.LegRole) string { return strings.ReplaceAll(string(l), "_", "-") }

// LegSummary is another leg of an order's list in one line:
// "#12 sell 0.01 limit 110000 open", "#13 sell 0.01 stop 100000 market
// open".
func LegSummary(o trade.Order) string {
	s := fmt.Sprintf("#%s %s %s", o.ID, o.Side, o.Qty)
	if o.StopPrice.Valid {
		s += " stop " + o.StopPrice.Decimal.String()
	}
	if o.Price.Valid {
		s += " limit " + o.Price.Decimal.String()
	} else {
		s += " market"
	}
	return s + " " + strings.ReplaceAll(string(o.Status), "_", " ")
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
