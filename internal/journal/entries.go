package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/trade"
)

// RecordRefusal logs that a risk limit refused an order on profile before
// anything was sent: limit is the limit's name ("max_order_notional"),
// detail the values that broke it.
func (j *Journal) RecordRefusal(ctx context.Context, profile, limit, detail string) error {
	return j.write(ctx, "record refusal", func(tx *sql.Tx, now int64) error {
		return insertEvent(ctx, tx, now, event{profile: profile, kind: KindRefusal, limit: limit, message: detail})
	})
}

// RecordOverride logs that --override-limit lifted limit for one command
// on profile; detail says what it let through.
func (j *Journal) RecordOverride(ctx context.Context, profile, limit, detail string) error {
	return j.write(ctx, "record override", func(tx *sql.Tx, now int64) error {
		return insertEvent(ctx, tx, now, event{profile: profile, kind: KindOverride, limit: limit, message: detail})
	})
}

// Entry is one event as `tradectl journal` prints it. Fields that do not
// apply to an event's kind are left out of its JSON.
type Entry struct {
	ID       int64     `json:"id"`
	Time     time.Time `json:"time"`
	Kind     Kind      `json:"kind"`
	Profile  string    `json:"profile"`
	Exchange string    `json:"exchange,omitempty"`
	ClientID string    `json:"client_id,omitempty"`
	// IdempotencyKey is the intent's key, on intent events.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// Status is the intent's status now (not when the event happened).
	Status      Status            `json:"status,omitempty"`
	Result      string            `json:"result,omitempty"`
	OrderID     string            `json:"order_id,omitempty"`
	OrderStatus trade.OrderStatus `json:"order_status,omitempty"`
	Attempt     int               `json:"attempt,omitempty"`
	ErrorCode   string            `json:"error_code,omitempty"`
	Limit       string            `json:"limit,omitempty"`
	Message     string            `json:"message,omitempty"`
	// Request is the order request, on intent events.
	Request *trade.OrderRequest `json:"request,omitempty"`
	// Fill is the execution, on fill events.
	Fill *trade.Fill `json:"fill,omitempty"`
	// Amend is the change asked for, on amend entries; NewOrderID is the
	// id of the order that replaced the amended one, where the venue
	// replaced it.
	Amend      *trade.AmendRequest `json:"amend,omitempty"`
	NewOrderID string              `json:"new_order_id,omitempty"`
}

// Query selects entries. Zero values mean no restriction; Status limits
// the entries to those of intents now in that status (refusals and
// overrides belong to no intent and are left out); Limit keeps the newest.
type Query struct {
	Since   time.Time
	Profile string
	Status  Status
	Limit   int
}

// sql completes a SELECT with q's filters on the given columns (a status
// column of "" takes no status filter), the order and q's limit, and
// returns it with its arguments; extra conditions come first.
func (q Query) sql(selectFrom, timeCol, profileCol, statusCol, orderBy string, extra ...string) (string, []any) {
	where := extra
	var args []any
	if !q.Since.IsZero() {
		where = append(where, timeCol+" >= ?")
		args = append(args, ms(q.Since))
	}
	if q.Profile != "" {
		where = append(where, profileCol+" = ?")
		args = append(args, q.Profile)
	}
	if q.Status != "" && statusCol != "" {
		where = append(where, statusCol+" = ?")
		args = append(args, string(q.Status))
	}
	if len(where) > 0 {
		selectFrom += " WHERE " + strings.Join(where, " AND ")
	}
	selectFrom += " ORDER BY " + orderBy
	if q.Limit > 0 {
		selectFrom += " LIMIT " + strconv.Itoa(q.Limit)
	}
	return selectFrom, args
}

// Entries returns the events, amendments and acted-on deadlines matching
// q, oldest first.
func (j *Journal) Entries(ctx context.Context, q Query) ([]Entry, error) {
	sqlText, args := q.sql(`SELECT e.id, e.time, e.kind, e.profile, e.exchange, e.client_id, e.result, e.order_id, e.order_status,
		e.attempt, e.error_code, e.limit_name, e.message, e.data, COALESCE(i.status, ''), COALESCE(i.idempotency_key, '')
		FROM events e LEFT JOIN intents i ON i.id = e.intent_id`, "e.time", "e.profile", "i.status", "e.id DESC")
	rows, err := j.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("journal: read entries: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var (
			e                       Entry
			at                      int64
			kind, orderStatus, data string
			status, key             string
		)
		if err := rows.Scan(&e.ID, &at, &kind, &e.Profile, &e.Exchange, &e.ClientID, &e.Result, &e.OrderID, &orderStatus,
			&e.Attempt, &e.ErrorCode, &e.Limit, &e.Message, &data, &status, &key); err != nil {
			return nil, fmt.Errorf("journal: read entries: %w", err)
		}
		e.Time, e.Kind, e.OrderStatus, e.Status = msTime(at), Kind(kind), trade.OrderStatus(orderStatus), Status(status)
		switch e.Kind {
		case KindIntent:
			e.IdempotencyKey = key
			var r trade.OrderRequest
			if err := json.Unmarshal([]byte(data), &r); err != nil {
				return nil, fmt.Errorf("journal: entry %d: stored request: %w", e.ID, err)
			}
			e.Request = &r
		case KindFill:
			var f trade.Fill
			if err := json.Unmarshal([]byte(data), &f); err != nil {
				return nil, fmt.Errorf("journal: entry %d: stored fill: %w", e.ID, err)
			}
			e.Fill = &f
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal: read entries: %w", err)
	}
	amends, err := j.amendEntries(ctx, q)
	if err != nil {
		return nil, err
	}
	expiries, err := j.expiryEntries(ctx, q)
	if err != nil {
		return nil, err
	}
	return mergeNewest(q.Limit, out, amends, expiries), nil
}
