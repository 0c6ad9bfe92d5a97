package kraken

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/google/go-cmp/cmp"
)

// frozen is a clock that never moves, so every nonce after the first must
// come from last+1: the worst case for uniqueness.
func frozen(t time.Time) func() time.Time { return func() time.Time { return t } }

var nonceEpoch = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// wantRange is first, first+1, …, first+n-1.
func wantRange(first uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}

func TestNonceStrictlyIncreasesAcrossGoroutinesAndSources(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kraken-test.nonce")
	const sources, goroutines, each = 4, 6, 40
	var (
		mu  sync.Mutex
		all []uint64
		wg  sync.WaitGroup
	)
	errs := make(chan error, sources*goroutines)
	for s := 0; s < sources; s++ {
		// Separate sources on one file stand for separate Exchange values
		// or processes: each has its own lock handle and memory.
		src := newNonceSource(path, frozen(nonceEpoch))
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []uint64
				for i := 0; i < each; i++ {
					n, err := src.next(context.Background())
					if err != nil {
						errs <- err
						return
					}
					if len(mine) > 0 && n <= mine[len(mine)-1] {
						errs <- fmt.Errorf("nonce %d after %d in one goroutine", n, mine[len(mine)-1])
					}
					mine = append(mine, n)
				}
				mu.Lock()
				all = append(all, mine...)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	slices.Sort(all)
	// With a frozen clock every nonce is the previous one plus one, across
	// all sources: exactly a contiguous range, no duplicates, no gaps.
	want := wantRange(uint64(nonceEpoch.UnixMicro()), sources*goroutines*each)
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("issued nonces (-want +got):\n%s", diff)
	}
	if got := readNonce(path); got != want[len(want)-1] {
		t.Errorf("state file holds %d, want the last nonce %d", got, want[len(want)-1])
	}
}

func TestNonceSurvivesClockStepsAndDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "n.nonce")
	base := uint64(nonceEpoch.UnixMicro())
	tests := []struct {
		name    string
		before  string // state file content; "" means no file
		clock   time.Time
		want    uint64
		wantErr bool
	}{
		{name: "first run uses the clock", clock: nonceEpoch, want: base},
		{name: "clock ahead of state", before: strconv.FormatUint(base-5, 10), clock: nonceEpoch, want: base},
		{name: "clock stepped back", before: strconv.FormatUint(base+1_000_000, 10), clock: nonceEpoch, want: base + 1_000_001},
		{name: "same microsecond", before: strconv.FormatUint(base, 10), clock: nonceEpoch, want: base + 1},
		{name: "corrupt state", before: "not a number", clock: nonceEpoch, want: base},
		{name: "empty state", before: "\n", clock: nonceEpoch, want: base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(path)
			if tt.before != "" {
				if err := os.WriteFile(path, []byte(tt.before), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := newNonceSource(path, frozen(tt.clock)).next(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("next = %d, want %d", got, tt.want)
			}
			if stored := readNonce(path); stored != got {
				t.Errorf("state file = %d, want %d", stored, got)
			}
			if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("state file mode = %v (%v), want 0600", st.Mode().Perm(), err)
			}
		})
	}
}

func TestNonceInMemoryWithoutDataDir(t *testing.T) {
	src := newNonceSource("", frozen(nonceEpoch))
	var got []uint64
	for i := 0; i < 3; i++ {
		n, err := src.next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if diff := cmp.Diff(wantRange(uint64(nonceEpoch.UnixMicro()), 3), got); diff != "" {
		t.Errorf("nonces (-want +got):\n%s", diff)
	}
}

func TestNonceWaitHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.nonce")
	other := flock.New(path + ".lock")
	if ok, err := other.TryLock(); !ok || err != nil {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer other.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := newNonceSource(path, frozen(nonceEpoch)).next(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("next while another process holds the lock = %v, want the context's deadline", err)
	}
}

// nonceHelperEnv makes the test binary a nonce-issuing child process.
const nonceHelperEnv = "TRADECTL_KRAKEN_NONCE_HELPER"

// TestNonceHelperProcess is not a test: run by
// TestNonceAcrossProcesses as a separate process, it issues nonces from
// the file named in the environment and prints them.
func TestNonceHelperProcess(t *testing.T) {
	path := os.Getenv(nonceHelperEnv)
	if path == "" {
		t.Skip("helper process for TestNonceAcrossProcesses")
	}
	src := newNonceSource(path, frozen(nonceEpoch))
	w := bufio.NewWriter(os.Stdout)
	for i := 0; i < 150; i++ {
		n, err := src.next(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Fprintln(w, n)
	}
	w.Flush()
	os.Exit(0)
}

func TestNonceAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test starts child processes; make test runs it")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary to start as a child: %v", err)
	}
	path := filepath.Join(t.TempDir(), "shared.nonce")
	const children = 3
	type result struct {
		out []byte
		err error
	}
	results := make(chan result, children)
	for i := 0; i < children; i++ {
		cmd := exec.Command(exe, "-test.run=^TestNonceHelperProcess$")
		cmd.Env = append(os.Environ(), nonceHelperEnv+"="+path)
		go func() {
			out, err := cmd.Output()
			results <- result{out, err}
		}()
	}
	// This process issues too, at the same time and from the same
	// frozen instant.
	var all []uint64
	src := newNonceSource(path, frozen(nonceEpoch))
	for i := 0; i < 150; i++ {
		n, err := src.next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, n)
	}
	for i := 0; i < children; i++ {
		r := <-results
		if r.err != nil {
			t.Fatalf("child: %v", r.err)
		}
		for _, line := range strings.Fields(string(r.out)) {
			if line == "PASS" {
				continue
			}
			n, err := strconv.ParseUint(line, 10, 64)
			if err != nil {
				t.Fatalf("child printed %q", line)
			}
			all = append(all, n)
		}
	}
	slices.Sort(all)
	if diff := cmp.Diff(wantRange(uint64(nonceEpoch.UnixMicro()), (children+1)*150), all); diff != "" {
		t.Errorf("nonces of four processes (-want +got):\n%s", diff)
	}
}
