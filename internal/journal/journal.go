// Package journal is tradectl's local audit journal and order-intent
// store: one SQLite file, by default $XDG_STATE_HOME/tradectl/journal.db,
// shared by every process and every profile on the machine.
//
// # Intents
//
// Before an order is sent, its intent — profile, exchange, the exact
// request, the client id and the idempotency key if any — is committed
// (Begin). After the venue answers, the outcome is committed: placed (with
// the order), failed (the venue refused it, nothing exists), or not placed
// (reconciliation proved it absent). An intent without an outcome is
// pending: the process that wrote it died, or the venue's answer was lost
// and a look-up could not settle it. Pending intents are what the next
// command on the profile reconciles first (package placement). There is
// one intent per (profile, client id): a failed or not-placed intent is
// reopened when the same client id is tried again, and its history stays
// in the event log.
//
// # Events
//
// Every step is an event with a UTC timestamp in milliseconds: the intent,
// retries, outcomes, reconciliation look-ups (found, absent or unknown,
// with the attempt number), risk-limit refusals and overrides, and fills
// seen. Entries lists them, oldest first, for `tradectl journal`.
//
// # Fills
//
// The journal keeps the fills tradectl itself has seen: whenever an order
// is recorded (RecordPlaced, RecordOrder), the growth of its filled
// quantity since it was last seen becomes one fill at the price that makes
// the order's average fill price come out exact. Fills and RealizedPnL
// read them back per profile, for daily loss limits.
//
// # Secrets
//
// Nothing here ever holds a credential: requests carry no keys, and error
// messages come from adapters that never quote them.
//
// # Storage
//
// SQLite (modernc.org/sqlite, pure Go) in WAL mode. An intent for a live
// venue is committed with synchronous=FULL, so it survives a power cut;
// a paper order's intent and every later record
// (outcomes, retries, look-ups, fills, refusals) with synchronous=NORMAL,
// which a process crash never loses and reconciliation makes good after a
// power cut (the intent is then still pending). A 10 s busy timeout and
// BEGIN IMMEDIATE transactions, so any number of processes may write at
// once. Times are unix milliseconds, decimals TEXT, requests and orders
// JSON. The schema is versioned with PRAGMA user_version.
package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/trade"
)

// FileName is the journal's name inside tradectl's state directory.
const FileName = "journal.db"

// Journal is an open journal file. It is safe for concurrent use, and
// other processes may use the same file at the same time.
type Journal struct {
	db   *sql.DB
	path string
	now  func() time.Time
}

// Option configures Open.
type Option func(*Journal)

// WithClock sets the clock that stamps entries (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(j *Journal) {
		if now != nil {
			j.now = now
		}
	}
}

// Open opens the journal at path, creating it (and its directory) or
// migrating its schema as needed.
func Open(ctx context.Context, path string, opts ...Option) (*Journal, error) {
	j := &Journal{path: path, now: time.Now}
	for _, o := range opts {
		o(j)
	}
	db, err := openDB(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, path, migrations()); err != nil {
		db.Close()
		return nil, err
	}
	j.db = db
	return j, nil
}

// Close releases the file.
func (j *Journal) Close() error { return j.db.Close() }

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Status is where an intent stands.
type Status string

const (
	// Pending: written, no outcome yet. The order may or may not exist.
	Pending Status = "pending"
	// Placed: the venue has the order.
	Placed Status = "placed"
	// Failed: the venue refused the order, or it was never sent; nothing exists.
	Failed Status = "failed"
	// NotPlaced: the outcome was ambiguous and a look-up proved the order absent.
	NotPlaced Status = "not_placed"
)

// Statuses lists every status, for flags and help text.
var Statuses = []Status{Pending, Placed, Failed, NotPlaced}

// Kind is the kind of an event.
type Kind string

const (
	KindIntent    Kind = "intent"
	KindRetry     Kind = "retry"
	KindOutcome   Kind = "outcome"
	KindReconcile Kind = "reconcile"
	KindRefusal   Kind = "refusal"
	KindOverride  Kind = "override"
	KindFill      Kind = "fill"
)

// Outcome results (Entry.Result of an outcome event).
const (
	ResultPlaced    = "placed"     // sent and accepted by this process
	ResultExisting  = "existing"   // already at the venue; nothing sent
	ResultFailed    = "failed"     // refused or never sent
	ResultNotPlaced = "not_placed" // proved absent after an ambiguous answer
	ResultUnknown   = "unknown"    // could not be settled; the intent stays pending
)

// LookupResult is what one reconciliation look-up found.
type LookupResult string

const (
	Found  LookupResult = "found"
	Absent LookupResult = "absent"
	// Unknown: the venue could not be asked or gave no clear answer.
	Unknown LookupResult = "unknown"
)

// Intent is one order tradectl set out to place, as it stands now.
type Intent struct {
	ID             int64
	Profile        string
	Exchange       string
	ClientID       string
	IdempotencyKey string
	Request        trade.OrderRequest
	Status         Status
	// Order is the order as last recorded; nil until placed.
	Order *trade.Order
	// ErrorCode and ErrorMessage say why the last try failed or stayed
	// unknown ("insufficient_funds", "unavailable", …).
	ErrorCode    string
	ErrorMessage string
	// Attempts counts sends in the current try (1 for the first).
	Attempts  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewIntent is what Begin records.
type NewIntent struct {
	Profile        string
	Exchange       string
	ClientID       string
	IdempotencyKey string
	Request        trade.OrderRequest
	// Simulated says the order goes to a venue that trades no real money
	// (exchange.IsSimulated). Its intent is committed without an fsync:
	// the paper account is itself kept with synchronous=NORMAL, so an
	// fsync here would buy no guarantee the order has. The zero value is
	// a live order, whose intent is on disk before Begin returns.
	Simulated bool
	// ClientExpiry, when set, is a deadline tradectl keeps for a venue
	// without good-till-date orders (order expire cancels the order
	// then). It is committed with the intent, in the same transaction,
	// so the order never leaves without it.
	ClientExpiry time.Time
}

// ErrIntentOpen is returned (wrapped in *OpenIntentError) by Begin when
// the client id already has a pending or placed intent: the caller must
// reconcile or report it instead of sending again.
var ErrIntentOpen = errors.New("client id already has an open intent")

// OpenIntentError carries the intent Begin found.
type OpenIntentError struct{ Intent Intent }

func (e *OpenIntentError) Error() string {
	return fmt.Sprintf("journal: client id %s on profile %s is already %s", e.Intent.ClientID, e.Intent.Profile, e.Intent.Status)
}

func (e *OpenIntentError) Unwrap() error { return ErrIntentOpen }

func ms(t time.Time) int64 { return t.UTC().UnixMilli() }

func msTime(v int64) time.Time { return time.UnixMilli(v).UTC() }

// write runs fn in one immediate transaction stamped with the clock's time.
// The commit is not fsync'd (synchronous=NORMAL, see openDB): a process
// crash loses nothing, a power cut may lose it, and whatever it recorded
// after an intent is settled again by reconciliation.
func (j *Journal) write(ctx context.Context, op string, fn func(tx *sql.Tx, now int64) error) error {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("journal: %s: %w", op, err)
	}
	return j.commit(op, tx, fn)
}

// writeDurable is write for a commit that must be on disk when it returns:
// an intent, before its order is sent. The connection runs this one
// transaction with synchronous=FULL, so the commit fsyncs the WAL (and
// with it every earlier commit). Should putting NORMAL back fail, the
// connection stays at FULL: slower, never less safe.
func (j *Journal) writeDurable(ctx context.Context, op string, fn func(tx *sql.Tx, now int64) error) error {
	conn, err := j.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("journal: %s: %w", op, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		return fmt.Errorf("journal: %s: %w", op, err)
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = NORMAL") }()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("journal: %s: %w", op, err)
	}
	return j.commit(op, tx, fn)
}

// commit runs fn in tx and commits it.
func (j *Journal) commit(op string, tx *sql.Tx, fn func(tx *sql.Tx, now int64) error) error {
	defer tx.Rollback()
	if err := fn(tx, ms(j.now())); err != nil {
		return fmt.Errorf("journal: %s: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("journal: %s: %w", op, err)
	}
	return nil
}

// event is one row of the event log.
type event struct {
	profile, exchange string
	kind              Kind
	intentID          int64 // 0: none
	clientID          string
	result            string
	orderID           string
	orderStatus       string
	attempt           int
	errorCode         string
	limit             string
	message           string
	data              string
}

func insertEvent(ctx context.Context, tx *sql.Tx, now int64, e event) error {
	var intent any
	if e.intentID != 0 {
		intent = e.intentID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO events
		(time, profile, exchange, kind, intent_id, client_id, result, order_id, order_status, attempt, error_code, limit_name, message, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		now, e.profile, e.exchange, string(e.kind), intent, e.clientID, e.result, e.orderID, e.orderStatus,
		e.attempt, e.errorCode, e.limit, e.message, e.data)
	if err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	return nil
}
