package binance

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/trade"
)

// collect streams quotes until stop says so, then cancels and returns what
// arrived and StreamQuotes' result.
func collect(t *testing.T, e *Exchange, syms []trade.Symbol, stop func([]trade.Quote) bool) ([]trade.Quote, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []trade.Quote
	err := e.StreamQuotes(ctx, syms, func(q trade.Quote) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, q)
		if stop(got) {
			cancel()
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	if ctx.Err() == context.DeadlineExceeded {
		t.Fatalf("stream timed out after %d quotes", len(got))
	}
	return got, err
}

func TestStreamQuotesBookAndLast(t *testing.T) {
	f := adapter.Fixture(t, fakebinance.WithStreamInterval(20*time.Millisecond))
	e := f.Open(t, nil)
	eth := trade.MustSymbol("ETH-USDT")
	moved := false
	got, err := collect(t, e, []trade.Symbol{btcusdt, eth}, func(qs []trade.Quote) bool {
		if !moved {
			moved = true
			go f.Srv.SetBook("BTCUSDT", trade.Dec("61000"), trade.Dec("61000.5"))
		}
		var sawEth, sawMove bool
		for _, q := range qs {
			sawEth = sawEth || q.Symbol == eth
			sawMove = sawMove || (q.Symbol == btcusdt && q.Bid.Equal(trade.Dec("61000")))
		}
		return sawEth && sawMove
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamQuotes = %v, want context.Canceled", err)
	}
	for _, q := range got {
		if !q.Bid.IsPositive() || q.Bid.GreaterThan(q.Ask) || !q.Last.IsPositive() {
			t.Errorf("quote %+v: want 0 < bid ≤ ask and a last price", q)
		}
		if q.Symbol == btcusdt && q.Bid.Equal(trade.Dec("60000")) && !q.Ask.Equal(trade.Dec("60000.01")) {
			t.Errorf("bid/ask mixed up with quantities: %+v", q)
		}
	}
}

func TestStreamReconnects(t *testing.T) {
	f := adapter.Fixture(t, fakebinance.WithStreamInterval(10*time.Millisecond))
	e := f.Open(t, nil)
	var dropped bool
	_, err := collect(t, e, []trade.Symbol{btcusdt}, func(qs []trade.Quote) bool {
		if !dropped && len(qs) >= 2 {
			dropped = true
			go f.Srv.DropStreams()
		}
		return f.Srv.StreamConnections() >= 2 && len(qs) >= 6
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamQuotes = %v, want context.Canceled", err)
	}
	if n := f.Srv.StreamConnections(); n < 2 {
		t.Errorf("stream connections = %d, want a reconnect", n)
	}
}

func TestStreamFallsBackToPolling(t *testing.T) {
	f := adapter.Fixture(t)
	f.Srv.DisableStreams(true)
	e := f.Open(t, nil)
	got, err := collect(t, e, []trade.Symbol{btcusdt}, func(qs []trade.Quote) bool { return len(qs) >= 3 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamQuotes = %v, want context.Canceled", err)
	}
	if f.Srv.StreamConnections() != 0 {
		t.Error("a stream connection was accepted while disabled")
	}
	if n := f.Srv.Count("GET", "/api/v3/ticker/bookTicker"); n < 3 {
		t.Errorf("bookTicker polls = %d, want ≥ 3", n)
	}
	if q := got[0]; q.Symbol != btcusdt || !q.Last.Equal(trade.Dec("60000")) {
		t.Errorf("polled quote = %+v", q)
	}
}

func TestStreamReturnsFnError(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	stop := errors.New("enough")
	err := e.StreamQuotes(ctxT(t), []trade.Symbol{btcusdt}, func(trade.Quote) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("StreamQuotes = %v, want fn's error", err)
	}
	f.Srv.DisableStreams(true)
	err = e.StreamQuotes(ctxT(t), []trade.Symbol{btcusdt}, func(trade.Quote) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("polling StreamQuotes = %v, want fn's error", err)
	}
}

// The 24hrMiniTicker of Binance's "WebSocket Streams" page (symbol
// renamed): the rolling window's close, open, high, low and volumes.
const docMiniTicker = `{"stream":"btcusdt@miniTicker","data":{"e":"24hrMiniTicker","E":1672515782136,"s":"BTCUSDT","c":"0.0025","o":"0.0010","h":"0.0025","l":"0.0010","v":"10000","q":"18"}}`

func TestMiniTickerStats(t *testing.T) {
	btc := trade.MustSymbol("BTC-USDT")
	newState := func() *quoteState {
		return &quoteState{bySymbol: map[string]trade.Symbol{"BTCUSDT": btc}, bid: map[string]decimal.Decimal{}, ask: map[string]decimal.Decimal{},
			last: map[string]decimal.Decimal{}, now: func() time.Time { return time.Unix(0, 0) }}
	}
	st := newState()
	if _, err := st.decode([]byte(`{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"0.0024","B":"1","a":"0.0026","A":"1"}}`)); err != nil {
		t.Fatal(err)
	}
	got, err := st.decode([]byte(docMiniTicker))
	if err != nil {
		t.Fatal(err)
	}
	at := trade.JSONTime(time.UnixMilli(1672515782136).UTC())
	want := []trade.Quote{{Symbol: btc, Bid: trade.Dec("0.0024"), Ask: trade.Dec("0.0026"), Last: trade.Dec("0.0025"), Time: time.Unix(0, 0).UTC(),
		Stats24h: trade.Stats24h{Change24h: trade.DecimalPtr(trade.Dec("0.0015")), Change24hPct: trade.DecimalPtr(trade.Dec("150")),
			High24h: trade.DecimalPtr(trade.Dec("0.0025")), Low24h: trade.DecimalPtr(trade.Dec("0.001")), Volume24h: trade.DecimalPtr(trade.Dec("10000")), StatsTime: &at}}}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("quotes (-want +got):\n%s", diff)
	}

	// A third of a change rounds as Binance's priceChangePercent does.
	st = newState()
	_, _ = st.decode([]byte(`{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"}}`))
	got, err = st.decode([]byte(`{"stream":"btcusdt@miniTicker","data":{"e":"24hrMiniTicker","E":1,"s":"BTCUSDT","c":"4","o":"3","h":"4","l":"3","v":"1"}}`))
	if err != nil || len(got) != 1 || got[0].Change24hPct.String() != "33.333" {
		t.Errorf("change_pct of 3 → 4: %v, %v; want 33.333", got, err)
	}
	for _, bad := range []string{`"v":"-1"`, `"h":"x"`, `"o":"y"`} {
		st = newState()
		msg := `{"stream":"btcusdt@miniTicker","data":{"e":"24hrMiniTicker","E":1,"s":"BTCUSDT","c":"4","o":"3","h":"4","l":"3","v":"1",` + bad + `}}`
		if _, err := st.decode([]byte(msg)); err == nil {
			t.Errorf("miniTicker with %s: no error", bad)
		}
	}
}
