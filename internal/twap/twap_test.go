package twap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var decimalsEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func TestSplitSumsToTheQuantityOnTheStep(t *testing.T) {
	tests := []struct {
		name      string
		qty, step string
		n         int
		want      []string
		wantErr   string
	}{
		{"even", "0.03", "0.001", 3, []string{"0.01", "0.01", "0.01"}, ""},
		{"remainder to the last", "0.031", "0.00001", 3, []string{"0.01033", "0.01033", "0.01034"}, ""},
		{"whole units", "10", "1", 4, []string{"2", "2", "2", "4"}, ""},
		{"no step: 8 places", "1", "0", 3, []string{"0.33333333", "0.33333333", "0.33333334"}, ""},
		{"below one step each", "0.002", "0.001", 3, nil, "each slice would round to 0"},
		{"zero slices", "1", "1", 0, nil, "slices must be 1 or more"},
		{"zero qty", "0", "1", 2, nil, "quantity must be above 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Split(dec(tt.qty), dec(tt.step), tt.n)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Split error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			var want []decimal.Decimal
			sum := decimal.Zero
			for _, w := range tt.want {
				want = append(want, dec(w))
			}
			for _, g := range got {
				sum = sum.Add(g)
			}
			if diff := cmp.Diff(want, got, decimalsEqual); diff != "" {
				t.Errorf("Split (-want +got):\n%s", diff)
			}
			if !sum.Equal(dec(tt.qty)) {
				t.Errorf("slices sum to %s, want %s", sum, tt.qty)
			}
		})
	}
}

func TestOffsetsStartAtOnceAndEndBeforeOver(t *testing.T) {
	tests := []struct {
		n    int
		over time.Duration
		want []time.Duration
	}{
		{3, 600 * time.Millisecond, []time.Duration{0, 200 * time.Millisecond, 400 * time.Millisecond}},
		{4, time.Hour, []time.Duration{0, 15 * time.Minute, 30 * time.Minute, 45 * time.Minute}},
		{2, time.Second, []time.Duration{0, 500 * time.Millisecond}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Offsets(tt.n, tt.over)); diff != "" {
			t.Errorf("Offsets(%d, %s) (-want +got):\n%s", tt.n, tt.over, diff)
		}
	}
}

func TestPlanKeysEachChildByParentKeyAndIndex(t *testing.T) {
	got, err := Plan("dca", dec("3"), dec("1"), 3, 3*time.Minute)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	want := []Slice{
		{Index: 1, Qty: dec("1"), Offset: 0, Key: "dca:s1/3"},
		{Index: 2, Qty: dec("1"), Offset: time.Minute, Key: "dca:s2/3"},
		{Index: 3, Qty: dec("1"), Offset: 2 * time.Minute, Key: "dca:s3/3"},
	}
	if diff := cmp.Diff(want, got, decimalsEqual); diff != "" {
		t.Errorf("Plan (-want +got):\n%s", diff)
	}
}

func TestKeys(t *testing.T) {
	if key, ok := KeyOf(ParentID("dca-1")); !ok || key != "dca-1" {
		t.Errorf("KeyOf(ParentID(dca-1)) = %q, %v", key, ok)
	}
	for _, id := range []string{"twap-", "12", "BTCUSDT:28"} {
		if _, ok := KeyOf(id); ok {
			t.Errorf("KeyOf(%q) took it as a parent id", id)
		}
	}
	if err := ValidateKey(strings.Repeat("k", MaxKeyLen)); err != nil {
		t.Errorf("ValidateKey at the limit: %v", err)
	}
	if err := ValidateKey(strings.Repeat("k", MaxKeyLen+1)); err == nil {
		t.Error("ValidateKey above the limit: no error")
	}
	a, b := NewKey(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)), NewKey(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	if a == b || !strings.HasPrefix(a, "20260105-") || ValidateKey(a) != nil {
		t.Errorf("NewKey gave %q and %q: want distinct valid keys starting with the date", a, b)
	}
}

// fakeClock advances only when Run sleeps, so the schedule is exact.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.now = c.now.Add(d)
	return nil
}

func TestRunPlacesDueSlicesAtOnceAndSkipsDoneOnes(t *testing.T) {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	slices, err := Plan("k", dec("4"), dec("1"), 4, 4*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// now is when the run starts; done the slices already placed.
		now  time.Time
		done map[int]bool
		want []string // "index@minutes after start"
	}{
		{"fresh run", start, nil, []string{"1@0s", "2@1m0s", "3@2m0s", "4@3m0s"}},
		{"resumed mid-schedule", start.Add(90 * time.Second), map[int]bool{1: true},
			[]string{"2@1m30s", "3@2m0s", "4@3m0s"}},
		{"resumed after the schedule: every slice at once", start.Add(time.Hour), map[int]bool{2: true},
			[]string{"1@1h0m0s", "3@1h0m0s", "4@1h0m0s"}},
		{"all done", start, map[int]bool{1: true, 2: true, 3: true, 4: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{now: tt.now}
			var got []string
			err := Run(context.Background(), start, slices, Runner{
				Now:   clock.Now,
				Sleep: clock.Sleep,
				Done:  func(_ context.Context, s Slice) (bool, error) { return tt.done[s.Index], nil },
				Place: func(_ context.Context, s Slice) error {
					got = append(got, fmt.Sprintf("%d@%s", s.Index, clock.now.Sub(start)))
					return nil
				},
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("placed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunStopsAtTheFirstFailureAndOnCancel(t *testing.T) {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	slices, _ := Plan("k", dec("3"), dec("1"), 3, 3*time.Minute)
	refused := errors.New("refused")
	var placed []int
	clock := &fakeClock{now: start}
	err := Run(context.Background(), start, slices, Runner{Now: clock.Now, Sleep: clock.Sleep,
		Done: func(context.Context, Slice) (bool, error) { return false, nil },
		Place: func(_ context.Context, s Slice) error {
			placed = append(placed, s.Index)
			if s.Index == 2 {
				return refused
			}
			return nil
		}})
	var se *SliceError
	if !errors.As(err, &se) || se.Index != 2 || se.Of != 3 || !errors.Is(err, refused) {
		t.Fatalf("Run error = %v, want slice 2/3 wrapping the refusal", err)
	}
	if diff := cmp.Diff([]int{1, 2}, placed); diff != "" {
		t.Errorf("placed (-want +got):\n%s", diff)
	}

	ctx, cancel := context.WithCancel(context.Background())
	placed = nil
	err = Run(ctx, start, slices, Runner{Now: func() time.Time { return start },
		Sleep: func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() },
		Done:  func(context.Context, Slice) (bool, error) { return false, nil },
		Place: func(_ context.Context, s Slice) error { placed = append(placed, s.Index); return nil }})
	if !errors.Is(err, context.Canceled) || !errors.As(err, &se) || se.Index != 2 {
		t.Fatalf("Run canceled while waiting for slice 2: err = %v", err)
	}
	if diff := cmp.Diff([]int{1}, placed); diff != "" {
		t.Errorf("placed before the cancel (-want +got):\n%s", diff)
	}
}
