// Package fanout runs one call across many targets (accounts, venues) at
// once and collects one result per target, so a dashboard can show what
// answered and say what did not, instead of failing or stalling as a whole.
//
// Every call gets its own deadline nested inside the caller's context. Run
// returns when every target has answered, failed, panicked or run out of
// time, so its wall time tracks the slowest target rather than the sum.
package fanout

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Result is the outcome of the call for one target.
type Result[T any] struct {
	Target string
	// Value is what the call returned, even alongside an error; the zero T
	// when the call was not made or not waited for.
	Value T
	// Err is the call's error, a *PanicError, or a context error when the
	// call was cut short; nil on success.
	Err error
	// Elapsed runs from the start of the call (not from the start of Run,
	// which differs under WithLimit) to its answer, or for a call given up
	// on, to its deadline plus the few milliseconds Run waited beyond it.
	Elapsed time.Duration
	// TimedOut is set when the target's deadline (its own or the parent's)
	// passed before the call succeeded. Err then satisfies
	// errors.Is(Err, context.DeadlineExceeded).
	TimedOut bool
}

// OK reports whether the call succeeded.
func (r Result[T]) OK() bool { return r.Err == nil }

// PanicError is the Err of a target whose call panicked. The panic stays in
// that target so the other targets and the caller carry on.
type PanicError struct {
	Value any
	// Stack is where the call panicked, for debug output; Error leaves it out.
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap exposes an error value passed to panic.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// errGoexit stands in for a result when a call ends its goroutine with
// runtime.Goexit (t.FailNow in a test helper, for one): without it the
// target would wait for a deadline that may never come.
var errGoexit = errors.New("call exited its goroutine without returning")

// answerGrace is how long Run keeps waiting for a call after its context
// ended: ample for a call that honours its context, short enough that one
// that ignores it still leaves Run prompt.
const answerGrace = 10 * time.Millisecond

// Option tunes Run.
type Option func(*options)

type options struct {
	limit int
}

// WithLimit lets at most n calls run at a time (n <= 0: no limit), started
// in the order of targets. Waiting for a turn does not count against a
// target's own deadline, but the parent's context does: targets still
// waiting when it ends are not called and get its error. A call given up on
// at its deadline frees its turn even if it ignores its context and keeps
// running, so the limit bounds calls that honour their context.
func WithLimit(n int) Option { return func(o *options) { o.limit = n } }

// outcome travels from the goroutine running a call to the one waiting for
// it, through a channel with room for exactly one, so the caller's
// goroutine can always deliver and exit even after nobody listens.
type outcome[T any] struct {
	value T
	err   error
	// ctxErr is the call's context error as the call returned: judged there,
	// not when the waiter gets round to it, so an error returned just before
	// the deadline is not mistaken for a timeout.
	ctxErr error
}

// Run calls call(ctx, target) for every target concurrently and returns the
// results in the order of targets (duplicates run twice).
//
// Each call's context ends at perTarget after the call starts (perTarget <= 0:
// no deadline of its own) or when ctx ends, whichever is first. Run then
// waits a few milliseconds more for the call's answer, which a call that
// honours its context gives, so nothing of it is left running. A call that
// ignores its context is given up on: Err says it timed out or was
// canceled, and its goroutine lives on only until the call returns, then
// delivers into a buffer nobody reads and exits; it never touches the
// returned slice.
//
// If ctx has already ended, no call is made for targets that have not
// started yet; they get ctx.Err().
func Run[T any](ctx context.Context, targets []string, perTarget time.Duration, call func(ctx context.Context, target string) (T, error), opts ...Option) []Result[T] {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	results := make([]Result[T], len(targets))
	workers := len(targets)
	if o.limit > 0 && o.limit < workers {
		workers = o.limit
	}
	// Workers take targets in order, so under a limit the first targets
	// start first, and a worker moves on as soon as its call is answered or
	// given up on.
	next := make(chan int, len(targets))
	for i := range targets {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				// Only this goroutine writes results[i], and Run waits for
				// it; it blocks only on ctx and timers, never on the call.
				results[i] = runOne(ctx, targets[i], perTarget, call)
			}
		})
	}
	wg.Wait()
	return results
}

func runOne[T any](ctx context.Context, target string, perTarget time.Duration, call func(context.Context, string) (T, error)) Result[T] {
	res := Result[T]{Target: target}
	if ctx.Err() != nil {
		res.Err = notStarted(ctx)
		return res
	}

	callCtx, cancel := ctx, context.CancelFunc(func() {})
	if perTarget > 0 {
		callCtx, cancel = context.WithTimeout(ctx, perTarget)
	}
	defer cancel()

	start := time.Now()
	done := make(chan outcome[T], 1)
	go func() {
		var out outcome[T]
		returned := false
		defer func() {
			if !returned {
				if p := recover(); p != nil {
					out.err = &PanicError{Value: p, Stack: debug.Stack()}
				} else {
					out.err = errGoexit
				}
			}
			done <- out
		}()
		out.value, out.err = call(callCtx, target)
		out.ctxErr = callCtx.Err()
		returned = true
	}()

	var out outcome[T]
	answered := true
	select {
	case out = <-done:
	case <-callCtx.Done():
		// A call that honours its context answers within moments; waiting
		// that long reports its own error rather than a generic one, and
		// means its goroutine is gone by the time Run returns.
		grace := time.NewTimer(answerGrace)
		select {
		case out = <-done:
		case <-grace.C:
			answered = false
		}
		grace.Stop()
	}
	res.Elapsed = time.Since(start)

	ctxErr := out.ctxErr
	if !answered {
		ctxErr = callCtx.Err()
	}
	if answered {
		res.Value = out.value
	}
	switch {
	case answered && (out.err == nil || ctxErr == nil):
		res.Err = out.err
	case answered:
		// The call failed after its context ended; the context is the
		// likely reason, so report it as such while keeping the call's
		// own words.
		res.Err = out.err
		if !errors.Is(out.err, ctxErr) {
			res.Err = fmt.Errorf("%w: %w", cutShort(callCtx, start), out.err)
		}
	default:
		res.Err = cutShort(callCtx, start)
	}
	res.TimedOut = res.Err != nil && errors.Is(ctxErr, context.DeadlineExceeded)
	return res
}

// cutShort describes why a call's context ended, wrapping the context error
// so errors.Is finds context.DeadlineExceeded or context.Canceled.
func cutShort(callCtx context.Context, start time.Time) error {
	err := callCtx.Err()
	if errors.Is(err, context.DeadlineExceeded) {
		if deadline, ok := callCtx.Deadline(); ok {
			return fmt.Errorf("timed out after %s: %w", deadline.Sub(start).Round(time.Millisecond), err)
		}
	}
	return fmt.Errorf("canceled: %w", err)
}

func notStarted(ctx context.Context) error {
	return fmt.Errorf("not started: %w", ctx.Err())
}

// Failed counts the results with an error.
func Failed[T any](results []Result[T]) int {
	n := 0
	for _, r := range results {
		if r.Err != nil {
			n++
		}
	}
	return n
}

// Partial reports whether some but not all targets failed: the case where
// a command shows what it has and still exits non-zero.
func Partial[T any](results []Result[T]) bool {
	n := Failed(results)
	return n > 0 && n < len(results)
}

// Err joins the failures as "target: error" lines in target order, or
// returns nil when every call succeeded. errors.Is and errors.As see
// through it to each call's error.
func Err[T any](results []Result[T]) error {
	var errs []error
	for _, r := range results {
		if r.Err != nil {
			errs = append(errs, &TargetError{Target: r.Target, Err: r.Err})
		}
	}
	return errors.Join(errs...)
}

// TargetError names the target an error came from.
type TargetError struct {
	Target string
	Err    error
}

func (e *TargetError) Error() string {
	// A multi-line cause would break the one-line-per-target layout of Err.
	return e.Target + ": " + strings.ReplaceAll(e.Err.Error(), "\n", "; ")
}

func (e *TargetError) Unwrap() error { return e.Err }
