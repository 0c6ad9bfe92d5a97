package sqliteopen

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

const childEnv = "SQLITEOPEN_TEST_CHILD_DB"

// TestMain lets the test binary act as one of many processes opening the
// same file: file locks are per process, so only processes show the race.
func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(child(path, os.Getenv("SQLITEOPEN_TEST_RETRY") == "1"))
	}
	os.Exit(m.Run())
}

func child(path string, retry bool) int {
	dsn := path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if retry {
		err = Ping(context.Background(), db, 10*time.Second)
	} else {
		err = db.PingContext(context.Background())
	}
	if err == nil {
		_, err = db.Exec("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
	}
	// A write and a close, as every order create does: the last
	// connection to close checkpoints and removes the WAL file, which is
	// when a newcomer meets a lock it cannot wait for.
	for i := 0; err == nil && i < 3; i++ {
		_, err = db.Exec("INSERT INTO t (x) VALUES (?)", i)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// openers starts n processes that all create the same new WAL file at
// once, as twenty `order create` processes do on a fresh machine, and
// returns how many failed.
func openers(t *testing.T, n int, retry bool) int {
	path := filepath.Join(t.TempDir(), "race.db")
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			flag := "0"
			if retry {
				flag = "1"
			}
			cmd.Env = append(os.Environ(), childEnv+"="+path, "SQLITEOPEN_TEST_RETRY="+flag)
			if out, err := cmd.CombinedOutput(); err != nil {
				mu.Lock()
				failed++
				mu.Unlock()
				t.Logf("opener: %v: %s", err, out)
			}
		}()
	}
	wg.Wait()
	return failed
}

func TestManyProcessesCreateOneFile(t *testing.T) {
	for round := range 3 {
		if failed := openers(t, 20, true); failed > 0 {
			t.Errorf("round %d: %d of 20 processes could not open and write the new file", round, failed)
		}
	}
}

func TestPingStopsOnCancel(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Ping(ctx, db, time.Second); err == nil {
		t.Fatal("a canceled context must end Ping with an error")
	}
}
