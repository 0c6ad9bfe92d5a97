package venuews

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/tradectl/tradectl/internal/trade"
)

// BookDecoder folds one message of an order-book stream into the
// connection's book and returns the books it completes: one after the
// venue's snapshot and one after each message of updates, none for
// heartbeats and acknowledgements. Errors mean what they mean for a
// Decoder; a decoder that cannot trust its book any more (a sequence gap,
// an update it cannot read) returns an error wrapping ErrResync, so the
// next connection starts from a fresh snapshot.
type BookDecoder func(msg []byte) ([]trade.Book, error)

// BookFeed is a venue's order-book stream: the connection, subscription
// and clocks of a Feed, a book decoder, and no polling fallback — the
// caller reads the book over REST once StreamBooks gives up.
type BookFeed struct {
	Venue   string
	Profile string
	// URL is dialed for every connection; "" fails StreamBooks at once.
	URL string
	// Subscribe returns the messages sent after each dial, built anew each
	// time so a signed one carries a fresh token.
	Subscribe  func(ctx context.Context) ([][]byte, error)
	NewDecoder func() BookDecoder

	HTTPClient *http.Client
	Log        *slog.Logger
	Timing     Timing
	Sleep      func(ctx context.Context, d time.Duration) error
}

// StreamBooks calls fn with every book the feed delivers, reconnecting
// with Stream's backoff (each connection's decoder starts empty, so a
// lost connection's book is never shown again), until ctx ends
// (ctx.Err()), fn returns an error (returned as is), the subscription or
// decoder returns a Fatal error (its cause), or Timing.FailuresBeforePoll
// sessions in a row end without a book: then the last session's error is
// returned, for the caller to read the book over REST instead.
func StreamBooks(ctx context.Context, f BookFeed, fn func(trade.Book) error) error {
	if f.URL == "" {
		return fmt.Errorf("%s: no order book stream to dial", f.Venue)
	}
	feed := Feed{
		Venue: f.Venue, Profile: f.Profile, URL: f.URL, Subscribe: f.Subscribe,
		HTTPClient: f.HTTPClient, Log: f.Log, Timing: f.Timing, Sleep: f.Sleep,
		giveUp: true,
	}
	decoder := func(func([]byte)) func([]byte) ([]trade.Book, error) { return f.NewDecoder() }
	return streamAny(ctx, feed, decoder, nil, fn)
}
