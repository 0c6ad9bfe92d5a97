package journal

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

func TestAmendsLinkTheNewIDAndRefuseASecondPending(t *testing.T) {
	ctx := context.Background()
	j := newJournal(t)
	before := trade.Order{ID: "41", Symbol: trade.MustSymbol("AAPL-USD"), Side: trade.Buy, Type: trade.Limit,
		Status: trade.StatusOpen, Qty: decimal.NewFromInt(5), Price: decimal.NewNullDecimal(decimal.NewFromInt(150))}
	a := trade.AmendRequest{Price: decimal.NewNullDecimal(decimal.NewFromInt(149))}
	id, err := j.BeginAmend(ctx, NewAmend{Profile: "live", Exchange: "alpaca", Before: before, Request: a, NewClientID: "tc-amend-1"})
	if err != nil {
		t.Fatalf("BeginAmend: %v", err)
	}
	if _, err := j.BeginAmend(ctx, NewAmend{Profile: "live", Exchange: "alpaca", Before: before, Request: a}); !errors.Is(err, ErrAmendPending) {
		t.Fatalf("second BeginAmend while the first is pending: err = %v, want ErrAmendPending", err)
	}
	if err := j.RecordAmendUnknown(ctx, id, "unavailable", "timeout"); err != nil {
		t.Fatalf("RecordAmendUnknown: %v", err)
	}
	if _, err := j.BeginAmend(ctx, NewAmend{Profile: "live", Exchange: "alpaca", Before: before, Request: a}); !errors.Is(err, ErrAmendPending) {
		t.Fatalf("BeginAmend while the first is unknown: err = %v, want ErrAmendPending", err)
	}
	after := before
	after.ID, after.Price = "42", a.Price
	if err := j.RecordAmended(ctx, id, after); err != nil {
		t.Fatalf("RecordAmended: %v", err)
	}
	got, err := j.Amends(ctx, "live", "42")
	if err != nil {
		t.Fatalf("Amends: %v", err)
	}
	want := []Amend{{ID: id, Profile: "live", Exchange: "alpaca", OrderID: "41", Symbol: before.Symbol, NewClientID: "tc-amend-1",
		Request: a, Before: before, Status: AmendDone, NewOrderID: "42", Order: &after, ErrorCode: "", ErrorMessage: ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Amends(42) mismatch (-want +got):\n%s", diff)
	}
	if _, err := j.BeginAmend(ctx, NewAmend{Profile: "live", Exchange: "alpaca", Before: before, Request: a}); err != nil {
		t.Errorf("BeginAmend after the first settled: %v", err)
	}
}
