package journal

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// expiriesSchema keeps client-side deadlines (order create --cancel-after
// --client-expiry on a venue without good-till-date orders): one row per
// intent, written in the intent's own transaction (Begin), so no order
// is ever sent without its deadline on disk. `order expire` cancels the
// order once the deadline has passed and settles the row, so a deadline
// is acted on at most once.
const expiriesSchema = `
CREATE TABLE expiries (
	intent_id  INTEGER PRIMARY KEY REFERENCES intents (id),
	deadline   INTEGER NOT NULL,
	state      TEXT NOT NULL CHECK (state IN ('armed', 'canceled', 'settled')),
	result     TEXT NOT NULL,
	message    TEXT NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX expiries_armed ON expiries (deadline) WHERE state = 'armed';
`

// ExpiryState is where a client-side deadline stands.
type ExpiryState string

const (
	// ExpiryArmed: the deadline has not been acted on yet.
	ExpiryArmed ExpiryState = "armed"
	// ExpiryCanceled: order expire canceled the order at its deadline.
	ExpiryCanceled ExpiryState = "canceled"
	// ExpirySettled: the order ended on its own (filled, canceled,
	// expired) or was never placed; nothing was sent for it.
	ExpirySettled ExpiryState = "settled"
)

// Expiry is one client-side deadline with the intent it belongs to.
type Expiry struct {
	Intent   Intent
	Deadline time.Time
	State    ExpiryState
	// Result and Message are the last attempt's outcome ("" while armed
	// and never tried; a failed cancel leaves the row armed with its error).
	Result  string
	Message string
}

const expiryColumns = `e.deadline, e.state, e.result, e.message`

// DueExpiries lists profile's armed deadlines at or before now, oldest
// deadline first, with their intents.
func (j *Journal) DueExpiries(ctx context.Context, profile string, now time.Time) ([]Expiry, error) {
	return j.expiries(ctx, "e.state = 'armed' AND e.deadline <= ? AND i.profile = ?", now.UnixMilli(), profile)
}

// ExpiryOf returns the client-side deadline of the intent with client id
// clientID on profile, if it has one.
func (j *Journal) ExpiryOf(ctx context.Context, profile, clientID string) (Expiry, bool, error) {
	out, err := j.expiries(ctx, "i.profile = ? AND i.client_id = ?", profile, clientID)
	if err != nil || len(out) == 0 {
		return Expiry{}, false, err
	}
	return out[0], true, nil
}

func (j *Journal) expiries(ctx context.Context, where string, args ...any) ([]Expiry, error) {
	q := "SELECT " + prefixed("i.", intentColumns) + ", " + expiryColumns +
		" FROM expiries e JOIN intents i ON i.id = e.intent_id WHERE " + where + " ORDER BY e.deadline, e.intent_id"
	rows, err := j.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("journal: list expiries: %w", err)
	}
	defer rows.Close()
	var out []Expiry
	for rows.Next() {
		var (
			e        Expiry
			deadline int64
			state    string
		)
		in, err := scanIntent(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &deadline, &state, &e.Result, &e.Message)...)
		}))
		if err != nil {
			return nil, fmt.Errorf("journal: list expiries: %w", err)
		}
		e.Intent, e.Deadline, e.State = in, msTime(deadline), ExpiryState(state)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal: list expiries: %w", err)
	}
	return out, nil
}

// RecordExpiry notes what order expire did with intent id's deadline:
// state armed keeps it for the next run (a cancel that failed), canceled
// or settled retires it for good.
func (j *Journal) RecordExpiry(ctx context.Context, id int64, state ExpiryState, result, message string) error {
	return j.write(ctx, "record expiry", func(tx *sql.Tx, now int64) error {
		res, err := tx.ExecContext(ctx, "UPDATE expiries SET state = ?, result = ?, message = ?, updated_at = ? WHERE intent_id = ?",
			string(state), result, message, now, id)
		if err != nil {
			return fmt.Errorf("update expiry of intent %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("intent %d has no client-side expiry", id)
		}
		return nil
	})
}

// putExpiry writes (or, for a reopened intent, rewrites as armed) the
// deadline of intent id inside Begin's transaction.
func putExpiry(ctx context.Context, tx *sql.Tx, id int64, deadline time.Time, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO expiries (intent_id, deadline, state, result, message, updated_at)
		VALUES (?, ?, 'armed', '', '', ?)
		ON CONFLICT (intent_id) DO UPDATE SET deadline = excluded.deadline, state = 'armed', result = '', message = '', updated_at = excluded.updated_at`,
		id, deadline.UnixMilli(), now)
	if err != nil {
		return fmt.Errorf("write expiry: %w", err)
	}
	return nil
}

// scanFunc adapts a Scan with extra destinations to rowScanner.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// prefixed qualifies each of a comma-separated column list with p.
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
