package journal

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSyncLevels: an intent's transaction runs with synchronous=FULL (its
// commit is fsync'd before Begin returns), every other write with NORMAL,
// and a durable write leaves the connection at NORMAL for the next one.
func TestSyncLevels(t *testing.T) {
	ctx := context.Background()
	j, err := Open(ctx, filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	// PRAGMA synchronous reads 1 for NORMAL, 2 for FULL.
	levelIn := func(write func(context.Context, string, func(*sql.Tx, int64) error) error) int {
		t.Helper()
		var level int
		if err := write(ctx, "test", func(tx *sql.Tx, _ int64) error {
			return tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&level)
		}); err != nil {
			t.Fatal(err)
		}
		return level
	}
	got := []int{levelIn(j.write), levelIn(j.writeDurable), levelIn(j.write)}
	if diff := cmp.Diff([]int{1, 2, 1}, got); diff != "" {
		t.Errorf("synchronous in write, writeDurable, write (-want +got):\n%s", diff)
	}

	// Begin is the durable write; the connection is back at NORMAL after it.
	if _, err := j.Begin(ctx, NewIntent{Profile: "paper", Exchange: "paper", ClientID: "c1", Request: marketBuy("1")}); err != nil {
		t.Fatal(err)
	}
	if level := levelIn(j.write); level != 1 {
		t.Errorf("after Begin, synchronous = %d, want 1 (NORMAL)", level)
	}
}
