package exchange

import (
	"context"

	"github.com/tradectl/tradectl/internal/trade"
)

// Amender is implemented by venues that change a working order natively
// (Kraken AmendOrder, Binance order amend and cancel-replace, Alpaca
// replace, Coinbase edit, and the paper exchange). A venue without it is
// never asked to amend: tradectl does not emulate an amendment by
// canceling and placing behind the trader's back.
type Amender interface {
	// PlanAmend says what amending o with a would do on this venue, or
	// refuses it (an *Error of kind ErrInvalidOrder) when the venue cannot
	// make that change — before anything is sent. It does no I/O. a is
	// already conformed to the instrument's rules.
	PlanAmend(o trade.Order, a trade.AmendRequest) (AmendPlan, error)
	// AmendOrder changes o (as last looked up) as a says and returns the
	// order as it now stands. When the venue replaces the order, the
	// result carries the new order and the id it replaced; newClientID,
	// when set, is the client id the new order gets, so an answer lost in
	// transit can be settled by looking it up. A timeout after the request
	// left is an *Error of kind ErrUnknownOutcome: the caller settles it by
	// looking the order up, never by sending the amendment again.
	AmendOrder(ctx context.Context, o trade.Order, a trade.AmendRequest, newClientID string) (AmendResult, error)
}

// AmendPlan is what an amendment will do on a venue.
type AmendPlan struct {
	// Method names the venue's operation ("AmendOrder",
	// "order.cancelReplace", "in place") for dry runs and the journal.
	Method string `json:"method"`
	// NewID says the order comes back under a new id: the venue replaces
	// it (Alpaca, Binance cancel-replace).
	NewID bool `json:"new_id"`
	// KeepsPriority says the order keeps its place in the queue.
	KeepsPriority bool `json:"keeps_priority"`
}

// AmendResult is an amended order and, when the venue replaced it, the
// id it replaced.
type AmendResult struct {
	Order      trade.Order
	ReplacedID string
}
