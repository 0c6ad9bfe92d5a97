package coinbase

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

const pathFillsFull = fakecoinbase.Prefix + pathFills

var seedStart = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// wantFill is how a fill the fake reports must read in the domain.
func wantFill(f fakecoinbase.Fill) trade.Fill {
	side := trade.Buy
	if f.Side == "SELL" {
		side = trade.Sell
	}
	liq := map[string]trade.Liquidity{"MAKER": trade.Maker, "TAKER": trade.Taker}[f.Liquidity]
	sym := trade.MustSymbol(f.ProductID)
	qty := f.Size
	if f.SizeInQuote {
		qty = f.Size.Div(f.Price)
	}
	return trade.Fill{ID: f.EntryID, OrderID: f.OrderID, Symbol: sym, Side: side, Qty: qty, Price: f.Price,
		Fee: f.Commission, FeeAsset: sym.Quote, Liquidity: liq, Time: f.Time}
}

func TestFillHistoryQueries(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	until := since.Add(time.Hour)
	tests := []struct {
		q    exchange.FillQuery
		want string
	}{
		{exchange.FillQuery{}, "limit=1000"},
		{exchange.FillQuery{Limit: 2}, "limit=2"},
		{exchange.FillQuery{Limit: 5000}, "limit=1000"},
		{exchange.FillQuery{Symbol: btcusd, Cursor: "250"}, "cursor=250&limit=1000&product_ids=BTC-USD"},
		// start is widened by a millisecond, as Coinbase reads it as
		// "after"; end is "before", as Until is exclusive.
		{exchange.FillQuery{Since: since, Until: until, Limit: 100},
			"end_sequence_timestamp=2026-01-02T04%3A04%3A05Z&limit=100&start_sequence_timestamp=2026-01-02T03%3A04%3A04.999Z"},
	}
	for _, tt := range tests {
		if _, err := e.FillHistory(ctx, tt.q); err != nil {
			t.Errorf("FillHistory(%+v): %v", tt.q, err)
			continue
		}
		r := f.Srv.LastRequest()
		if r.Route() != "GET "+pathFillsFull || !r.Authenticated {
			t.Errorf("FillHistory(%+v) sent %s (authenticated %v), want a signed GET %s", tt.q, r.Route(), r.Authenticated, pathFillsFull)
		}
		if r.Query != tt.want {
			t.Errorf("FillHistory(%+v) query %q, want %q", tt.q, r.Query, tt.want)
		}
	}
	if e.FillScope() != exchange.FillsPerAccount {
		t.Errorf("FillScope = %v, want FillsPerAccount", e.FillScope())
	}
	if _, err := e.FillHistory(ctx, exchange.FillQuery{Symbol: trade.MustSymbol("AAPL")}); !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("FillHistory(AAPL) = %v, want ErrNotFound before any request", err)
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

func oldestFirst(fs []trade.Fill) []trade.Fill {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b trade.Fill) int { return a.Time.Compare(b.Time) })
	return out
}

func TestFillHistoryPagesThousandsOfFills(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	seeded := f.Srv.SeedFills(2500, seedStart, time.Minute)
	want := make([]trade.Fill, len(seeded))
	for i, s := range seeded {
		want[i] = wantFill(s)
	}
	for _, tt := range []struct {
		name      string
		limit     int
		wantPages int
	}{
		// Limit 0 asks for 1000; the fake's default cap answers 250.
		{"venue page", 0, 10},
		{"pages of 7", 7, 358},
		{"page boundary on the last fill", 125, 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, pages := readAll(t, e, exchange.FillQuery{Limit: tt.limit})
			if pages != tt.wantPages {
				t.Errorf("pages = %d, want %d", pages, tt.wantPages)
			}
			ids := map[string]bool{}
			for _, g := range got {
				if ids[g.ID] {
					t.Errorf("fill %s read twice", g.ID)
				}
				ids[g.ID] = true
			}
			// The venue answers newest first: the read, reversed, is the
			// history in order, every fill once with the venue's values.
			slices.Reverse(got)
			if diff := cmp.Diff(want, got, venuetest.DecEqual); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFillHistoryTimeBoundsAndSymbol(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	seeded := f.Srv.SeedFills(900, seedStart, time.Minute)
	since, until := seedStart.Add(100*time.Minute), seedStart.Add(700*time.Minute)
	var want []trade.Fill
	for i, s := range seeded {
		// Since is inclusive and Until exclusive: fills 100 to 699.
		if i >= 100 && i < 700 && s.ProductID == "ETH-USD" {
			want = append(want, wantFill(s))
		}
	}
	got, _ := readAll(t, e, exchange.FillQuery{Symbol: trade.MustSymbol("ETH-USD"), Since: since, Until: until, Limit: 50})
	if diff := cmp.Diff(want, oldestFirst(got), venuetest.DecEqual); diff != "" {
		t.Errorf("ETH-USD fills in [since, until) (-want +got):\n%s", diff)
	}
}

// A fill that arrives while a read is under way shifts the venue's offset
// cursor; the next page repeats an entry rather than skip one.
func TestFillHistoryNewFillDuringARead(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	ctx := ctxT(t)
	f.Srv.SeedFills(10, seedStart, time.Minute)
	first, err := e.FillHistory(ctx, exchange.FillQuery{Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01")}); err != nil {
		t.Fatal(err)
	}
	rest, _ := readAll(t, e, exchange.FillQuery{Limit: 4, Cursor: first.Next})
	ids := map[string]bool{}
	for _, fl := range append(first.Fills, rest...) {
		ids[fl.ID] = true
	}
	for _, s := range f.Srv.Fills()[:10] {
		if !ids[s.EntryID] {
			t.Errorf("seeded fill %s lost across the pages", s.EntryID)
		}
	}
}

func TestFillsOfMatchedOrders(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	ctx := ctxT(t)
	f.Srv.SeedFills(30, seedStart, time.Minute)
	market, err := e.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01")})
	if err != nil {
		t.Fatal(err)
	}
	quoteSized, err := e.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("600.0001")})
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.FillHistory(ctx, exchange.FillQuery{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	byOrder := map[string]trade.Fill{}
	for _, fl := range page.Fills {
		byOrder[fl.OrderID] = fl
	}
	ignore := cmpopts.IgnoreFields(trade.Fill{}, "ID", "Time")
	// The market buy filled at the ask, 60000.01, as a taker: 0.6% fee.
	want := trade.Fill{OrderID: market.ID, Symbol: btcusd, Side: trade.Buy, Qty: trade.Dec("0.01"), Price: trade.Dec("60000.01"),
		Fee: trade.Dec("3.60000060"), FeeAsset: "USD", Liquidity: trade.Taker}
	if diff := cmp.Diff(want, byOrder[market.ID], venuetest.DecEqual, ignore); diff != "" {
		t.Errorf("fill of the market buy (-want +got):\n%s", diff)
	}
	// Sized in USD: the fill's size is the quote amount, 600.0001, read
	// back as the base quantity it bought.
	want.OrderID, want.Fee = quoteSized.ID, trade.Dec("3.6000006")
	if diff := cmp.Diff(want, byOrder[quoteSized.ID], venuetest.DecEqual, ignore); diff != "" {
		t.Errorf("fill of the quote-sized buy (-want +got):\n%s", diff)
	}
}

func TestFillsListsNewestFirst(t *testing.T) {
	f := adapter.Fixture(t, fakecoinbase.WithPageMax(40))
	e := f.Open(t, nil, fastBuckets)
	ctx := ctxT(t)
	seeded := f.Srv.SeedFills(300, seedStart, time.Minute)
	newest := func(n int, keep func(fakecoinbase.Fill) bool) []trade.Fill {
		var out []trade.Fill
		for i := len(seeded) - 1; i >= 0 && len(out) < n; i-- {
			if keep(seeded[i]) {
				out = append(out, wantFill(seeded[i]))
			}
		}
		return out
	}
	all := func(fakecoinbase.Fill) bool { return true }
	got, err := e.Fills(ctx, exchange.FillFilter{Limit: 90})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(newest(90, all), got, venuetest.DecEqual); diff != "" {
		t.Errorf("Fills(limit 90) over pages of 40 (-want +got):\n%s", diff)
	}
	sol := trade.MustSymbol("SOL-USD")
	got, err = e.Fills(ctx, exchange.FillFilter{Symbol: sol, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(newest(5, func(f fakecoinbase.Fill) bool { return f.ProductID == "SOL-USD" }), got, venuetest.DecEqual); diff != "" {
		t.Errorf("Fills(SOL-USD, limit 5) (-want +got):\n%s", diff)
	}
	// Without a limit, Fills is bounded: fillsListPages pages.
	before := f.Srv.Count("GET", pathFillsFull)
	got, err = e.Fills(ctx, exchange.FillFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.Srv.Count("GET", pathFillsFull) - before; n != fillsListPages || len(got) != fillsListPages*40 {
		t.Errorf("Fills() = %d fills in %d requests, want %d in %d", len(got), n, fillsListPages*40, fillsListPages)
	}
}

func TestFillHistoryUnreadableAnswers(t *testing.T) {
	valid := `{"entry_id":"e1","trade_id":"t1","order_id":"o1","trade_time":"2026-01-02T03:04:05.123456Z","trade_type":"FILL","price":"100","size":"2","commission":"0.1","product_id":"BTC-USD","liquidity_indicator":"MAKER","side":"BUY"}`
	for _, body := range []string{
		`not json`,
		`{"fills":{}}`,
		`{"fills":[` + strings.Replace(valid, `"price":"100"`, `"price":"1e"`, 1) + `]}`,
		`{"fills":[` + strings.Replace(valid, `"side":"BUY"`, `"side":"LONG"`, 1) + `]}`,
		`{"fills":[` + strings.Replace(valid, `"trade_time":"2026-01-02T03:04:05.123456Z"`, `"trade_time":"yesterday"`, 1) + `]}`,
		`{"fills":[` + strings.Replace(valid, `"product_id":"BTC-USD"`, `"product_id":"BTCUSD"`, 1) + `]}`,
		`{"fills":[` + strings.Replace(valid, `"liquidity_indicator":"MAKER"`, `"liquidity_indicator":"BOTH"`, 1) + `]}`,
		`{"fills":[` + strings.Replace(valid, `"size":"2"`, `"size":"0"`, 1) + `]}`,
		`{"fills":[` + strings.NewReplacer(`"entry_id":"e1"`, `"entry_id":""`, `"trade_id":"t1"`, `"trade_id":""`).Replace(valid) + `]}`,
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

func TestMapFill(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	base := fillWire{EntryID: "e1", TradeID: "t1", OrderID: "o1", TradeTime: "2026-01-02T03:04:05.123456Z", TradeType: "FILL",
		Price: "2000", Size: "0.5", Commission: "1.25", ProductID: "ETH-USD", LiquidityIndicator: "TAKER", Side: "SELL"}
	want := trade.Fill{ID: "e1", OrderID: "o1", Symbol: trade.MustSymbol("ETH-USD"), Side: trade.Sell, Qty: trade.Dec("0.5"),
		Price: trade.Dec("2000"), Fee: trade.Dec("1.25"), FeeAsset: "USD", Liquidity: trade.Taker, Time: at}
	tests := []struct {
		name   string
		change func(*fillWire)
		want   func(*trade.Fill)
	}{
		{"taker sell", func(*fillWire) {}, func(*trade.Fill) {}},
		{"maker", func(w *fillWire) { w.LiquidityIndicator = "MAKER" }, func(f *trade.Fill) { f.Liquidity = trade.Maker }},
		{"unknown liquidity", func(w *fillWire) { w.LiquidityIndicator = "UNKNOWN_LIQUIDITY_INDICATOR" }, func(f *trade.Fill) { f.Liquidity = "" }},
		{"no entry id", func(w *fillWire) { w.EntryID = "" }, func(f *trade.Fill) { f.ID = "t1" }},
		{"size in quote", func(w *fillWire) { w.SizeInQuote, w.Size = true, "1500" }, func(f *trade.Fill) { f.Qty = trade.Dec("0.75") }},
		{"no trade type", func(w *fillWire) { w.TradeType = "" }, func(*trade.Fill) {}},
	}
	for _, tt := range tests {
		w, wf := base, want
		tt.change(&w)
		tt.want(&wf)
		got, err := mapFill(w)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(wf, got, venuetest.DecEqual); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	for _, typ := range []string{"REVERSAL", "CORRECTION", "SYNTHETIC"} {
		w := base
		w.TradeType = typ
		if _, err := mapFill(w); !errors.Is(err, errNotAFill) {
			t.Errorf("trade_type %s: err = %v, want errNotAFill", typ, err)
		}
	}
}

// FuzzMapFill: whatever List Fills hands over, mapFill never panics, and
// a fill it accepts is a real execution.
func FuzzMapFill(f *testing.F) {
	for _, s := range []string{
		`{"entry_id":"e1","trade_id":"t1","order_id":"o1","trade_time":"2026-01-02T03:04:05.123456Z","trade_type":"FILL","price":"100","size":"2","commission":"0.1","product_id":"BTC-USD","liquidity_indicator":"MAKER","side":"BUY"}`,
		`{"trade_id":"t1","trade_time":"2026-01-02T03:04:05Z","price":"0.05","size":"1","size_in_quote":true,"product_id":"ETH-BTC","side":"SELL"}`,
		`{"entry_id":"e","trade_type":"REVERSAL","price":"-1","size":"1e9999","product_id":"A-B"}`,
		`{"price":"1","size":"1","commission":"-0.1","trade_time":"x","liquidity_indicator":"UNKNOWN_LIQUIDITY_INDICATOR"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var w fillWire
		if json.Unmarshal([]byte(s), &w) != nil {
			return
		}
		fill, err := mapFill(w)
		if err != nil {
			return
		}
		if fill.ID == "" || !fill.Symbol.IsPair() || !fill.Qty.IsPositive() || !fill.Price.IsPositive() || fill.Fee.IsNegative() ||
			fill.Time.IsZero() || fill.FeeAsset != fill.Symbol.Quote || (fill.Side != trade.Buy && fill.Side != trade.Sell) {
			t.Errorf("mapFill(%s) accepted %+v", s, fill)
		}
	})
}

// A full read of 10,000 fills takes ten requests of 1000; a later read
// from the newest fill held (Since) takes one, and brings the new fill.
func TestFillHistoryIncrementalAfterTenThousand(t *testing.T) {
	f := adapter.Fixture(t, fakecoinbase.WithPageMax(1000), fakecoinbase.WithSeededFills(10000, seedStart, time.Minute))
	e := f.Open(t, nil, fastBuckets)
	held, pages := readAll(t, e, exchange.FillQuery{})
	if len(held) != 10000 || pages != 10 || f.Srv.Count("GET", pathFillsFull) != 10 {
		t.Fatalf("full read: %d fills in %d pages (%d requests), want 10000 in 10", len(held), pages, f.Srv.Count("GET", pathFillsFull))
	}
	newestHeld := oldestFirst(held)[len(held)-1]
	o, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01")})
	if err != nil {
		t.Fatal(err)
	}
	before := f.Srv.Count("GET", pathFillsFull)
	got, _ := readAll(t, e, exchange.FillQuery{Since: newestHeld.Time})
	if n := f.Srv.Count("GET", pathFillsFull) - before; n != 1 {
		t.Errorf("incremental read took %d requests, want 1", n)
	}
	var ids []string
	for _, g := range oldestFirst(got) {
		ids = append(ids, g.OrderID)
	}
	if diff := cmp.Diff([]string{newestHeld.OrderID, o.ID}, ids); diff != "" {
		t.Errorf("incremental read: orders of the fills (-want +got):\n%s", diff)
	}
}
