package journal

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSyncLevels: a live order's intent is written with synchronous=FULL
// (its commit is fsync'd before Begin returns), a paper order's intent and
// every other write with NORMAL, and a durable write leaves the connection
// at NORMAL for the next one.
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

	// A live order's intent is committed with FULL, a paper order's with
	// NORMAL; the connection is back at NORMAL after either. A trigger
	// notes the level each intent's transaction ran with.
	if _, err := j.db.ExecContext(ctx, `CREATE TABLE sync_seen (client_id TEXT, level INTEGER);
		CREATE TRIGGER note_sync AFTER INSERT ON intents BEGIN
			INSERT INTO sync_seen SELECT NEW.client_id, synchronous FROM pragma_synchronous;
		END`); err != nil {
		t.Fatal(err)
	}
	for _, n := range []NewIntent{
		{Profile: "live", Exchange: "binance", ClientID: "live-1", Request: marketBuy("1")},
		{Profile: "paper", Exchange: "paper", ClientID: "paper-1", Request: marketBuy("1"), Simulated: true},
	} {
		if _, err := j.Begin(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{"after": levelIn(j.write)}
	rows, err := j.db.QueryContext(ctx, "SELECT client_id, level FROM sync_seen")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var level int
		if err := rows.Scan(&id, &level); err != nil {
			t.Fatal(err)
		}
		seen[id] = level
	}
	if diff := cmp.Diff(map[string]int{"live-1": 2, "paper-1": 1, "after": 1}, seen); diff != "" {
		t.Errorf("synchronous while each intent was written (-want +got):\n%s", diff)
	}
}
