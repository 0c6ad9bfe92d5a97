package paper

import (
	"context"
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// eventPoll is how often StreamOrderEvents asks the database whether
// anything changed: two counters, no table read, so it costs next to
// nothing between changes.
const eventPoll = 150 * time.Millisecond

// eventCatchUp is how often StreamOrderEvents brings resting orders up to
// the market, as any account call would, so a limit the price crosses
// fills while someone is watching rather than at the next command.
const eventCatchUp = 2 * time.Second

// changeMark says whether the database changed: total_changes() counts the
// rows this process's connection wrote (the pool has one connection, so
// every write of this process), data_version moves when another process
// commits. Either moving means "read again".
type changeMark struct{ own, others int64 }

func (e *Exchange) changeMark(ctx context.Context) (changeMark, error) {
	var m changeMark
	err := e.db.QueryRowContext(ctx, "SELECT total_changes(), data_version FROM pragma_data_version()").Scan(&m.own, &m.others)
	return m, e.wrap("watch for changes", err)
}

// orderMark is what StreamOrderEvents last emitted for one order.
type orderMark struct {
	status trade.OrderStatus
	filled string
}

// StreamOrderEvents implements exchange.OrderEventStreamer. The account
// lives in SQLite and other processes change it (an `order create` in
// another terminal), so the stream watches the database: a cheap change
// counter every eventPoll, and on a change the orders updated and the
// fills inserted since the last look. EventConnected comes first, once:
// the database cannot drop a connection, so nothing is ever missed.
func (e *Exchange) StreamOrderEvents(ctx context.Context, fn func(exchange.OrderEvent) error) error {
	var (
		lastFill  int64
		lastOrder int64 // updated_at, ms
		seen      = map[int64]orderMark{}
	)
	// The starting point: everything before it is history.
	err := e.tx(ctx, "watch orders", false, false, func(s *session) error {
		err := s.tx.QueryRowContext(s.ctx, `SELECT
			(SELECT COALESCE(MAX(id), 0) FROM fills),
			(SELECT COALESCE(MAX(updated_at), 0) FROM orders)`).Scan(&lastFill, &lastOrder)
		if err != nil {
			return err
		}
		// The last millisecond is read again on every change; what stood
		// in it at the start is history too.
		rows, err := s.queryOrders("WHERE updated_at >= ?", lastOrder)
		for _, o := range rows {
			seen[o.id] = orderMark{status: o.status, filled: o.filled.String()}
		}
		return err
	})
	if err != nil {
		return err
	}
	mark, err := e.changeMark(ctx)
	if err != nil {
		return err
	}
	if err := fn(exchange.OrderEvent{Kind: exchange.EventConnected, Time: e.clock().UTC()}); err != nil {
		return err
	}
	poll := time.NewTicker(eventPoll)
	defer poll.Stop()
	nextCatchUp := time.Now().Add(eventCatchUp)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-poll.C:
		}
		if !e.readOnly && time.Now().After(nextCatchUp) {
			nextCatchUp = time.Now().Add(eventCatchUp)
			if err := e.account(ctx, "watch orders", func(*session) error { return nil }); err != nil && ctx.Err() == nil && !exchange.Retryable(err) {
				return err
			}
		}
		now, err := e.changeMark(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if exchange.Retryable(err) { // busy: look again at the next tick
				continue
			}
			return err
		}
		if now == mark {
			continue
		}
		mark = now
		var events []exchange.OrderEvent
		err = e.tx(ctx, "watch orders", false, false, func(s *session) error {
			// Orders updated in the same millisecond as the last look are
			// read again; seen drops the ones already reported.
			rows, err := s.queryOrders("WHERE updated_at >= ? ORDER BY updated_at, id", lastOrder)
			if err != nil {
				return err
			}
			for _, o := range rows {
				m := orderMark{status: o.status, filled: o.filled.String()}
				if seen[o.id] == m {
					continue
				}
				seen[o.id] = m
				lastOrder = max(lastOrder, o.updatedAt)
				pub := o.order(e.profile)
				events = append(events, exchange.OrderEvent{Kind: exchange.EventOrder, Order: &pub, Time: pub.UpdatedAt})
			}
			fills, err := s.fills(`SELECT id, order_id, symbol, side, qty, price, fee, fee_asset, liquidity, time
				FROM fills WHERE id > ? ORDER BY id`, lastFill)
			if err != nil {
				return err
			}
			for _, f := range fills {
				events = append(events, exchange.OrderEvent{Kind: exchange.EventFill, Fill: &f, Time: f.Time})
			}
			if n := len(fills); n > 0 {
				if lastFill, err = strconv.ParseInt(fills[n-1].ID, 10, 64); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if exchange.Retryable(err) {
				mark = changeMark{} // read again next time
				continue
			}
			return err
		}
		for _, ev := range events {
			if err := fn(ev); err != nil {
				return err
			}
		}
	}
}
