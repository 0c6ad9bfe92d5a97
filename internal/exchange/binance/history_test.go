package binance

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/trade"
)

const seededTrades = 3000

// seeded opens the adapter on a fake whose BTCUSDT account has
// seededTrades past executions.
func seeded(t *testing.T) (*fakebinance.Server, *Exchange) {
	t.Helper()
	f := adapter.Fixture(t, fakebinance.WithTradeHistory("BTCUSDT", seededTrades))
	return f.Srv, f.Open(t, nil)
}

// readAll pages q to the end and returns the fills and the pages read.
func readAll(t *testing.T, e *Exchange, q exchange.FillQuery) ([]trade.Fill, int) {
	t.Helper()
	var out []trade.Fill
	for pages := 1; ; pages++ {
		p, err := e.FillHistory(ctxT(t), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Fills...)
		if p.Next == "" {
			return out, pages
		}
		if pages > 1000 {
			t.Fatal("no end after 1000 pages")
		}
		q.Cursor = p.Next
	}
}

// checkSequence fails unless fills are ids from..to, each once, in order,
// times ascending.
func checkSequence(t *testing.T, fills []trade.Fill, from, to int64) {
	t.Helper()
	if want := int(to - from + 1); len(fills) != want {
		t.Fatalf("%d fills, want %d (ids %d..%d)", len(fills), want, from, to)
	}
	for i, f := range fills {
		if want := strconv.FormatInt(from+int64(i), 10); f.ID != want {
			t.Fatalf("fill %d has id %s, want %s: a gap or a duplicate", i, f.ID, want)
		}
		if i > 0 && f.Time.Before(fills[i-1].Time) {
			t.Fatalf("fill %s at %v is before fill %s at %v", f.ID, f.Time, fills[i-1].ID, fills[i-1].Time)
		}
	}
}

// TestFillHistoryPages reads thousands of fills across page boundaries:
// every id once, in order, the same fills whatever the page size, at one
// request a page.
func TestFillHistoryPages(t *testing.T) {
	srv, e := seeded(t)
	before := srv.Count(http.MethodGet, pathMyTrades)
	whole, pages := readAll(t, e, exchange.FillQuery{Symbol: btcusdt})
	checkSequence(t, whole, 1, seededTrades)
	// Three full pages of the venue's 1000; a full page may have more after
	// it, so the fourth (empty) one ends the read.
	if pages != 4 || srv.Count(http.MethodGet, pathMyTrades)-before != 4 {
		t.Errorf("%d pages in %d requests, want 4", pages, srv.Count(http.MethodGet, pathMyTrades)-before)
	}
	for _, limit := range []int{250, 999} {
		got, pages := readAll(t, e, exchange.FillQuery{Symbol: btcusdt, Limit: limit})
		if diff := cmp.Diff(whole, got); diff != "" {
			t.Errorf("limit %d (-whole +paged):\n%s", limit, diff)
		}
		if want := seededTrades/limit + 1; pages != want {
			t.Errorf("limit %d: %d pages, want %d", limit, pages, want)
		}
	}
	// Pages of 7 over the last hundred only: over the whole history, 429
	// requests at weight 20 would wait out the minute's weight limit.
	tail, _ := readAll(t, e, exchange.FillQuery{Symbol: btcusdt, Limit: 7, AfterID: "2900"})
	if diff := cmp.Diff(whole[2900:], tail); diff != "" {
		t.Errorf("limit 7 from id 2901 (-whole +paged):\n%s", diff)
	}
	// The values are the venue's, as the order lookup reports them too.
	o, err := e.GetOrder(ctxT(t), exchange.OrderRef{ID: whole[41].OrderID})
	if err != nil {
		t.Fatal(err)
	}
	if f := whole[41]; !o.AvgFillPrice.Decimal.Equal(f.Price) || !o.FilledQty.Equal(f.Qty) || o.Side != f.Side || f.Symbol != btcusdt {
		t.Errorf("fill %+v does not match its order %+v", f, o)
	}
	for _, f := range whole {
		wantAsset := map[trade.Side]string{trade.Buy: "BTC", trade.Sell: "USDT"}[f.Side]
		if f.FeeAsset != wantAsset || !f.Fee.IsPositive() || !f.Price.IsPositive() || !f.Qty.IsPositive() {
			t.Fatalf("fill %+v: want positive amounts and the fee in %s", f, wantAsset)
		}
	}
}

// TestFillHistoryRequests: the documented parameter names, signed, the
// venue's largest page by default, at most 24 hours between startTime and
// endTime.
func TestFillHistoryRequests(t *testing.T) {
	srv, e := seeded(t)
	whole, _ := readAll(t, e, exchange.FillQuery{Symbol: btcusdt})
	mark := len(srv.Requests())
	if _, err := e.FillHistory(ctxT(t), exchange.FillQuery{Symbol: btcusdt, AfterID: "41", Limit: 5000}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.FillHistory(ctxT(t), exchange.FillQuery{Symbol: btcusdt, Since: whole[1700].Time.Add(time.Hour), Until: whole[2000].Time}); err != nil {
		t.Fatal(err)
	}
	var got []url.Values
	for _, r := range srv.Requests()[mark:] {
		if r.Path != pathMyTrades {
			continue
		}
		q, err := url.ParseQuery(r.Query)
		if err != nil {
			t.Fatal(err)
		}
		if q.Get("signature") == "" || q.Get("timestamp") == "" {
			t.Errorf("unsigned request %q", r.Query)
		}
		for _, k := range []string{"signature", "timestamp", "recvWindow"} {
			q.Del(k)
		}
		got = append(got, q)
	}
	ms := func(tm time.Time) string { return strconv.FormatInt(tm.UnixMilli(), 10) }
	since := whole[1700].Time.Add(time.Hour)
	want := []url.Values{
		{"symbol": {"BTCUSDT"}, "fromId": {"42"}, "limit": {"1000"}},
		{"symbol": {"BTCUSDT"}, "startTime": {ms(since)}, "endTime": {ms(since.Add(24*time.Hour - time.Millisecond))}, "limit": {"1"}},
	}
	if diff := cmp.Diff(want, got[:2]); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if len(got) != 3 || got[2].Get("fromId") == "" || got[2].Get("startTime") != "" {
		t.Errorf("after the first id is found, want one fromId page; got %v", got[2:])
	}
}

// TestFillHistorySinceUntil: a time range is the fills of the whole history
// in [Since, Until), whether the first day of the range holds a trade
// (one request finds it) or not (the search by id does), and an empty
// range is an empty last page.
func TestFillHistorySinceUntil(t *testing.T) {
	srv, e := seeded(t)
	whole, _ := readAll(t, e, exchange.FillQuery{Symbol: btcusdt})
	in := func(since, until time.Time) []trade.Fill {
		var out []trade.Fill
		for _, f := range whole {
			if !f.Time.Before(since) && (until.IsZero() || f.Time.Before(until)) {
				out = append(out, f)
			}
		}
		return out
	}
	quiet := whole[999].Time.Add(time.Minute) // three quiet days follow fill 1000
	tests := []struct {
		name         string
		since, until time.Time
		limit        int
		maxRequests  int
	}{
		{"since a busy moment, to now", whole[1234].Time, time.Time{}, 0, 1 + 2},
		{"since just after a fill", whole[1234].Time.Add(time.Millisecond), time.Time{}, 0, 1 + 2},
		{"within one day, small pages", whole[1500].Time, whole[1520].Time, 5, 1 + 5},
		{"since a quiet spell", quiet, whole[1100].Time, 0, 1 + 1 + 13 + 1},
		{"since before the first fill", whole[0].Time.Add(-100 * 24 * time.Hour), whole[10].Time, 0, 1 + 1 + 13 + 1},
		{"a quiet spell only", quiet, quiet.Add(48 * time.Hour), 0, 1 + 1 + 13},
		{"after the last fill", whole[len(whole)-1].Time.Add(time.Second), time.Time{}, 0, 2},
		{"empty range", whole[5].Time, whole[5].Time, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.Count(http.MethodGet, pathMyTrades)
			got, _ := readAll(t, e, exchange.FillQuery{Symbol: btcusdt, Since: tt.since, Until: tt.until, Limit: tt.limit})
			if diff := cmp.Diff(in(tt.since, tt.until), got); diff != "" {
				t.Errorf("fills (-want +got):\n%s", diff)
			}
			if n := srv.Count(http.MethodGet, pathMyTrades) - before; n > tt.maxRequests {
				t.Errorf("%d requests, want at most %d", n, tt.maxRequests)
			}
		})
	}
}

// TestFillHistoryResumes: a read that stopped resumes from its cursor on a
// new Exchange, and a fill made in between appears once, at the end.
func TestFillHistoryResumes(t *testing.T) {
	f := adapter.Fixture(t, fakebinance.WithTradeHistory("BTCUSDT", 2500))
	e := f.Open(t, nil)
	first, err := e.FillHistory(ctxT(t), exchange.FillQuery{Symbol: btcusdt})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001")}); err != nil {
		t.Fatal(err)
	}
	rest, _ := readAll(t, f.Open(t, nil), exchange.FillQuery{Symbol: btcusdt, Cursor: first.Next})
	all := append(first.Fills, rest...)
	checkSequence(t, all, 1, 2501)
	if last := all[len(all)-1]; last.Side != trade.Buy || !last.Qty.Equal(trade.Dec("0.001")) {
		t.Errorf("last fill %+v, want the market buy placed during the read", last)
	}
	// The incremental read after the newest id held is just the new fill.
	more, pages := readAll(t, e, exchange.FillQuery{Symbol: btcusdt, AfterID: "2500"})
	if len(more) != 1 || more[0].ID != "2501" || pages != 1 {
		t.Errorf("after id 2500: %d fills in %d pages, want fill 2501 in one", len(more), pages)
	}
}

// TestFillHistoryRefusals: a read without a symbol, with a cursor or id
// that is not Binance's, is refused before anything is sent.
func TestFillHistoryRefusals(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	for _, q := range []exchange.FillQuery{
		{},
		{Symbol: btcusdt, Cursor: "page-2"},
		{Symbol: btcusdt, Cursor: "-4"},
		{Symbol: btcusdt, AfterID: "TXID-1"},
	} {
		if _, err := e.FillHistory(ctx, q); !errors.Is(err, exchange.ErrInvalidOrder) {
			t.Errorf("FillHistory(%+v) = %v, want ErrInvalidOrder", q, err)
		}
	}
	if n := f.Srv.Count(http.MethodGet, pathMyTrades); n != 0 {
		t.Errorf("%d requests sent for refused reads", n)
	}
	if e.FillScope() != exchange.FillsPerSymbol {
		t.Error("Binance keeps fills per symbol")
	}
}

// TestFillHistoryBadAnswer: a trade with a malformed number or a missing
// field is a decode error naming the call, never a page without it.
func TestFillHistoryBadAnswer(t *testing.T) {
	good := `{"symbol":"BTCUSDT","id":%s,"orderId":%s,"price":%s,"qty":"0.5","commission":"0.0005","commissionAsset":"BTC","time":%s,"isBuyer":true,"isMaker":false}`
	tests := map[string]string{
		"malformed price":   fmt.Sprintf(good, "1", "2", `"6e"`, "1700000000000"),
		"missing price":     `[{"symbol":"BTCUSDT","id":1,"orderId":2,"qty":"0.5","commission":"0","commissionAsset":"BTC","time":1700000000000,"isBuyer":true}]`,
		"missing id":        fmt.Sprintf(good, "0", "2", `"60000"`, "1700000000000"),
		"missing time":      fmt.Sprintf(good, "1", "2", `"60000"`, "0"),
		"missing order id":  fmt.Sprintf(good, "1", "0", `"60000"`, "1700000000000"),
		"a number as price": fmt.Sprintf(good, "1", "2", `60000`, "1700000000000"),
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			f, e, ctx := adapter.Start(t)
			if body[0] != '[' {
				body = "[" + body + "]"
			}
			f.Srv.FailNext(http.StatusOK, body, nil)
			p, err := e.FillHistory(ctx, exchange.FillQuery{Symbol: btcusdt})
			if !errors.Is(err, exchange.ErrUnavailable) || len(p.Fills) != 0 {
				t.Fatalf("FillHistory = %+v, %v; want a decode error (ErrUnavailable)", p, err)
			}
		})
	}
}
