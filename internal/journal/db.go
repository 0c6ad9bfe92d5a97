package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/tradectl/tradectl/internal/sqliteopen"
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
		// 4: client-side deadlines (expiries.go).
		expiriesSchema,
	}
}

// openDB opens path with the settings every connection needs, creating the
// file (mode 0600: it names orders and amounts) and its directory.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("journal: create directory: %w", err)
	}
	if err := sqliteopen.CheckFile(path, true); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	// synchronous=NORMAL, WAL's usual pairing (sqliteopen.Open): a commit
	// is not fsync'd, which a process crash never notices and which spares
	// an order the fsyncs of its outcome, fills and events. The one record
	// that must survive a power cut — the intent, on disk before the order
	// leaves, or the venue could hold an order the journal forgot — is
	// committed with FULL (Journal.writeDurable). Checkpoints fsync in
	// either mode, so the file itself stays consistent.
	db, err := sqliteopen.Open(ctx, path, sqliteopen.Settings{BusyTimeout: busyTimeoutMs * time.Millisecond, ForeignKeys: true})
	if err != nil {
		return nil, fmt.Errorf("journal: open %s: %w", path, err)
	}
	return db, nil
}

// Exists reports whether a journal file is at path. Commands that only
// reconcile use it to leave no file behind where nothing was ever placed.
func Exists(path string) bool {
	_, err := os.Stat(path)
	// Any error but "missing" counts as present, so opening it reports
	// the problem instead of silently skipping reconciliation.
	return !errors.Is(err, fs.ErrNotExist)
}

// migrate brings path's schema up to date (sqliteopen.Migrate).
func migrate(ctx context.Context, db *sql.DB, path string, steps []string) error {
	err := sqliteopen.Migrate(ctx, db, steps)
	var newer *sqliteopen.NewerSchemaError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &newer):
		return fmt.Errorf("journal: %s has %w; upgrade tradectl", path, err)
	}
	return fmt.Errorf("journal: migrate %s: %w", path, err)
}
