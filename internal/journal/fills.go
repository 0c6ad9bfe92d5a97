package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/pnl"
	"github.com/tradectl/tradectl/internal/trade"
)

// RecordOrder records what an order shows now: any growth of its filled
// quantity since tradectl last saw it becomes a fill. Commands that see
// orders change (--wait, order watch) call it so daily P&L stays current.
func (j *Journal) RecordOrder(ctx context.Context, profile string, o trade.Order) error {
	if !o.FilledQty.IsPositive() {
		return nil
	}
	return j.write(ctx, "record fills", func(tx *sql.Tx, now int64) error {
		var intentID int64
		if o.ClientID != "" {
			in, ok, err := intentByClientID(ctx, tx, profile, o.ClientID)
			if err != nil {
				return err
			}
			if ok {
				intentID = in.ID
			}
		}
		return recordFills(ctx, tx, now, profile, intentID, o)
	})
}

// recordFills adds the fill that takes the journal's view of o up to what
// o reports. Its price makes the recorded value equal filled qty × average
// fill price exactly; an order without an average price is valued at its
// limit price, and one without either is not recorded (nothing to value
// it by).
func recordFills(ctx context.Context, tx *sql.Tx, now int64, profile string, intentID int64, o trade.Order) error {
	if !o.FilledQty.IsPositive() || o.ID == "" {
		return nil
	}
	var total decimal.Decimal
	switch {
	case o.AvgFillPrice.Valid:
		total = o.AvgFillPrice.Decimal.Mul(o.FilledQty)
	case o.Price.Valid:
		total = o.Price.Decimal.Mul(o.FilledQty)
	default:
		return nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT qty, value, fee FROM fills WHERE profile = ? AND order_id = ?", profile, o.ID)
	if err != nil {
		return fmt.Errorf("read fills: %w", err)
	}
	var seenQty, seenValue, seenFee decimal.Decimal
	for rows.Next() {
		var q, v, f string
		if err := rows.Scan(&q, &v, &f); err != nil {
			rows.Close()
			return fmt.Errorf("read fills: %w", err)
		}
		for _, p := range []struct {
			dst *decimal.Decimal
			src string
		}{{&seenQty, q}, {&seenValue, v}, {&seenFee, f}} {
			d, err := decimal.NewFromString(p.src)
			if err != nil {
				rows.Close()
				return fmt.Errorf("stored number %q: %w", p.src, err)
			}
			*p.dst = p.dst.Add(d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read fills: %w", err)
	}
	qty := o.FilledQty.Sub(seenQty)
	if !qty.IsPositive() {
		return nil
	}
	value := total.Sub(seenValue)
	if !value.IsPositive() {
		// The venue's rounded average can dip below what was recorded;
		// the new part is then valued at the average itself.
		value = total.Div(o.FilledQty).Mul(qty)
	}
	price := value.DivRound(qty, pnl.Precision)
	fee := o.Fee.Sub(seenFee)
	if fee.IsNegative() {
		fee = decimal.Zero
	}
	at := now
	if !o.UpdatedAt.IsZero() {
		at = ms(o.UpdatedAt)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO fills (profile, exchange, order_id, client_id, symbol, side, qty, value, price, fee, fee_asset, time)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		profile, o.Exchange, o.ID, o.ClientID, o.Symbol.String(), string(o.Side), qty.String(), value.String(), price.String(),
		fee.String(), o.FeeAsset, at)
	if err != nil {
		return fmt.Errorf("write fill: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("write fill: %w", err)
	}
	f := trade.Fill{ID: strconv.FormatInt(id, 10), OrderID: o.ID, Symbol: o.Symbol, Side: o.Side, Qty: qty, Price: price,
		Fee: fee, FeeAsset: o.FeeAsset, Time: msTime(at)}
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode fill: %w", err)
	}
	msg := fmt.Sprintf("%s %s %s at %s", o.Side, qty, o.Symbol, price)
	if !fee.IsZero() {
		msg += fmt.Sprintf(", fee %s %s", fee, o.FeeAsset)
	}
	return insertEvent(ctx, tx, now, event{profile: profile, exchange: o.Exchange, kind: KindFill, intentID: intentID,
		clientID: o.ClientID, orderID: o.ID, orderStatus: string(o.Status), message: msg, data: string(data)})
}

// Fills lists the fills recorded for profile at or after since (zero: all),
// oldest first.
func (j *Journal) Fills(ctx context.Context, profile string, since time.Time) ([]trade.Fill, error) {
	q := "SELECT id, order_id, symbol, side, qty, price, fee, fee_asset, time FROM fills WHERE profile = ?"
	args := []any{profile}
	if !since.IsZero() {
		q += " AND time >= ?"
		args = append(args, ms(since))
	}
	rows, err := j.db.QueryContext(ctx, q+" ORDER BY time, id", args...)
	if err != nil {
		return nil, fmt.Errorf("journal: read fills: %w", err)
	}
	defer rows.Close()
	out := []trade.Fill{}
	for rows.Next() {
		var (
			id, at                              int64
			orderID, sym, side, qty, price, fee string
			f                                   trade.Fill
		)
		if err := rows.Scan(&id, &orderID, &sym, &side, &qty, &price, &fee, &f.FeeAsset, &at); err != nil {
			return nil, fmt.Errorf("journal: read fills: %w", err)
		}
		f.ID, f.OrderID, f.Side, f.Time = strconv.FormatInt(id, 10), orderID, trade.Side(side), msTime(at)
		if f.Symbol, err = trade.ParseSymbol(sym); err != nil {
			return nil, fmt.Errorf("journal: fill %d: %w", id, err)
		}
		for _, p := range []struct {
			dst *decimal.Decimal
			src string
		}{{&f.Qty, qty}, {&f.Price, price}, {&f.Fee, fee}} {
			if *p.dst, err = decimal.NewFromString(p.src); err != nil {
				return nil, fmt.Errorf("journal: fill %d: stored number %q: %w", id, p.src, err)
			}
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal: read fills: %w", err)
	}
	return out, nil
}

// RealizedPnL is the P&L profile realised from fills at or after since,
// by currency (a pair's quote asset; "" for a ticker such as AAPL), by the
// average-cost method of package pnl with positions built from every
// earlier recorded fill. A currency with nothing realised is absent; a
// loss is negative. Only fills tradectl has seen count: holdings that
// predate the journal, or orders filled while no tradectl command looked,
// are not in it.
func (j *Journal) RealizedPnL(ctx context.Context, profile string, since time.Time) (map[string]decimal.Decimal, error) {
	fills, err := j.Fills(ctx, profile, time.Time{})
	if err != nil {
		return nil, err
	}
	book := pnl.NewBook(profile)
	before := map[trade.Symbol]decimal.Decimal{}
	snapshot := func() {
		for _, p := range book.Positions() {
			before[p.Symbol] = p.RealizedPnL
		}
	}
	taken := false
	for _, f := range fills {
		if !taken && !f.Time.Before(since) {
			snapshot()
			taken = true
		}
		if err := book.Apply(f); err != nil {
			return nil, fmt.Errorf("journal: realised P&L of %s: %w", profile, err)
		}
	}
	if !taken {
		snapshot()
	}
	out := map[string]decimal.Decimal{}
	for _, p := range book.Positions() {
		d := p.RealizedPnL.Sub(before[p.Symbol])
		if !d.IsZero() {
			out[p.Currency()] = out[p.Currency()].Add(d)
		}
	}
	return out, nil
}
