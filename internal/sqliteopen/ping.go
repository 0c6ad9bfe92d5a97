// Package sqliteopen holds what every tradectl SQLite file needs when it is
// opened by several processes at once.
package sqliteopen

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Ping opens db's connection, retrying for up to wait while another
// process holds the file. Connecting runs the DSN's pragmas, and switching
// a new file to WAL needs a lock that SQLite refuses at once (SQLITE_BUSY)
// instead of waiting out busy_timeout: twenty processes creating the same
// file would otherwise see most of them fail.
func Ping(ctx context.Context, db *sql.DB, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	delay := 2 * time.Millisecond
	for {
		err := db.PingContext(ctx)
		if err == nil || !IsBusy(err) || time.Now().After(deadline) {
			return err
		}
		// Jitter keeps the waiting processes from retrying in lock step.
		pause := delay/2 + time.Duration(rand.Int64N(int64(delay)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// IsBusy reports whether err is SQLite's "another connection holds the
// lock" (SQLITE_BUSY or SQLITE_LOCKED).
func IsBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}
