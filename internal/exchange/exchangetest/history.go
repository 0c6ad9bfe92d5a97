package exchangetest

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// historyOrders is how many market orders the history property places
// before it reads: with historyPage fills a page that is at least three
// pages, so the read crosses page boundaries whatever the account held
// before.
const (
	historyOrders = 5
	historyPage   = 2
)

// testFillHistory checks exchange.FillHistorian: a paged read of the whole
// history, followed to its last page, holds every fill the test made once,
// and an incremental read (AfterID and Since from what the first read held)
// returns the next fill and nothing older.
//
// The read asks for pages of historyPage fills. A venue whose page size is
// fixed ignores the limit, so its fake must be configured with a small page
// in the conformance setup; otherwise the property fails because it never
// crossed a page boundary.
func testFillHistory(s *suite) {
	fh, ok := s.ex.(exchange.FillHistorian)
	if !ok {
		s.t.Skipf("%s does not implement exchange.FillHistorian", s.ex.Name())
	}
	var placed []trade.Order
	for range historyOrders {
		placed = append(placed, s.place(s.marketBuy()))
	}
	var (
		held    []trade.Fill
		pages   int
		lastErr error
	)
	complete := s.eventually(func() bool {
		held, pages, lastErr = s.readHistory(fh, exchange.FillQuery{})
		return lastErr == nil && s.fillsCover(held, placed) == ""
	})
	if !complete {
		if lastErr != nil {
			s.t.Fatalf("FillHistory: %v", lastErr)
		}
		s.t.Fatalf("FillHistory never held every fill of the orders placed: %s", s.fillsCover(held, placed))
	}
	for _, problem := range readProblems(held, pages) {
		s.t.Error(problem)
	}

	// The incremental read, as the fill cache makes it.
	newest := held[0]
	for _, f := range held[1:] {
		if !f.Time.Before(newest.Time) {
			newest = f
		}
	}
	next := s.place(s.marketBuy())
	var since []trade.Fill
	found := s.eventually(func() bool {
		since, _, lastErr = s.readHistory(fh, exchange.FillQuery{AfterID: newest.ID, Since: newest.Time})
		return lastErr == nil && s.fillsCover(since, []trade.Order{next}) == ""
	})
	if !found {
		if lastErr != nil {
			s.t.Fatalf("FillHistory(AfterID %s, Since %s): %v", newest.ID, newest.Time, lastErr)
		}
		s.t.Fatalf("FillHistory(AfterID %s, Since %s) never returned the fill of order %s: %s",
			newest.ID, newest.Time, next.ID, s.fillsCover(since, []trade.Order{next}))
	}
	for _, problem := range readProblems(since, 2) {
		s.t.Error(problem)
	}
	for _, f := range since {
		if f.Time.Before(newest.Time) {
			s.t.Errorf("FillHistory(Since %s) returned fill %s of %s", newest.Time, f.ID, f.Time)
		}
	}
}

// readProblems lists what is wrong with one whole read of the history:
// fewer than two pages (no page boundary was crossed), a fill id seen
// twice, a fill without its id, symbol, side, positive qty and price, or
// time.
func readProblems(fills []trade.Fill, pages int) []string {
	var out []string
	if pages < 2 {
		out = append(out, fmt.Sprintf("the read took %d page(s) for %d fills with Limit %d; a page boundary must be crossed (a fixed-page fake needs a small page in its conformance setup)",
			pages, len(fills), historyPage))
	}
	seen := map[string]bool{}
	for _, f := range fills {
		if seen[f.ID] {
			out = append(out, fmt.Sprintf("fill %s appears twice in one read", f.ID))
		}
		seen[f.ID] = true
		if f.ID == "" || f.Symbol.IsZero() || (f.Side != trade.Buy && f.Side != trade.Sell) ||
			!f.Qty.IsPositive() || !f.Price.IsPositive() || f.Time.IsZero() {
			out = append(out, fmt.Sprintf("fill %+v: want an id, a symbol, a side, qty > 0, price > 0 and a time", f))
		}
	}
	return out
}

// readHistory follows Next from the first page to the last and returns
// every fill read and the number of pages (requests).
func (s *suite) readHistory(fh exchange.FillHistorian, q exchange.FillQuery) ([]trade.Fill, int, error) {
	if fh.FillScope() == exchange.FillsPerSymbol {
		q.Symbol = s.h.Symbol
	}
	q.Limit = historyPage
	var all []trade.Fill
	for pages := 1; ; pages++ {
		if pages > 1000 {
			return nil, pages, fmt.Errorf("more than 1000 pages: the cursor does not advance (last %q)", q.Cursor)
		}
		page, err := fh.FillHistory(s.ctx, q)
		if err != nil {
			return nil, pages, err
		}
		all = append(all, page.Fills...)
		if page.Next == "" {
			return all, pages, nil
		}
		if page.Next == q.Cursor {
			return nil, pages, fmt.Errorf("page %d returned its own cursor %q as Next", pages, q.Cursor)
		}
		q.Cursor = page.Next
	}
}

// fillsCover says which orders' fills are missing from fills ("" when
// none): each order must be filled, and its fills must add up to its
// filled quantity, counting each fill id once.
func (s *suite) fillsCover(fills []trade.Fill, orders []trade.Order) string {
	var missing []string
	for _, o := range orders {
		got, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: o.ID, Symbol: s.h.Symbol})
		if err != nil {
			missing = append(missing, fmt.Sprintf("order %s: %v", o.ID, err))
			continue
		}
		if got.Status != trade.StatusFilled {
			missing = append(missing, fmt.Sprintf("order %s is %s", o.ID, got.Status))
			continue
		}
		sum := decimal.Zero
		counted := map[string]bool{}
		for _, f := range fills {
			if f.OrderID == o.ID && !counted[f.ID] {
				counted[f.ID] = true
				sum = sum.Add(f.Qty)
			}
		}
		if !sum.Equal(got.FilledQty) {
			missing = append(missing, fmt.Sprintf("order %s filled %s, fills hold %s", o.ID, got.FilledQty, sum))
		}
	}
	return strings.Join(missing, "; ")
}
