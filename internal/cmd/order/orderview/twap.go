package orderview

import (
	"fmt"

	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/twap"
)

// PrintProgress prints a sliced order's progress: one document with the
// parent and its children (-o json), or a table of the parent's fields
// and a row per slice.
func PrintProgress(printer *render.Printer, p twap.Progress) error {
	return printer.Print(p, func() *render.TableData { return progressTable(p) })
}

func progressTable(p twap.Progress) *render.TableData {
	t := &render.TableData{Columns: []render.Column{{Header: "field"}, {Header: "value"}}}
	addCell := func(k string, c render.Cell) { t.AddRow(render.S(k, render.Muted), c) }
	add := func(k, v string) { addCell(k, render.T(v)) }
	r := p.Request
	add("parent", p.Parent)
	add("idempotency key", p.IdempotencyKey)
	add("profile", p.Profile)
	add("exchange", p.Exchange)
	order := fmt.Sprintf("%s %s %s %s", r.Side, r.Qty, r.Symbol, r.Type)
	if r.Price.Valid {
		order += " at " + r.Price.Decimal.String()
	}
	if r.StopPrice.Valid {
		order += " stop " + r.StopPrice.Decimal.String()
	}
	add("order", order)
	add("schedule", fmt.Sprintf("%d slices over %s", p.Slices, p.Over))
	addCell("started", render.At(p.StartedAt))
	add("placed", fmt.Sprintf("%d of %d", p.Placed, p.Slices))
	add("filled", fmt.Sprintf("%d of %d children, qty %s of %s", p.Filled, p.Slices, p.FilledQty, r.Qty))
	if p.AvgPrice.Valid {
		add("avg fill price", p.AvgPrice.Decimal.String())
	}
	if p.NextSliceAt != nil {
		addCell("next slice", render.At(*p.NextSliceAt))
	}
	for _, c := range p.Children {
		v := fmt.Sprintf("%s %s, due %s", c.Qty, c.Status, c.DueAt.Format("15:04:05.000"))
		if c.OrderID != "" {
			v += ", order " + c.OrderID
		}
		if c.FilledQty.IsPositive() {
			v += ", filled " + c.FilledQty.String()
			if c.AvgFillPrice.Valid {
				v += " at " + c.AvgFillPrice.Decimal.String()
			}
		}
		add(fmt.Sprintf("slice %d/%d", c.Index, p.Slices), v)
	}
	if p.Complete {
		add("complete", "every slice placed")
	}
	return t
}
