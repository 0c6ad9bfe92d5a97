package venueorder

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// NewestFillsFirst sorts fills by time, newest first; fills of the same
// instant fall back to their ids, descending, so a listing's order does not
// depend on the order a venue (or a JSON object) gave them in.
func NewestFillsFirst(fills []trade.Fill) {
	slices.SortStableFunc(fills, func(a, b trade.Fill) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}

// InQuery says whether f answers q: of q's symbol (any, when zero) and
// within [q.Since, q.Until), a zero bound being open. Venues that cannot
// filter on their side keep only these.
func InQuery(q exchange.FillQuery, f trade.Fill) bool {
	return (q.Symbol.IsZero() || f.Symbol == q.Symbol) &&
		(q.Since.IsZero() || !f.Time.Before(q.Since)) &&
		(q.Until.IsZero() || f.Time.Before(q.Until))
}

// FillPager reads one page of a venue's fill history, newest first.
type FillPager func(ctx context.Context, q exchange.FillQuery) (exchange.FillPage, error)

// ListFills is FillLister.Fills over a venue's pager: from q (f's range,
// with whatever page size the venue asks for) at most maxPages pages,
// fewer once f.Limit fills are in; fills that pages repeat (trades made
// during the read shift them) are kept once; the result is newest first
// and at most f.Limit long when it is set. maxPages bounds how far back an
// unbounded read goes.
func ListFills(ctx context.Context, f exchange.FillFilter, q exchange.FillQuery, maxPages int, page FillPager) ([]trade.Fill, error) {
	seen := map[string]bool{}
	var out []trade.Fill
	for range maxPages {
		p, err := page(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("fills: %w", err)
		}
		for _, fill := range p.Fills {
			if !seen[fill.ID] {
				seen[fill.ID] = true
				out = append(out, fill)
			}
		}
		if p.Next == "" || (f.Limit > 0 && len(out) >= f.Limit) {
			break
		}
		q.Cursor = p.Next
	}
	NewestFillsFirst(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}
