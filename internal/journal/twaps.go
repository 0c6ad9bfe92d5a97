package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// twapsSchema keeps sliced orders (order create --slices): the parent's
// plan, and one row per slice naming the child's client id. The children
// themselves are ordinary intents; a slice row only says which intent is
// which slice, so a re-run finds the children already placed and the
// schedule's start, and `order get twap-KEY` shows progress.
const twapsSchema = `
CREATE TABLE twaps (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	profile         TEXT NOT NULL,
	exchange        TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	request         TEXT NOT NULL,
	slices          INTEGER NOT NULL CHECK (slices > 0),
	over_ms         INTEGER NOT NULL CHECK (over_ms >= 0),
	started_at      INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	UNIQUE (profile, idempotency_key)
) STRICT;

CREATE TABLE twap_slices (
	twap_id    INTEGER NOT NULL REFERENCES twaps (id),
	idx        INTEGER NOT NULL CHECK (idx > 0),
	client_id  TEXT NOT NULL,
	qty        TEXT NOT NULL,
	due_at     INTEGER NOT NULL,
	order_id   TEXT NOT NULL,
	status     TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (twap_id, idx)
) STRICT;
`

// TWAP is a sliced order: the parent as asked for and its slices.
type TWAP struct {
	ID             int64
	Profile        string
	Exchange       string
	IdempotencyKey string
	// Request is the parent order: its Qty is the whole quantity.
	Request   trade.OrderRequest
	Over      time.Duration
	StartedAt time.Time
	Slices    []TWAPSlice
}

// TWAPSlice is one child of a sliced order.
type TWAPSlice struct {
	Index    int // from 1
	ClientID string
	Qty      decimal.Decimal
	DueAt    time.Time
	// OrderID and Status are the child's as last recorded here: Status is
	// "scheduled" until the child is sent, then the placement's outcome
	// (the intent, by ClientID, is the authority).
	OrderID string
	Status  string
}

// SliceScheduled is a slice's status before its child is sent.
const SliceScheduled = "scheduled"

// BeginTWAP records a sliced order with its slices, or returns the one
// the journal already has under the same profile and idempotency key
// (created false): a re-run resumes it, so its schedule is the first
// run's.
func (j *Journal) BeginTWAP(ctx context.Context, t TWAP) (TWAP, bool, error) {
	if t.Profile == "" || t.IdempotencyKey == "" || len(t.Slices) == 0 {
		return TWAP{}, false, errors.New("journal: a sliced order needs a profile, an idempotency key and slices")
	}
	req, err := json.Marshal(t.Request)
	if err != nil {
		return TWAP{}, false, fmt.Errorf("journal: encode sliced order: %w", err)
	}
	created := false
	err = j.write(ctx, "record sliced order", func(tx *sql.Tx, now int64) error {
		var id int64
		switch err := tx.QueryRowContext(ctx, "SELECT id FROM twaps WHERE profile = ? AND idempotency_key = ?",
			t.Profile, t.IdempotencyKey).Scan(&id); {
		case err == nil:
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO twaps (profile, exchange, idempotency_key, request, slices, over_ms, started_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Profile, t.Exchange, t.IdempotencyKey, string(req), len(t.Slices),
			t.Over.Milliseconds(), t.StartedAt.UnixMilli(), now, now)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, s := range t.Slices {
			if _, err := tx.ExecContext(ctx, `INSERT INTO twap_slices (twap_id, idx, client_id, qty, due_at, order_id, status, updated_at)
				VALUES (?, ?, ?, ?, ?, '', ?, ?)`, id, s.Index, s.ClientID, s.Qty.String(), s.DueAt.UnixMilli(), SliceScheduled, now); err != nil {
				return err
			}
		}
		created = true
		return nil
	})
	if err != nil {
		return TWAP{}, false, err
	}
	got, ok, err := j.TWAP(ctx, t.Profile, t.IdempotencyKey)
	if err == nil && !ok {
		err = errors.New("journal: the sliced order just recorded is missing")
	}
	return got, created, err
}

// RecordTWAPSlice notes a child's order id and status on its slice.
func (j *Journal) RecordTWAPSlice(ctx context.Context, twapID int64, index int, orderID, status string) error {
	return j.write(ctx, "record slice", func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE twap_slices SET order_id = ?, status = ?, updated_at = ? WHERE twap_id = ? AND idx = ?`,
			orderID, status, now, twapID, index)
		return err
	})
}

// TWAP returns the sliced order recorded under profile and key, if any.
func (j *Journal) TWAP(ctx context.Context, profile, key string) (TWAP, bool, error) {
	var (
		t              TWAP
		req            string
		overMs, starts int64
		n              int
	)
	err := j.db.QueryRowContext(ctx, `SELECT id, profile, exchange, idempotency_key, request, slices, over_ms, started_at
		FROM twaps WHERE profile = ? AND idempotency_key = ?`, profile, key).
		Scan(&t.ID, &t.Profile, &t.Exchange, &t.IdempotencyKey, &req, &n, &overMs, &starts)
	if errors.Is(err, sql.ErrNoRows) {
		return TWAP{}, false, nil
	}
	if err != nil {
		return TWAP{}, false, fmt.Errorf("journal: read sliced order: %w", err)
	}
	if err := json.Unmarshal([]byte(req), &t.Request); err != nil {
		return TWAP{}, false, fmt.Errorf("journal: sliced order %d: %w", t.ID, err)
	}
	t.Over, t.StartedAt = time.Duration(overMs)*time.Millisecond, msTime(starts)
	rows, err := j.db.QueryContext(ctx, `SELECT idx, client_id, qty, due_at, order_id, status FROM twap_slices
		WHERE twap_id = ? ORDER BY idx`, t.ID)
	if err != nil {
		return TWAP{}, false, fmt.Errorf("journal: read slices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			s   TWAPSlice
			qty string
			due int64
		)
		if err := rows.Scan(&s.Index, &s.ClientID, &qty, &due, &s.OrderID, &s.Status); err != nil {
			return TWAP{}, false, fmt.Errorf("journal: read slices: %w", err)
		}
		if s.Qty, err = decimal.NewFromString(qty); err != nil {
			return TWAP{}, false, fmt.Errorf("journal: sliced order %d slice %d: %w", t.ID, s.Index, err)
		}
		s.DueAt = msTime(due)
		t.Slices = append(t.Slices, s)
	}
	if err := rows.Err(); err != nil {
		return TWAP{}, false, fmt.Errorf("journal: read slices: %w", err)
	}
	if len(t.Slices) != n {
		return TWAP{}, false, fmt.Errorf("journal: sliced order %d has %d of its %d slices", t.ID, len(t.Slices), n)
	}
	return t, true, nil
}
