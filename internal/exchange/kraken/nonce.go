package kraken

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/tradectl/tradectl/internal/atomicfile"
)

// nonceSource issues Kraken nonces: strictly increasing per API key across
// goroutines, Exchange values and processes.
//
// The clock gives the value (microseconds since the epoch, so a restart
// never goes below an earlier run), and a small state file under the data
// directory remembers the last nonce issued for the key. Issuing takes an
// exclusive flock on a companion ".lock" file, reads the state, issues
// max(now, last+1) and writes it back (temp file + rename), so two
// tradectl processes on one key never issue the same or a lower nonce even
// when the clock steps back or both ask within one microsecond. Without a
// data directory the last nonce lives in memory only.
type nonceSource struct {
	now  func() time.Time
	path string // state file; "" keeps the last nonce in memory only
	lock *flock.Flock
	// sem serialises issuing in this process; flock alone cannot, since
	// one Flock value treats a second Lock as already held.
	sem  chan struct{}
	last uint64
	// retry is how often a blocked flock is retried while waiting.
	retry time.Duration
}

func newNonceSource(path string, now func() time.Time) *nonceSource {
	n := &nonceSource{now: now, path: path, sem: make(chan struct{}, 1), retry: 2 * time.Millisecond}
	if path != "" {
		n.lock = flock.New(path+".lock", flock.SetPermissions(0o600))
	}
	return n
}

// next issues the next nonce. It waits for the file lock no longer than
// ctx allows.
func (n *nonceSource) next(ctx context.Context) (uint64, error) {
	select {
	case n.sem <- struct{}{}:
		defer func() { <-n.sem }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	last := n.last
	if n.path != "" {
		if err := os.MkdirAll(filepath.Dir(n.path), 0o700); err != nil {
			return 0, fmt.Errorf("nonce state: %w", err)
		}
		ok, err := n.lock.TryLockContext(ctx, n.retry)
		if err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, fmt.Errorf("nonce state: lock %s: %w", n.lock.Path(), err)
		}
		if !ok {
			return 0, fmt.Errorf("nonce state: lock %s not acquired", n.lock.Path())
		}
		defer func() { _ = n.lock.Unlock() }()
		if stored := readNonce(n.path); stored > last {
			last = stored
		}
	}
	next := uint64(n.now().UnixMicro())
	if next <= last {
		next = last + 1
	}
	if n.path != "" {
		if err := writeNonce(n.path, next); err != nil {
			// Not issuing is safer than issuing a nonce another process
			// may issue again.
			return 0, fmt.Errorf("nonce state: %w", err)
		}
	}
	n.last = next
	return next, nil
}

// readNonce returns the stored nonce, or 0 when the file is missing or
// unreadable: the clock then decides, which is what a first run does too.
func readNonce(path string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// writeNonce replaces the state file atomically, so a crash mid-write
// leaves the old value rather than half a number.
func writeNonce(path string, v uint64) error {
	return atomicfile.Write(path, []byte(strconv.FormatUint(v, 10)+"\n"), 0o600, false)
}
