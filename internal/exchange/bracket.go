package exchange

import "github.com/tradectl/tradectl/internal/trade"

// Bracketer is implemented by venues that attach a take-profit and a
// stop-loss to an entry natively (trade.OrderRequest.Exits without OCO):
// the paper exchange. PlaceOrder sends the entry and its exits as one list
// and returns the entry with the exits in Legs; the venue rests the exits
// once the entry has filled, and one of them filling or triggering cancels
// the other.
//
// Brackets says whether the venue takes req's bracket (its entry type and
// side). A venue without the capability is never sent one: tradectl does
// not emulate a bracket by placing the exits itself after a fill it would
// have to watch for.
type Bracketer interface {
	Brackets(req trade.OrderRequest) bool
}

// OCOPlacer is implemented by venues that place a pair of exits where one
// filling or triggering cancels the other natively (trade.OrderRequest
// with Exits.OCO): the paper exchange. PlaceOrder returns the take-profit
// leg with the stop-loss in Legs.
type OCOPlacer interface {
	PlacesOCO(req trade.OrderRequest) bool
}

// CanLink reports whether ex takes req's linked exits natively: an OCO on
// an OCOPlacer, a bracket on a Bracketer. A request without exits is
// always taken.
func CanLink(ex Exchange, req trade.OrderRequest) bool {
	switch {
	case !req.Linked():
		return true
	case req.Exits.OCO:
		o, ok := ex.(OCOPlacer)
		return ok && o.PlacesOCO(req)
	default:
		b, ok := ex.(Bracketer)
		return ok && b.Brackets(req)
	}
}
