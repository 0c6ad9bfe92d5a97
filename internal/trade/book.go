package trade

import (
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
