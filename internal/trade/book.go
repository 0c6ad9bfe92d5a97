package trade

import (
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// BookLevel is one price level of an order book: the quantity resting at
// that price.
type BookLevel struct {
	Price decimal.Decimal `json:"price"`
	Qty   decimal.Decimal `json:"qty"`
}

// Book is a snapshot of an order book, best levels first on both sides:
// bids from the highest price down, asks from the lowest up. A venue may
// return fewer levels than were asked for.
type Book struct {
	Symbol Symbol      `json:"symbol"`
	Time   time.Time   `json:"time"`
	Bids   []BookLevel `json:"bids"`
	Asks   []BookLevel `json:"asks"`
	// TopOnly says the venue shows no depth for the symbol: the book is
	// its best bid and ask, whose sizes say nothing of what lies behind
	// them (Alpaca's stocks). A slippage estimate or a simulated fill
	// treats it as a quote, not as the whole book.
	TopOnly bool `json:"top_only,omitempty"`
}

// Quote is the book's top: best bid and ask. Last is the mid, since a book
// says nothing about trades.
func (b Book) Quote() Quote {
	q := Quote{Symbol: b.Symbol, Time: b.Time}
	if len(b.Bids) > 0 {
		q.Bid = b.Bids[0].Price
	}
	if len(b.Asks) > 0 {
		q.Ask = b.Asks[0].Price
	}
	if q.Bid.IsPositive() && q.Ask.IsPositive() {
		q.Last = q.Mid()
	}
	return q
}

// Side returns the levels an order on side takes from: asks for a buy,
// bids for a sell.
func (b Book) Side(side Side) []BookLevel {
	if side == Sell {
		return b.Bids
	}
	return b.Asks
}

// NewBook builds a book from a venue's levels: each side sorted best first
// (bids high to low, asks low to high), empty levels dropped, at most depth
// levels a side (depth ≤ 0: all). A crossed book — best bid at or above
// best ask — is an error: no venue shows one, so it means a garbled answer.
func NewBook(sym Symbol, t time.Time, bids, asks []BookLevel, depth int) (Book, error) {
	clean := func(in []BookLevel, better func(a, b decimal.Decimal) bool) []BookLevel {
		out := make([]BookLevel, 0, len(in))
		for _, l := range in {
			if l.Qty.IsPositive() {
				out = append(out, l)
			}
		}
		sort.SliceStable(out, func(i, j int) bool { return better(out[i].Price, out[j].Price) })
		if depth > 0 && len(out) > depth {
			out = out[:depth]
		}
		return out
	}
	b := Book{Symbol: sym, Time: t,
		Bids: clean(bids, decimal.Decimal.GreaterThan),
		Asks: clean(asks, decimal.Decimal.LessThan)}
	if len(b.Bids) > 0 && len(b.Asks) > 0 && b.Bids[0].Price.GreaterThanOrEqual(b.Asks[0].Price) {
		return Book{}, &ValidationError{Field: "book", Message: fmt.Sprintf("%s book is crossed: bid %s ≥ ask %s", sym, b.Bids[0].Price, b.Asks[0].Price)}
	}
	return b, nil
}

// Spread is best ask minus best bid; zero when a side is empty.
func (b Book) Spread() decimal.Decimal {
	if len(b.Bids) == 0 || len(b.Asks) == 0 {
		return decimal.Zero
	}
	return b.Asks[0].Price.Sub(b.Bids[0].Price)
}
