package sqliteopen

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"modernc.org/sqlite"
)

func openForTest(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := Open(context.Background(), path, Settings{BusyTimeout: 5 * time.Second, ForeignKeys: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return db
}

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// TestOpenSettings: the settings every tradectl file relies on are in force
// on the connection Open returns.
func TestOpenSettings(t *testing.T) {
	db := openForTest(t, filepath.Join(t.TempDir(), "a.db"))
	defer db.Close()
	got := map[string]string{}
	for _, p := range []string{"journal_mode", "synchronous", "foreign_keys", "busy_timeout"} {
		got[p] = pragma(t, db, p)
	}
	want := map[string]string{
		"journal_mode": "wal",
		"synchronous":  "1", // NORMAL
		"foreign_keys": "1",
		"busy_timeout": "5000",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pragmas (-want +got):\n%s", diff)
	}
	if runtime.GOOS == "linux" && !sqlite.FdatasyncEnabled() {
		t.Error("commits sync with fsync after Open, want fdatasync")
	}
}

// TestOpenLeavesTheMainFileWhole: after the last connection closes, the
// WAL is gone and the main file alone holds every commit, so copying it
// is a backup.
func TestOpenLeavesTheMainFileWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	db := openForTest(t, path)
	if _, err := db.Exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("no WAL while the connection is open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WAL after the last close: %v, want it gone", err)
	}
	only := filepath.Join(t.TempDir(), "copy.db")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(only, data, 0o600); err != nil {
		t.Fatal(err)
	}
	copyDB := openForTest(t, only)
	defer copyDB.Close()
	var n int
	if err := copyDB.QueryRow("SELECT COUNT(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("main file alone holds %d rows, want 3", n)
	}
}

// TestOpenReopensWithCommits: commits of one process are there for the
// next, across the kept WAL, as before.
func TestOpenReopensWithCommits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	for i := range 3 {
		db := openForTest(t, path)
		if _, err := db.Exec("CREATE TABLE IF NOT EXISTS t (x INTEGER)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("INSERT INTO t VALUES (?)", i); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	db := openForTest(t, path)
	defer db.Close()
	var got []int
	rows, err := db.Query("SELECT x FROM t ORDER BY x")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var x int
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		got = append(got, x)
	}
	if diff := cmp.Diff([]int{0, 1, 2}, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
