package twap

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/placement"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestReadSumsTheChildrenTheJournalHolds places two of three children
// in a real journal (one filled, one partly) and reads the parent back
// without a venue: the journal's last record of each child is the answer.
func TestReadSumsTheChildrenTheJournalHolds(t *testing.T) {
	ctx := context.Background()
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), journal.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	btc := trade.MustSymbol("BTC-USD")
	parent := trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, Qty: dec("3")}
	slices, err := Plan("k", parent.Qty, dec("1"), 3, 3*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	rec := journal.TWAP{Profile: "paper", Exchange: "paper", IdempotencyKey: "k", Request: parent, Over: 3 * time.Minute, StartedAt: start}
	for _, s := range slices {
		rec.Slices = append(rec.Slices, journal.TWAPSlice{Index: s.Index, Qty: s.Qty, DueAt: start.Add(s.Offset),
			ClientID: placement.ClientIDFor("paper", s.Key)})
	}
	tw, _, err := j.BeginTWAP(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	place := func(i int, status trade.OrderStatus, filled, avg string) {
		t.Helper()
		s := tw.Slices[i-1]
		req := parent
		req.Qty, req.ClientID = s.Qty, s.ClientID
		in, err := j.Begin(ctx, journal.NewIntent{Profile: "paper", Exchange: "paper", ClientID: s.ClientID, IdempotencyKey: slices[i-1].Key, Request: req, Simulated: true})
		if err != nil {
			t.Fatal(err)
		}
		o := trade.Order{ID: string(rune('0' + i)), ClientID: s.ClientID, Symbol: btc, Side: trade.Buy, Type: trade.Market, Status: status,
			Qty: s.Qty, FilledQty: dec(filled), AvgFillPrice: decimal.NewNullDecimal(dec(avg))}
		if err := j.RecordPlaced(ctx, in.ID, o, false); err != nil {
			t.Fatal(err)
		}
	}
	place(1, trade.StatusFilled, "1", "100")
	place(2, trade.StatusPartiallyFilled, "0.5", "110")

	got, err := Read(ctx, j, nil, tw)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	type summary struct {
		Parent              string
		Placed, Filled      int
		FilledQty, AvgPrice string
		NextSliceAt         time.Time
		Complete            bool
		Statuses, OrderIDs  []string
	}
	sum := summary{Parent: got.Parent, Placed: got.Placed, Filled: got.Filled, FilledQty: got.FilledQty.String(),
		AvgPrice: got.AvgPrice.Decimal.String(), Complete: got.Complete}
	if got.NextSliceAt != nil {
		sum.NextSliceAt = *got.NextSliceAt
	}
	for _, c := range got.Children {
		sum.Statuses = append(sum.Statuses, c.Status)
		sum.OrderIDs = append(sum.OrderIDs, c.OrderID)
	}
	want := summary{Parent: "twap-k", Placed: 2, Filled: 1, FilledQty: "1.5",
		// (1×100 + 0.5×110) / 1.5
		AvgPrice: "103.33333333", NextSliceAt: start.Add(2 * time.Minute), Complete: false,
		Statuses: []string{"filled", "partially_filled", "scheduled"}, OrderIDs: []string{"1", "2", ""}}
	if diff := cmp.Diff(want, sum); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}
