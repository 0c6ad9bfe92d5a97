package watch

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/watch/expr"
)

var (
	btc = trade.MustSymbol("BTC-USD")
	eth = trade.MustSymbol("ETH-USD")
)

// newTestWatcher is a watcher writing NDJSON to a buffer, whose clock for
// staleness is elapsed (what Since answers for every symbol) and whose
// event time is pinned.
func newTestWatcher(t *testing.T, elapsed *time.Duration, alerts ...string) (*watcher, func() []map[string]any) {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	p, err := render.NewPrinter(ios, "ndjson", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	pinned := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	o := &WatchOptions{IO: ios, Symbols: []trade.Symbol{btc, eth}, StaleAfter: 10 * time.Second,
		Now: func() time.Time { return pinned }, Since: func(time.Time) time.Duration { return *elapsed }}
	for _, a := range alerts {
		e, err := expr.Parse(a)
		if err != nil {
			t.Fatal(err)
		}
		o.Alerts = append(o.Alerts, e)
	}
	w := &watcher{o: o, emit: p.PrintEvent, tracker: expr.NewTracker(), alertWas: make([]bool, len(o.Alerts)),
		lastSeen: map[trade.Symbol]time.Time{}, lastAt: map[trade.Symbol]time.Time{}, stale: map[trade.Symbol]bool{}}
	w.env = staleEnv{Env: w.tracker, stale: w.stale}
	for _, s := range o.Symbols {
		w.lastAt[s] = pinned
	}
	events := func() []map[string]any {
		var evs []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if line == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			evs = append(evs, m)
		}
		out.Reset()
		return evs
	}
	return w, events
}

func q(sym trade.Symbol, bid, ask, last string) trade.Quote {
	return trade.Quote{Symbol: sym, Bid: trade.Dec(bid), Ask: trade.Dec(ask), Last: trade.Dec(last), Time: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
}

func types(evs []map[string]any) []string {
	var out []string
	for _, e := range evs {
		s, _ := e["type"].(string)
		if sym, ok := e["symbol"].(string); ok {
			s += " " + sym
		}
		if x, ok := e["expr"].(string); ok {
			s += " " + x
		}
		out = append(out, s)
	}
	return out
}

// TestStaleness: a symbol without an update for --stale-after is
// announced stale once; conditions read it as unknown until its next
// update, which makes it live again.
func TestStaleness(t *testing.T) {
	var elapsed time.Duration
	w, events := newTestWatcher(t, &elapsed, "BTC-USD.last > 100", "ETH-USD.last > 1 or BTC-USD.last > 100")
	steps := []struct {
		name  string
		do    func() error
		after time.Duration
		want  []string
	}{
		{"first BTC quote fires both alerts", func() error { return w.quote(q(btc, "101", "102", "101.5")) }, 0,
			[]string{"quote BTC-USD", "alert BTC-USD.last > 100", "alert ETH-USD.last > 1 or BTC-USD.last > 100"}},
		{"fresh enough: nothing", w.checkStale, 9 * time.Second, nil},
		{"past --stale-after: both stale (ETH never had an update)", w.checkStale, 10 * time.Second, []string{"stale BTC-USD", "stale ETH-USD"}},
		{"announced once", w.checkStale, 20 * time.Second, nil},
		{"an ETH quote: live again; the alert that reads both fires on ETH alone", func() error { return w.quote(q(eth, "3", "4", "3.5")) }, 20 * time.Second,
			[]string{"quote ETH-USD", "alert ETH-USD.last > 1 or BTC-USD.last > 100"}},
		{"BTC back: its own alert fires again, on a live price", func() error { return w.quote(q(btc, "101", "102", "101.5")) }, 20 * time.Second,
			[]string{"quote BTC-USD", "alert BTC-USD.last > 100"}},
	}
	for _, st := range steps {
		elapsed = st.after
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if diff := cmp.Diff(st.want, types(events())); diff != "" {
			t.Errorf("%s: events (-want +got):\n%s", st.name, diff)
		}
	}
}

func TestStaleEventFields(t *testing.T) {
	elapsed := 11 * time.Second
	w, events := newTestWatcher(t, &elapsed)
	if err := w.checkStale(); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"type": "stale", "symbol": "BTC-USD", "since": "2026-11-27T12:00:00.000Z", "stale_after": "10s", "time": "2026-11-27T12:00:00.000Z"},
		{"type": "stale", "symbol": "ETH-USD", "since": "2026-11-27T12:00:00.000Z", "stale_after": "10s", "time": "2026-11-27T12:00:00.000Z"},
	}
	if diff := cmp.Diff(want, events()); diff != "" {
		t.Errorf("stale events (-want +got):\n%s", diff)
	}
}

// TestUntilNeverOnStale: --until does not end the watch on a stale price,
// even when a quote of another symbol is what triggers the evaluation.
func TestUntilNeverOnStale(t *testing.T) {
	var elapsed time.Duration
	w, events := newTestWatcher(t, &elapsed)
	until, err := expr.Parse("BTC-USD.last > 100 and ETH-USD.last > 1")
	if err != nil {
		t.Fatal(err)
	}
	w.o.Until = until
	if err := w.quote(q(btc, "101", "102", "101.5")); err != nil {
		t.Fatal(err)
	}
	elapsed = time.Minute
	if err := w.checkStale(); err != nil {
		t.Fatal(err)
	}
	w.o.Since = func(time.Time) time.Duration { return 0 }
	if err := w.quote(q(eth, "3", "4", "3.5")); err != nil {
		t.Fatalf("until held on BTC's stale price: %v", err)
	}
	if err := w.quote(q(btc, "101", "102", "101.5")); err == nil {
		t.Errorf("until did not hold once both prices were live")
	}
	if diff := cmp.Diff([]string{"quote BTC-USD", "stale BTC-USD", "stale ETH-USD", "quote ETH-USD", "quote BTC-USD", "until BTC-USD.last > 100 and ETH-USD.last > 1"},
		types(events())); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestQuoteEventCarries24hFigures(t *testing.T) {
	var elapsed time.Duration
	w, events := newTestWatcher(t, &elapsed)
	quote := q(btc, "101", "102", "101.5")
	pct, vol := trade.Dec("-1.25"), trade.Dec("1234.5")
	quote.Change24hPct, quote.Volume24h = &pct, &vol
	if err := w.quote(quote); err != nil {
		t.Fatal(err)
	}
	got := events()[0]
	if got["change_24h_pct"] != "-1.25" || got["volume_24h"] != "1234.5" {
		t.Errorf("event %v: want the venue's change_24h_pct and volume_24h", got)
	}
	for _, absent := range []string{"change_24h", "high_24h", "low_24h", "stats_time"} {
		if _, ok := got[absent]; ok {
			t.Errorf("event %v: %s is not reported by the venue and must be left out", got, absent)
		}
	}
}

func TestCSVColumnsNameEveryField(t *testing.T) {
	want := "type,symbol,bid,ask,last,change,change_pct,change_24h,change_24h_pct,high_24h,low_24h,volume_24h,stats_time,time," +
		"expr,quote.type,quote.symbol,quote.bid,quote.ask,quote.last,quote.change,quote.change_pct,quote.change_24h,quote.change_24h_pct," +
		"quote.high_24h,quote.low_24h,quote.volume_24h,quote.stats_time,quote.time,since,stale_after"
	if diff := cmp.Diff(want, strings.Join(csvColumns(), ",")); diff != "" {
		t.Errorf("CSV header (-want +got):\n%s", diff)
	}
}

func TestLiveTableStaleAnd24h(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	ios.SetTTY(false, true, true)
	ios.SetTerminalWidth(160)
	table := newLiveTable(ios, []trade.Symbol{btc, eth}, nil, nil, render.Precision{})
	high := decimal.RequireFromString("105")
	table.update(QuoteEvent{Symbol: btc, Bid: trade.Dec("100.5"), Ask: trade.Dec("101.5"), Last: trade.Dec("101"),
		Stats24h: trade.Stats24h{High24h: &high}})
	frame := table.frame(160, 10)
	lines := strings.Split(frame, "\n")
	if diff := cmp.Diff("SYMBOL  BID  ASK  LAST  CHANGE  %  24H  %  24H  HIGH  24H  LOW  24H  VOL  RECENT", strings.Join(strings.Fields(lines[0]), "  ")); diff != "" {
		t.Errorf("header with 24h figures (-want +got):\n%s", diff)
	}
	if !strings.Contains(lines[1], "105") || strings.Contains(lines[1], "stale") {
		t.Errorf("BTC row %q: want its 24h high, live", lines[1])
	}
	table.markStale(btc)
	table.markStale(eth)
	lines = strings.Split(table.frame(160, 10), "\n")
	if !strings.Contains(lines[1], "BTC-USD stale") || !strings.Contains(lines[2], "ETH-USD stale") {
		t.Errorf("stale rows not marked:\n%s", strings.Join(lines, "\n"))
	}
	table.update(QuoteEvent{Symbol: btc, Bid: trade.Dec("100.5"), Ask: trade.Dec("101.5"), Last: trade.Dec("101")})
	lines = strings.Split(table.frame(160, 10), "\n")
	if strings.Contains(lines[1], "stale") {
		t.Errorf("BTC row %q still stale after an update", lines[1])
	}
}
