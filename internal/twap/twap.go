// Package twap slices one order into N children placed at even intervals
// (time-weighted average price), resumably.
//
// The slicing is pure: Plan splits the quantity on the instrument's step
// (the remainder goes to the last slice, so the children sum to the whole)
// and spaces the slices evenly over the duration, the first at once and
// the last at over·(N-1)/N. Each child's idempotency key is the parent's
// key with ":sI/N" appended, so its client id (placement.ClientIDFor) is a
// function of the profile, the parent key and the index: 36 characters
// whatever the key's length, within every venue's limit. Running the same
// command again therefore finds every child an earlier run placed.
//
// Run walks the schedule: a slice already done is skipped, a slice whose
// time has come (or passed, after a crash or from cron) is placed at once,
// and the run waits for the next one otherwise. It stops at the first
// slice that cannot be placed and when its context ends, between slices:
// the parent stays resumable either way.
package twap

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/placement"
)

// MaxSlices bounds N: a venue's rate limits and the journal's one row per
// slice make more than this a different tool's job.
const MaxSlices = 1000

// ParentPrefix starts a parent's id: "twap-" and its idempotency key.
const ParentPrefix = "twap-"

// maxSuffixLen is the longest ":sI/N" a child key gets (":s1000/1000").
const maxSuffixLen = len(":s1000/1000")

// MaxKeyLen is the longest parent key: its children's keys must still be
// valid idempotency keys.
const MaxKeyLen = placement.MaxIdempotencyKeyLen - maxSuffixLen

// ParentID is the id `order get` takes for the parent of key.
func ParentID(key string) string { return ParentPrefix + key }

// KeyOf returns the idempotency key a parent id names, if id is one.
func KeyOf(id string) (string, bool) {
	key, ok := strings.CutPrefix(id, ParentPrefix)
	return key, ok && key != ""
}

// ChildKey is slice i of n's idempotency key (i from 1).
func ChildKey(parentKey string, i, n int) string {
	return fmt.Sprintf("%s:s%d/%d", parentKey, i, n)
}

// ValidateKey accepts a parent key: a valid idempotency key short enough
// for its children's keys.
func ValidateKey(key string) error {
	if err := placement.ValidateIdempotencyKey(key); err != nil {
		return err
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("the idempotency key of a sliced order is %d bytes; at most %d are allowed", len(key), MaxKeyLen)
	}
	return nil
}

var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewKey returns a fresh parent key for a run given none: the UTC date
// and 50 random bits, short enough to type back with --idempotency-key.
func NewKey(now time.Time) string {
	b := make([]byte, 7)
	_, _ = rand.Read(b) // never fails on supported platforms (Go 1.24+)
	return now.UTC().Format("20060102") + "-" + keyEncoding.EncodeToString(b)[:10]
}

// Slice is one child of the parent.
type Slice struct {
	Index int // from 1
	Qty   decimal.Decimal
	// Offset is when the slice is due, from the parent's start.
	Offset time.Duration
	// Key is the child's idempotency key.
	Key string
}

// Offsets spaces n slices evenly over over: slice i (from 0) at
// over·i/n, so the first goes at once and the last at over·(n-1)/n.
func Offsets(n int, over time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		// In nanoseconds an hour·1000 still fits an int64 many times over.
		out[i] = time.Duration(int64(over) / int64(n) * int64(i))
	}
	return out
}

// ErrSliceTooSmall is returned (wrapped) when qty split n ways rounds to
// zero on the step.
var ErrSliceTooSmall = errors.New("each slice would round to 0")

// Split divides qty into n slices on the step: n-1 of qty/n rounded down
// to the step, and the last of what remains, so they sum to qty exactly.
// A zero step splits to 8 decimal places, below what any venue trades.
func Split(qty, step decimal.Decimal, n int) ([]decimal.Decimal, error) {
	if n < 1 {
		return nil, fmt.Errorf("slices must be 1 or more, got %d", n)
	}
	if !qty.IsPositive() {
		return nil, fmt.Errorf("quantity must be above 0, got %s", qty)
	}
	if !step.IsPositive() {
		step = decimal.New(1, -8)
	}
	share := qty.Div(decimal.NewFromInt(int64(n)))
	each := share.Div(step).Floor().Mul(step)
	if !each.IsPositive() {
		return nil, fmt.Errorf("%s in %d slices: %w (step size %s)", qty, n, ErrSliceTooSmall, step)
	}
	out := make([]decimal.Decimal, n)
	for i := range n - 1 {
		out[i] = each
	}
	out[n-1] = qty.Sub(each.Mul(decimal.NewFromInt(int64(n - 1))))
	return out, nil
}

// Plan is the parent's slices: quantities (Split), times (Offsets) and
// child keys.
func Plan(key string, qty, step decimal.Decimal, n int, over time.Duration) ([]Slice, error) {
	qtys, err := Split(qty, step, n)
	if err != nil {
		return nil, err
	}
	offsets := Offsets(n, over)
	out := make([]Slice, n)
	for i := range out {
		out[i] = Slice{Index: i + 1, Qty: qtys[i], Offset: offsets[i], Key: ChildKey(key, i+1, n)}
	}
	return out, nil
}

// Runner is what Run works with.
type Runner struct {
	Now func() time.Time
	// Sleep waits d or until ctx ends (nil: a timer).
	Sleep func(ctx context.Context, d time.Duration) error
	// Done reports whether the slice's child was already placed; such a
	// slice is not placed again.
	Done func(ctx context.Context, s Slice) (bool, error)
	// Place places the slice's child.
	Place func(ctx context.Context, s Slice) error
}

// SliceError is the slice a run stopped at, and why.
type SliceError struct {
	Index, Of int
	Err       error
}

func (e *SliceError) Error() string { return fmt.Sprintf("slice %d/%d: %v", e.Index, e.Of, e.Err) }
func (e *SliceError) Unwrap() error { return e.Err }

// Run places the slices not yet done, each when it is due (startedAt plus
// its offset) or at once when that has passed. A slice whose time has
// passed is never skipped: the parent's quantity is what was asked for.
// Run returns the first error, as a *SliceError; ctx ending stops it only
// between slices.
func Run(ctx context.Context, startedAt time.Time, slices []Slice, r Runner) error {
	sleep := r.Sleep
	if sleep == nil {
		sleep = timerSleep
	}
	for _, s := range slices {
		done, err := r.Done(ctx, s)
		if err != nil {
			return &SliceError{Index: s.Index, Of: len(slices), Err: err}
		}
		if done {
			continue
		}
		if wait := startedAt.Add(s.Offset).Sub(r.Now()); wait > 0 {
			if err := sleep(ctx, wait); err != nil {
				return &SliceError{Index: s.Index, Of: len(slices), Err: err}
			}
		}
		if err := ctx.Err(); err != nil {
			return &SliceError{Index: s.Index, Of: len(slices), Err: err}
		}
		if err := r.Place(ctx, s); err != nil {
			return &SliceError{Index: s.Index, Of: len(slices), Err: err}
		}
	}
	return nil
}

func timerSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
