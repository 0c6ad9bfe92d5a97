package journal

import (
	"context"
	"fmt"
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
	sqlText, args := q.sql("SELECT x.updated_at, x.result, x.message, "+prefixed("i.", intentColumns)+
		" FROM expiries x JOIN intents i ON i.id = x.intent_id", "x.updated_at", "i.profile", "i.status",
		"x.updated_at DESC, x.intent_id DESC", "x.result != ''")
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
