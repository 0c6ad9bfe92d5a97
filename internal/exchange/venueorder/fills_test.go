package venueorder

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

var (
	t0  = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	btc = trade.Symbol{Base: "BTC", Quote: "USD"}
	eth = trade.Symbol{Base: "ETH", Quote: "USD"}
)

func fill(id string, minutes int) trade.Fill {
	return trade.Fill{ID: id, Symbol: btc, Time: t0.Add(time.Duration(minutes) * time.Minute)}
}

func ids(fills []trade.Fill) []string {
	out := make([]string, len(fills))
	for i, f := range fills {
		out[i] = f.ID
	}
	return out
}

// pages serves a fixed history: the page a cursor names ("" the first),
// recording the queries it was asked.
type pages struct {
	byCursor map[string]exchange.FillPage
	asked    []exchange.FillQuery
	fail     string // the cursor whose page fails
}

func (p *pages) page(_ context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	p.asked = append(p.asked, q)
	if q.Cursor == p.fail && p.fail != "" {
		return exchange.FillPage{}, errors.New("venue down")
	}
	return p.byCursor[q.Cursor], nil
}

func TestListFills(t *testing.T) {
	history := map[string]exchange.FillPage{
		"":   {Fills: []trade.Fill{fill("e", 50), fill("d", 40)}, Next: "p2"},
		"p2": {Fills: []trade.Fill{fill("d", 40), fill("c", 30), fill("b", 30)}, Next: "p3"}, // d again: a trade moved the page
		"p3": {Fills: []trade.Fill{fill("a", 10)}},
	}
	tests := []struct {
		name      string
		limit     int
		maxPages  int
		wantIDs   []string
		wantPages int
	}{
		{name: "every page, repeats kept once, newest first, ids break ties", maxPages: 10, wantIDs: []string{"e", "d", "c", "b", "a"}, wantPages: 3},
		{name: "stops once the limit is in, cut to it", limit: 3, maxPages: 10, wantIDs: []string{"e", "d", "c"}, wantPages: 2},
		{name: "bounded by maxPages", maxPages: 1, wantIDs: []string{"e", "d"}, wantPages: 1},
		{name: "limit above what there is", limit: 50, maxPages: 10, wantIDs: []string{"e", "d", "c", "b", "a"}, wantPages: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &pages{byCursor: history}
			f := exchange.FillFilter{Symbol: btc, Since: t0, Limit: tt.limit}
			q := exchange.FillQuery{Symbol: btc, Since: t0, Limit: 2}
			got, err := ListFills(context.Background(), f, q, tt.maxPages, p.page)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantIDs, ids(got)); diff != "" {
				t.Errorf("fills (-want +got):\n%s", diff)
			}
			if len(p.asked) != tt.wantPages {
				t.Errorf("%d pages read, want %d", len(p.asked), tt.wantPages)
			}
			for i, q := range p.asked {
				// The venue's query travels unchanged but for the cursor.
				if q.Symbol != btc || !q.Since.Equal(t0) || q.Limit != 2 {
					t.Errorf("page %d asked %+v, want the caller's query", i, q)
				}
			}
		})
	}
}

func TestListFillsError(t *testing.T) {
	p := &pages{byCursor: map[string]exchange.FillPage{"": {Fills: []trade.Fill{fill("a", 1)}, Next: "p2"}}, fail: "p2"}
	got, err := ListFills(context.Background(), exchange.FillFilter{}, exchange.FillQuery{}, 5, p.page)
	if err == nil || err.Error() != "fills: venue down" || got != nil {
		t.Errorf("ListFills = %v, %v; want no fills and the page's error", got, err)
	}
}

func TestInQuery(t *testing.T) {
	f := trade.Fill{ID: "x", Symbol: btc, Time: t0}
	tests := []struct {
		name string
		q    exchange.FillQuery
		want bool
	}{
		{name: "open query", q: exchange.FillQuery{}, want: true},
		{name: "its symbol", q: exchange.FillQuery{Symbol: btc}, want: true},
		{name: "another symbol", q: exchange.FillQuery{Symbol: eth}, want: false},
		{name: "since is inclusive", q: exchange.FillQuery{Since: t0}, want: true},
		{name: "before since", q: exchange.FillQuery{Since: t0.Add(time.Second)}, want: false},
		{name: "until is exclusive", q: exchange.FillQuery{Until: t0}, want: false},
		{name: "before until", q: exchange.FillQuery{Since: t0.Add(-time.Hour), Until: t0.Add(time.Second)}, want: true},
	}
	for _, tt := range tests {
		if got := InQuery(tt.q, f); got != tt.want {
			t.Errorf("%s: InQuery = %v, want %v", tt.name, got, tt.want)
		}
	}
}
