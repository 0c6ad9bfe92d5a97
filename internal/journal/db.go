package journal

import (
	"time"

	"github.com/tradectl/tradectl/internal/sqliteopen"

	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	// The pure-Go SQLite driver, registered as "sqlite": the binary stays
	// static and cross-compiles without cgo.
	_ "modernc.org/sqlite"
)

// busyTimeoutMs is how long a write waits for another process's. Journal
// writes take milliseconds; twenty processes starting at once queue for
// well under a second, and a stuck writer surfaces as an error instead of
// a hang.
const busyTimeoutMs = 10000

// migrations are the schema's versions in order; migrations()[i] takes the
// file from user_version i to i+1. Append only: a released step is never
// edited, so every journal ever written can be read by every later tradectl.
func migrations() []string {
	return []string{
		// 1: intents with their current state, the event log, fills seen.
		`
CREATE TABLE intents (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	profile         TEXT NOT NULL,
	exchange        TEXT NOT NULL,
	client_id       TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	request         TEXT NOT NULL,
	status          TEXT NOT NULL CHECK (status IN ('pending', 'placed', 'failed', 'not_placed')),
	order_id        TEXT NOT NULL,
	order_json      TEXT NOT NULL,
	error_code      TEXT NOT NULL,
	error_message   TEXT NOT NULL,
	attempts        INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	UNIQUE (profile, client_id)
) STRICT;

CREATE INDEX intents_pending ON intents (profile, id) WHERE status = 'pending';

CREATE TABLE events (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	time         INTEGER NOT NULL,
	profile      TEXT NOT NULL,
	exchange     TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('intent', 'retry', 'outcome', 'reconcile', 'refusal', 'override', 'fill')),
	intent_id    INTEGER REFERENCES intents (id),
	client_id    TEXT NOT NULL,
	result       TEXT NOT NULL,
	order_id     TEXT NOT NULL,
	order_status TEXT NOT NULL,
	attempt      INTEGER NOT NULL,
	error_code   TEXT NOT NULL,
	limit_name   TEXT NOT NULL,
	message      TEXT NOT NULL,
	data         TEXT NOT NULL
) STRICT;

CREATE INDEX events_time ON events (time, id);
CREATE INDEX events_intent ON events (intent_id);

CREATE TABLE fills (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	profile   TEXT NOT NULL,
	exchange  TEXT NOT NULL,
	order_id  TEXT NOT NULL,
	client_id TEXT NOT NULL,
	symbol    TEXT NOT NULL,
	side      TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
	qty       TEXT NOT NULL,
	value     TEXT NOT NULL,
	price     TEXT NOT NULL,
	fee       TEXT NOT NULL,
	fee_asset TEXT NOT NULL,
	time      INTEGER NOT NULL
) STRICT;

CREATE INDEX fills_order ON fills (profile, order_id);
CREATE INDEX fills_time ON fills (profile, time, id);
`,
		// 2: amendments of working orders (amends.go).
		amendsSchema,
		// 3: sliced orders and their slices (twaps.go).
		twapsSchema,
	}
}

// openDB opens path with the settings every connection needs, creating the
// file (mode 0600: it names orders and amounts) and its directory.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("journal: create directory: %w", err)
	}
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	dsn := path + "?_pragma=busy_timeout(" + strconv.Itoa(busyTimeoutMs) + ")" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=journal_mode(WAL)" +
		// NORMAL, WAL's usual pairing: a commit is not fsync'd, which a
		// process crash never notices and which spares an order the
		// fsyncs of its outcome, fills and events. The one record that
		// must survive a power cut — the intent, on disk before the order
		// leaves, or the venue could hold an order the journal forgot —
		// is committed with FULL (Journal.writeDurable). Checkpoints
		// fsync in either mode, so the file itself stays consistent.
		"&_pragma=synchronous(NORMAL)" +
		"&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("journal: open %s: %w", path, err)
	}
	// One connection per process: every call is short, most are writes,
	// and a single connection keeps a process from queuing behind itself.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if err := sqliteopen.Ping(ctx, db, busyTimeoutMs*time.Millisecond); err != nil {
		db.Close()
		return nil, fmt.Errorf("journal: open %s: %w", path, err)
	}
	return db, nil
}

const sqliteHeader = "SQLite format 3\x00"

// prepareFile creates a missing journal with mode 0600 and refuses an
// existing file that is not SQLite, which SQLite would otherwise treat as
// empty and overwrite.
func prepareFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("journal: open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	if n == 0 && (err == nil || errors.Is(err, io.EOF)) {
		return nil
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("journal: read %s: %w", path, err)
	}
	if string(head[:n]) != sqliteHeader {
		return fmt.Errorf("journal: %s exists and is not a SQLite database; refusing to overwrite it", path)
	}
	return nil
}

// Exists reports whether a journal file is at path. Commands that only
// reconcile use it to leave no file behind where nothing was ever placed.
func Exists(path string) bool {
	_, err := os.Stat(path)
	// Any error but "missing" counts as present, so opening it reports
	// the problem instead of silently skipping reconciliation.
	return !errors.Is(err, fs.ErrNotExist)
}

func migrate(ctx context.Context, db *sql.DB, path string, steps []string) error {
	// Nearly every open finds the schema current: a plain read says so
	// without the write lock (BEGIN IMMEDIATE) that would queue this
	// process behind every other one writing the journal. Anything else
	// is decided again inside the transaction, where no other process
	// can migrate at the same time.
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err == nil && current == len(steps) {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("journal: %s: %w", path, err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("journal: read schema version of %s: %w", path, err)
	}
	if version > len(steps) {
		return fmt.Errorf("journal: %s has schema version %d, newer than this tradectl understands (%d); upgrade tradectl", path, version, len(steps))
	}
	if version == len(steps) {
		return nil
	}
	for v := version; v < len(steps); v++ {
		if _, err := tx.ExecContext(ctx, steps[v]); err != nil {
			return fmt.Errorf("journal: migrate %s to version %d: %w", path, v+1, err)
		}
	}
	// PRAGMA takes no parameters; the value is our own integer.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(len(steps))); err != nil {
		return fmt.Errorf("journal: write schema version of %s: %w", path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("journal: migrate %s: %w", path, err)
	}
	return nil
}
