package placement

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/tradectl/tradectl/internal/exchange"
)

// DefaultLockTimeout is how long Place waits for another process's
// placement on the same profile to finish.
const DefaultLockTimeout = 30 * time.Second

// lockPoll is how often a busy lock is tried again. Placements hold it
// for one round trip to the venue, so a short poll keeps a queue of
// processes moving without measurable load.
const lockPoll = 20 * time.Millisecond

// LockDir is where the per-profile lock files live inside tradectl's
// state directory ($XDG_STATE_HOME/tradectl).
func LockDir(stateDir string) string { return filepath.Join(stateDir, "locks") }

// LockPath is the lock file that serialises placement on profile. Profile
// names are config keys; anything outside a portable file-name set is
// replaced, which can only make two profiles share a lock — slower, never
// unsafe.
func LockPath(dir, profile string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, profile)
	if name == "" || strings.Trim(name, ".") == "" {
		name = "_" + name
	}
	return filepath.Join(dir, name+".lock")
}

// LockTimeoutError says the profile's placement lock stayed busy for the
// whole wait. It matches exchange.ErrUnavailable, so it exits 6 like any
// other "try again later" condition: nothing was sent.
type LockTimeoutError struct {
	Profile string
	Path    string
	Waited  time.Duration
	// ByDeadline is true when the caller's deadline ended the wait
	// before the lock timeout did.
	ByDeadline bool
}

func (e *LockTimeoutError) Error() string {
	why := "the lock timeout"
	if e.ByDeadline {
		why = "the deadline"
	}
	return fmt.Sprintf("another tradectl process is placing an order on profile %q and still holds its lock (%s); gave up after %s (%s); nothing was sent",
		e.Profile, e.Path, e.Waited.Round(time.Millisecond), why)
}

// Is makes errors.Is(err, exchange.ErrUnavailable) true.
func (e *LockTimeoutError) Is(target error) bool { return target == exchange.ErrUnavailable }

// lock takes the profile's placement lock, waiting at most timeout (0:
// one try). The returned func releases it.
func lock(ctx context.Context, dir, profile string, timeout time.Duration) (func(), error) {
	if dir == "" {
		return nil, errors.New("placement: no lock directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("placement: create lock directory: %w", err)
	}
	path := LockPath(dir, profile)
	fl := flock.New(path, flock.SetPermissions(0o600))
	start := time.Now()
	var ok bool
	var err error
	if timeout <= 0 {
		ok, err = fl.TryLock()
	} else {
		lctx, cancel := context.WithTimeout(ctx, timeout)
		ok, err = fl.TryLockContext(lctx, lockPoll)
		cancel()
	}
	switch {
	case ok:
		return func() { _ = fl.Unlock() }, nil
	case err == nil, errors.Is(err, context.DeadlineExceeded):
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ctx.Err()
		}
		return nil, &LockTimeoutError{Profile: profile, Path: path, Waited: time.Since(start), ByDeadline: ctx.Err() != nil}
	case errors.Is(err, context.Canceled):
		return nil, err
	}
	return nil, fmt.Errorf("placement: lock %s: %w", path, err)
}

// tryLock takes the lock only if it is free at once; ok is false when
// another process holds it.
func tryLock(dir, profile string) (release func(), ok bool, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("placement: create lock directory: %w", err)
	}
	fl := flock.New(LockPath(dir, profile), flock.SetPermissions(0o600))
	ok, err = fl.TryLock()
	if err != nil || !ok {
		return nil, false, err
	}
	return func() { _ = fl.Unlock() }, true, nil
}
