package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tradectl/tradectl/internal/trade"
)

const intentColumns = `id, profile, exchange, client_id, idempotency_key, request, status, order_id, order_json,
	error_code, error_message, attempts, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanIntent(r rowScanner) (Intent, error) {
	var (
		in                 Intent
		status, req, order string
		orderID            string
		created, updated   int64
	)
	if err := r.Scan(&in.ID, &in.Profile, &in.Exchange, &in.ClientID, &in.IdempotencyKey, &req, &status, &orderID, &order,
		&in.ErrorCode, &in.ErrorMessage, &in.Attempts, &created, &updated); err != nil {
		return Intent{}, err
	}
	in.Status = Status(status)
	in.CreatedAt, in.UpdatedAt = msTime(created), msTime(updated)
	if err := json.Unmarshal([]byte(req), &in.Request); err != nil {
		return Intent{}, fmt.Errorf("intent %d: stored request: %w", in.ID, err)
	}
	if order != "" {
		var o trade.Order
		if err := json.Unmarshal([]byte(order), &o); err != nil {
			return Intent{}, fmt.Errorf("intent %d: stored order: %w", in.ID, err)
		}
		in.Order = &o
	}
	return in, nil
}

func intentByClientID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, profile, clientID string) (Intent, bool, error) {
	in, err := scanIntent(q.QueryRowContext(ctx, "SELECT "+intentColumns+" FROM intents WHERE profile = ? AND client_id = ?", profile, clientID))
	if errors.Is(err, sql.ErrNoRows) {
		return Intent{}, false, nil
	}
	if err != nil {
		return Intent{}, false, fmt.Errorf("read intent: %w", err)
	}
	return in, true, nil
}

func intentByID(ctx context.Context, tx *sql.Tx, id int64) (Intent, error) {
	in, err := scanIntent(tx.QueryRowContext(ctx, "SELECT "+intentColumns+" FROM intents WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Intent{}, fmt.Errorf("no intent %d", id)
	}
	if err != nil {
		return Intent{}, fmt.Errorf("read intent %d: %w", id, err)
	}
	return in, nil
}

// Intent returns the intent for a client id on a profile, if there is one.
func (j *Journal) Intent(ctx context.Context, profile, clientID string) (Intent, bool, error) {
	in, ok, err := intentByClientID(ctx, j.db, profile, clientID)
	if err != nil {
		return Intent{}, false, fmt.Errorf("journal: %w", err)
	}
	return in, ok, nil
}

// Pending lists the pending intents of profile ("" for every profile),
// oldest first.
func (j *Journal) Pending(ctx context.Context, profile string) ([]Intent, error) {
	q := "SELECT " + intentColumns + " FROM intents WHERE status = 'pending'"
	var args []any
	if profile != "" {
		q += " AND profile = ?"
		args = append(args, profile)
	}
	rows, err := j.db.QueryContext(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("journal: list pending intents: %w", err)
	}
	defer rows.Close()
	var out []Intent
	for rows.Next() {
		in, err := scanIntent(rows)
		if err != nil {
			return nil, fmt.Errorf("journal: list pending intents: %w", err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal: list pending intents: %w", err)
	}
	return out, nil
}

// Begin records the intent to send n.Request under n.ClientID and returns
// it as pending, with Attempts 1. It is committed — on disk, unless
// n.Simulated — when Begin returns. A failed or not-placed intent for the
// same client id is reopened; a pending or placed one is refused with
// *OpenIntentError.
func (j *Journal) Begin(ctx context.Context, n NewIntent) (Intent, error) {
	if n.Profile == "" || n.ClientID == "" {
		return Intent{}, fmt.Errorf("journal: an intent needs a profile and a client id")
	}
	if n.Request.ClientID != n.ClientID {
		// The journal must describe exactly what is sent.
		n.Request.ClientID = n.ClientID
	}
	req, err := json.Marshal(n.Request)
	if err != nil {
		return Intent{}, fmt.Errorf("journal: encode request: %w", err)
	}
	write := j.writeDurable
	if n.Simulated {
		write = j.write
	}
	var out Intent
	err = write(ctx, "record intent", func(tx *sql.Tx, now int64) error {
		old, ok, err := intentByClientID(ctx, tx, n.Profile, n.ClientID)
		if err != nil {
			return err
		}
		var id int64
		switch {
		case ok && (old.Status == Pending || old.Status == Placed):
			return &OpenIntentError{Intent: old}
		case ok:
			id = old.ID
			_, err = tx.ExecContext(ctx, `UPDATE intents SET exchange = ?, idempotency_key = ?, request = ?, status = 'pending',
				order_id = '', order_json = '', error_code = '', error_message = '', attempts = 1, updated_at = ? WHERE id = ?`,
				n.Exchange, n.IdempotencyKey, string(req), now, id)
		default:
			var res sql.Result
			res, err = tx.ExecContext(ctx, `INSERT INTO intents (profile, exchange, client_id, idempotency_key, request, status,
				order_id, order_json, error_code, error_message, attempts, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 'pending', '', '', '', '', 1, ?, ?)`,
				n.Profile, n.Exchange, n.ClientID, n.IdempotencyKey, string(req), now, now)
			if err == nil {
				id, err = res.LastInsertId()
			}
		}
		if err != nil {
			return fmt.Errorf("write intent: %w", err)
		}
		if !n.ClientExpiry.IsZero() {
			err = putExpiry(ctx, tx, id, n.ClientExpiry, now)
		} else if ok {
			// A reopened intent sent now without a deadline keeps none
			// from its earlier try.
			_, err = tx.ExecContext(ctx, "DELETE FROM expiries WHERE intent_id = ?", id)
		}
		if err != nil {
			return err
		}
		msg := describeRequest(n.Request)
		if n.IdempotencyKey != "" {
			msg += " (idempotency key " + n.IdempotencyKey + ")"
		}
		if err := insertEvent(ctx, tx, now, event{profile: n.Profile, exchange: n.Exchange, kind: KindIntent, intentID: id,
			clientID: n.ClientID, attempt: 1, message: msg, data: string(req)}); err != nil {
			return err
		}
		out, err = intentByID(ctx, tx, id)
		return err
	})
	return out, err
}

// describeRequest is a one-line summary: "buy 0.01 BTC-USD limit 60000".
func describeRequest(r trade.OrderRequest) string {
	var b strings.Builder
	if r.QuoteSized() {
		fmt.Fprintf(&b, "%s %s %s of %s %s", r.Side, r.QuoteQty.Decimal, r.Symbol.Quote, r.Symbol, r.Type)
	} else {
		fmt.Fprintf(&b, "%s %s %s %s", r.Side, r.Qty, r.Symbol, r.Type)
	}
	if r.Price.Valid {
		fmt.Fprintf(&b, " %s", r.Price.Decimal)
	}
	if r.StopPrice.Valid {
		fmt.Fprintf(&b, " stop %s", r.StopPrice.Decimal)
	}
	if trail := r.TrailText(); trail != "" {
		fmt.Fprintf(&b, " trail %s", trail)
	}
	if r.TimeInForce != "" && r.TimeInForce != trade.GTC {
		fmt.Fprintf(&b, " %s", r.TimeInForce)
	}
	b.WriteString(r.Exits.Describe())
	if r.PostOnly {
		b.WriteString(" post-only")
	}
	return b.String()
}

// update changes one intent and logs ev for it in one transaction; set is
// the SET clause's assignments, args their values.
func (j *Journal) update(ctx context.Context, op string, id int64, set string, args []any, ev event, after func(tx *sql.Tx, now int64, in Intent) error) error {
	return j.write(ctx, op, func(tx *sql.Tx, now int64) error {
		in, err := intentByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if set != "" {
			if _, err := tx.ExecContext(ctx, "UPDATE intents SET "+set+", updated_at = ? WHERE id = ?", append(args, now, id)...); err != nil {
				return fmt.Errorf("update intent %d: %w", id, err)
			}
		}
		ev.profile, ev.exchange, ev.intentID, ev.clientID = in.Profile, in.Exchange, in.ID, in.ClientID
		if err := insertEvent(ctx, tx, now, ev); err != nil {
			return err
		}
		if after != nil {
			return after(tx, now, in)
		}
		return nil
	})
}

// RecordRetry notes that the order is sent again under the same client id
// (attempt 2, 3 …) and why.
func (j *Journal) RecordRetry(ctx context.Context, id int64, attempt int, reason string) error {
	return j.update(ctx, "record retry", id, "attempts = ?", []any{attempt},
		event{kind: KindRetry, attempt: attempt, message: reason}, nil)
}

// RecordPlaced settles the intent as placed with order o. existing says
// the order was already at the venue and nothing was sent for it now.
// The order's fills are recorded too.
func (j *Journal) RecordPlaced(ctx context.Context, id int64, o trade.Order, existing bool) error {
	b, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("journal: encode order: %w", err)
	}
	result, msg := ResultPlaced, fmt.Sprintf("order %s %s", o.ID, o.Status)
	if existing {
		result, msg = ResultExisting, fmt.Sprintf("order %s already at the venue (%s); nothing sent", o.ID, o.Status)
	}
	// A bracket's or an OCO's other legs are stored with it (order_json)
	// and named here, so the list reads as one placement.
	for _, l := range o.Legs {
		msg += fmt.Sprintf("; %s %s %s", strings.ReplaceAll(string(l.Leg), "_", "-"), l.ID, l.Status)
	}
	return j.update(ctx, "record outcome", id,
		"status = 'placed', order_id = ?, order_json = ?, error_code = '', error_message = ''", []any{o.ID, string(b)},
		event{kind: KindOutcome, result: result, orderID: o.ID, orderStatus: string(o.Status), message: msg},
		func(tx *sql.Tx, now int64, in Intent) error {
			return recordFills(ctx, tx, now, in.Profile, in.ID, o)
		})
}

// RecordFailed settles the intent as failed: the venue refused the order
// or it was never sent. code is a machine-readable reason
// ("insufficient_funds"); message must not contain secrets.
func (j *Journal) RecordFailed(ctx context.Context, id int64, code, message string) error {
	return j.update(ctx, "record outcome", id, "status = 'failed', error_code = ?, error_message = ?", []any{code, message},
		event{kind: KindOutcome, result: ResultFailed, errorCode: code, message: message}, nil)
}

// RecordNotPlaced settles the intent as not placed: its outcome was
// ambiguous and a look-up proved it absent, and it is not sent again.
func (j *Journal) RecordNotPlaced(ctx context.Context, id int64, code, message string) error {
	return j.update(ctx, "record outcome", id, "status = 'not_placed', error_code = ?, error_message = ?", []any{code, message},
		event{kind: KindOutcome, result: ResultNotPlaced, errorCode: code, message: message}, nil)
}

// RecordUnknown notes that the outcome could not be settled: the intent
// stays pending, for the next command to reconcile.
func (j *Journal) RecordUnknown(ctx context.Context, id int64, code, message string) error {
	return j.update(ctx, "record outcome", id, "error_code = ?, error_message = ?", []any{code, message},
		event{kind: KindOutcome, result: ResultUnknown, errorCode: code, message: message}, nil)
}

// Lookup is one reconciliation step: the order looked up by client id.
type Lookup struct {
	Attempt int // 1 for the first look-up of this reconciliation
	Result  LookupResult
	OrderID string // when found
	Message string // why unknown, or a note
}

// RecordLookup logs one reconciliation look-up; it does not change the
// intent's status (RecordPlaced, RecordNotPlaced and RecordUnknown do).
func (j *Journal) RecordLookup(ctx context.Context, id int64, l Lookup) error {
	return j.update(ctx, "record look-up", id, "", nil,
		event{kind: KindReconcile, attempt: l.Attempt, result: string(l.Result), orderID: l.OrderID, message: l.Message}, nil)
}
