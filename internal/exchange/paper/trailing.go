package paper

import (
	"database/sql"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

// TrailUnits implements exchange.Trailer: the paper exchange simulates
// trailing stops on every market, with the trail as a percentage or an
// amount.
func (e *Exchange) TrailUnits(trade.Symbol) exchange.TrailUnits {
	return exchange.TrailUnits{Pct: true, Amount: true}
}

var _ exchange.Trailer = (*Exchange)(nil)

// trailingMigration adds a trailing stop's trail to the orders table. The
// order's type is stored as 'stop' — the first schema's CHECK lists the
// types it knew, and widening a CHECK in SQLite means rebuilding the table
// the fills reference — and a trail read back makes it a trailing stop
// again (storedType, scanTrail). stop_price holds the current trigger,
// trail_extreme the best price it was worked out from.
const trailingMigration = `
ALTER TABLE orders ADD COLUMN trail_pct TEXT;
ALTER TABLE orders ADD COLUMN trail_amount TEXT;
ALTER TABLE orders ADD COLUMN trail_extreme TEXT;
`

// trailState is a trailing stop's trail: exactly one of pct and amount,
// and the best price so far (the highest bid for a sell, the lowest ask
// for a buy).
type trailState struct {
	pct, amount decimal.NullDecimal
	extreme     decimal.NullDecimal
}

func storedType(t trade.OrderType) string {
	if t == trade.TrailingStop {
		return string(trade.Stop)
	}
	return string(t)
}

func (o *orderRow) scanTrail(pct, amount, extreme sql.NullString) error {
	var err error
	if o.trail.pct, err = nullDec(pct); err != nil {
		return err
	}
	if o.trail.amount, err = nullDec(amount); err != nil {
		return err
	}
	if o.trail.extreme, err = nullDec(extreme); err != nil {
		return err
	}
	if o.trail.pct.Valid || o.trail.amount.Valid {
		o.typ = trade.TrailingStop
	}
	return nil
}

// untriggeredTrail reports whether o is a trailing stop still following
// the market.
func (o *orderRow) untriggeredTrail() bool { return o.typ == trade.TrailingStop && !o.triggered }

// stopFor is the trigger for best price extreme, on the tick: rounded down
// for a sell and up for a buy, so the stop never sits closer to the market
// than the trail asks.
func (o *orderRow) stopFor(extreme, tick decimal.Decimal) decimal.Decimal {
	stop := trade.TrailStop(o.side, extreme, o.trail.pct, o.trail.amount)
	if !tick.IsPositive() {
		return stop
	}
	if o.side == trade.Sell {
		return trade.FloorTo(stop, tick)
	}
	down := trade.FloorTo(stop, tick)
	if down.Equal(stop) {
		return stop
	}
	return down.Add(tick)
}

// startTrail sets a new trailing stop's trail from the book it is placed
// against: the best bid (sell) or ask (buy) now, and the stop that far
// from it.
func (o *orderRow) startTrail(req trade.OrderRequest, in trade.Instrument, book sim.Book) error {
	top := topOf(book, o.side)
	if !top.Valid {
		return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
			Message: fmt.Sprintf("no %s for %s to start the trail from", oppositeName(o.side), in.Symbol)}
	}
	o.trail = trailState{pct: req.TrailPct, amount: req.TrailAmount, extreme: top}
	o.stopPrice = decimal.NewNullDecimal(o.stopFor(top.Decimal, in.TickSize))
	if !o.stopPrice.Decimal.IsPositive() {
		return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
			Message: fmt.Sprintf("the trail puts the stop at %s, below zero (best bid %s)", o.stopPrice.Decimal, top.Decimal)}
	}
	return nil
}

// followBook moves an untriggered trailing stop to a better touch in book
// and reports whether it moved.
func (o *orderRow) followBook(book sim.Book, tick decimal.Decimal) bool {
	top := topOf(book, o.side)
	if !top.Valid || !o.trail.extreme.Valid {
		return false
	}
	better := top.Decimal.GreaterThan(o.trail.extreme.Decimal)
	if o.side == trade.Buy {
		better = top.Decimal.LessThan(o.trail.extreme.Decimal)
	}
	if !better {
		return false
	}
	o.trail.extreme = top
	o.stopPrice = decimal.NewNullDecimal(o.stopFor(top.Decimal, tick))
	return true
}

// trailDueNow reports whether book moves an untriggered trailing stop on:
// it betters the best price, or reaches the stop.
func trailDueNow(o *orderRow, book sim.Book) bool {
	moved := *o
	return moved.followBook(book, decimal.Zero) || stopTriggered(o, book)
}

// nextTrailEvent walks an untriggered trailing stop along the simulated
// path from start to end: its trigger second (evCross), or, when the trail
// only moved, a record of the move at the second it last moved (evTrail).
// The walk leaves the order's trail where it got to.
func (s *session) nextTrailEvent(o *orderRow, path *sim.Path, start, end int64) (event, bool) {
	tick := path.Instrument().TickSize
	t := sim.Trail{
		Sell:    o.side == trade.Sell,
		Extreme: o.trail.extreme.Decimal,
		Stop:    o.stopPrice.Decimal,
		StopFor: func(extreme decimal.Decimal) decimal.Decimal { return o.stopFor(extreme, tick) },
	}
	after, at, hit := path.FollowTrail(t, msTime(start), msTime(end))
	o.trail.extreme = decimal.NewNullDecimal(after.Extreme)
	o.stopPrice = decimal.NewNullDecimal(after.Stop)
	switch {
	case hit:
		return event{at: at.UnixMilli(), kind: evCross, o: o}, true
	case !after.MovedAt.IsZero():
		return event{at: after.MovedAt.UnixMilli(), kind: evTrail, o: o}, true
	}
	return event{}, false
}

// followLive moves an untriggered trailing stop with the price source's
// touch now, and triggers it when the touch reaches the stop.
func (s *session) followLive(o *orderRow, mk marketView, nowMs int64) error {
	moved := o.followBook(mk.book, mk.in.TickSize)
	if stopTriggered(o, mk.book) {
		return s.handle(event{at: nowMs, kind: evCross, o: o})
	}
	if moved {
		o.updatedAt = nowMs
		if err := s.shrinkTrailReserve(o); err != nil {
			return err
		}
		return s.saveOrder(o)
	}
	return nil
}

// shrinkTrailReserve keeps a buy trailing stop's reservation at what a
// stop at its current trigger reserves: the trigger only falls, so the
// difference goes back to the free balance (and the account's locked
// balance always agrees with its orders' stop prices).
func (s *session) shrinkTrailReserve(o *orderRow) error {
	if o.side != trade.Buy {
		return nil
	}
	want := stopReserve(o)
	if !want.LessThan(o.reserved) {
		return nil
	}
	if err := s.unlock(o.reserveAsset, o.reserved.Sub(want)); err != nil {
		return fmt.Errorf("order %d: %w", o.id, err)
	}
	o.reserved = want
	return nil
}
