package exchangetest

import (
	"slices"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// testOrderBook checks an exchange.OrderBookReader: each side sorted best
// first with positive quantities, the book not crossed, the depth asked
// for honoured, and an unknown symbol ErrNotFound.
func testOrderBook(s *suite) {
	r, ok := s.ex.(exchange.OrderBookReader)
	if !ok {
		s.t.Skip("not an exchange.OrderBookReader")
	}
	for _, depth := range []int{1, 5, 20} {
		b, err := r.OrderBook(s.ctx, s.h.Symbol, depth)
		if err != nil {
			s.t.Fatalf("OrderBook(%s, %d): %v", s.h.Symbol, depth, err)
		}
		if b.Symbol != s.h.Symbol {
			s.t.Errorf("OrderBook(%d) symbol %s, want %s", depth, b.Symbol, s.h.Symbol)
		}
		if len(b.Bids) == 0 || len(b.Asks) == 0 {
			s.t.Errorf("OrderBook(%d): %d bids and %d asks, want both sides", depth, len(b.Bids), len(b.Asks))
		}
		if len(b.Bids) > depth || len(b.Asks) > depth {
			s.t.Errorf("OrderBook(%d): %d bids and %d asks, more than the depth", depth, len(b.Bids), len(b.Asks))
		}
		for side, levels := range map[string][]trade.BookLevel{"bids": b.Bids, "asks": b.Asks} {
			for i, l := range levels {
				if !l.Price.IsPositive() || !l.Qty.IsPositive() {
					s.t.Errorf("OrderBook(%d) %s[%d]: %s × %s, want a positive price and quantity", depth, side, i, l.Price, l.Qty)
				}
				if i == 0 {
					continue
				}
				prev := levels[i-1].Price
				if (side == "bids" && !l.Price.LessThan(prev)) || (side == "asks" && !l.Price.GreaterThan(prev)) {
					s.t.Errorf("OrderBook(%d) %s not sorted best first: %s after %s", depth, side, l.Price, prev)
				}
			}
		}
		if len(b.Bids) > 0 && len(b.Asks) > 0 && !b.Bids[0].Price.LessThan(b.Asks[0].Price) {
			s.t.Errorf("OrderBook(%d) crossed: bid %s, ask %s", depth, b.Bids[0].Price, b.Asks[0].Price)
		}
	}
	unknown := trade.Symbol{Base: "NOSUCHCOIN", Quote: "NOSUCHQ"}
	_, err := r.OrderBook(s.ctx, unknown, 5)
	s.wantKind("OrderBook(unknown symbol)", err, exchange.ErrNotFound)
}

// candleSlots is the length, in 1m candles, of the range testCandles
// reads unless the harness says otherwise: longer than one page on the
// venues whose page is below it (Binance 1000, Coinbase 350), so the read
// crosses a page boundary.
const candleSlots = 1500

// testCandles checks an exchange.CandleReader: candles ascending without
// duplicates, each aligned to the interval and inside the range; the same
// range read with a smaller limit, or a window of it, gives exactly the
// matching part of the whole (so a page boundary neither drops nor repeats
// a candle); an interval the venue does not serve is ErrInvalidOrder.
func testCandles(s *suite) {
	cr, ok := s.ex.(exchange.CandleReader)
	if !ok {
		s.t.Skip("not an exchange.CandleReader")
	}
	now := time.Now()
	if s.h.Now != nil {
		now = s.h.Now()
	}
	iv := trade.Interval1m
	if !exchange.OffersInterval(cr, s.h.Symbol, iv) {
		s.t.Fatalf("CandleIntervals(%s) = %v: every venue serves 1m", s.h.Symbol, cr.CandleIntervals(s.h.Symbol))
	}
	slots := candleSlots
	if s.h.CandleSlots > 0 {
		slots = s.h.CandleSlots
	}
	until := iv.Floor(now).Add(-10 * time.Minute)
	whole := trade.CandleRange{Interval: iv, Since: until.Add(-time.Duration(slots) * time.Minute), Until: until, Limit: trade.MaxCandles}
	all, err := cr.Candles(s.ctx, s.h.Symbol, whole)
	if err != nil {
		s.t.Fatalf("Candles(%s, %s…%s): %v", s.h.Symbol, whole.Since, whole.Until, err)
	}
	if len(all) == 0 || len(all) > slots {
		s.t.Fatalf("Candles over %d slots returned %d candles", slots, len(all))
	}
	for i, c := range all {
		if c.Symbol != s.h.Symbol {
			s.t.Errorf("candle %d symbol %s, want %s", i, c.Symbol, s.h.Symbol)
		}
		if !whole.Contains(c.Time) {
			s.t.Errorf("candle %d at %s is outside [%s, %s) or not on a minute", i, c.Time, whole.Since, whole.Until)
		}
		if err := c.Validate(); err != nil {
			s.t.Errorf("candle %d: %v", i, err)
		}
		if i > 0 && !c.Time.After(all[i-1].Time) {
			s.t.Errorf("candle %d at %s does not follow %s: not ascending or a duplicate", i, c.Time, all[i-1].Time)
		}
	}
	// The first limit candles of the same range are the prefix of the whole.
	limit := min(len(all), 1001, len(all)*2/3+1)
	part := whole
	part.Limit = limit
	got, err := cr.Candles(s.ctx, s.h.Symbol, part)
	if err != nil {
		s.t.Fatalf("Candles(limit %d): %v", limit, err)
	}
	if diff := cmp.Diff(all[:limit], got); diff != "" {
		s.t.Errorf("Candles(limit %d) is not the prefix of the whole range (-want +got):\n%s", limit, diff)
	}
	// A window in the middle is the matching slice.
	if len(all) > 4 {
		win := trade.CandleRange{Interval: iv, Since: all[1].Time, Until: all[len(all)-2].Time, Limit: trade.MaxCandles}
		got, err := cr.Candles(s.ctx, s.h.Symbol, win)
		if err != nil {
			s.t.Fatalf("Candles(window): %v", err)
		}
		if diff := cmp.Diff(all[1:len(all)-2], got); diff != "" {
			s.t.Errorf("Candles(window %s…%s) is not the matching slice (-want +got):\n%s", win.Since, win.Until, diff)
		}
	}
	for _, other := range trade.Intervals {
		if slices.Contains(cr.CandleIntervals(s.h.Symbol), other) {
			continue
		}
		r := trade.CandleRange{Interval: other, Since: until.Add(-24 * time.Hour), Until: until, Limit: 10}
		_, err := cr.Candles(s.ctx, s.h.Symbol, r)
		s.wantKind("Candles(unserved interval "+string(other)+")", err, exchange.ErrInvalidOrder)
	}
	unknown := trade.Symbol{Base: "NOSUCHCOIN", Quote: "NOSUCHQ"}
	_, err = cr.Candles(s.ctx, unknown, trade.CandleRange{Interval: iv, Since: until.Add(-time.Hour), Until: until, Limit: 10})
	s.wantKind("Candles(unknown symbol)", err, exchange.ErrNotFound)
}
