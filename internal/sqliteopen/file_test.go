package sqliteopen

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	real := filepath.Join(dir, "real.db")
	db, err := sql.Open("sqlite", real)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	tests := []struct {
		name    string
		path    string
		create  bool
		wantErr string
		created bool
	}{
		{name: "missing, left missing", path: filepath.Join(dir, "none.db")},
		{name: "missing, created", path: filepath.Join(dir, "new.db"), create: true, created: true},
		{name: "empty", path: write("empty.db", "")},
		{name: "a database", path: real},
		{name: "text", path: write("notes.txt", "remember to buy the dip, carefully\n"), wantErr: "is not a SQLite database"},
		{name: "shorter than the header", path: write("tiny", "SQL"), wantErr: "is not a SQLite database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckFile(tt.path, tt.create)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("CheckFile = %v, want error %q", err, tt.wantErr)
			}
			if tt.created {
				fi, err := os.Stat(tt.path)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o600 {
					t.Errorf("created with mode %v, want 0600", fi.Mode().Perm())
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CheckFile without create made a file: %v", err)
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	steps := []string{"CREATE TABLE a (x INTEGER)", "CREATE TABLE b (y INTEGER)"}
	tables := func() []string {
		rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		return out
	}
	if err := Migrate(ctx, db, steps[:1]); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, db, steps); err != nil {
		t.Fatal(err)
	}
	// Current: nothing runs again (a second CREATE TABLE would fail).
	if err := Migrate(ctx, db, steps); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, tables()); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	var newer *NewerSchemaError
	if err := Migrate(ctx, db, steps[:1]); !errors.As(err, &newer) || newer.Version != 2 || newer.Known != 1 {
		t.Errorf("Migrate with fewer steps than the file = %v, want NewerSchemaError{2, 1}", err)
	}
	// A failing step leaves the file as it was.
	bad := append(append([]string{}, steps...), "CREATE TABLE c (z INTEGER)", "NOT SQL")
	if err := Migrate(ctx, db, bad); err == nil || !strings.Contains(err.Error(), "migrate to version 4") {
		t.Errorf("Migrate with a bad step = %v, want it named", err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, tables()); diff != "" {
		t.Errorf("tables after a failed migration (-want +got):\n%s", diff)
	}
}
