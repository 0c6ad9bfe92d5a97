package alpaca

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

var seedStart = time.Date(2025, 3, 3, 14, 30, 0, 0, time.UTC)

// unlimited lifts the rate limits on both sides: the limiter's own tests
// cover them, and reads of thousands of fills would wait on them.
func unlimited(e *Exchange) { e.tradeLimiter = newLimiter(e.Now, 1000000) }

func historyFixture(t *testing.T, opts ...fakealpaca.Option) (*venuetest.Fixture[*fakealpaca.Server, *Exchange], *Exchange) {
	f := adapter.Fixture(t, append([]fakealpaca.Option{fakealpaca.WithRateLimit(1000000)}, opts...)...)
	return f, f.Open(t, nil, unlimited)
}

// wantFill is how a FILL activity the fake reports must read.
func wantFill(f fakealpaca.Fill) trade.Fill {
	side := trade.Buy
	if f.Side != "buy" {
		side = trade.Sell
	}
	sym := trade.MustSymbol(strings.Replace(strings.Replace(f.Symbol, "/", "-", 1), "BTCUSD", "BTC-USD", 1))
	feeAsset := "USD"
	return trade.Fill{ID: f.ID, OrderID: f.OrderID, Symbol: sym, Side: side, Qty: f.Qty, Price: f.Price,
		Fee: decimal.Zero, FeeAsset: feeAsset, Time: f.Time}
}

func wantFills(fs []fakealpaca.Fill, keep func(fakealpaca.Fill) bool) []trade.Fill {
	var out []trade.Fill
	for _, f := range fs {
		if keep == nil || keep(f) {
			out = append(out, wantFill(f))
		}
	}
	return out
}

func TestFillHistoryQueries(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	until := since.Add(time.Hour)
	tests := []struct {
		q    exchange.FillQuery
		want string
	}{
		{exchange.FillQuery{}, "direction=asc&page_size=100"},
		{exchange.FillQuery{Limit: 2}, "direction=asc&page_size=2"},
		{exchange.FillQuery{Limit: 500}, "direction=asc&page_size=100"},
		// No symbol filter exists for activities: the symbol is applied
		// to what comes back.
		{exchange.FillQuery{Symbol: aapl, Cursor: "20260102030405000::a8d2"}, "direction=asc&page_size=100&page_token=20260102030405000%3A%3Aa8d2"},
		// Whole seconds, the form the reference gives: after is strict,
		// so it goes a second before Since; until is "before", as Until
		// is exclusive, rounded up when Until has a fraction.
		{exchange.FillQuery{Since: since, Until: until, Limit: 100},
			"after=2026-01-02T03%3A04%3A04Z&direction=asc&page_size=100&until=2026-01-02T04%3A04%3A05Z"},
		{exchange.FillQuery{Since: since.Add(300 * time.Millisecond), Until: until.Add(time.Millisecond)},
			"after=2026-01-02T03%3A04%3A04Z&direction=asc&page_size=100&until=2026-01-02T04%3A04%3A06Z"},
	}
	for _, tt := range tests {
		if _, err := e.FillHistory(ctx, tt.q); err != nil {
			t.Errorf("FillHistory(%+v): %v", tt.q, err)
			continue
		}
		r := f.Srv.LastRequest()
		if r.Route() != "GET "+pathFillActivities || !r.Authorized {
			t.Errorf("FillHistory(%+v) sent %s (authorized %v), want GET %s with the keys", tt.q, r.Route(), r.Authorized, pathFillActivities)
		}
		if r.Query != tt.want {
			t.Errorf("FillHistory(%+v) query %q, want %q", tt.q, r.Query, tt.want)
		}
	}
	if e.FillScope() != exchange.FillsPerAccount {
		t.Errorf("FillScope = %v, want FillsPerAccount", e.FillScope())
	}
}

// readAll pages q to the end and returns the pages' fills in order and
// the number of pages.
func readAll(t *testing.T, e *Exchange, q exchange.FillQuery) ([]trade.Fill, int) {
	t.Helper()
	ctx := ctxT(t)
	var all []trade.Fill
	pages := 0
	for {
		p, err := e.FillHistory(ctx, q)
		if err != nil {
			t.Fatalf("FillHistory page %d: %v", pages+1, err)
		}
		pages++
		if q.Limit > 0 && len(p.Fills) > q.Limit {
			t.Fatalf("page %d holds %d fills, over Limit %d", pages, len(p.Fills), q.Limit)
		}
		all = append(all, p.Fills...)
		if p.Next == "" {
			return all, pages
		}
		if pages > 10000 {
			t.Fatal("the read never ends")
		}
		q.Cursor = p.Next
	}
}

func TestFillHistoryPagesThousandsOfFills(t *testing.T) {
	f, e := historyFixture(t)
	want := wantFills(f.Srv.SeedFills(2500, seedStart, time.Minute), nil)
	for _, tt := range []struct {
		name      string
		limit     int
		wantPages int
	}{
		// 25 full pages of 100, and the empty one that says the 25th
		// was the last.
		{"venue page", 0, 26},
		{"pages of 7", 7, 358},
		{"page boundary on the last fill", 50, 51},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, pages := readAll(t, e, exchange.FillQuery{Limit: tt.limit})
			if pages != tt.wantPages {
				t.Errorf("pages = %d, want %d", pages, tt.wantPages)
			}
			// Oldest first, every fill once, with the venue's values.
			if diff := cmp.Diff(want, got, venuetest.DecEqual); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFillHistoryTimeBoundsAndSymbol(t *testing.T) {
	f, e := historyFixture(t)
	seeded := f.Srv.SeedFills(900, seedStart, time.Minute)
	since, until := seedStart.Add(100*time.Minute), seedStart.Add(700*time.Minute)
	// Since is inclusive and Until exclusive: fills 100 to 699.
	want := wantFills(seeded[100:700], func(f fakealpaca.Fill) bool { return f.Symbol == "MSFT" })
	got, _ := readAll(t, e, exchange.FillQuery{Symbol: msft, Since: since, Until: until, Limit: 40})
	if diff := cmp.Diff(want, got, venuetest.DecEqual); diff != "" {
		t.Errorf("MSFT fills in [since, until) (-want +got):\n%s", diff)
	}
}

// Crypto written without its slash (BTCUSD) reads as the pair the asset
// list names; a ticker stays a ticker.
func TestFillHistoryCompactCryptoSymbols(t *testing.T) {
	f, e := historyFixture(t, fakealpaca.WithCompactFillSymbols())
	want := wantFills(f.Srv.SeedFills(9, seedStart, time.Minute), nil)
	got, _ := readAll(t, e, exchange.FillQuery{})
	if diff := cmp.Diff(want, got, venuetest.DecEqual); diff != "" {
		t.Errorf("history with compact crypto symbols (-want +got):\n%s", diff)
	}
	if got[2].Symbol != btcusd {
		t.Errorf("third seeded fill reads as %s, want BTC-USD", got[2].Symbol)
	}
}

func TestFillsOfMatchedOrders(t *testing.T) {
	f, e := historyFixture(t)
	ctx := ctxT(t)
	f.Srv.SeedFills(30, seedStart, time.Minute)
	stock := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("2")})
	coin := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01"), TimeInForce: trade.GTC})
	// Placement is asynchronous: the orders fill before the next request
	// the venue serves, this read.
	fills, err := e.Fills(ctx, exchange.FillFilter{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	ignore := cmpopts.IgnoreFields(trade.Fill{}, "ID", "Time")
	want := []trade.Fill{
		{OrderID: coin.ID, Symbol: btcusd, Side: trade.Buy, Qty: trade.Dec("0.01"), Price: trade.Dec("60010"), Fee: decimal.Zero, FeeAsset: "USD"},
		{OrderID: stock.ID, Symbol: aapl, Side: trade.Buy, Qty: trade.Dec("2"), Price: trade.Dec("190.02"), Fee: decimal.Zero, FeeAsset: "USD"},
	}
	// Both filled within the same request; order them by order for the
	// comparison.
	slices.SortFunc(fills, func(a, b trade.Fill) int { return strings.Compare(a.Symbol.String(), b.Symbol.String()) })
	slices.SortFunc(want, func(a, b trade.Fill) int { return strings.Compare(a.Symbol.String(), b.Symbol.String()) })
	if diff := cmp.Diff(want, fills, venuetest.DecEqual, ignore); diff != "" {
		t.Errorf("fills of the two market buys (-want +got):\n%s", diff)
	}
}

func TestFillsListsNewestFirst(t *testing.T) {
	f, e := historyFixture(t)
	ctx := ctxT(t)
	seeded := f.Srv.SeedFills(1200, seedStart, time.Minute)
	newest := func(n int, keep func(fakealpaca.Fill) bool) []trade.Fill {
		var out []trade.Fill
		for i := len(seeded) - 1; i >= 0 && len(out) < n; i-- {
			if keep == nil || keep(seeded[i]) {
				out = append(out, wantFill(seeded[i]))
			}
		}
		return out
	}
	got, err := e.Fills(ctx, exchange.FillFilter{Limit: 250})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(newest(250, nil), got, venuetest.DecEqual); diff != "" {
		t.Errorf("Fills(limit 250) (-want +got):\n%s", diff)
	}
	got, err = e.Fills(ctx, exchange.FillFilter{Symbol: msft, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(newest(5, func(f fakealpaca.Fill) bool { return f.Symbol == "MSFT" }), got, venuetest.DecEqual); diff != "" {
		t.Errorf("Fills(MSFT, limit 5) (-want +got):\n%s", diff)
	}
	// Without a limit, Fills is bounded: fillsListPages pages of 100.
	before := f.Srv.Count("GET", pathFillActivities)
	got, err = e.Fills(ctx, exchange.FillFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.Srv.Count("GET", pathFillActivities) - before; n != fillsListPages || len(got) != fillsListPages*activitiesPageMax {
		t.Errorf("Fills() = %d fills in %d requests, want %d in %d", len(got), n, fillsListPages*activitiesPageMax, fillsListPages)
	}
	if diff := cmp.Diff(newest(len(got), nil), got, venuetest.DecEqual); diff != "" {
		t.Errorf("Fills() (-want +got):\n%s", diff)
	}
}

func TestFillHistoryUnreadableAnswers(t *testing.T) {
	valid := `{"id":"20260102030405000::a","activity_type":"FILL","transaction_time":"2026-01-02T03:04:05.123Z","type":"fill","price":"190.5","qty":"2","side":"buy","symbol":"AAPL","leaves_qty":"0","order_id":"o1","cum_qty":"2"}`
	for _, body := range []string{
		`not json`,
		`{"activities":[]}`,
		`[` + strings.Replace(valid, `"price":"190.5"`, `"price":"1e"`, 1) + `]`,
		`[` + strings.Replace(valid, `"side":"buy"`, `"side":"long"`, 1) + `]`,
		`[` + strings.Replace(valid, `"type":"fill"`, `"type":"trade_bust"`, 1) + `]`,
		`[` + strings.Replace(valid, `"activity_type":"FILL"`, `"activity_type":"DIV"`, 1) + `]`,
		`[` + strings.Replace(valid, `"transaction_time":"2026-01-02T03:04:05.123Z"`, `"transaction_time":"today"`, 1) + `]`,
		`[` + strings.Replace(valid, `"qty":"2"`, `"qty":"-2"`, 1) + `]`,
		`[` + strings.Replace(valid, `"id":"20260102030405000::a"`, `"id":""`, 1) + `]`,
		`[` + strings.Replace(valid, `"symbol":"AAPL"`, `"symbol":"BTC-USD"`, 1) + `]`,
	} {
		f, e, ctx := adapter.Start(t)
		f.Srv.FailNext(200, body, nil)
		_, err := e.FillHistory(ctx, exchange.FillQuery{})
		var xe *exchange.Error
		if !errors.As(err, &xe) || xe.Kind != exchange.ErrUnavailable {
			t.Errorf("answer %s: err = %v, want a typed ErrUnavailable", body, err)
		}
	}
}

func TestMapActivity(t *testing.T) {
	at := time.Date(2026, 1, 2, 15, 4, 5, 123000000, time.UTC)
	base := activityWire{ID: "20260102150405123::u1", ActivityType: "FILL", TransactionTime: "2026-01-02T10:04:05.123-05:00",
		Type: "partial_fill", Price: "190.5", Qty: "2", Side: "buy", Symbol: "AAPL", LeavesQty: "1", OrderID: "o1", CumQty: "2"}
	want := trade.Fill{ID: "20260102150405123::u1", OrderID: "o1", Symbol: aapl, Side: trade.Buy, Qty: trade.Dec("2"),
		Price: trade.Dec("190.5"), Fee: decimal.Zero, FeeAsset: "USD", Time: at}
	resolve := func(s string) (trade.Symbol, bool) {
		if s == "ETHUSD" {
			return ethusd, true
		}
		return trade.Symbol{}, false
	}
	tests := []struct {
		name   string
		change func(*activityWire)
		want   func(*trade.Fill)
	}{
		{"partial stock buy", func(*activityWire) {}, func(*trade.Fill) {}},
		{"short sale", func(w *activityWire) { w.Side, w.Type = "sell_short", "fill" }, func(f *trade.Fill) { f.Side = trade.Sell }},
		{"pair with slash", func(w *activityWire) { w.Symbol = "BTC/USD" }, func(f *trade.Fill) { f.Symbol = btcusd }},
		{"compact pair", func(w *activityWire) { w.Symbol = "ETHUSD" }, func(f *trade.Fill) { f.Symbol = ethusd }},
		{"ticker ending like a quote", func(w *activityWire) { w.Symbol = "XUSD" }, func(f *trade.Fill) { f.Symbol = trade.MustSymbol("XUSD") }},
		{"no activity_type", func(w *activityWire) { w.ActivityType = "" }, func(*trade.Fill) {}},
	}
	for _, tt := range tests {
		w, wf := base, want
		tt.change(&w)
		tt.want(&wf)
		got, err := mapActivity(w, resolve)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(wf, got, venuetest.DecEqual); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// FuzzMapActivity: whatever the activities endpoint hands over,
// mapActivity never panics, and a fill it accepts is a real execution.
func FuzzMapActivity(f *testing.F) {
	for _, s := range []string{
		`{"id":"20260102030405000::a","activity_type":"FILL","transaction_time":"2026-01-02T03:04:05.123Z","type":"fill","price":"190.5","qty":"2","side":"buy","symbol":"AAPL","order_id":"o1"}`,
		`{"id":"x","type":"partial_fill","price":"60000","qty":"0.001","side":"sell_short","symbol":"BTCUSD","transaction_time":"2026-01-02T03:04:05Z"}`,
		`{"id":"x","type":"fill","price":"-1","qty":"1e99999","side":"sell","symbol":"BTC/USD/X"}`,
		`{"activity_type":"CFEE","symbol":"","price":"","qty":""}`,
	} {
		f.Add(s)
	}
	resolve := func(s string) (trade.Symbol, bool) {
		sym, err := trade.ParseSymbol(strings.TrimSuffix(s, "USD") + "-USD")
		return sym, err == nil && strings.HasSuffix(s, "USD") && len(s) > 3
	}
	f.Fuzz(func(t *testing.T, s string) {
		var w activityWire
		if json.Unmarshal([]byte(s), &w) != nil {
			return
		}
		fill, err := mapActivity(w, resolve)
		if err != nil {
			return
		}
		if fill.ID == "" || fill.Symbol.IsZero() || !fill.Qty.IsPositive() || !fill.Price.IsPositive() || !fill.Fee.IsZero() ||
			fill.Time.IsZero() || fill.FeeAsset == "" || (fill.Side != trade.Buy && fill.Side != trade.Sell) {
			t.Errorf("mapActivity(%s) accepted %+v", s, fill)
		}
	})
}

// A full read of 10,000 fills takes 101 requests (100 full pages and the
// empty one after); a later read from the newest fill held (Since) takes
// one, and brings the new fill.
func TestFillHistoryIncrementalAfterTenThousand(t *testing.T) {
	f, e := historyFixture(t, fakealpaca.WithSeededFills(10000, seedStart, time.Minute))
	held, pages := readAll(t, e, exchange.FillQuery{})
	if len(held) != 10000 || pages != 101 || f.Srv.Count("GET", pathFillActivities) != 101 {
		t.Fatalf("full read: %d fills in %d pages (%d requests), want 10000 in 101", len(held), pages, f.Srv.Count("GET", pathFillActivities))
	}
	newestHeld := held[len(held)-1]
	o := venuetest.Place(t, ctxT(t), e, trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("1")})
	before := f.Srv.Count("GET", pathFillActivities)
	got, _ := readAll(t, e, exchange.FillQuery{Since: newestHeld.Time})
	if n := f.Srv.Count("GET", pathFillActivities) - before; n != 1 {
		t.Errorf("incremental read took %d requests, want 1", n)
	}
	var ids []string
	for _, g := range got {
		ids = append(ids, g.OrderID)
	}
	if diff := cmp.Diff([]string{newestHeld.OrderID, o.ID}, ids); diff != "" {
		t.Errorf("incremental read: orders of the fills (-want +got):\n%s", diff)
	}
}
