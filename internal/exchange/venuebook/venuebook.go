// Package venuebook reads what a venue's market-data endpoints send, order
// book levels and OHLCV candle rows, into tradectl's types, with the checks
// every adapter makes of them: a level has a positive price and a quantity
// that is not negative, a candle passes trade.Candle.Validate, and an
// interval the venue does not serve is refused before anything is sent.
// What a venue's rows look like stays in its adapter: it hands each row's
// fields over as text.
package venuebook

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// Number reads one of a venue's decimal fields, naming it in its error.
// Nil means venueorder.Decimal: "" is zero, anything else an exact decimal.
type Number func(field, text string) (decimal.Decimal, error)

func (n Number) read(field, text string) (decimal.Decimal, error) {
	if n == nil {
		return venueorder.Decimal(field, text)
	}
	return n(field, text)
}

// Levels reads book levels of the wire type L: Level gives one level's
// price and quantity as the venue wrote them, Number reads them.
type Levels[L any] struct {
	Level  func(L) (price, qty string, err error)
	Number Number
}

// Side reads one side of a book; side ("bids", "asks") and the level's
// position name a bad level.
func (d Levels[L]) Side(side string, in []L) ([]trade.BookLevel, error) {
	out := make([]trade.BookLevel, 0, len(in))
	for i, l := range in {
		at := fmt.Sprintf("%s[%d]", side, i)
		ps, qs, err := d.Level(l)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		p, err := d.Number.read(at+" price", ps)
		if err != nil {
			return nil, err
		}
		q, err := d.Number.read(at+" quantity", qs)
		if err != nil {
			return nil, err
		}
		if !p.IsPositive() || q.IsNegative() {
			return nil, fmt.Errorf("%s: level %s × %s is not a price and a quantity", at, p, q)
		}
		out = append(out, trade.BookLevel{Price: p, Qty: q})
	}
	return out, nil
}

// Book reads both sides into sym's book at time t, at most depth levels a
// side (depth ≤ 0: all); see trade.NewBook.
func (d Levels[L]) Book(sym trade.Symbol, t time.Time, depth int, bids, asks []L) (trade.Book, error) {
	b, err := d.Side("bids", bids)
	if err != nil {
		return trade.Book{}, err
	}
	a, err := d.Side("asks", asks)
	if err != nil {
		return trade.Book{}, err
	}
	return trade.NewBook(sym, t, b, a, depth)
}

// Limit is how many levels a side to ask a venue for when the caller wants
// depth (≤ 0: the venue's default, def): depth itself, but no more than
// the venue serves (max; 0 for no bound).
func Limit(depth, def, max int) int {
	switch {
	case depth <= 0:
		return def
	case max > 0 && depth > max:
		return max
	}
	return depth
}

// Intervals lists, in trade.Intervals order, the intervals a venue's
// table names: what its CandleIntervals returns.
func Intervals[V any](table map[trade.Interval]V) []trade.Interval {
	var out []trade.Interval
	for _, iv := range trade.Intervals {
		if _, ok := table[iv]; ok {
			out = append(out, iv)
		}
	}
	return out
}

// Interval is the check a venue's Candles makes before it sends anything:
// the venue's own name for r's interval, from its table (one the table
// lacks is refused with the ones it has, as exchange.UnsupportedInterval),
// and r itself valid.
func Interval[V any](venue string, table map[trade.Interval]V, r trade.CandleRange) (V, error) {
	v, ok := table[r.Interval]
	if !ok {
		return v, exchange.UnsupportedInterval(venue, r.Interval, Intervals(table))
	}
	if err := r.Validate(); err != nil {
		return v, err
	}
	return v, nil
}

// Candle reads sym's candle opening at t from its open, high, low, close
// and volume as the venue wrote them, and checks it (trade.Candle.Validate).
func Candle(sym trade.Symbol, t time.Time, ohlcv [5]string, number Number) (trade.Candle, error) {
	c := trade.Candle{Symbol: sym, Time: t.UTC()}
	for i, into := range []*decimal.Decimal{&c.Open, &c.High, &c.Low, &c.Close, &c.Volume} {
		d, err := number.read(OHLCV[i], ohlcv[i])
		if err != nil {
			return trade.Candle{}, err
		}
		*into = d
	}
	if err := c.Validate(); err != nil {
		return trade.Candle{}, err
	}
	return c, nil
}

// OHLCV names a candle's five numbers in the order Candle takes them.
var OHLCV = [5]string{"open", "high", "low", "close", "volume"}

// Rows reads a page of candle rows of the wire type R with read; what
// ("kline", "bar") and the row's position name a bad row.
func Rows[R any](what string, rows []R, read func(R) (trade.Candle, error)) ([]trade.Candle, error) {
	out := make([]trade.Candle, 0, len(rows))
	for i, row := range rows {
		c, err := read(row)
		if err != nil {
			return nil, fmt.Errorf("%s %d: %w", what, i, err)
		}
		out = append(out, c)
	}
	return out, nil
}
