// Package notify tells someone who is not watching that something
// happened: a watch condition fired, an order ended, a risk limit
// refused an order. It sits beside the trading path, never on it: a
// Dispatcher takes events without blocking and hands them to notifiers
// (a shell command, a webhook, the desktop) on goroutines of their own,
// so a slow or failing notifier cannot delay an order or a watch.
package notify

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// Kind says what happened. The values are part of the JSON contract.
type Kind string

// The kinds of event, by the command that emits them.
const (
	// KindAlert: watch --alert became true.
	KindAlert Kind = "alert"
	// KindUntil: watch --until held.
	KindUntil Kind = "until"
	// KindOrderFilled: order create --wait saw the order filled.
	KindOrderFilled Kind = "order_filled"
	// KindOrderDone: order create --wait saw the order end otherwise
	// (canceled, expired, rejected).
	KindOrderDone Kind = "order_done"
	// KindWaitTimeout: order create --wait gave up at --wait-timeout.
	KindWaitTimeout Kind = "wait_timeout"
	// KindOrderEvent: events printed an order change or a fill.
	KindOrderEvent Kind = "order_event"
	// KindRiskRefused: a risk limit or the slippage guard refused an
	// order (order create, positions close) or an amendment (order amend).
	KindRiskRefused Kind = "risk_refused"
)

// Kinds lists every kind, in a stable order.
func Kinds() []Kind {
	return []Kind{KindAlert, KindUntil, KindOrderFilled, KindOrderDone, KindWaitTimeout, KindOrderEvent, KindRiskRefused}
}

// KindNames lists every kind as text, for messages and completion.
func KindNames() []string {
	out := make([]string, 0, len(Kinds()))
	for _, k := range Kinds() {
		out = append(out, string(k))
	}
	return out
}

// ParseKind checks one kind name as written in --notify-on or the config.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Kinds(), k) {
		return k, nil
	}
	return "", fmt.Errorf("unknown event kind %q (kinds: %s)", s, strings.Join(KindNames(), ", "))
}

// ParseKinds checks a list of kind names; duplicates are folded.
func ParseKinds(names []string) ([]Kind, error) {
	var out []Kind
	for _, n := range names {
		k, err := ParseKind(n)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// Event is one notification. Its JSON form is stable: every field is
// always present, null when it does not apply, so a receiver can rely on
// the shape. The README's JSON reference documents each field.
type Event struct {
	Kind Kind `json:"kind"`
	// Time is when it happened: the quote's or the venue's time where
	// there is one, else when tradectl saw it.
	Time trade.JSONTime `json:"time"`
	// Command is the tradectl command that emitted it: "watch",
	// "order create", "order amend", "positions close" or "events".
	Command string `json:"command"`
	Profile string `json:"profile"`
	Venue   string `json:"venue"`
	// Symbol is the symbol concerned ("" only when none is).
	Symbol string `json:"symbol"`
	// Message is one human-readable line saying what happened.
	Message string `json:"message"`
	// Expr is the --alert or --until condition (alert, until).
	Expr *string `json:"expr"`
	// Quote is the quote that fired the condition (alert, until).
	Quote *Quote `json:"quote"`
	// Order is the order as it stands (order_*, wait_timeout, order_event
	// of an order change).
	Order *trade.Order `json:"order"`
	// Fill is the execution (order_event of a fill).
	Fill *trade.Fill `json:"fill"`
	// Refusal says which limits refused what (risk_refused).
	Refusal *Refusal `json:"refusal"`
}

// Quote is the quote of a condition event.
type Quote struct {
	Symbol string          `json:"symbol"`
	Bid    decimal.Decimal `json:"bid"`
	Ask    decimal.Decimal `json:"ask"`
	Last   decimal.Decimal `json:"last"`
	Time   trade.JSONTime  `json:"time"`
}

// Refusal is what a risk_refused event refused.
type Refusal struct {
	// Limits are the limits broken, e.g. ["max_order_notional"].
	Limits []string `json:"limits"`
	// Reason is the refusal as the command's error says it.
	Reason string `json:"reason"`
	// Request is the order (or the amended order) that was refused.
	Request *trade.OrderRequest `json:"request"`
}

// MarshalJSON keeps limits a list even when empty, so the shape holds.
func (r Refusal) MarshalJSON() ([]byte, error) {
	type plain Refusal
	p := plain(r)
	if p.Limits == nil {
		p.Limits = []string{}
	}
	return json.Marshal(p)
}

// Env is the event as environment variables for a command notifier:
// TRADECTL_EVENT_KIND, _TIME, _COMMAND, _PROFILE, _VENUE, _SYMBOL,
// _MESSAGE and _JSON (the whole event). Each is set, empty when the
// field is.
func (e Event) Env(body []byte) []string {
	return []string{
		"TRADECTL_EVENT_KIND=" + string(e.Kind),
		"TRADECTL_EVENT_TIME=" + trade.FormatTime(time.Time(e.Time)),
		"TRADECTL_EVENT_COMMAND=" + e.Command,
		"TRADECTL_EVENT_PROFILE=" + e.Profile,
		"TRADECTL_EVENT_VENUE=" + e.Venue,
		"TRADECTL_EVENT_SYMBOL=" + e.Symbol,
		"TRADECTL_EVENT_MESSAGE=" + oneLine(e.Message),
		"TRADECTL_EVENT_JSON=" + string(body),
	}
}

// oneLine keeps a message to one line; a variable with a newline in it
// is awkward in every shell.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// QuoteOf is a condition event's quote.
func QuoteOf(q trade.Quote) *Quote {
	return &Quote{Symbol: q.Symbol.String(), Bid: q.Bid, Ask: q.Ask, Last: q.Last, Time: trade.JSONTime(q.Time.UTC())}
}

// StrPtr returns a pointer to s, for Expr.
func StrPtr(s string) *string { return &s }
