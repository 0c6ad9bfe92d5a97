package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tradectl/tradectl/internal/trade"
)

// amendsSchema keeps amendments apart from placement intents: an
// amendment has no client id of its own and, where the venue replaces the
// order, links the new order id to the old one. At most one amendment of
// an order is pending at a time, so a second one is never sent while the
// first one's outcome is unknown.
const amendsSchema = `
CREATE TABLE amends (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	profile       TEXT NOT NULL,
	exchange      TEXT NOT NULL,
	order_id      TEXT NOT NULL,
	symbol        TEXT NOT NULL,
	new_client_id TEXT NOT NULL,
	amend         TEXT NOT NULL,
	before_json   TEXT NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('pending', 'amended', 'failed')),
	new_order_id  TEXT NOT NULL,
	order_json    TEXT NOT NULL,
	error_code    TEXT NOT NULL,
	error_message TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX amends_pending ON amends (profile, order_id) WHERE status = 'pending';
CREATE INDEX amends_new_order ON amends (profile, new_order_id);
`

// AmendStatus is where an amendment stands.
type AmendStatus string

const (
	// AmendPending: written before sending; the outcome is not known yet.
	AmendPending AmendStatus = "pending"
	// AmendDone: the venue changed (or replaced) the order.
	AmendDone AmendStatus = "amended"
	// AmendFailed: the venue refused it, or a look-up proved it not applied.
	AmendFailed AmendStatus = "failed"
)

// Amend is one amendment tradectl set out to make.
type Amend struct {
	ID       int64
	Profile  string
	Exchange string
	// OrderID is the order amended, as it was before.
	OrderID string
	Symbol  trade.Symbol
	// NewClientID is the client id a replacing venue gives the new order.
	NewClientID string
	Request     trade.AmendRequest
	Before      trade.Order
	Status      AmendStatus
	// NewOrderID is the order's id afterwards: OrderID, or the id of the
	// order that replaced it.
	NewOrderID   string
	Order        *trade.Order
	ErrorCode    string
	ErrorMessage string
}

// NewAmend is what BeginAmend records.
type NewAmend struct {
	Profile     string
	Exchange    string
	Before      trade.Order
	Request     trade.AmendRequest
	NewClientID string
	// Simulated: committed without an fsync, as NewIntent.Simulated.
	Simulated bool
}

// ErrAmendPending is returned by BeginAmend when the order already has an
// amendment whose outcome is not settled: sending another could apply a
// change twice or over an unknown one.
var ErrAmendPending = errors.New("the order has an amendment whose outcome is not settled")

// BeginAmend records the amendment as pending before it is sent and
// returns its id. It is committed — on disk, unless n.Simulated — when
// BeginAmend returns.
func (j *Journal) BeginAmend(ctx context.Context, n NewAmend) (int64, error) {
	if n.Profile == "" || n.Before.ID == "" {
		return 0, fmt.Errorf("journal: an amendment needs a profile and an order id")
	}
	req, err := json.Marshal(n.Request)
	if err != nil {
		return 0, fmt.Errorf("journal: encode amendment: %w", err)
	}
	before, err := json.Marshal(n.Before)
	if err != nil {
		return 0, fmt.Errorf("journal: encode order: %w", err)
	}
	write := j.writeDurable
	if n.Simulated {
		write = j.write
	}
	var id int64
	err = write(ctx, "record amendment", func(tx *sql.Tx, now int64) error {
		var pending int64
		switch err := tx.QueryRowContext(ctx, "SELECT id FROM amends WHERE profile = ? AND order_id = ? AND status = 'pending'",
			n.Profile, n.Before.ID).Scan(&pending); {
		case err == nil:
			return fmt.Errorf("order %s on profile %s (amendment %d): %w", n.Before.ID, n.Profile, pending, ErrAmendPending)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("look up pending amendments: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO amends (profile, exchange, order_id, symbol, new_client_id, amend, before_json,
			status, new_order_id, order_json, error_code, error_message, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', '', '', '', '', ?, ?)`,
			n.Profile, n.Exchange, n.Before.ID, n.Before.Symbol.String(), n.NewClientID, string(req), string(before), now, now)
		if err != nil {
			return fmt.Errorf("write amendment: %w", err)
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// RecordAmended settles the amendment: o is the order as it now stands,
// under the old id or the id of the order that replaced it.
func (j *Journal) RecordAmended(ctx context.Context, id int64, o trade.Order) error {
	data, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("journal: encode order: %w", err)
	}
	return j.write(ctx, "record amendment outcome", func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE amends SET status = 'amended', new_order_id = ?, order_json = ?,
			error_code = '', error_message = '', updated_at = ? WHERE id = ?`, o.ID, string(data), now, id)
		return err
	})
}

// RecordAmendFailed settles the amendment as not applied: the venue
// refused it, or a look-up after an unknown outcome proved it absent.
func (j *Journal) RecordAmendFailed(ctx context.Context, id int64, code, message string) error {
	return j.write(ctx, "record amendment outcome", func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE amends SET status = 'failed', error_code = ?, error_message = ?, updated_at = ? WHERE id = ?`,
			code, message, now, id)
		return err
	})
}

// RecordAmendUnknown notes why the outcome could not be settled; the
// amendment stays pending, and with it the refusal of another one.
func (j *Journal) RecordAmendUnknown(ctx context.Context, id int64, code, message string) error {
	return j.write(ctx, "record amendment outcome", func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE amends SET error_code = ?, error_message = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
			code, message, now, id)
		return err
	})
}

// Amends lists profile's amendments of orderID, oldest first: those that
// amended it and those of the order it replaced are found by their ids.
func (j *Journal) Amends(ctx context.Context, profile, orderID string) ([]Amend, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT id, profile, exchange, order_id, symbol, new_client_id, amend, before_json, status,
		new_order_id, order_json, error_code, error_message FROM amends
		WHERE profile = ? AND (order_id = ? OR new_order_id = ?) ORDER BY id`, profile, orderID, orderID)
	if err != nil {
		return nil, fmt.Errorf("journal: read amendments: %w", err)
	}
	defer rows.Close()
	var out []Amend
	for rows.Next() {
		var (
			a                           Amend
			sym, req, before, status, o string
		)
		if err := rows.Scan(&a.ID, &a.Profile, &a.Exchange, &a.OrderID, &sym, &a.NewClientID, &req, &before, &status,
			&a.NewOrderID, &o, &a.ErrorCode, &a.ErrorMessage); err != nil {
			return nil, fmt.Errorf("journal: read amendments: %w", err)
		}
		a.Status = AmendStatus(status)
		if a.Symbol, err = trade.ParseSymbol(sym); err != nil {
			return nil, fmt.Errorf("journal: amendment %d: %w", a.ID, err)
		}
		if err := json.Unmarshal([]byte(req), &a.Request); err != nil {
			return nil, fmt.Errorf("journal: amendment %d: %w", a.ID, err)
		}
		if err := json.Unmarshal([]byte(before), &a.Before); err != nil {
			return nil, fmt.Errorf("journal: amendment %d: %w", a.ID, err)
		}
		if o != "" {
			var ord trade.Order
			if err := json.Unmarshal([]byte(o), &ord); err != nil {
				return nil, fmt.Errorf("journal: amendment %d: %w", a.ID, err)
			}
			a.Order = &ord
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
