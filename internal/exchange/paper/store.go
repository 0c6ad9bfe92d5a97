package paper

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// orderRow is an order as the engine keeps it: the public fields plus the
// reservation, fee rates, trigger and catch-up state.
type orderRow struct {
	id           int64
	clientID     string
	symbol       trade.Symbol
	side         trade.Side
	typ          trade.OrderType
	tif          trade.TimeInForce
	postOnly     bool
	status       trade.OrderStatus
	qty          decimal.Decimal
	filled       decimal.Decimal
	filledValue  decimal.Decimal // Σ qty·price of fills, for the average price
	price        decimal.NullDecimal
	stopPrice    decimal.NullDecimal
	fee          decimal.Decimal
	feeAsset     string
	makerFee     decimal.Decimal
	takerFee     decimal.Decimal
	reserveAsset string
	reserved     decimal.Decimal
	triggered    bool
	expiresAt    int64 // unix ms; 0 for none
	rejectReason string
	createdAt    int64
	updatedAt    int64
	checkedAt    int64
	trail        trailState // a trailing stop's trail; zero for other orders
}

const orderColumns = `id, client_id, symbol, side, type, time_in_force, post_only, status, qty, filled_qty,
	filled_value, price, stop_price, fee, fee_asset, maker_fee, taker_fee, reserve_asset, reserved,
	triggered, expires_at, reject_reason, created_at, updated_at, checked_at,
	trail_pct, trail_amount, trail_extreme`

const workingStatuses = `('open', 'partially_filled')`

type scanner interface{ Scan(dest ...any) error }

func scanOrder(sc scanner) (*orderRow, error) {
	var (
		o                                               orderRow
		sym, side, typ, tif, status                     string
		qty, filled, value, fee, maker, taker, reserved string
		price, stop                                     sql.NullString
		trailPct, trailAmount, trailExtreme             sql.NullString
		expires                                         sql.NullInt64
		postOnly, triggered                             int
	)
	err := sc.Scan(&o.id, &o.clientID, &sym, &side, &typ, &tif, &postOnly, &status, &qty, &filled,
		&value, &price, &stop, &fee, &o.feeAsset, &maker, &taker, &o.reserveAsset, &reserved,
		&triggered, &expires, &o.rejectReason, &o.createdAt, &o.updatedAt, &o.checkedAt,
		&trailPct, &trailAmount, &trailExtreme)
	if err != nil {
		return nil, err
	}
	if o.symbol, err = trade.ParseSymbol(sym); err != nil {
		return nil, fmt.Errorf("order %d: %w", o.id, err)
	}
	o.side, o.typ, o.tif, o.status = trade.Side(side), trade.OrderType(typ), trade.TimeInForce(tif), trade.OrderStatus(status)
	o.postOnly, o.triggered = postOnly != 0, triggered != 0
	o.expiresAt = expires.Int64
	for _, f := range []struct {
		dst *decimal.Decimal
		src string
	}{{&o.qty, qty}, {&o.filled, filled}, {&o.filledValue, value}, {&o.fee, fee}, {&o.makerFee, maker}, {&o.takerFee, taker}, {&o.reserved, reserved}} {
		if *f.dst, err = decimal.NewFromString(f.src); err != nil {
			return nil, fmt.Errorf("order %d: stored number %q: %w", o.id, f.src, err)
		}
	}
	if o.price, err = nullDec(price); err != nil {
		return nil, fmt.Errorf("order %d: %w", o.id, err)
	}
	if o.stopPrice, err = nullDec(stop); err != nil {
		return nil, fmt.Errorf("order %d: %w", o.id, err)
	}
	if err := o.scanTrail(trailPct, trailAmount, trailExtreme); err != nil {
		return nil, fmt.Errorf("order %d: %w", o.id, err)
	}
	return &o, nil
}

func nullDec(s sql.NullString) (decimal.NullDecimal, error) {
	if !s.Valid {
		return decimal.NullDecimal{}, nil
	}
	d, err := decimal.NewFromString(s.String)
	if err != nil {
		return decimal.NullDecimal{}, fmt.Errorf("stored number %q: %w", s.String, err)
	}
	return decimal.NewNullDecimal(d), nil
}

func decText(d decimal.NullDecimal) any {
	if !d.Valid {
		return nil
	}
	return d.Decimal.String()
}

func expiresArg(ms int64) any {
	if ms == 0 {
		return nil
	}
	return ms
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *session) insertOrder(o *orderRow) error {
	res, err := s.tx.ExecContext(s.ctx, `INSERT INTO orders (client_id, symbol, side, type, time_in_force, post_only, status,
		qty, filled_qty, filled_value, price, stop_price, fee, fee_asset, maker_fee, taker_fee, reserve_asset, reserved,
		triggered, expires_at, reject_reason, created_at, updated_at, checked_at,
		trail_pct, trail_amount, trail_extreme)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.clientID, o.symbol.String(), string(o.side), storedType(o.typ), string(o.tif), boolInt(o.postOnly), string(o.status),
		o.qty.String(), o.filled.String(), o.filledValue.String(), decText(o.price), decText(o.stopPrice),
		o.fee.String(), o.feeAsset, o.makerFee.String(), o.takerFee.String(), o.reserveAsset, o.reserved.String(),
		boolInt(o.triggered), expiresArg(o.expiresAt), o.rejectReason, o.createdAt, o.updatedAt, o.checkedAt,
		decText(o.trail.pct), decText(o.trail.amount), decText(o.trail.extreme))
	if err != nil {
		return fmt.Errorf("insert order: %w", err)
	}
	if o.id, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert order: %w", err)
	}
	return nil
}

// saveOrder writes the fields that change after placement (a trailing
// stop's trigger and best price among them).
func (s *session) saveOrder(o *orderRow) error {
	_, err := s.tx.ExecContext(s.ctx, `UPDATE orders SET status = ?, filled_qty = ?, filled_value = ?, fee = ?,
		reserved = ?, triggered = ?, reject_reason = ?, updated_at = ?, checked_at = ?,
		stop_price = ?, trail_extreme = ? WHERE id = ?`,
		string(o.status), o.filled.String(), o.filledValue.String(), o.fee.String(), o.reserved.String(),
		boolInt(o.triggered), o.rejectReason, o.updatedAt, o.checkedAt,
		decText(o.stopPrice), decText(o.trail.extreme), o.id)
	if err != nil {
		return fmt.Errorf("update order %d: %w", o.id, err)
	}
	return nil
}

func (s *session) queryOrders(where string, args ...any) ([]*orderRow, error) {
	rows, err := s.tx.QueryContext(s.ctx, "SELECT "+orderColumns+" FROM orders "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}
	defer rows.Close()
	var out []*orderRow
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("read orders: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}
	return out, nil
}

func (s *session) insertFill(o *orderRow, qty, price, fee decimal.Decimal, liq trade.Liquidity, at int64) error {
	_, err := s.tx.ExecContext(s.ctx, `INSERT INTO fills (order_id, symbol, side, qty, price, fee, fee_asset, liquidity, time)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.id, o.symbol.String(), string(o.side), qty.String(), price.String(), fee.String(), o.feeAsset, string(liq), at)
	if err != nil {
		return fmt.Errorf("insert fill of order %d: %w", o.id, err)
	}
	return nil
}

// order is the public view.
func (o *orderRow) order(profile string) trade.Order {
	out := trade.Order{
		ID:           strconv.FormatInt(o.id, 10),
		ClientID:     o.clientID,
		Symbol:       o.symbol,
		Side:         o.side,
		Type:         o.typ,
		TimeInForce:  o.tif,
		PostOnly:     o.postOnly,
		Status:       o.status,
		Qty:          o.qty,
		FilledQty:    o.filled,
		Price:        o.price,
		StopPrice:    o.stopPrice,
		TrailPct:     o.trail.pct,
		TrailAmount:  o.trail.amount,
		Fee:          o.fee,
		FeeAsset:     o.feeAsset,
		RejectReason: o.rejectReason,
		CreatedAt:    msTime(o.createdAt),
		UpdatedAt:    msTime(o.updatedAt),
		Exchange:     Name,
		Profile:      profile,
	}
	out.ExpiresAt = reportedExpiry(o)
	if o.filled.IsPositive() {
		out.AvgFillPrice = decimal.NewNullDecimal(o.filledValue.DivRound(o.filled, avgPriceDigits))
	}
	return out
}

// avgPriceDigits keeps an average of tick-sized prices readable while
// exact for any fill that did not need rounding.
const avgPriceDigits = 12

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// loadBalances reads every balance row; the table is a handful of assets.
func (s *session) loadBalances() error {
	s.bal = map[string]*balance{}
	s.dirty = map[string]bool{}
	rows, err := s.tx.QueryContext(s.ctx, "SELECT asset, free, locked FROM balances")
	if err != nil {
		return fmt.Errorf("read balances: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var asset, free, locked string
		if err := rows.Scan(&asset, &free, &locked); err != nil {
			return fmt.Errorf("read balances: %w", err)
		}
		b := &balance{}
		if b.free, err = decimal.NewFromString(free); err != nil {
			return fmt.Errorf("balance %s: stored number %q: %w", asset, free, err)
		}
		if b.locked, err = decimal.NewFromString(locked); err != nil {
			return fmt.Errorf("balance %s: stored number %q: %w", asset, locked, err)
		}
		s.bal[asset] = b
	}
	return rows.Err()
}

func (s *session) flushBalances() error {
	for asset := range s.dirty {
		b := s.bal[asset]
		_, err := s.tx.ExecContext(s.ctx, `INSERT INTO balances (asset, free, locked) VALUES (?, ?, ?)
			ON CONFLICT (asset) DO UPDATE SET free = excluded.free, locked = excluded.locked`,
			asset, b.free.String(), b.locked.String())
		if err != nil {
			return fmt.Errorf("write balance %s: %w", asset, err)
		}
	}
	clear(s.dirty)
	return nil
}

// working reads the open and partially filled orders, oldest first.
func (s *session) working(extra string, args ...any) ([]*orderRow, error) {
	where := "WHERE status IN " + workingStatuses
	if extra != "" {
		where += " AND " + extra
	}
	return s.queryOrders(where+" ORDER BY id", args...)
}

// orderByRef finds one order by id or client id.
func (s *session) orderByRef(id, clientID string) (*orderRow, error) {
	var (
		rows []*orderRow
		err  error
	)
	switch {
	case id != "":
		n, perr := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
		if perr != nil || n <= 0 {
			return nil, nil
		}
		rows, err = s.queryOrders("WHERE id = ?", n)
	case clientID != "":
		rows, err = s.queryOrders("WHERE client_id = ?", clientID)
	}
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	if clientID != "" && rows[0].clientID != clientID {
		return nil, nil
	}
	return rows[0], nil
}
