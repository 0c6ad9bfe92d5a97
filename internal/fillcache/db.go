package fillcache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"

	"github.com/tradectl/tradectl/internal/sqliteopen"
)

// FileName is the cache's file in tradectl's cache directory: everything
// in it can be fetched from the venues again, so deleting it only costs
// the next run a full read.
const FileName = "fills.db"

// busyTimeoutMs is how long a write waits for another process's. A page
// is committed in milliseconds; two commands syncing the same profile at
// once queue briefly instead of failing.
const busyTimeoutMs = 10000

// migrations are the schema's versions in order; migrations()[i] takes the
// file from user_version i to i+1. Append only.
func migrations() []string {
	return []string{
		// 1: fills per profile, and where each read of a scope stands.
		`
CREATE TABLE fills (
	profile   TEXT NOT NULL,
	id        TEXT NOT NULL,
	order_id  TEXT NOT NULL,
	client_id TEXT NOT NULL,
	symbol    TEXT NOT NULL,
	side      TEXT NOT NULL,
	qty       TEXT NOT NULL,
	price     TEXT NOT NULL,
	fee       TEXT NOT NULL,
	fee_asset TEXT NOT NULL,
	liquidity TEXT NOT NULL,
	time      INTEGER NOT NULL,
	UNIQUE (profile, id)
) STRICT;

CREATE INDEX fills_time ON fills (profile, time);

CREATE TABLE sync_state (
	profile     TEXT NOT NULL,
	scope       TEXT NOT NULL,
	exchange    TEXT NOT NULL,
	cursor      TEXT NOT NULL,
	since       INTEGER NOT NULL,
	until       INTEGER NOT NULL,
	after_id    TEXT NOT NULL,
	newest_id   TEXT NOT NULL,
	newest_time INTEGER NOT NULL,
	synced_at   INTEGER NOT NULL,
	PRIMARY KEY (profile, scope)
) STRICT;
`,
	}
}

func openDB(ctx context.Context, path string) (*sql.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("fill cache: create directory: %w", err)
	}
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	dsn := path + "?_pragma=busy_timeout(" + strconv.Itoa(busyTimeoutMs) + ")" +
		"&_pragma=journal_mode(WAL)" +
		// NORMAL: a power cut may lose the last pages, which the next run
		// simply reads again; a process crash loses nothing.
		"&_pragma=synchronous(NORMAL)" +
		"&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("fill cache: open %s: %w", path, err)
	}
	// One connection: pages are written one transaction at a time, and
	// the per-symbol reads running side by side queue here, not on the
	// file lock.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if err := sqliteopen.Ping(ctx, db, busyTimeoutMs*time.Millisecond); err != nil {
		db.Close()
		return nil, fmt.Errorf("fill cache: open %s: %w", path, err)
	}
	return db, nil
}

const sqliteHeader = "SQLite format 3\x00"

// prepareFile creates a missing file with mode 0600 (it lists trades and
// amounts) and refuses an existing file that is not SQLite, which SQLite
// would otherwise treat as empty and overwrite.
func prepareFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("fill cache: open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	if n == 0 && (err == nil || errors.Is(err, io.EOF)) {
		return nil
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("fill cache: read %s: %w", path, err)
	}
	if string(head[:n]) != sqliteHeader {
		return fmt.Errorf("fill cache: %s exists and is not a SQLite database; refusing to overwrite it", path)
	}
	return nil
}

func migrate(ctx context.Context, db *sql.DB, path string, steps []string) error {
	// Nearly every open finds the schema current; a plain read says so
	// without taking the write lock.
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err == nil && current == len(steps) {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("fill cache: %s: %w", path, err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("fill cache: read schema version of %s: %w", path, err)
	}
	if version > len(steps) {
		return fmt.Errorf("fill cache: %s has schema version %d, newer than this tradectl understands (%d); upgrade tradectl or delete the file (it is only a cache)", path, version, len(steps))
	}
	for v := version; v < len(steps); v++ {
		if _, err := tx.ExecContext(ctx, steps[v]); err != nil {
			return fmt.Errorf("fill cache: migrate %s to version %d: %w", path, v+1, err)
		}
	}
	// PRAGMA takes no parameters; the value is our own integer.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(len(steps))); err != nil {
		return fmt.Errorf("fill cache: write schema version of %s: %w", path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("fill cache: migrate %s: %w", path, err)
	}
	return nil
}
