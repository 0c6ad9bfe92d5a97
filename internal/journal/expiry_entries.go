package journal

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// KindExpiry is what `order expire` last did with a client-side deadline
// (order create --cancel-after --client-expiry), as `tradectl journal`
// shows it: one entry per deadline that has been acted on, at the time of
// that action. Result is canceled, settled or failed (a failed cancel
// stays armed and is tried again by the next run, which replaces the
// entry); a deadline not yet reached has no entry. Deadlines live in their
// own table, not among the events.
const KindExpiry Kind = "expiry"

// expiryEntries reads the acted-on deadlines matching q as entries, newest
// first, at most q.Limit of them.
func (j *Journal) expiryEntries(ctx context.Context, q Query) ([]Entry, error) {
	where := []string{"x.result != ''"}
	var args []any
	if !q.Since.IsZero() {
		where = append(where, "x.updated_at >= ?")
		args = append(args, ms(q.Since))
	}
	if q.Profile != "" {
		where = append(where, "i.profile = ?")
		args = append(args, q.Profile)
	}
	if q.Status != "" {
		where = append(where, "i.status = ?")
		args = append(args, string(q.Status))
	}
	sqlText := "SELECT x.updated_at, x.result, x.message, " + prefixed("i.", intentColumns) +
		" FROM expiries x JOIN intents i ON i.id = x.intent_id WHERE " + strings.Join(where, " AND ") +
		" ORDER BY x.updated_at DESC, x.intent_id DESC"
	if q.Limit > 0 {
		sqlText += " LIMIT " + strconv.Itoa(q.Limit)
	}
	rows, err := j.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("journal: read expiries: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var (
			e  Entry
			at int64
		)
		in, err := scanIntent(scanFunc(func(dest ...any) error {
			return rows.Scan(append([]any{&at, &e.Result, &e.Message}, dest...)...)
		}))
		if err != nil {
			return nil, fmt.Errorf("journal: read expiries: %w", err)
		}
		e.ID, e.Time, e.Kind = in.ID, msTime(at), KindExpiry
		e.Profile, e.Exchange, e.ClientID, e.Status = in.Profile, in.Exchange, in.ClientID, in.Status
		if in.Order != nil {
			// Only the id: the order's recorded status is from before the
			// deadline; what became of it is the entry's result.
			e.OrderID = in.Order.ID
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
