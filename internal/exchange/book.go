package exchange

import (
	"context"

	"github.com/tradectl/tradectl/internal/trade"
)

// OrderBookReader is implemented by venues that can show their order book
// beyond the top: the paper exchange's synthetic book and every venue
// adapter (`tradectl book`). The slippage guard uses it to estimate a
// market order's average fill, in one request; without it only the top
// of the book (Quotes) is known. A venue that shows no depth for a symbol
// answers with its quote as a one-level book marked trade.Book.TopOnly.
type OrderBookReader interface {
	// OrderBook returns up to depth levels per side, best first; depth
	// 0 or less means as many as the venue gives by default. An unknown
	// symbol is an error wrapping ErrNotFound.
	OrderBook(ctx context.Context, sym trade.Symbol, depth int) (trade.Book, error)
}

// BookStreamer is implemented by venues that push their order book over a
// stream. `book --watch` redraws from it as the venue updates instead of
// asking for the depth again every --interval.
type BookStreamer interface {
	// StreamBook calls fn with the book — up to depth levels a side, best
	// first, checked as trade.NewBook checks it — after the venue's
	// snapshot and after every update, until ctx ends (returning its
	// error) or fn returns an error (returned as is). The adapter keeps
	// the book itself: it applies the updates, verifies them where the
	// venue gives a checksum, and reconnects and resubscribes on a lost
	// connection (a fresh snapshot replaces the book). An error it cannot
	// recover from is returned; the caller then reads the book over REST.
	StreamBook(ctx context.Context, sym trade.Symbol, depth int, fn func(trade.Book) error) error
}
