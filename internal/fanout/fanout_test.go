package fanout

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Tests run in synctest bubbles: time is fake, so a 1h "hang" costs nothing,
// Elapsed is exact, and the bubble fails the test if any goroutine it
// started is still blocked when the test ends — a built-in leak check.

// sleep waits d or until ctx ends, as a well-behaved call does.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// view is what the tests compare: Result with the error reduced to text.
type view struct {
	Target   string
	Value    string
	Err      string
	Elapsed  time.Duration
	TimedOut bool
}

func views(rs []Result[string]) []view {
	out := make([]view, len(rs))
	for i, r := range rs {
		out[i] = view{Target: r.Target, Value: r.Value, Elapsed: r.Elapsed, TimedOut: r.TimedOut}
		if r.Err != nil {
			out[i].Err = r.Err.Error()
		}
	}
	return out
}

func TestRunMixedTargets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var ignorerReturned atomic.Bool
		call := func(ctx context.Context, target string) (string, error) {
			switch target {
			case "fast":
				if err := sleep(ctx, 10*time.Millisecond); err != nil {
					return "", err
				}
				return "fast-ok", nil
			case "failing":
				_ = sleep(ctx, 5*time.Millisecond)
				return "", errors.New("401 unauthorized")
			case "slow":
				if err := sleep(ctx, time.Hour); err != nil {
					return "", fmt.Errorf("GET /balances: %w", err)
				}
				return "slow-ok", nil
			case "ignorer":
				<-release // ignores ctx entirely
				ignorerReturned.Store(true)
				return "too-late", nil
			case "panicking":
				panic("boom")
			}
			return "", fmt.Errorf("unknown target %q", target)
		}
		targets := []string{"slow", "fast", "ignorer", "failing", "panicking"}

		start := time.Now()
		got := Run(t.Context(), targets, 50*time.Millisecond, call)
		if d := time.Since(start); d != 50*time.Millisecond+answerGrace {
			t.Errorf("Run took %v, want the slowest target's deadline and the grace, 60ms", d)
		}

		want := []view{
			{Target: "slow", Err: "GET /balances: context deadline exceeded", Elapsed: 50 * time.Millisecond, TimedOut: true},
			{Target: "fast", Value: "fast-ok", Elapsed: 10 * time.Millisecond},
			{Target: "ignorer", Err: "timed out after 50ms: context deadline exceeded", Elapsed: 50*time.Millisecond + answerGrace, TimedOut: true},
			{Target: "failing", Err: "401 unauthorized", Elapsed: 5 * time.Millisecond},
			{Target: "panicking", Err: "panic: boom"},
		}
		if diff := cmp.Diff(want, views(got)); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
		for _, i := range []int{0, 2} {
			if !errors.Is(got[i].Err, context.DeadlineExceeded) {
				t.Errorf("%s: errors.Is(%v, DeadlineExceeded) = false", got[i].Target, got[i].Err)
			}
		}
		var pe *PanicError
		if !errors.As(got[4].Err, &pe) || len(pe.Stack) == 0 {
			t.Errorf("panicking: want *PanicError with a stack, got %#v", got[4].Err)
		}

		// The abandoned call finishes later; it must not write into what
		// Run returned (the race detector watches this too).
		before := views(got)
		close(release)
		synctest.Wait()
		if !ignorerReturned.Load() {
			t.Fatal("ignorer did not return after release")
		}
		if diff := cmp.Diff(before, views(got)); diff != "" {
			t.Errorf("results changed after Run returned (-before +after):\n%s", diff)
		}
		if n, p := Failed(got), Partial(got); n != 4 || !p {
			t.Errorf("Failed = %d, Partial = %v; want 4, true", n, p)
		}
	})
}

func TestRunParentCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(10*time.Millisecond, cancel)
		call := func(ctx context.Context, target string) (string, error) {
			if target == "ignorer" {
				time.Sleep(time.Hour)
				return "late", nil
			}
			return "", sleep(ctx, time.Hour)
		}
		start := time.Now()
		got := Run(ctx, []string{"honours", "ignorer"}, time.Hour, call)
		if d := time.Since(start); d != 10*time.Millisecond+answerGrace {
			t.Errorf("Run took %v after a cancel at 10ms", d)
		}
		want := []view{
			{Target: "honours", Err: "context canceled", Elapsed: 10 * time.Millisecond},
			{Target: "ignorer", Err: "canceled: context canceled", Elapsed: 10*time.Millisecond + answerGrace},
		}
		if diff := cmp.Diff(want, views(got)); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
		for _, r := range got {
			if !errors.Is(r.Err, context.Canceled) {
				t.Errorf("%s: errors.Is(%v, Canceled) = false", r.Target, r.Err)
			}
		}
		if Partial(got) {
			t.Error("Partial = true when every target failed")
		}
		// Let the ignoring call finish; the bubble then checks that its
		// goroutine exited rather than blocking on delivery.
		time.Sleep(time.Hour)
	})
}

func TestRunParentDeadlineIsATimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		call := func(ctx context.Context, target string) (string, error) {
			<-ctx.Done()
			return "", errors.New("aborted") // hides the context error
		}
		got := Run(ctx, []string{"a"}, time.Hour, call)
		r := got[0]
		if !r.TimedOut || !errors.Is(r.Err, context.DeadlineExceeded) {
			t.Fatalf("got TimedOut=%v Err=%v; want a timeout", r.TimedOut, r.Err)
		}
		// The call's own words stay in the message.
		if msg, want := r.Err.Error(), "timed out after 20ms: context deadline exceeded: aborted"; msg != want {
			t.Errorf("Err = %q, want %q", msg, want)
		}
	})
}

func TestRunAlreadyCanceledCallsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var calls atomic.Int32
	got := Run(ctx, []string{"a", "b"}, time.Second, func(context.Context, string) (int, error) {
		calls.Add(1)
		return 1, nil
	})
	if calls.Load() != 0 {
		t.Errorf("%d calls made after cancel", calls.Load())
	}
	for _, r := range got {
		if !errors.Is(r.Err, context.Canceled) || r.Err.Error() != "not started: context canceled" {
			t.Errorf("%s: Err = %v", r.Target, r.Err)
		}
	}
}

func TestRunLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var running, peak atomic.Int32
		call := func(ctx context.Context, target string) (string, error) {
			n := running.Add(1)
			defer running.Add(-1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			if target == "hang" {
				<-ctx.Done()
				return "", ctx.Err()
			}
			return target, sleep(ctx, 10*time.Millisecond)
		}
		start := time.Now()
		got := Run(t.Context(), []string{"hang", "a", "b", "c", "d"}, 100*time.Millisecond, call, WithLimit(2))
		// One slot is held by "hang" until its 100ms deadline; the other
		// serves a–d in 4 × 10ms.
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("Run took %v, want 100ms", d)
		}
		if p := peak.Load(); p != 2 {
			t.Errorf("peak concurrency %d, want 2", p)
		}
		for _, r := range got[1:] {
			if r.Err != nil || r.Elapsed != 10*time.Millisecond {
				t.Errorf("%s: Err=%v Elapsed=%v", r.Target, r.Err, r.Elapsed)
			}
		}
		if !got[0].TimedOut {
			t.Errorf("hang: TimedOut = false")
		}
	})
}

func TestRunLimitParentCancelWhileQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 15*time.Millisecond)
		defer cancel()
		var calls atomic.Int32
		call := func(ctx context.Context, target string) (string, error) {
			calls.Add(1)
			return target, sleep(ctx, 10*time.Millisecond)
		}
		got := Run(ctx, []string{"a", "b", "c"}, time.Hour, call, WithLimit(1))
		want := []view{
			{Target: "a", Value: "a", Elapsed: 10 * time.Millisecond},
			{Target: "b", Value: "b", Err: "context deadline exceeded", Elapsed: 5 * time.Millisecond, TimedOut: true},
			{Target: "c", Err: "not started: context deadline exceeded"},
		}
		if diff := cmp.Diff(want, views(got)); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
		if calls.Load() != 2 {
			t.Errorf("%d calls, want 2", calls.Load())
		}
	})
}

func TestRunGoexit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		got := Run(t.Context(), []string{"x"}, 0, func(context.Context, string) (int, error) {
			runtime.Goexit()
			return 0, nil
		})
		if !errors.Is(got[0].Err, errGoexit) {
			t.Errorf("Err = %v, want errGoexit", got[0].Err)
		}
	})
}

func TestRunEmpty(t *testing.T) {
	got := Run(t.Context(), nil, time.Second, func(context.Context, string) (int, error) { return 0, nil })
	if len(got) != 0 || Failed(got) != 0 || Partial(got) || Err(got) != nil {
		t.Errorf("empty run: %v", got)
	}
}

func TestPanicErrorUnwrap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sentinel := errors.New("sentinel")
		got := Run(t.Context(), []string{"x"}, 0, func(context.Context, string) (int, error) { panic(sentinel) })
		if !errors.Is(got[0].Err, sentinel) {
			t.Errorf("errors.Is through PanicError failed: %v", got[0].Err)
		}
	})
}

func TestErrJoinsFailuresInOrder(t *testing.T) {
	denied := errors.New("denied")
	results := []Result[int]{
		{Target: "kraken", Err: fmt.Errorf("line one\nline two")},
		{Target: "paper", Value: 1},
		{Target: "binance", Err: denied},
	}
	err := Err(results)
	want := "kraken: line one; line two\nbinance: denied"
	if err == nil || err.Error() != want {
		t.Fatalf("Err = %q, want %q", err, want)
	}
	if !errors.Is(err, denied) {
		t.Error("errors.Is does not reach a target's error")
	}
	var te *TargetError
	if !errors.As(err, &te) || te.Target != "kraken" {
		t.Errorf("errors.As TargetError = %+v", te)
	}
	if Failed(results) != 2 || !Partial(results) {
		t.Errorf("Failed=%d Partial=%v", Failed(results), Partial(results))
	}
	if Err(results[1:2]) != nil {
		t.Error("Err of all-success results is not nil")
	}
}

// TestNoGoroutineLeftBehind runs on the real clock: calls that honour their
// context must all have exited shortly after Run returns.
func TestNoGoroutineLeftBehind(t *testing.T) {
	before := runtime.NumGoroutine()
	targets := make([]string, 20)
	for i := range targets {
		targets[i] = fmt.Sprint("t", i)
	}
	got := Run(t.Context(), targets, 20*time.Millisecond, func(ctx context.Context, target string) (int, error) {
		if target == "t3" {
			panic("boom")
		}
		if strings.HasSuffix(target, "1") {
			return 1, nil
		}
		return 0, sleep(ctx, time.Hour) // honours ctx, times out
	}, WithLimit(8))
	if n := Failed(got); n != 18 {
		t.Errorf("Failed = %d, want 18", n)
	}
	waitGoroutines(t, before)
}

func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines still running, want at most %d:\n%s", n, want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// BenchmarkFanout8x20ms shows that 8 targets cost about one: the ratio
// metric is Run's time over one call's, measured in the same run (≈1 is
// good, 8 would mean the calls ran one after another).
func BenchmarkFanout8x20ms(b *testing.B) { benchFanout(b, 8, 20*time.Millisecond, 0) }

// BenchmarkFanout8x20msLimit2 is the same with WithLimit(2): ratio ≈ 4.
func BenchmarkFanout8x20msLimit2(b *testing.B) { benchFanout(b, 8, 20*time.Millisecond, 2) }

func benchFanout(b *testing.B, n int, latency time.Duration, limit int) {
	targets := make([]string, n)
	for i := range targets {
		targets[i] = fmt.Sprint("account-", i)
	}
	call := func(ctx context.Context, _ string) (int, error) { return 1, sleep(ctx, latency) }

	// The baseline is measured, not assumed: timer slack differs between
	// machines and grows under load.
	ctx := b.Context()
	var single time.Duration
	const baselineRuns = 3
	for range baselineRuns {
		start := time.Now()
		if _, err := call(ctx, targets[0]); err != nil {
			b.Fatal(err)
		}
		single += time.Since(start)
	}
	single /= baselineRuns

	var total time.Duration
	runs := 0
	for b.Loop() {
		start := time.Now()
		res := Run(ctx, targets, 10*latency, call, WithLimit(limit))
		total += time.Since(start)
		runs++
		if err := Err(res); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total)/float64(runs)/float64(single), "ratio")
	b.ReportMetric(float64(single.Microseconds())/1000, "single-ms")
}

// BenchmarkRunOverhead is the cost of Run itself around instant calls.
func BenchmarkRunOverhead(b *testing.B) {
	targets := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	call := func(context.Context, string) (int, error) { return 1, nil }
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		Run(ctx, targets, time.Second, call)
	}
}
