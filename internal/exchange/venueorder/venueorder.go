// Package venueorder holds the order plumbing every venue adapter needs in
// the same form: reading a venue's decimal and enumerated fields into the
// domain, refusing a request with a typed error before it is sent, ordering
// a listing and minting client ids. What a venue's words mean (its status,
// type and time-in-force tables) stays with the adapter; how such a table
// is read lives here.
package venueorder

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// Decimal reads a venue's decimal string. Venues leave a number out as ""
// where nothing has happened yet (no fills, no price), so "" reads as zero;
// a malformed number fails, naming the field.
func Decimal(field, s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, nil
	}
	d, err := trade.ParseDecimal(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%s: %w", field, err)
	}
	return d, nil
}

// OptionalDecimal reads a decimal string whose absence means "not set"
// (a market order's limit price): "" is null, not zero.
func OptionalDecimal(field, s string) (decimal.NullDecimal, error) {
	if s == "" {
		return decimal.NullDecimal{}, nil
	}
	d, err := Decimal(field, s)
	if err != nil {
		return decimal.NullDecimal{}, err
	}
	return decimal.NewNullDecimal(d), nil
}

// PositiveOrNull is d when it is positive and null otherwise, for venues
// that write an unset price as "0" or "0.00000000".
func PositiveOrNull(d decimal.Decimal) decimal.NullDecimal {
	if d.IsPositive() {
		return decimal.NewNullDecimal(d)
	}
	return decimal.NullDecimal{}
}

// Time reads an RFC 3339 timestamp as UTC; "" is the zero time, for
// events that have not happened.
func Time(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", field, err)
	}
	return t.UTC(), nil
}

// FromWire looks a venue's word up in one of its mapping tables (status,
// order type, side, time in force). A word the table lacks is an error
// naming what was read, "unknown order status \"HALTED\"", so an answer the
// adapter does not understand is never shown as something else.
func FromWire[V any](table map[string]V, what, wire string) (V, error) {
	v, ok := table[wire]
	if !ok {
		var zero V
		return zero, fmt.Errorf("unknown %s %q", what, wire)
	}
	return v, nil
}

// Invalid turns a request that fails the domain's own checks
// (trade.ValidationError: bad quantity, off-tick price, …) into the venue's
// ErrInvalidOrder, refused before anything is sent. Other errors pass
// through unchanged.
func Invalid(venue string, err error) error {
	var ve *trade.ValidationError
	if errors.As(err, &ve) {
		return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venue, Message: ve.Error(), Err: err}
	}
	return err
}

// Refusef is an ErrInvalidOrder for a request the venue cannot take as
// asked (an order type it lacks, a market that is halted), refused before
// anything is sent.
func Refusef(venue, format string, args ...any) error {
	return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venue, Message: fmt.Sprintf(format, args...)}
}

// NewestFirst sorts orders by creation time, newest first, as the order
// listing promises; orders created in the same instant fall back to their
// ids, descending, so a listing's order does not depend on the venue's.
func NewestFirst(orders []trade.Order) {
	slices.SortStableFunc(orders, func(a, b trade.Order) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}

// ClientIDPrefix starts every client id tradectl mints, so its orders are
// recognisable among those placed by other tools on the same account.
const ClientIDPrefix = "tctl-"

// NewClientID mints a random client id: ClientIDPrefix and hexDigits
// random hex digits. Venues bound the length of a client id differently,
// so each adapter says how many digits it can afford.
func NewClientID(hexDigits int) string {
	b := make([]byte, (hexDigits+1)/2)
	_, _ = rand.Read(b)
	return ClientIDPrefix + hex.EncodeToString(b)[:hexDigits]
}

// CheckRequest runs the domain's own checks on req (side, type, positive
// quantity, prices the type needs) and refuses a failure as the venue's
// ErrInvalidOrder, before any rule lookup or request.
func CheckRequest(venue string, req trade.OrderRequest) error {
	if req.Linked() {
		// An adapter that takes linked exits handles them before this
		// check; one that reaches it would send the entry alone.
		return Refusef(venue, "%s does not take linked take-profit/stop-loss exits (bracket or OCO) natively", venue)
	}
	return Invalid(venue, req.Validate())
}

// CheckRules refuses, as the venue's ErrInvalidOrder, a request that
// breaks the instrument's rules: tick, step, minimum and maximum quantity,
// minimum notional. Nothing is rounded. A market order is not valued here:
// the adapter has no price for it, and the venue checks its size against
// its own book or quote.
func CheckRules(venue string, req trade.OrderRequest, in trade.Instrument) error {
	_, err := in.Conform(req, trade.RoundReject, decimal.Zero)
	return Invalid(venue, err)
}

// CheckAmend is the check every venue's PlanAmend starts with: the order
// as it would stand after the amendment (trade.AmendRequest.Amended), with
// what the domain refuses (an order no longer working, a price its type
// lacks, a quantity not above the filled part) refused as the venue's
// ErrInvalidOrder before anything is sent.
func CheckAmend(venue string, o trade.Order, a trade.AmendRequest) (trade.OrderRequest, error) {
	req, err := a.Amended(o)
	if err != nil {
		return trade.OrderRequest{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venue, Message: err.Error(), Err: err}
	}
	return req, nil
}

// Lookup finds the order ref names the way the reference allows: by the
// venue's order id when it has one, else by its client id (ref.Symbol, if
// set, tells the venue where to look), and refuses a reference with
// neither as ErrInvalidOrder.
func Lookup(ctx context.Context, venue string, ref exchange.OrderRef,
	byID func(ctx context.Context, id string) (trade.Order, error),
	byClientID func(ctx context.Context, clientID string, sym trade.Symbol) (trade.Order, error),
) (trade.Order, error) {
	switch {
	case ref.ID != "":
		return byID(ctx, ref.ID)
	case ref.ClientID != "":
		return byClientID(ctx, ref.ClientID, ref.Symbol)
	}
	return trade.Order{}, Refusef(venue, "an order id or client id is required")
}
