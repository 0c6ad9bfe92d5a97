package venuews

import (
	"context"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
)

// EventDecoder folds one message of an account stream into the
// connection's state and returns the order events it carries. It returns
// an exchange.EventConnected event when the venue confirms the
// subscription (or the venue's first message on it), so every
// (re)connection announces itself before its first order event. Errors
// mean what they mean for a Decoder; Fatal ends the stream. msg is valid
// only during the call, as for a Decoder.
type EventDecoder func(msg []byte) ([]exchange.OrderEvent, error)

// EventFeed is a venue's private account stream (orders and fills): the
// connection, subscription and clocks of a Feed, an event decoder, and no
// polling fallback — after each EventConnected the caller reconciles over
// REST, which is what polling would have done.
type EventFeed struct {
	// Endpoint's URL "" fails StreamEvents at once.
	Endpoint
	// Subscribe returns the messages sent after each dial (sign-in,
	// subscription), built anew each time so they carry a fresh token.
	Subscribe  func(ctx context.Context) ([][]byte, error)
	NewDecoder func() EventDecoder
	// NewDialogue, when set, replaces NewDecoder for a venue whose
	// subscription must wait for an answer (Alpaca's listen after its
	// auth is confirmed): the decoder may call send, and what it sends is
	// written on the connection after the message it is decoding.
	NewDialogue func(send func(msg []byte)) EventDecoder

	Timing Timing
	Sleep  func(ctx context.Context, d time.Duration) error
}

// StreamEvents calls fn with every event the feed delivers, reconnecting
// with Stream's backoff, until ctx ends (ctx.Err()), fn returns an error
// (returned as is), or the subscription or decoder returns a Fatal error
// (its cause, e.g. an *exchange.Error of kind ErrAuth, is returned).
func StreamEvents(ctx context.Context, f EventFeed, fn func(exchange.OrderEvent) error) error {
	feed := Feed{
		Endpoint: f.Endpoint, Subscribe: f.Subscribe, Timing: f.Timing, Sleep: f.Sleep,
	}
	decoder := func(send func([]byte)) func([]byte) ([]exchange.OrderEvent, error) {
		if f.NewDialogue != nil {
			return f.NewDialogue(send)
		}
		return f.NewDecoder()
	}
	return streamAny(ctx, feed, decoder, nil, fn)
}
