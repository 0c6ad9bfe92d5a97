package sqliteopen

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"modernc.org/sqlite"
)

// Settings are what differs between tradectl's SQLite files.
type Settings struct {
	// BusyTimeout is how long a statement waits for another process's
	// lock before it fails with SQLITE_BUSY. Whole milliseconds.
	BusyTimeout time.Duration
	// ForeignKeys turns on SQLite's foreign-key enforcement.
	ForeignKeys bool
}

// Open opens the SQLite file at path the way every tradectl file is
// opened: WAL with synchronous=NORMAL (a process crash loses nothing; the
// few commits that must survive a power cut ask for FULL themselves),
// transactions that take the write lock when they begin (so two processes
// never deadlock upgrading a read), one connection per process, and a
// connection that is open when Open returns (Ping's retries absorb another
// process creating the same file). The last connection to close
// checkpoints and deletes the WAL, so the main file alone holds every
// commit.
//
// Keeping the WAL file between processes (SQLITE_FCNTL_PERSIST_WAL) was
// tried and left out: it only stays safe for a copied or restored main
// file if the WAL is truncated at close, and with that a paper order
// measured no faster than with the file created and deleted each time.
//
// The caller checks the file (CheckFile) and creates its directory first,
// and wraps the error with what the file is.
func Open(ctx context.Context, path string, s Settings) (*sql.DB, error) {
	syncDataOnly()
	dsn := path + "?_pragma=busy_timeout(" + strconv.FormatInt(s.BusyTimeout.Milliseconds(), 10) + ")"
	if s.ForeignKeys {
		dsn += "&_pragma=foreign_keys(1)"
	}
	dsn += "&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)" +
		"&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// Every call is short and most are writes: a single connection keeps
	// a process from queuing behind itself on the file lock.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if err := Ping(ctx, db, s.BusyTimeout); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// syncDataOnly makes SQLite commit with fdatasync(2) instead of fsync(2)
// where the platform has it: the commit's data and the file size reach the
// disk either way, and fdatasync skips the timestamp update that makes
// fsync wait on the file system's journal. SQLite's own Linux builds do the
// same; the pure-Go build keeps fsync unless told. The switch is the
// driver's, for the whole process; setting it again is harmless, and
// setting it here, not at start-up, leaves commands that open no file
// without the cost. Where fdatasync does not exist nothing changes.
func syncDataOnly() {
	_, _ = sqlite.Fdatasync(true)
}
