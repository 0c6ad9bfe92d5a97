package fillcache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

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
	if err := sqliteopen.CheckFile(path, true); err != nil {
		return nil, fmt.Errorf("fill cache: %w", err)
	}
	// synchronous=NORMAL (sqliteopen.Open): a power cut may lose the last
	// pages, which the next run simply reads again; a process crash loses
	// nothing.
	db, err := sqliteopen.Open(ctx, path, sqliteopen.Settings{BusyTimeout: busyTimeoutMs * time.Millisecond})
	if err != nil {
		return nil, fmt.Errorf("fill cache: open %s: %w", path, err)
	}
	return db, nil
}

// migrate brings path's schema up to date (sqliteopen.Migrate).
func migrate(ctx context.Context, db *sql.DB, path string, steps []string) error {
	err := sqliteopen.Migrate(ctx, db, steps)
	var newer *sqliteopen.NewerSchemaError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &newer):
		return fmt.Errorf("fill cache: %s has %w; upgrade tradectl", path, err)
	}
	return fmt.Errorf("fill cache: migrate %s: %w", path, err)
}
