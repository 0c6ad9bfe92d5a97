package fillcache

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
)

// The paper exchange is a real FillHistorian with a file of its own; the
// tests below seed its history by writing rows straight into that file,
// which makes 10 000 fills cost milliseconds instead of 10 000 orders.

func openPaper(tb testing.TB) *paper.Exchange {
	tb.Helper()
	now := func() time.Time { return t0.Add(30 * 24 * time.Hour) }
	e, err := paper.New(context.Background(), exchange.Params{
		Profile: "paper", Exchange: paper.Name, Options: map[string]any{},
		DataDir: tb.TempDir(), CacheDir: tb.TempDir(), Now: now,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

// seedPaper appends n filled market buys, one fill each, a second apart
// from start.
func seedPaper(tb testing.TB, e *paper.Exchange, start time.Time, n int) {
	tb.Helper()
	db, err := sql.Open("sqlite", e.Path()+"?_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	for i := range n {
		at := start.Add(time.Duration(i) * time.Second).UnixMilli()
		res, err := tx.Exec(`INSERT INTO orders (client_id, symbol, side, type, time_in_force, post_only, status,
	qty, filled_qty, filled_value, fee, fee_asset, maker_fee, taker_fee, reserve_asset, reserved, triggered,
	reject_reason, created_at, updated_at, checked_at)
VALUES (?, 'BTC/USD', 'buy', 'market', 'ioc', 0, 'filled', '0.001', '0.001', '60', '0.06', 'USD', '0.001', '0.001', 'USD', '0', 0, '', ?, ?, ?)`,
			fmt.Sprintf("seed-%d-%d", start.UnixMilli(), i), at, at, at)
		if err != nil {
			tb.Fatal(err)
		}
		orderID, _ := res.LastInsertId()
		if _, err := tx.Exec(`INSERT INTO fills (order_id, symbol, side, qty, price, fee, fee_asset, liquidity, time)
VALUES (?, 'BTC/USD', 'buy', '0.001', '60000', '0.06', 'USD', 'taker', ?)`, orderID, at); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// TestSecondRunIsIncremental is the claim the benchmark below measures: on
// 10 000 cached fills, a sync after 10 new fills costs exactly one request
// (paper pages by 1000 and says when a page is the last), and the cache
// then holds exactly what the venue holds.
func TestSecondRunIsIncremental(t *testing.T) {
	ctx := context.Background()
	e := openPaper(t)
	seedPaper(t, e, t0, 10000)
	c := openCache(t)

	first, err := c.Sync(ctx, e, "paper", nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Pages() != 10 || first.New() != 10000 {
		t.Errorf("first sync: %d requests, %d new fills; want 10, 10000", first.Pages(), first.New())
	}
	seedPaper(t, e, t0.Add(20000*time.Second), 10)
	second, err := c.Sync(ctx, e, "paper", nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.Pages() != 1 || second.New() != 10 {
		t.Errorf("second sync: %d requests, %d new fills; want 1, 10", second.Pages(), second.New())
	}
	venue, err := e.Fills(ctx, exchange.FillFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := cached(t, c, "paper", exchange.FillFilter{})
	if len(got) != len(venue) || len(got) != 10010 {
		t.Fatalf("cache holds %d fills, the venue %d; want 10010 each", len(got), len(venue))
	}
	// The venue lists newest first without client ids; compare the rest.
	for i, f := range got {
		v := venue[len(venue)-1-i]
		v.ClientID = f.ClientID
		if diff := cmp.Diff(v, f, decimalEqual); diff != "" {
			t.Fatalf("fill %d (-venue +cache):\n%s", i, diff)
		}
	}
}

// BenchmarkFillsSecondRun times the second `fills` run's sync on a cache of
// 10 000 fills with 10 new ones at the venue, and reports the requests
// each run made.
func BenchmarkFillsSecondRun(b *testing.B) {
	ctx := context.Background()
	e := openPaper(b)
	seedPaper(b, e, t0, 10000)
	dir := b.TempDir()
	path := filepath.Join(dir, FileName)
	c, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	first, err := c.Sync(ctx, e, "paper", nil)
	if err != nil {
		b.Fatal(err)
	}
	next := t0.Add(20000 * time.Second)
	requests, fills := 0, 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		seedPaper(b, e, next, 10)
		next = next.Add(10 * time.Second)
		b.StartTimer()
		st, err := c.Sync(ctx, e, "paper", nil)
		if err != nil {
			b.Fatal(err)
		}
		got, err := c.Fills(ctx, "paper", exchange.FillFilter{})
		if err != nil {
			b.Fatal(err)
		}
		requests += st.Pages()
		fills = len(got)
	}
	// After the timed loop: ResetTimer drops metrics reported before it.
	b.ReportMetric(float64(first.Pages()), "first-run-requests")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
	b.ReportMetric(float64(fills), "cached-fills")
}
