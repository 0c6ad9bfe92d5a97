package venuews

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/trade"
)

// BookDecoder folds one message of an order-book stream into the
// connection's book and returns the books it completes: one after the
// venue's snapshot and one after each message of updates, none for
// heartbeats and acknowledgements. Errors mean what they mean for a
// Decoder: a decoder that cannot trust its book any more (a sequence gap,
// an update it cannot read) returns an error wrapping ErrResync, so the
// next connection starts from a fresh snapshot; Fatal ends the stream;
// anything else skips the message as malformed. msg is valid only during
// the call, as for a Decoder.
type BookDecoder func(msg []byte) ([]trade.Book, error)

// BookFeed is a venue's order-book stream: a Feed's connection,
// subscription and clocks, a decoder that keeps the book, and no polling
// fallback — the caller (`book --watch`) reads the book over REST once
// StreamBooks gives up.
type BookFeed struct {
	// Endpoint's URL "" fails StreamBooks at once.
	Endpoint
	// Subscribe returns the messages sent after each dial, built anew each
	// time so a signed one carries a fresh token.
	Subscribe  func(ctx context.Context) ([][]byte, error)
	NewDecoder func() BookDecoder
	// NewDialogue, when set, replaces NewDecoder for a venue whose decoder
	// talks back (Kraken's unsubscribe and subscribe, for a fresh snapshot
	// after a failed checksum on the same connection): what it sends is
	// written after the message it is decoding.
	NewDialogue func(send func(msg []byte)) BookDecoder

	Timing Timing
	Sleep  func(ctx context.Context, d time.Duration) error
}

// ErrBookStreamDown is wrapped by the error StreamBooks returns when it
// gives up on the stream: no URL, or Timing.FailuresBeforePoll sessions in
// a row that ended without a book.
var ErrBookStreamDown = errors.New("order book stream unavailable")

// StreamBooks calls fn with every book the feed delivers, reconnecting
// with Stream's backoff (each connection's decoder starts empty, so a
// lost connection's book is never shown again), until ctx ends
// (ctx.Err()), fn returns an error (returned as is), the subscription or
// decoder returns a Fatal error (its cause), or the stream keeps failing
// (an error wrapping ErrBookStreamDown): a stream that keeps failing is
// left to the caller's REST reads rather than retried while the screen
// stays blank.
func StreamBooks(ctx context.Context, f BookFeed, fn func(trade.Book) error) error {
	if f.URL == "" {
		return fmt.Errorf("%s: %w: no stream URL", f.Venue, ErrBookStreamDown)
	}
	feed := Feed{
		Endpoint: f.Endpoint, Subscribe: f.Subscribe, Timing: f.Timing, Sleep: f.Sleep,
		giveUp: true,
	}
	decoder := func(send func([]byte)) func([]byte) ([]trade.Book, error) {
		if f.NewDialogue != nil {
			return f.NewDialogue(send)
		}
		return f.NewDecoder()
	}
	err := streamAny(ctx, feed, decoder, nil, fn)
	if err != nil && ctx.Err() == nil && errors.Is(err, errStreamGaveUp) {
		return fmt.Errorf("%w: %w", ErrBookStreamDown, err)
	}
	return err
}
