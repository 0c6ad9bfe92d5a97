package get

import (
	"context"
	"fmt"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/twap"
)

// parentRun shows a sliced order's progress: `order get twap-KEY`. The
// journal says which child is which; the venue, how each one stands now.
func parentRun(ctx context.Context, o *GetOptions, key string) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	ex, prof, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	j, err := o.Journal()
	if err != nil {
		return err
	}
	t, ok, err := j.TWAP(ctx, prof.Name, key)
	if err != nil {
		return err
	}
	if !ok {
		return &exchange.Error{Kind: exchange.ErrNotFound, Venue: ex.Name(),
			Message: fmt.Sprintf("no sliced order %s on profile %s in the journal", twap.ParentID(key), prof.Name)}
	}
	p, err := twap.Read(ctx, j, ex, t)
	if err != nil {
		return err
	}
	return PrintProgress(printer, p)
}

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

// journalOpener is the journal the parent's progress is read from.
type journalOpener = func() (*journal.Journal, error)
