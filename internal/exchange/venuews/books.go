package venuews

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/tradectl/tradectl/internal/trade"
)

// BookDecoder folds one message of an order-book stream into the
// connection's book and returns the books it completes (none for
// heartbeats and acknowledgements). Errors mean what they mean for a
// Decoder: ErrResync starts a new connection from a fresh snapshot, Fatal
// ends the stream, anything else skips the message as malformed.
type BookDecoder func(msg []byte) ([]trade.Book, error)

// BookFeed is a venue's order-book stream: a Feed's connection,
// subscription and clocks, and a decoder that keeps the book. It has no
// polling of its own: the caller (`book --watch`) reads the book its own
// way when StreamBooks gives up.
type BookFeed struct {
	Venue   string
	Profile string
	// URL is dialed for every connection; "" fails StreamBooks at once.
	URL       string
	Subscribe func(ctx context.Context) ([][]byte, error)
	// NewDialogue returns the decoder for one connection; what it sends
	// (an unsubscribe and a subscribe to get a fresh snapshot after a
	// failed checksum) is written after the message it is decoding.
	NewDialogue func(send func(msg []byte)) BookDecoder

	HTTPClient *http.Client
	Log        *slog.Logger
	Timing     Timing
	Sleep      func(ctx context.Context, d time.Duration) error
}

// ErrBookStreamDown is returned by StreamBooks when Timing.FailuresBeforePoll
// sessions in a row ended without a book.
var ErrBookStreamDown = errors.New("order book stream unavailable")

// StreamBooks calls fn with every book the feed delivers, reconnecting
// with Stream's backoff, until ctx ends (ctx.Err()), fn returns an error
// (returned as is), a decoder returns a Fatal error (its cause), or
// Timing.FailuresBeforePoll sessions in a row deliver no book (an error
// wrapping ErrBookStreamDown): a stream that keeps failing is left to the
// caller's REST reads rather than retried while the screen stays blank.
func StreamBooks(ctx context.Context, f BookFeed, fn func(trade.Book) error) error {
	if f.URL == "" {
		return fmt.Errorf("%s: %w: no stream URL", f.Venue, ErrBookStreamDown)
	}
	feed := Feed{
		Venue: f.Venue, Profile: f.Profile, URL: f.URL, Subscribe: f.Subscribe,
		HTTPClient: f.HTTPClient, Log: f.Log, Timing: f.Timing, Sleep: f.Sleep,
	}
	decoder := func(send func([]byte)) func([]byte) ([]trade.Book, error) { return f.NewDialogue(send) }
	// The "poll" that streamAny turns to once the stream keeps failing is
	// an error that retrying cannot cure: it ends the stream.
	giveUp := func(context.Context) ([]trade.Book, error) {
		return nil, fmt.Errorf("%s: %w after %d failed connections", f.Venue, ErrBookStreamDown, max(f.Timing.FailuresBeforePoll, 1))
	}
	return streamAny(ctx, feed, decoder, giveUp, fn)
}
