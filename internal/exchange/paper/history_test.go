package paper

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestFillHistory places fills at known times and reads them back through
// FillHistory with each filter, page by page.
func TestFillHistory(t *testing.T) {
	e, c := newTest(t, nil)
	// Six market orders a minute apart: BTC, ETH, BTC, ETH, …
	var placed []trade.Order
	for i := range 6 {
		sym := btc
		if i%2 == 1 {
			sym = eth
		}
		placed = append(placed, place(t, e, market(sym, trade.Buy, "0.01")))
		c.Add(time.Minute)
	}
	all := readAll(t, e, exchange.FillQuery{Limit: 4})
	if len(all) != 6 {
		t.Fatalf("read %d fills, want 6", len(all))
	}
	for i, f := range all {
		if f.OrderID != placed[i].ID || f.ClientID != placed[i].ClientID || !f.Time.Equal(t0.Add(time.Duration(i)*time.Minute)) {
			t.Errorf("fill %d = order %s client %q at %s, want order %s client %q at %s",
				i, f.OrderID, f.ClientID, f.Time, placed[i].ID, placed[i].ClientID, t0.Add(time.Duration(i)*time.Minute))
		}
	}
	ids := func(fs []trade.Fill) []string {
		out := []string{}
		for _, f := range fs {
			out = append(out, f.ID)
		}
		return out
	}
	tests := []struct {
		name string
		q    exchange.FillQuery
		want []string
	}{
		{"everything in one page", exchange.FillQuery{}, ids(all)},
		{"symbol", exchange.FillQuery{Symbol: eth, Limit: 1}, ids([]trade.Fill{all[1], all[3], all[5]})},
		{"since is inclusive", exchange.FillQuery{Since: all[2].Time}, ids(all[2:])},
		{"until is exclusive", exchange.FillQuery{Until: all[2].Time, Limit: 1}, ids(all[:2])},
		{"since and until", exchange.FillQuery{Since: all[1].Time, Until: all[4].Time, Limit: 2}, ids(all[1:4])},
		{"after id", exchange.FillQuery{AfterID: all[3].ID}, ids(all[4:])},
		{"after the newest", exchange.FillQuery{AfterID: all[5].ID}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ids(readAll(t, e, tt.q))); diff != "" {
				t.Errorf("fill ids (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFillHistoryPaging checks the cursor: a full last page says there is
// no next one, and a resumed read continues after the cursor.
func TestFillHistoryPaging(t *testing.T) {
	e, _ := newTest(t, nil)
	for range 4 {
		place(t, e, market(btc, trade.Buy, "0.01"))
	}
	ctx := context.Background()
	first, err := e.FillHistory(ctx, exchange.FillQuery{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Fills) != 2 || first.Next != first.Fills[1].ID {
		t.Fatalf("first page = %d fills, next %q; want 2 and the last id", len(first.Fills), first.Next)
	}
	second, err := e.FillHistory(ctx, exchange.FillQuery{Limit: 2, Cursor: first.Next})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Fills) != 2 || second.Next != "" {
		t.Fatalf("second page = %d fills, next %q; want 2 and no next", len(second.Fills), second.Next)
	}
	if second.Fills[0].ID == first.Fills[1].ID {
		t.Errorf("the second page repeats fill %s", second.Fills[0].ID)
	}
	if _, err := e.FillHistory(ctx, exchange.FillQuery{Cursor: "x"}); err == nil {
		t.Error("a cursor paper never gave was accepted")
	}
}

func readAll(t *testing.T, e *Exchange, q exchange.FillQuery) []trade.Fill {
	t.Helper()
	var out []trade.Fill
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		page, err := e.FillHistory(context.Background(), q)
		if err != nil {
			t.Fatalf("FillHistory(%+v): %v", q, err)
		}
		out = append(out, page.Fills...)
		if page.Next == "" {
			return out
		}
		q.Cursor = page.Next
	}
}
