package kraken

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

const seededTrades = 3000

// unlimited lifts the client's call counter: thousands of trades are 60
// pages at 2 each, which a starter key spreads over minutes.
func unlimited(e *Exchange) { e.limiter.max = 1e9 }

// seeded opens the adapter on a fake whose account has n past trades.
func seeded(t *testing.T, n int, opts ...fakekraken.Option) (*fixture, *Exchange) {
	t.Helper()
	f := adapter.Fixture(t, append([]fakekraken.Option{fakekraken.WithTradeHistory(n)}, opts...)...)
	return f, f.Open(t, nil, unlimited)
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
		if pages > 2000 {
			t.Fatal("no end after 2000 pages")
		}
		q.Cursor = p.Next
	}
}

// checkHistory fails unless fills hold want distinct trades, newest first.
func checkHistory(t *testing.T, fills []trade.Fill, want int) {
	t.Helper()
	seen := map[string]bool{}
	for i, f := range fills {
		if seen[f.ID] {
			t.Fatalf("fill %s twice", f.ID)
		}
		seen[f.ID] = true
		if i > 0 && f.Time.After(fills[i-1].Time) {
			t.Fatalf("fill %s at %v after %s at %v: not newest first", f.ID, f.Time, fills[i-1].ID, fills[i-1].Time)
		}
	}
	if len(fills) != want {
		t.Fatalf("%d fills, want %d", len(fills), want)
	}
}

// TestFillHistoryPages reads thousands of trades 50 at a time: each once,
// newest first, 60 requests each with the next offset and the end the
// first page fixed, values as the venue priced them.
func TestFillHistoryPages(t *testing.T) {
	f, e := seeded(t, seededTrades)
	mark := len(f.Srv.Requests())
	whole, pages := readAll(t, e, exchange.FillQuery{})
	checkHistory(t, whole, seededTrades)
	if pages != seededTrades/50 {
		t.Errorf("%d pages, want %d", pages, seededTrades/50)
	}
	var bodies []url.Values
	for _, r := range f.Srv.Requests()[mark:] {
		if r.Path != pathTradesHistory {
			continue
		}
		b, err := url.ParseQuery(r.Body)
		if err != nil || !r.APIKey || !r.APISign {
			t.Fatalf("request %q: unsigned or unreadable (%v)", r.Body, err)
		}
		b.Del("nonce")
		bodies = append(bodies, b)
	}
	end := strconv.FormatInt(ceilUnix(whole[0].Time), 10)
	want := []url.Values{{"type": {"all"}}}
	for ofs := 50; ofs < seededTrades; ofs += 50 {
		want = append(want, url.Values{"type": {"all"}, "end": {end}, "ofs": {strconv.Itoa(ofs)}})
	}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("request bodies (-want +got):\n%s", diff)
	}
	// Fees are the maker or taker rate on price × volume, in the quote
	// asset, rounded up to its decimals (USD: 4), as for live fills.
	symbols := map[trade.Symbol]int{}
	for _, fl := range whole {
		symbols[fl.Symbol]++
		rate := map[trade.Liquidity]string{trade.Maker: "0.0016", trade.Taker: "0.0026"}[fl.Liquidity]
		fee := fl.Price.Mul(fl.Qty).Mul(decimal.RequireFromString(rate)).RoundCeil(4)
		if !fl.Fee.Equal(fee) || fl.FeeAsset != "USD" || !fl.Qty.IsPositive() || fl.OrderID == "" {
			t.Fatalf("fill %+v: want a fee of %s USD", fl, fee)
		}
	}
	if diff := cmp.Diff(map[trade.Symbol]int{btcusd: 1000, ethusd: 1000, trade.MustSymbol("SOL-USD"): 1000}, symbols); diff != "" {
		t.Errorf("fills per symbol (-want +got):\n%s", diff)
	}
}

// TestFillHistoryPageSizes: the same history read in pages of 7 is the
// same fills as in Kraken's 50.
func TestFillHistoryPageSizes(t *testing.T) {
	_, e50 := seeded(t, 400)
	_, e7 := seeded(t, 400, fakekraken.WithTradesPageSize(7))
	want, _ := readAll(t, e50, exchange.FillQuery{})
	got, pages := readAll(t, e7, exchange.FillQuery{})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pages of 7 (-pages of 50 +pages of 7):\n%s", diff)
	}
	if pages != 58 { // 57 of 7, one of 1
		t.Errorf("%d pages of 7, want 58", pages)
	}
}

// TestFillHistoryRange: Since, Until and a symbol select exactly the
// history's fills in [Since, Until) of that symbol; start and end are
// sent as Kraken reads them (start exclusive, end inclusive).
func TestFillHistoryRange(t *testing.T) {
	f, e := seeded(t, 1200)
	whole, _ := readAll(t, e, exchange.FillQuery{})
	oldestFirst := func(i int) trade.Fill { return whole[len(whole)-1-i] }
	in := func(q exchange.FillQuery) []trade.Fill {
		var out []trade.Fill
		for _, fl := range whole {
			if (q.Symbol.IsZero() || fl.Symbol == q.Symbol) && (q.Since.IsZero() || !fl.Time.Before(q.Since)) &&
				(q.Until.IsZero() || fl.Time.Before(q.Until)) {
				out = append(out, fl)
			}
		}
		return out
	}
	tests := []struct {
		name string
		q    exchange.FillQuery
	}{
		{"since a fill", exchange.FillQuery{Since: oldestFirst(700).Time}},
		{"until a fill", exchange.FillQuery{Until: oldestFirst(130).Time}},
		{"both, one symbol", exchange.FillQuery{Symbol: ethusd, Since: oldestFirst(210).Time, Until: oldestFirst(600).Time}},
		{"within a second of fills", exchange.FillQuery{Since: oldestFirst(300).Time.Add(time.Millisecond), Until: oldestFirst(302).Time.Add(time.Millisecond)}},
		{"across the quiet spell", exchange.FillQuery{Since: oldestFirst(499).Time.Add(time.Hour), Until: oldestFirst(501).Time}},
		{"after the last", exchange.FillQuery{Since: whole[0].Time.Add(time.Second)}},
		{"empty", exchange.FillQuery{Since: whole[9].Time, Until: whole[9].Time}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := readAll(t, e, tt.q)
			if diff := cmp.Diff(in(tt.q), got); diff != "" {
				t.Errorf("fills (-want +got):\n%s", diff)
			}
		})
	}
	mark := len(f.Srv.Requests())
	since, until := oldestFirst(10).Time, oldestFirst(20).Time
	if _, err := e.FillHistory(ctxT(t), exchange.FillQuery{Since: since, Until: until}); err != nil {
		t.Fatal(err)
	}
	b, _ := url.ParseQuery(f.Srv.Requests()[mark].Body)
	if b.Get("start") != strconv.FormatInt(since.Unix()-1, 10) || b.Get("end") != strconv.FormatInt(ceilUnix(until), 10) || b.Has("ofs") {
		t.Errorf("first request %v: want start a second before %v, end at %v rounded up, no ofs", b, since, until)
	}
}

// TestFillHistoryDuringTrading: trades made while a read is under way
// neither repeat nor hide a fill of the read (its end is fixed), and the
// next read from the newest time held finds them.
func TestFillHistoryDuringTrading(t *testing.T) {
	f, e := seeded(t, 500)
	first, err := e.FillHistory(ctxT(t), exchange.FillQuery{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	for i := range 3 {
		venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01"), ClientID: "during-" + strconv.Itoa(i)})
	}
	rest, _ := readAll(t, f.Open(t, nil, unlimited), exchange.FillQuery{Cursor: first.Next})
	all := append(first.Fills, rest...)
	checkHistory(t, all, 500)
	newer, pages := readAll(t, e, exchange.FillQuery{Since: all[0].Time.Add(time.Millisecond)})
	if len(newer) != 3 || pages != 1 {
		t.Fatalf("after the read: %d fills in %d pages, want the 3 placed during it in one", len(newer), pages)
	}
	for _, fl := range newer {
		if fl.Symbol != btcusd || fl.Side != trade.Buy || !fl.Qty.Equal(trade.Dec("0.01")) {
			t.Errorf("fill %+v: want a 0.01 BTC-USD buy", fl)
		}
	}
}

// TestFillHistoryRefusals: a cursor that is not Kraken's is refused before
// anything is sent.
func TestFillHistoryRefusals(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	for _, c := range []string{"abc", "50", "50@", "@17", "0@17", "-50@17", "50@x"} {
		if _, err := e.FillHistory(ctx, exchange.FillQuery{Cursor: c}); !errors.Is(err, exchange.ErrInvalidOrder) {
			t.Errorf("cursor %q: %v, want ErrInvalidOrder", c, err)
		}
	}
	if n := f.Srv.Count(pathTradesHistory); n != 0 {
		t.Errorf("%d requests sent for refused reads", n)
	}
	if e.FillScope() != exchange.FillsPerAccount {
		t.Error("Kraken reads every pair's trades at once")
	}
}

// TestFillHistoryBadAnswer: a trade with a malformed number or a missing
// field, or a page without its count, is a decode error, never a page
// without it.
func TestFillHistoryBadAnswer(t *testing.T) {
	const trade1 = `"TAAAAA-BBBBB-CCCCCC":{"ordertxid":"OAAAAA-BBBBB-CCCCCC","pair":"XXBTZUSD","time":1688667796.8802,"type":"buy","price":%s,"fee":"0.1","vol":"0.02","maker":true}`
	tests := map[string]string{
		"malformed price": `{"error":[],"result":{"trades":{` + sprintf(trade1, `"30,010.0"`) + `},"count":1}}`,
		"price a number":  `{"error":[],"result":{"trades":{` + sprintf(trade1, `30010`) + `},"count":1}}`,
		"missing vol":     `{"error":[],"result":{"trades":{"TAAAAA-BBBBB-CCCCCC":{"ordertxid":"O1","pair":"XXBTZUSD","time":1688667796.8,"type":"buy","price":"1","fee":"0"}},"count":1}}`,
		"missing time":    `{"error":[],"result":{"trades":{"TAAAAA-BBBBB-CCCCCC":{"ordertxid":"O1","pair":"XXBTZUSD","type":"buy","price":"1","fee":"0","vol":"1"}},"count":1}}`,
		"missing order":   `{"error":[],"result":{"trades":{"TAAAAA-BBBBB-CCCCCC":{"pair":"XXBTZUSD","time":1688667796.8,"type":"buy","price":"1","fee":"0","vol":"1"}},"count":1}}`,
		"unknown side":    `{"error":[],"result":{"trades":{"TAAAAA-BBBBB-CCCCCC":{"ordertxid":"O1","pair":"XXBTZUSD","time":1688667796.8,"type":"hold","price":"1","fee":"0","vol":"1"}},"count":1}}`,
		"missing count":   `{"error":[],"result":{"trades":{` + sprintf(trade1, `"30010.0"`) + `}}}`,
		"missing trades":  `{"error":[],"result":{"count":0}}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			f, e, ctx := adapter.Start(t)
			f.Srv.Inject(fakevenue.Failure{Path: pathTradesHistory, Status: http.StatusOK, Body: body})
			p, err := e.FillHistory(ctx, exchange.FillQuery{})
			if !errors.Is(err, exchange.ErrUnavailable) || len(p.Fills) != 0 {
				t.Fatalf("FillHistory = %+v, %v; want a decode error (ErrUnavailable)", p, err)
			}
		})
	}
}

// TestFillsBounded: Fills is the pager's newest pages, at most five, fewer
// once the limit is reached.
func TestFillsBounded(t *testing.T) {
	f, e := seeded(t, 400)
	before := f.Srv.Count(pathTradesHistory)
	all, err := e.Fills(ctxT(t), exchange.FillFilter{})
	if err != nil {
		t.Fatal(err)
	}
	checkHistory(t, all, 5*50)
	limited, err := e.Fills(ctxT(t), exchange.FillFilter{Limit: 60})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(all[:60], limited); diff != "" {
		t.Errorf("limit 60 (-newest 60 +got):\n%s", diff)
	}
	if n := f.Srv.Count(pathTradesHistory) - before; n != 5+2 {
		t.Errorf("%d requests, want 5 for all, 2 for the limit of 60", n)
	}
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
