package orderplan

import (
	"fmt"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// TrailError refuses a trailing stop on a venue that does not take one
// natively, or not with its trail in the unit given (Unit: "pct" or
// "amount"); nothing was sent. Units says what the venue takes on the
// symbol's market, none when it takes no trailing stops there.
type TrailError struct {
	Venue string
	Unit  string
	Units exchange.TrailUnits
}

func (e *TrailError) Error() string {
	switch u := e.Units; {
	case !u.Pct && !u.Amount:
		return fmt.Sprintf("%s takes no trailing-stop orders here", e.Venue)
	case e.Unit == "pct":
		return fmt.Sprintf("%s takes a trailing stop's trail as an amount only", e.Venue)
	default:
		return fmt.Sprintf("%s takes a trailing stop's trail as a percentage only", e.Venue)
	}
}

// trailRefusal is the TrailError for req on ex, which exchange.CanTrail
// refused.
func trailRefusal(ex exchange.Exchange, req trade.OrderRequest) *TrailError {
	e := &TrailError{Venue: ex.Name(), Unit: "amount"}
	if req.TrailPct.Valid {
		e.Unit = "pct"
	}
	if t, ok := ex.(exchange.Trailer); ok {
		e.Units = t.TrailUnits(req.Symbol)
	}
	return e
}
