package sqliteopen

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

const header = "SQLite format 3\x00"

// CheckFile refuses an existing file at path that is not a SQLite
// database: SQLite takes a file shorter than its header for an empty
// database and would write its schema over it, so a mistyped path must
// not cost the file it points at. An empty or missing file passes; with
// create, a missing one is created with mode 0600 (tradectl's files name
// orders and amounts).
func CheckFile(path string, create bool) error {
	var (
		f   *os.File
		err error
	)
	if create {
		f, err = os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	} else {
		f, err = os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, len(header))
	n, err := io.ReadFull(f, head)
	if n == 0 && (err == nil || errors.Is(err, io.EOF)) {
		return nil
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if string(head[:n]) != header {
		return fmt.Errorf("%s exists and is not a SQLite database; refusing to overwrite it", path)
	}
	return nil
}

// NewerSchemaError is a file whose schema version is past the migrations
// this tradectl knows: an older binary must not write into it.
type NewerSchemaError struct {
	Version, Known int
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("schema version %d, newer than this tradectl understands (%d)", e.Version, e.Known)
}

// MigrateTx brings the schema in tx up to len(steps): steps[i] takes
// version i to i+1, and PRAGMA user_version records where a file stands.
// It reports the version the file had. Run it in the transaction that
// also does whatever else a new file needs, so a half-made file is never
// left behind.
func MigrateTx(ctx context.Context, tx *sql.Tx, steps []string) (from int, err error) {
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&from); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if from > len(steps) {
		return from, &NewerSchemaError{Version: from, Known: len(steps)}
	}
	if from == len(steps) {
		return from, nil
	}
	for v := from; v < len(steps); v++ {
		if _, err := tx.ExecContext(ctx, steps[v]); err != nil {
			return from, fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
	}
	// PRAGMA takes no parameters; the value is our own integer.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(len(steps))); err != nil {
		return from, fmt.Errorf("write schema version: %w", err)
	}
	return from, nil
}

// Migrate is MigrateTx in a transaction of its own. Nearly every open
// finds the schema current: a plain read says so first, without the write
// lock (BEGIN IMMEDIATE) that would queue this process behind every other
// one writing the file. Anything else is decided again inside the
// transaction, where no other process can migrate at the same time.
func Migrate(ctx context.Context, db *sql.DB, steps []string) error {
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err == nil && current == len(steps) {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := MigrateTx(ctx, tx, steps); err != nil {
		return err
	}
	return tx.Commit()
}
