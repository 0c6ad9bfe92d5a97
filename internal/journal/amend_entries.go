package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// KindAmend is an amendment (`order amend`) as `tradectl journal` shows
// it: one entry per amendment, at the time it was begun, with where it
// stands now. Amendments live in their own table, not among the events.
const KindAmend Kind = "amend"

// Amendment results (Entry.Result of an amend entry) are its AmendStatus:
// pending, amended or failed.

// amendEntries reads profile's amendments as entries, newest first, at most
// q.Limit of them. Amendments belong to no intent, so a query by intent
// status has none.
func (j *Journal) amendEntries(ctx context.Context, q Query) ([]Entry, error) {
	if q.Status != "" {
		return nil, nil
	}
	sqlText, args := q.sql(`SELECT id, created_at, profile, exchange, order_id, new_client_id, amend, before_json, status, new_order_id,
		error_code, error_message FROM amends`, "created_at", "profile", "", "created_at DESC, id DESC")
	rows, err := j.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("journal: read amendments: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var (
			e                          Entry
			at                         int64
			req, before, status, newID string
			a                          trade.AmendRequest
			was                        trade.Order
		)
		if err := rows.Scan(&e.ID, &at, &e.Profile, &e.Exchange, &e.OrderID, &e.ClientID, &req, &before, &status, &newID,
			&e.ErrorCode, &e.Message); err != nil {
			return nil, fmt.Errorf("journal: read amendments: %w", err)
		}
		if err := json.Unmarshal([]byte(req), &a); err != nil {
			return nil, fmt.Errorf("journal: amendment %d: %w", e.ID, err)
		}
		if err := json.Unmarshal([]byte(before), &was); err != nil {
			return nil, fmt.Errorf("journal: amendment %d: %w", e.ID, err)
		}
		e.Time, e.Kind, e.Result, e.Amend = msTime(at), KindAmend, status, &a
		if newID != "" && newID != e.OrderID {
			e.NewOrderID = newID
		}
		if e.Message == "" {
			e.Message = describeAmend(was, a, e.NewOrderID)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// describeAmend says what an amendment changes, old value to new:
// "price 150 → 149, qty 5 → 4; now order 42".
func describeAmend(was trade.Order, a trade.AmendRequest, newOrderID string) string {
	var parts []string
	change := func(name string, from decimal.NullDecimal, to decimal.NullDecimal) {
		if !to.Valid {
			return
		}
		old := "none"
		if from.Valid {
			old = from.Decimal.String()
		}
		parts = append(parts, name+" "+old+" → "+to.Decimal.String())
	}
	change("qty", decimal.NewNullDecimal(was.Qty), a.Qty)
	change("price", was.Price, a.Price)
	change("stop", was.StopPrice, a.StopPrice)
	s := strings.Join(parts, ", ")
	if newOrderID != "" {
		s += "; now order " + newOrderID
	}
	return s
}

// mergeNewest merges events, amendments and deadlines (each list newest
// first, as read) into one list oldest first, keeping the newest limit of
// them (0: all).
func mergeNewest(limit int, lists ...[]Entry) []Entry {
	out := slices.Concat(lists...)
	slices.SortStableFunc(out, func(a, b Entry) int {
		// Newest first. The sort is stable, so at the same millisecond
		// an earlier list's entries read after a later list's.
		return b.Time.Compare(a.Time)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	slices.Reverse(out)
	return out
}
