package exchange

import "github.com/tradectl/tradectl/internal/trade"

// Bracketer is implemented by venues that attach a take-profit and a
// stop-loss to an entry natively (trade.OrderRequest.Exits without OCO):
// the paper exchange, Binance (OTOCO), Alpaca (order_class bracket) and
// Coinbase (an attached trigger bracket).
// PlaceOrder sends the entry and its exits as one list and returns the
// entry with the exits in Legs; the venue rests the exits once the entry
// has filled, and one of them filling or triggering cancels the other.
//
// Brackets says whether the venue takes req's bracket (its entry type and
// side). A venue without the capability is never sent one: tradectl does
// not emulate a bracket by placing the exits itself after a fill it would
// have to watch for. CanLink asks Brackets only of a pair of exits.
type Bracketer interface {
	Brackets(req trade.OrderRequest) bool
}

// ExitAttacher is implemented by venues that attach a single exit — a
// take-profit alone or a stop-loss alone (trade.Exits.Pair false) — to an
// entry natively: Kraken's conditional close. PlaceOrder returns the
// entry, with its list id; the exit is an order of its own once the entry
// has filled, and is reported as a leg of the entry's list.
//
// AttachesExit says whether the venue takes req's single exit (its entry
// type, its exit's kind). A venue that does not implement it is never sent
// a single exit.
type ExitAttacher interface {
	AttachesExit(req trade.OrderRequest) bool
}

// OCOPlacer is implemented by venues that place a pair of exits where one
// filling or triggering cancels the other natively (trade.OrderRequest
// with Exits.OCO): the paper exchange, Binance, Alpaca and Coinbase
// (trigger_bracket). PlaceOrder returns the take-profit leg with the
// stop-loss in Legs.
type OCOPlacer interface {
	PlacesOCO(req trade.OrderRequest) bool
}

// CanLink reports whether ex takes req's linked exits natively: an OCO on
// an OCOPlacer, a bracket's pair of exits on a Bracketer, a bracket's
// single exit on an ExitAttacher. A request without exits is always
// taken.
func CanLink(ex Exchange, req trade.OrderRequest) bool {
	switch {
	case !req.Linked():
		return true
	case req.Exits.OCO:
		o, ok := ex.(OCOPlacer)
		return ok && o.PlacesOCO(req)
	case !req.Exits.Pair():
		a, ok := ex.(ExitAttacher)
		return ok && a.AttachesExit(req)
	default:
		b, ok := ex.(Bracketer)
		return ok && b.Brackets(req)
	}
}

// LinkRefuser is implemented by venues that say, in their own words, why
// they do not take a request's linked exits when CanLink is false: the
// combination their native form cannot express (a stop-loss limit of the
// trader's choosing, a pair where one exit is attached). LinkRefusal is ""
// when the venue has nothing to add to the capability's own refusal.
type LinkRefuser interface {
	LinkRefusal(req trade.OrderRequest) string
}

// ExitNoter is implemented by venues whose native exits differ in a detail
// from what tradectl's flags name, within what the trader asked: the
// dry run and the confirmation screen show ExitNote ("" for none) beside
// the legs, so the difference is seen before anything is sent.
type ExitNoter interface {
	ExitNote(req trade.OrderRequest) string
}

// ExitNote is ex's note on req's linked exits, "" when it has none.
func ExitNote(ex Exchange, req trade.OrderRequest) string {
	if n, ok := ex.(ExitNoter); ok && req.Linked() {
		return n.ExitNote(req)
	}
	return ""
}
