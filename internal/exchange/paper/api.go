package paper

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// PlaceOrder checks and books an order; see the package documentation for
// the matching rules.
func (e *Exchange) PlaceOrder(ctx context.Context, req trade.OrderRequest) (trade.Order, error) {
	if err := e.refuseReplay("place an order"); err != nil {
		return trade.Order{}, err
	}
	snap, err := e.observeFor(ctx, req)
	if err != nil {
		return trade.Order{}, err
	}
	var out trade.Order
	err = e.txWith(ctx, "place order", snap, true, true, func(s *session) error {
		o, err := s.place(req)
		if err != nil {
			return err
		}
		out, err = s.withList(o.order(e.profile), o.id, true)
		return err
	})
	return out, err
}

// ValidateOrder runs every check PlaceOrder runs, funds and client id
// included, against the account as it stands now, and changes nothing.
func (e *Exchange) ValidateOrder(ctx context.Context, req trade.OrderRequest) error {
	snap, err := e.observeFor(ctx, req)
	if err != nil {
		return err
	}
	return e.txWith(ctx, "validate order", snap, true, false, func(s *session) error {
		_, err := s.place(req)
		return err
	})
}

func notFound(ref exchange.OrderRef) error {
	return &exchange.Error{Kind: exchange.ErrNotFound, Venue: Name, Message: "no order " + ref.String()}
}

func (s *session) find(ref exchange.OrderRef) (*orderRow, error) {
	if ref.ID == "" && ref.ClientID == "" {
		return nil, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name, Message: "an order id or client id is required"}
	}
	o, err := s.orderByRef(ref.ID, ref.ClientID)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, notFound(ref)
	}
	return o, nil
}

// GetOrder finds an order by id or client id.
func (e *Exchange) GetOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	var out trade.Order
	err := e.account(ctx, "get order "+ref.String(), func(s *session) error {
		o, err := s.find(ref)
		if err != nil {
			return err
		}
		out, err = s.withList(o.order(e.profile), o.id, true)
		return err
	})
	return out, err
}

// CancelOrder cancels a working order and releases its reservation.
func (e *Exchange) CancelOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	if err := e.refuseReplay("cancel an order"); err != nil {
		return trade.Order{}, err
	}
	var out trade.Order
	err := e.account(ctx, "cancel order "+ref.String(), func(s *session) error {
		o, err := s.find(ref)
		if err != nil {
			return err
		}
		if !o.status.Working() {
			return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
				Message: fmt.Sprintf("order %d is already %s", o.id, strings.ReplaceAll(string(o.status), "_", " "))}
		}
		if err := s.cancel(o); err != nil {
			return err
		}
		// Canceling an exit cancels its pair, as Binance cancels a
		// whole order list.
		if err := s.cancelSiblings(o, nil); err != nil {
			return err
		}
		out, err = s.withList(o.order(e.profile), o.id, true)
		return err
	})
	return out, err
}

// CancelAll cancels every working order, or those of symbol when it is
// set, and returns them newest first.
func (e *Exchange) CancelAll(ctx context.Context, symbol trade.Symbol) ([]trade.Order, error) {
	if err := e.refuseReplay("cancel orders"); err != nil {
		return nil, err
	}
	out := []trade.Order{}
	err := e.account(ctx, "cancel orders", func(s *session) error {
		var (
			orders []*orderRow
			err    error
		)
		if symbol.IsZero() {
			orders, err = s.working("")
		} else {
			orders, err = s.working("symbol = ?", symbol.String())
		}
		if err != nil {
			return err
		}
		for i := len(orders) - 1; i >= 0; i-- {
			if err := s.cancel(orders[i]); err != nil {
				return err
			}
			out = append(out, orders[i].order(e.profile))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListOrders lists orders newest first; a zero Limit means DefaultListLimit.
func (e *Exchange) ListOrders(ctx context.Context, f exchange.ListFilter) ([]trade.Order, error) {
	var where []string
	var args []any
	if f.Scope == exchange.ListOpen {
		where = append(where, "status IN "+workingStatuses)
	}
	if len(f.Statuses) > 0 {
		marks := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			marks[i] = "?"
			args = append(args, string(st))
		}
		where = append(where, "status IN ("+strings.Join(marks, ", ")+")")
	}
	if !f.Symbol.IsZero() {
		where = append(where, "symbol = ?")
		args = append(args, f.Symbol.String())
	}
	if !f.Since.IsZero() {
		where = append(where, "created_at >= ?")
		args = append(args, f.Since.UnixMilli())
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	q := ""
	if len(where) > 0 {
		q = "WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + strconv.Itoa(limit)
	out := []trade.Order{}
	err := e.account(ctx, "list orders", func(s *session) error {
		rows, err := s.queryOrders(q, args...)
		if err != nil {
			return err
		}
		for _, o := range rows {
			pub, err := s.withList(o.order(e.profile), o.id, false)
			if err != nil {
				return err
			}
			out = append(out, pub)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Since is compared in milliseconds above; Apply keeps the exact rule.
	return f.Apply(out), nil
}

// Balances lists assets with a non-zero total, sorted by asset.
func (e *Exchange) Balances(ctx context.Context) ([]trade.Balance, error) {
	out := []trade.Balance{}
	err := e.account(ctx, "read balances", func(s *session) error {
		for asset, b := range s.bal {
			if t := b.free.Add(b.locked); !t.IsZero() {
				out = append(out, trade.NewBalance(asset, b.free, b.locked))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Asset < out[j].Asset })
	return out, nil
}

// Fills lists executions newest first.
func (e *Exchange) Fills(ctx context.Context, f exchange.FillFilter) ([]trade.Fill, error) {
	var where []string
	var args []any
	if !f.Symbol.IsZero() {
		where = append(where, "symbol = ?")
		args = append(args, f.Symbol.String())
	}
	if !f.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, f.Since.UnixMilli())
	}
	q := "SELECT id, order_id, symbol, side, qty, price, fee, fee_asset, liquidity, time FROM fills"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY time DESC, id DESC"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	var out []trade.Fill
	err := e.account(ctx, "list fills", func(s *session) error {
		var err error
		out, err = s.fills(q, args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *session) fills(q string, args ...any) ([]trade.Fill, error) {
	rows, err := s.tx.QueryContext(s.ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read fills: %w", err)
	}
	defer rows.Close()
	out := []trade.Fill{}
	for rows.Next() {
		var (
			id, orderID, at                        int64
			sym, side, qty, price, fee, asset, liq string
		)
		if err := rows.Scan(&id, &orderID, &sym, &side, &qty, &price, &fee, &asset, &liq, &at); err != nil {
			return nil, fmt.Errorf("read fills: %w", err)
		}
		f := trade.Fill{ID: strconv.FormatInt(id, 10), OrderID: strconv.FormatInt(orderID, 10),
			Side: trade.Side(side), FeeAsset: asset, Liquidity: trade.Liquidity(liq), Time: msTime(at)}
		if f.Symbol, err = trade.ParseSymbol(sym); err != nil {
			return nil, fmt.Errorf("fill %d: %w", id, err)
		}
		for _, d := range []struct {
			dst *decimal.Decimal
			src string
		}{{&f.Qty, qty}, {&f.Price, price}, {&f.Fee, fee}} {
			if *d.dst, err = decimal.NewFromString(d.src); err != nil {
				return nil, fmt.Errorf("fill %d: stored number %q: %w", id, d.src, err)
			}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Positions derives holdings and average cost from the fills since the
// last reset (see the package documentation), sorted by symbol.
func (e *Exchange) Positions(ctx context.Context) ([]trade.Position, error) {
	var fills []trade.Fill
	err := e.account(ctx, "list positions", func(s *session) error {
		var err error
		fills, err = s.fills("SELECT id, order_id, symbol, side, qty, price, fee, fee_asset, liquidity, time FROM fills ORDER BY time, id")
		return err
	})
	if err != nil {
		return nil, err
	}
	return positions(fills), nil
}

// positions applies the average cost method to fills in time order.
func positions(fills []trade.Fill) []trade.Position {
	type pos struct{ qty, avg decimal.Decimal }
	book := map[trade.Symbol]*pos{}
	for _, f := range fills {
		p := book[f.Symbol]
		if p == nil {
			p = &pos{}
			book[f.Symbol] = p
		}
		dq := f.Qty
		if f.Side == trade.Sell {
			dq = dq.Neg()
		}
		switch next := p.qty.Add(dq); {
		case p.qty.IsZero() || p.qty.Sign() == dq.Sign():
			// growing: re-average by size
			size := p.qty.Abs()
			p.avg = p.avg.Mul(size).Add(f.Price.Mul(f.Qty)).DivRound(size.Add(f.Qty), avgPriceDigits)
			p.qty = next
		case next.IsZero():
			p.qty, p.avg = decimal.Zero, decimal.Zero
		case next.Sign() == p.qty.Sign():
			p.qty = next // shrinking keeps the average
		default:
			p.qty, p.avg = next, f.Price // through zero: the new side starts at this price
		}
	}
	out := []trade.Position{}
	for sym, p := range book {
		if !p.qty.IsZero() {
			out = append(out, trade.Position{Symbol: sym, Qty: p.qty, AvgCost: p.avg})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Symbol.String() < out[j].Symbol.String() })
	return out
}

// Reset starts the account over: orders and fills are deleted and the
// balances set to the profile's starting balances, in one transaction.
// Order and fill ids keep counting up, so an id seen before a reset never
// names a different order after it.
func (e *Exchange) Reset(ctx context.Context) error {
	if err := e.refuseReplay("reset the account"); err != nil {
		return err
	}
	start, err := e.startingBalances(ctx)
	if err != nil {
		return err
	}
	return e.tx(ctx, "reset account", false, true, func(s *session) error {
		for _, stmt := range []string{"DELETE FROM fills", "DELETE FROM order_legs", "DELETE FROM bracket_exits", "DELETE FROM orders", "DELETE FROM balances"} {
			if _, err := s.tx.ExecContext(s.ctx, stmt); err != nil {
				return fmt.Errorf("reset: %w", err)
			}
		}
		clear(s.bal)
		clear(s.dirty)
		return e.writeStartingBalances(s.ctx, s.tx, start)
	})
}
