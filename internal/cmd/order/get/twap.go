package get

import (
	"context"
	"fmt"

	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/journal"
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
	return orderview.PrintProgress(printer, p)
}

// journalOpener is the journal the parent's progress is read from.
type journalOpener = func() (*journal.Journal, error)
