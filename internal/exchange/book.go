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
