package fillcache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

var (
	t0  = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	btc = trade.Symbol{Base: "BTC", Quote: "USDT"}
	eth = trade.Symbol{Base: "ETH", Quote: "USDT"}
	sol = trade.Symbol{Base: "SOL", Quote: "USDT"}

	decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
)

// history is a venue's fill history served in pages of a fixed size,
// oldest first with an offset cursor, the way a time-ordered venue API
// pages. It records every query and can be told to fail a request, to
// play a network failure in the middle of a read.
type history struct {
	mu       sync.Mutex
	name     string
	scope    exchange.FillScope
	pageSize int
	fills    []trade.Fill
	queries  []exchange.FillQuery
	failAt   int // the request number (1-based) that fails; 0: none
}

func (h *history) Name() string                  { return h.name }
func (h *history) FillScope() exchange.FillScope { return h.scope }

func (h *history) FillHistory(_ context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.queries = append(h.queries, q)
	if h.failAt == len(h.queries) {
		return exchange.FillPage{}, &exchange.Error{Kind: exchange.ErrUnavailable, Message: "connection reset"}
	}
	if h.scope == exchange.FillsPerSymbol && q.Symbol.IsZero() {
		return exchange.FillPage{}, errors.New("symbol required")
	}
	var match []trade.Fill
	for _, f := range h.fills {
		if (q.Symbol.IsZero() || f.Symbol == q.Symbol) && !f.Time.Before(q.Since) &&
			(q.Until.IsZero() || f.Time.Before(q.Until)) {
			match = append(match, f)
		}
	}
	start := 0
	if q.Cursor != "" {
		var err error
		if start, err = strconv.Atoi(q.Cursor); err != nil {
			return exchange.FillPage{}, err
		}
	}
	end := min(start+h.pageSize, len(match))
	page := exchange.FillPage{Fills: slices.Clone(match[start:end])}
	if end < len(match) {
		page.Next = strconv.Itoa(end)
	}
	return page, nil
}

// add appends n fills of sym, a second apart after the last one.
func (h *history) add(sym trade.Symbol, n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for range n {
		i := len(h.fills)
		h.fills = append(h.fills, trade.Fill{
			ID: strconv.Itoa(i + 1), OrderID: "o" + strconv.Itoa(i/2), ClientID: "c" + strconv.Itoa(i/2),
			Symbol: sym, Side: trade.Buy, Qty: decimal.RequireFromString("0.0010"),
			Price: decimal.NewFromInt(int64(60000 + i)), Fee: decimal.RequireFromString("0.06"), FeeAsset: "USDT",
			Liquidity: trade.Taker, Time: t0.Add(time.Duration(i) * time.Second),
		})
	}
}

func (h *history) requests() []exchange.FillQuery {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.queries
	h.queries = nil
	return out
}

func openCache(t testing.TB) *Cache {
	t.Helper()
	c, err := Open(context.Background(), filepath.Join(t.TempDir(), FileName), WithClock(func() time.Time { return t0.Add(24 * time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func cached(t testing.TB, c *Cache, profile string, f exchange.FillFilter) []trade.Fill {
	t.Helper()
	fills, err := c.Fills(context.Background(), profile, f)
	if err != nil {
		t.Fatal(err)
	}
	return fills
}

func TestSyncIncremental(t *testing.T) {
	ctx := context.Background()
	h := &history{name: "venue", pageSize: 100}
	h.add(btc, 250)
	c := openCache(t)

	st, err := c.Sync(ctx, h, "main", nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pages() != 3 || st.New() != 250 {
		t.Errorf("first sync: %d pages, %d new; want 3, 250", st.Pages(), st.New())
	}
	h.requests()

	h.add(eth, 10)
	st, err = c.Sync(ctx, h, "main", nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pages() != 1 || st.New() != 10 {
		t.Errorf("second sync: %d pages, %d new; want 1, 10", st.Pages(), st.New())
	}
	// The second read starts at the newest fill held, inclusive.
	want := []exchange.FillQuery{{Since: h.fills[249].Time, AfterID: "250", Until: t0.Add(24*time.Hour + untilMargin)}}
	if diff := cmp.Diff(want, h.requests()); diff != "" {
		t.Errorf("second sync's requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(h.fills, cached(t, c, "main", exchange.FillFilter{}), decimalEqual); diff != "" {
		t.Errorf("cached fills (-want +got):\n%s", diff)
	}
	if got := cached(t, c, "other", exchange.FillFilter{}); len(got) != 0 {
		t.Errorf("another profile sees %d fills", len(got))
	}
}

// TestSyncResumes interrupts a read after two pages and checks that the
// next run continues from the stored cursor with the first run's query,
// then reads what is new.
func TestSyncResumes(t *testing.T) {
	ctx := context.Background()
	h := &history{name: "venue", pageSize: 10, failAt: 3}
	h.add(btc, 45)
	c := openCache(t)

	st, err := c.Sync(ctx, h, "main", nil)
	if err == nil || !errors.Is(err, exchange.ErrUnavailable) {
		t.Fatalf("Sync error = %v, want the venue's failure", err)
	}
	if st.Pages() != 2 || st.New() != 20 {
		t.Errorf("interrupted sync: %d pages, %d new; want 2, 20", st.Pages(), st.New())
	}
	if got := len(cached(t, c, "main", exchange.FillFilter{})); got != 20 {
		t.Errorf("after the failure the cache holds %d fills, want the 20 of the stored pages", got)
	}
	first := h.requests()
	h.failAt = 0

	h.add(btc, 5)
	st, err = c.Sync(ctx, h, "main", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Scopes[0].Resumed || st.New() != 30 {
		t.Errorf("resumed sync: resumed %v, %d new; want true, 30", st.Scopes[0].Resumed, st.New())
	}
	got := h.requests()
	// The resumed read repeats the failed request: same query, same cursor.
	if diff := cmp.Diff(first[2], got[0]); diff != "" {
		t.Errorf("the resumed request differs from the failed one (-failed +resumed):\n%s", diff)
	}
	// …follows it to its end (the 5 new fills fall inside its range),
	// then one new read from the newest fill confirms nothing came since.
	if len(got) != 4 || got[3].Cursor != "" || got[3].AfterID != "50" {
		t.Errorf("resumed sync's requests = %+v; want the three remaining pages, then a new read after fill 50", got)
	}
	if diff := cmp.Diff(h.fills, cached(t, c, "main", exchange.FillFilter{}), decimalEqual); diff != "" {
		t.Errorf("cached fills (-want +got):\n%s", diff)
	}
}

func TestSyncPerSymbol(t *testing.T) {
	ctx := context.Background()
	h := &history{name: "venue", scope: exchange.FillsPerSymbol, pageSize: 4}
	h.add(btc, 6)
	h.add(eth, 3)
	c := openCache(t)

	st, err := c.Sync(ctx, h, "main", []trade.Symbol{eth, btc, btc, sol})
	if err != nil {
		t.Fatal(err)
	}
	type scope struct {
		Scope      string
		Pages, New int
	}
	var got []scope
	for _, s := range st.Scopes {
		got = append(got, scope{s.Scope, s.Pages, s.New})
	}
	want := []scope{{"BTC-USDT", 2, 6}, {"ETH-USDT", 1, 3}, {"SOL-USDT", 1, 0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first sync per scope (-want +got):\n%s", diff)
	}
	syms, err := c.Symbols(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]trade.Symbol{btc, eth, sol}, syms); diff != "" {
		t.Errorf("Symbols (-want +got):\n%s", diff)
	}
	h.requests()

	st, err = c.Sync(ctx, h, "main", []trade.Symbol{btc})
	if err != nil {
		t.Fatal(err)
	}
	q := h.requests()
	if st.Pages() != 1 || len(q) != 1 || q[0].Symbol != btc || q[0].AfterID != "6" {
		t.Errorf("second sync of BTC: %d pages, requests %+v; want one request after fill 6", st.Pages(), q)
	}
	if got := cached(t, c, "main", exchange.FillFilter{Symbol: eth}); len(got) != 3 {
		t.Errorf("ETH fills cached = %d, want 3", len(got))
	}
}

func TestFillsFilter(t *testing.T) {
	h := &history{name: "venue", pageSize: 1000}
	h.add(btc, 5)
	h.add(eth, 5)
	c := openCache(t)
	if _, err := c.Sync(context.Background(), h, "main", nil); err != nil {
		t.Fatal(err)
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
		f    exchange.FillFilter
		want []string
	}{
		{"all, oldest first", exchange.FillFilter{}, []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}},
		{"symbol", exchange.FillFilter{Symbol: eth}, []string{"6", "7", "8", "9", "10"}},
		{"since inclusive, until exclusive", exchange.FillFilter{Since: t0.Add(2 * time.Second), Until: t0.Add(4 * time.Second)}, []string{"3", "4"}},
		{"limit keeps the newest", exchange.FillFilter{Symbol: btc, Limit: 2}, []string{"4", "5"}},
		{"nothing in range", exchange.FillFilter{Since: t0.Add(time.Hour)}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ids(cached(t, c, "main", tt.f))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSyncForgetsAnotherVenue: a profile pointed at another venue starts
// from scratch; fill ids of the old venue mean nothing to the new one.
func TestSyncForgetsAnotherVenue(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	old := &history{name: "old", pageSize: 10}
	old.add(btc, 3)
	if _, err := c.Sync(ctx, old, "main", nil); err != nil {
		t.Fatal(err)
	}
	now := &history{name: "new", pageSize: 10}
	now.add(eth, 2)
	st, err := c.Sync(ctx, now, "main", nil)
	if err != nil {
		t.Fatal(err)
	}
	if q := now.requests(); len(q) != 1 || q[0].AfterID != "" || !q[0].Since.IsZero() {
		t.Errorf("the new venue was asked %+v; want a read from the start", q)
	}
	if diff := cmp.Diff(now.fills, cached(t, c, "main", exchange.FillFilter{}), decimalEqual); diff != "" || st.New() != 2 {
		t.Errorf("cached fills after the switch (%d new) (-want +got):\n%s", st.New(), diff)
	}
}

// TestSyncRefusesAStuckCursor: a venue that hands back the cursor it was
// given would loop forever.
func TestSyncRefusesAStuckCursor(t *testing.T) {
	c := openCache(t)
	_, err := c.Sync(context.Background(), stuck{}, "main", nil)
	if err == nil {
		t.Fatal("Sync followed a cursor that never advances without an error")
	}
}

type stuck struct{}

func (stuck) FillScope() exchange.FillScope { return exchange.FillsPerAccount }
func (stuck) FillHistory(_ context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	if q.Cursor == "" {
		return exchange.FillPage{Next: "1"}, nil
	}
	return exchange.FillPage{Next: q.Cursor}, nil
}

func TestOpenRefusesAnotherFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := writeFile(path, "not a database, but somebody's notes\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), path); err == nil {
		t.Fatal("Open accepted a file that is not SQLite")
	}
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o600) }

// TestSyncNeverStoresHalfAPage: a page that cannot be stored whole (here a
// fill without an id in its middle) is stored not at all, and its cursor
// is not advanced past it.
func TestSyncNeverStoresHalfAPage(t *testing.T) {
	ctx := context.Background()
	h := &history{name: "venue", pageSize: 4}
	h.add(btc, 6)
	h.fills[5].ID = ""
	c := openCache(t)
	st, err := c.Sync(ctx, h, "main", nil)
	if err == nil {
		t.Fatal("Sync stored a fill without an id")
	}
	if st.Pages() != 2 || st.New() != 4 {
		t.Errorf("sync: %d pages, %d new; want 2 read, only the first page's 4 stored", st.Pages(), st.New())
	}
	if got := len(cached(t, c, "main", exchange.FillFilter{})); got != 4 {
		t.Errorf("the cache holds %d fills, want the first page's 4", got)
	}
	h.requests()
	h.fills[5].ID = "6"
	if _, err := c.Sync(ctx, h, "main", nil); err != nil {
		t.Fatal(err)
	}
	// The next run asks for the second page again, with its cursor.
	if q := h.requests(); len(q) == 0 || q[0].Cursor != "4" {
		t.Errorf("the next run's requests = %+v; want the second page (cursor 4) first", q)
	}
	if got := len(cached(t, c, "main", exchange.FillFilter{})); got != 6 {
		t.Errorf("after the retry the cache holds %d fills, want 6", got)
	}
}

// slow is a per-symbol venue whose requests take a while; it records how
// many were in flight at once.
type slow struct {
	mu             sync.Mutex
	inFlight, peak int
}

func (s *slow) FillScope() exchange.FillScope { return exchange.FillsPerSymbol }
func (s *slow) FillHistory(context.Context, exchange.FillQuery) (exchange.FillPage, error) {
	s.mu.Lock()
	s.inFlight++
	s.peak = max(s.peak, s.inFlight)
	s.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	s.mu.Lock()
	s.inFlight--
	s.mu.Unlock()
	return exchange.FillPage{}, nil
}

// TestSyncBoundsSymbolConcurrency: many symbols are read side by side,
// never more than symbolConcurrency at once.
func TestSyncBoundsSymbolConcurrency(t *testing.T) {
	var syms []trade.Symbol
	for _, base := range []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"} {
		syms = append(syms, trade.Symbol{Base: base, Quote: "USDT"})
	}
	v := &slow{}
	st, err := openCache(t).Sync(context.Background(), v, "main", syms)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Scopes) != 10 || st.Pages() != 10 {
		t.Errorf("read %d scopes in %d requests, want 10 and 10", len(st.Scopes), st.Pages())
	}
	// At least two at once (they do run side by side), never more than
	// the bound; exactly the bound would depend on the scheduler.
	if v.peak < 2 || v.peak > symbolConcurrency {
		t.Errorf("%d requests in flight at most, want 2 to %d", v.peak, symbolConcurrency)
	}
}

// TestSyncReportsProgress: every page stored is reported once with its
// new fills, from every scope, so the totals match the stats.
func TestSyncReportsProgress(t *testing.T) {
	ctx := context.Background()
	h := &history{name: "venue", scope: exchange.FillsPerSymbol, pageSize: 4}
	h.add(btc, 6)
	h.add(eth, 3)
	var mu sync.Mutex
	var pages, fills []int
	c, err := Open(ctx, filepath.Join(t.TempDir(), FileName), WithClock(func() time.Time { return t0.Add(24 * time.Hour) }),
		WithProgress(func(p, n int) {
			mu.Lock()
			defer mu.Unlock()
			pages, fills = append(pages, p), append(fills, n)
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Sync(ctx, h, "main", []trade.Symbol{btc, eth, sol}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(fills)
	if diff := cmp.Diff([]int{1, 1, 1, 1}, pages); diff != "" {
		t.Errorf("pages reported (-want +got):\n%s", diff)
	}
	// BTC: a page of 4 and one of 2; ETH: one of 3; SOL: one empty page.
	if diff := cmp.Diff([]int{0, 2, 3, 4}, fills); diff != "" {
		t.Errorf("new fills reported per page (-want +got):\n%s", diff)
	}
}
