package orderplan

import (
	"fmt"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// LinkError refuses a bracket or an OCO on a venue that does not place it
// natively (exchange.Bracketer, exchange.OCOPlacer); nothing was sent.
// tradectl does not emulate the exits by watching for the entry's fill.
type LinkError struct {
	Venue string
	OCO   bool
	// Single is a bracket with one exit (a take-profit or a stop-loss
	// alone).
	Single bool
	Type   trade.OrderType
	// Reason is the venue's own word on what it cannot express
	// (exchange.LinkRefuser), "" when it has none.
	Reason string
}

func (e *LinkError) Error() string {
	if e.Reason != "" {
		return e.Reason
	}
	if e.OCO {
		return fmt.Sprintf("%s does not place OCO exit pairs natively", e.Venue)
	}
	if e.Single {
		return fmt.Sprintf("%s does not attach a single exit (a take-profit or a stop-loss alone) to a %s entry natively", e.Venue, e.Type)
	}
	return fmt.Sprintf("%s does not attach a take-profit and a stop-loss to a %s entry natively", e.Venue, e.Type)
}

// checkLinked refuses linked exits ex does not take natively.
func checkLinked(ex exchange.Exchange, req trade.OrderRequest) error {
	if exchange.CanLink(ex, req) {
		return nil
	}
	e := &LinkError{Venue: ex.Name(), OCO: req.Exits.OCO, Single: !req.Exits.Pair(), Type: req.Type}
	if r, ok := ex.(exchange.LinkRefuser); ok {
		e.Reason = r.LinkRefusal(req)
	}
	return e
}
