package paper

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/sqliteopen"
)

// busyTimeoutMs is how long a transaction waits for another process's.
// Paper transactions take milliseconds; ten seconds absorbs a burst of many
// processes without hanging a script for long when something is stuck.
const busyTimeoutMs = 10000

// migrations are the schema's versions in order; migrations()[i] takes the
// database from user_version i to i+1. Append only: a released step is
// never edited.
func migrations() []string {
	return []string{
		// 1: the account.
		`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE balances (
	asset  TEXT PRIMARY KEY,
	free   TEXT NOT NULL,
	locked TEXT NOT NULL
) STRICT;

CREATE TABLE orders (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	client_id     TEXT NOT NULL UNIQUE,
	symbol        TEXT NOT NULL,
	side          TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
	type          TEXT NOT NULL CHECK (type IN ('market', 'limit', 'stop', 'stop-limit')),
	time_in_force TEXT NOT NULL CHECK (time_in_force IN ('gtc', 'ioc', 'fok', 'day')),
	post_only     INTEGER NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('open', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired')),
	qty           TEXT NOT NULL,
	filled_qty    TEXT NOT NULL,
	filled_value  TEXT NOT NULL,
	price         TEXT,
	stop_price    TEXT,
	fee           TEXT NOT NULL,
	fee_asset     TEXT NOT NULL,
	maker_fee     TEXT NOT NULL,
	taker_fee     TEXT NOT NULL,
	reserve_asset TEXT NOT NULL,
	reserved      TEXT NOT NULL,
	triggered     INTEGER NOT NULL,
	expires_at    INTEGER,
	reject_reason TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	checked_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX orders_working ON orders (id) WHERE status IN ('open', 'partially_filled');
CREATE INDEX orders_symbol ON orders (symbol, id);

CREATE TABLE fills (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	order_id  INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	symbol    TEXT NOT NULL,
	side      TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
	qty       TEXT NOT NULL,
	price     TEXT NOT NULL,
	fee       TEXT NOT NULL,
	fee_asset TEXT NOT NULL,
	liquidity TEXT NOT NULL CHECK (liquidity IN ('maker', 'taker')),
	time      INTEGER NOT NULL
) STRICT;

CREATE INDEX fills_order ON fills (order_id);
CREATE INDEX fills_time ON fills (time, id);
`,
		// 2: linked orders (brackets and OCO pairs, bracket.go).
		`
CREATE TABLE order_legs (
	order_id  INTEGER PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
	list_id   TEXT NOT NULL,
	leg       TEXT NOT NULL CHECK (leg IN ('entry', 'take_profit', 'stop_loss')),
	parent_id INTEGER
) STRICT;

CREATE INDEX order_legs_list ON order_legs (list_id);

CREATE TABLE bracket_exits (
	entry_id        INTEGER PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
	list_id         TEXT NOT NULL,
	take_profit     TEXT NOT NULL,
	stop_loss       TEXT NOT NULL,
	stop_loss_limit TEXT,
	armed           INTEGER NOT NULL
) STRICT;
`,
		// 3: trailing stops.
		trailingMigration,
	}
}

// openDB opens the file with the settings every connection needs. One
// connection per process: every call is a write transaction anyway, and a
// single connection keeps a process from queuing behind itself on the
// file lock.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	if err := sqliteopen.CheckFile(path, true); err != nil {
		return nil, fmt.Errorf("paper: %w", err)
	}
	// synchronous=NORMAL (sqliteopen.Open): a crash of the process loses
	// nothing; only a power cut may lose the last transactions.
	db, err := sqliteopen.Open(ctx, path, sqliteopen.Settings{BusyTimeout: busyTimeoutMs * time.Millisecond, ForeignKeys: true})
	if err != nil {
		return nil, fmt.Errorf("paper: open database %s: %w", path, classify(err))
	}
	return db, nil
}

// initialise migrates the schema and, on a new database, writes the
// starting balances, all in one transaction.
func (e *Exchange) initialise(ctx context.Context) error {
	return e.migrate(ctx, migrations())
}

func (e *Exchange) migrate(ctx context.Context, steps []string) error {
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return e.wrap("open database", err)
	}
	defer tx.Rollback()
	var newer *sqliteopen.NewerSchemaError
	if _, err := sqliteopen.MigrateTx(ctx, tx, steps); errors.As(err, &newer) {
		return fmt.Errorf("paper: database %s has %w; upgrade tradectl or set %s to another file", e.path, err, KeyDBPath)
	} else if err != nil {
		return e.wrap("migrate schema", err)
	}
	var initialised int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM meta WHERE key = 'created_at'").Scan(&initialised); err != nil {
		return e.wrap("read account", err)
	}
	if initialised == 0 {
		now := e.clock()
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('created_at', ?)", strconv.FormatInt(now.UnixMilli(), 10)); err != nil {
			return e.wrap("create account", err)
		}
		if e.pinned {
			if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('clock', 'pinned')"); err != nil {
				return e.wrap("create account", err)
			}
		}
		e.startMu.Lock()
		start, known := e.starting, !e.startFromSource || e.starting != nil
		e.startMu.Unlock()
		if !known {
			// New learns the balance before it creates an account; an
			// account that vanished after New saw it is not recreated
			// empty.
			return fmt.Errorf("paper: the account in %s disappeared while it was being opened; open it again", e.path)
		}
		if err := e.writeStartingBalances(ctx, tx, start); err != nil {
			return err
		}
	}
	if e.pinned {
		var clock string
		err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'clock'").Scan(&clock)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return e.wrap("read account", err)
		}
		e.readOnly = clock != "pinned"
	}
	if err := tx.Commit(); err != nil {
		return e.wrap("open database", err)
	}
	return nil
}

// refuseReplay is the error of a write to an account opened as a
// read-only replay (see WithPinnedClock); nil otherwise.
func (e *Exchange) refuseReplay(op string) error {
	if !e.readOnly {
		return nil
	}
	return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
		Message: fmt.Sprintf("cannot %s: the clock is pinned (TRADECTL_NOW) and this account (%s) lives in real time, so it is a read-only replay; unset TRADECTL_NOW to change it", op, e.path)}
}

func (e *Exchange) writeStartingBalances(ctx context.Context, tx *sql.Tx, start []startBalance) error {
	for _, b := range start {
		if _, err := tx.ExecContext(ctx, "INSERT INTO balances (asset, free, locked) VALUES (?, ?, '0')", b.asset, b.amount.String()); err != nil {
			return e.wrap("write starting balances", err)
		}
	}
	return nil
}

// wrap adds the operation and the file to a database error, turning a busy
// database into a retryable ErrUnavailable and leaving context errors
// matchable.
func (e *Exchange) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var xe *exchange.Error
	if errors.As(err, &xe) {
		return err
	}
	return fmt.Errorf("paper: %s (%s): %w", op, e.path, classify(err))
}

func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: Name, Message: "database is busy", Err: err}
		}
	}
	return err
}

// tx runs fn in one immediate transaction at the clock's time after the
// lock is held. With catchUp, working orders are first brought up to that
// time; with commit false everything is rolled back (dry runs).
func (e *Exchange) tx(ctx context.Context, op string, catchUp, commit bool, fn func(*session) error) error {
	return e.txWith(ctx, op, nil, catchUp, commit, fn)
}

// txWith is tx priced by snap, what was fetched from the price source just
// before (nil with simulated prices, and for a catch-up that applies
// expiries only).
func (e *Exchange) txWith(ctx context.Context, op string, snap *snapshot, catchUp, commit bool, fn func(*session) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return e.wrap(op, err)
	}
	defer tx.Rollback()
	s := &session{e: e, ctx: ctx, tx: tx, now: e.clock(), snap: snap}
	if err := s.loadBalances(); err != nil {
		return e.wrap(op, err)
	}
	if catchUp {
		if err := s.catchUp(); err != nil {
			return e.wrap(op, err)
		}
	}
	if err := fn(s); err != nil {
		return e.wrap(op, err)
	}
	if !commit || e.readOnly {
		// A replay shows the account at the pinned moment and stores
		// nothing, not even the catch-up.
		return nil
	}
	if err := s.flushBalances(); err != nil {
		return e.wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return e.wrap(op, err)
	}
	return nil
}

// write is tx with catch-up and commit: the shape of every account call.
func (e *Exchange) write(ctx context.Context, fn func(*session) error) error {
	return e.tx(ctx, "update account", true, true, fn)
}

// accountExists reports whether the database already holds an account. A
// missing table (a new file) or any error counts as no.
func (e *Exchange) accountExists(ctx context.Context) bool {
	var n int
	err := e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM meta WHERE key = 'created_at'").Scan(&n)
	return err == nil && n > 0
}
