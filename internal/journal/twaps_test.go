package journal

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

func TestTWAPIsRecordedOnceAndReadBackWithItsSlices(t *testing.T) {
	ctx := context.Background()
	j := newJournal(t)
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	req := trade.OrderRequest{Symbol: trade.MustSymbol("BTC-USD"), Side: trade.Buy, Type: trade.Limit,
		Qty: decimal.RequireFromString("0.03"), Price: decimal.NewNullDecimal(decimal.NewFromInt(1000))}
	slice := func(i int, id string, after time.Duration) TWAPSlice {
		return TWAPSlice{Index: i, ClientID: id, Qty: decimal.RequireFromString("0.01"), DueAt: start.Add(after), Status: SliceScheduled}
	}
	rec := TWAP{Profile: "paper", Exchange: "paper", IdempotencyKey: "k", Request: req, Over: 3 * time.Minute, StartedAt: start,
		Slices: []TWAPSlice{slice(1, "tc-a", 0), slice(2, "tc-b", time.Minute), slice(3, "tc-c", 2*time.Minute)}}

	first, created, err := j.BeginTWAP(ctx, rec)
	if err != nil || !created {
		t.Fatalf("BeginTWAP: created=%v err=%v, want a new record", created, err)
	}
	// A re-run keeps the first run's start, whatever it asks now.
	again := rec
	again.StartedAt = start.Add(time.Hour)
	second, created, err := j.BeginTWAP(ctx, again)
	if err != nil || created {
		t.Fatalf("second BeginTWAP: created=%v err=%v, want the existing record", created, err)
	}
	if !second.StartedAt.Equal(start) || second.ID != first.ID {
		t.Errorf("second BeginTWAP returned id %d started %s, want id %d started %s", second.ID, second.StartedAt, first.ID, start)
	}
	if err := j.RecordTWAPSlice(ctx, first.ID, 2, "77", "placed"); err != nil {
		t.Fatalf("RecordTWAPSlice: %v", err)
	}
	got, ok, err := j.TWAP(ctx, "paper", "k")
	if err != nil || !ok {
		t.Fatalf("TWAP: ok=%v err=%v", ok, err)
	}
	want := rec
	want.ID = first.ID
	want.Slices[1].OrderID, want.Slices[1].Status = "77", "placed"
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("TWAP read back (-want +got):\n%s", diff)
	}
	if _, ok, err := j.TWAP(ctx, "other", "k"); ok || err != nil {
		t.Errorf("TWAP on another profile: ok=%v err=%v, want none", ok, err)
	}
}
