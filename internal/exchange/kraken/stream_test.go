package kraken

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
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

// bareQuote drops what the venue stamps, for comparisons.
// bareQuote is a quote without its time and 24-hour figures, which the
// fake stamps as it sends.
func bareQuote(q trade.Quote) trade.Quote {
	q.Time, q.Stats24h = time.Time{}, trade.Stats24h{}
	return q
}

// stats are 24-hour figures as a test writes them.
func stats(change, pct, high, low, volume string, at time.Time) trade.Stats24h {
	st := trade.JSONTime(at)
	return trade.Stats24h{Change24h: trade.DecimalPtr(trade.Dec(change)), Change24hPct: trade.DecimalPtr(trade.Dec(pct)),
		High24h: trade.DecimalPtr(trade.Dec(high)), Low24h: trade.DecimalPtr(trade.Dec(low)), Volume24h: trade.DecimalPtr(trade.Dec(volume)), StatsTime: &st}
}

func TestStreamQuotesSnapshotThenUpdates(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	moved := false
	got, err := collect(t, e, []trade.Symbol{btcusd, ethusd}, func(qs []trade.Quote) bool {
		if !moved && len(qs) == 2 {
			moved = true
			go f.Srv.SetPrice("XBTUSD", trade.Dec("61000.0"), trade.Dec("61000.5"), trade.Dec("61000.2"))
		}
		return len(qs) == 3
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamQuotes = %v, want context.Canceled", err)
	}
	var bare []trade.Quote
	for _, q := range got {
		if q.Time.IsZero() || time.Since(q.Time) > time.Minute {
			t.Errorf("quote %+v: want the venue's recent timestamp", q)
		}
		bare = append(bare, bareQuote(q))
	}
	want := []trade.Quote{
		{Symbol: btcusd, Bid: trade.Dec("60000"), Ask: trade.Dec("60000.1"), Last: trade.Dec("60000")},
		{Symbol: ethusd, Bid: trade.Dec("3000"), Ask: trade.Dec("3000.01"), Last: trade.Dec("3000")},
		{Symbol: btcusd, Bid: trade.Dec("61000"), Ask: trade.Dec("61000.5"), Last: trade.Dec("61000.2")},
	}
	if diff := cmp.Diff(want, bare); diff != "" {
		t.Errorf("quotes (-want +got):\n%s", diff)
	}
}

func TestStreamResumesAfterDrop(t *testing.T) {
	f := adapter.Fixture(t, fakekraken.WithStreamRepeat(10*time.Millisecond))
	e := f.Open(t, nil)
	dropped := false
	var afterDrop int
	_, err := collect(t, e, []trade.Symbol{btcusd}, func(qs []trade.Quote) bool {
		if !dropped && len(qs) >= 2 {
			dropped = true
			f.Srv.DropStreams()
		}
		if f.Srv.StreamConnections() >= 2 {
			afterDrop++
		}
		return afterDrop >= 3
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamQuotes = %v, want context.Canceled", err)
	}
	if n := f.Srv.StreamConnections(); n < 2 {
		t.Errorf("stream connections = %d, want a reconnect", n)
	}
	if n := f.Srv.Count("/0/public/Ticker"); n != 0 {
		t.Errorf("Ticker polls = %d, want none: a reconnect is not a fallback", n)
	}
}

func TestStreamQuietFeedFallsBackAndReturns(t *testing.T) {
	// The feed goes silent without closing: no heartbeat, no update. The
	// adapter must give the connection up, deliver nothing old meanwhile,
	// poll fresh prices, and go back to the stream once it talks again.
	f := adapter.Fixture(t, fakekraken.WithStreamHeartbeat(20*time.Millisecond), fakekraken.WithStreamRepeat(20*time.Millisecond))
	e := f.Open(t, nil, func(e *Exchange) {
		e.wsTiming.IdleTimeout = 150 * time.Millisecond
		e.wsTiming.FailuresBeforePoll = 2
		e.wsTiming.PollFor = 200 * time.Millisecond
	})
	var silenced, speaking bool
	pollsAtReturn, afterReturn := -1, 0
	got, err := collect(t, e, []trade.Symbol{btcusd}, func(qs []trade.Quote) bool {
		last := qs[len(qs)-1]
		switch {
		case !silenced:
			silenced = true
			f.Srv.SilenceStreams(true)
			go f.Srv.SetPrice("XBTUSD", trade.Dec("59000.0"), trade.Dec("59000.1"), trade.Dec("59000.0"))
		case !speaking && last.Bid.Equal(trade.Dec("59000")):
			// Polling delivered the new price: let the stream talk again.
			speaking = true
			f.Srv.SilenceStreams(false)
		case speaking && pollsAtReturn < 0 && f.Srv.StreamConnections() >= 4:
			pollsAtReturn = f.Srv.Count("/0/public/Ticker")
		case pollsAtReturn >= 0:
			afterReturn++
		}
		return afterReturn >= 5
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamQuotes = %v, want context.Canceled", err)
	}
	if pollsAtReturn < 1 {
		t.Errorf("Ticker polls before the stream came back = %d, want polling while the feed was silent", pollsAtReturn)
	}
	if n := f.Srv.Count("/0/public/Ticker"); n != pollsAtReturn {
		t.Errorf("Ticker polls went from %d to %d after the stream came back, want the stream to deliver", pollsAtReturn, n)
	}
	moved := false
	for _, q := range got {
		moved = moved || q.Bid.Equal(trade.Dec("59000"))
		if moved && q.Bid.Equal(trade.Dec("60000")) {
			t.Errorf("quote %+v after the price moved carries the old price", q)
		}
	}
}

func TestStreamFallsBackToPolling(t *testing.T) {
	f := adapter.Fixture(t)
	f.Srv.DisableStreams(true)
	e := f.Open(t, nil)
	got, err := collect(t, e, []trade.Symbol{btcusd}, func(qs []trade.Quote) bool { return len(qs) >= 3 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamQuotes = %v, want context.Canceled", err)
	}
	if n := f.Srv.StreamConnections(); n != 0 {
		t.Errorf("stream connections = %d while disabled", n)
	}
	if n := f.Srv.Count("/0/public/Ticker"); n < 3 {
		t.Errorf("Ticker polls = %d, want ≥ 3", n)
	}
	if q := got[0]; q.Symbol != btcusd || !q.Last.Equal(trade.Dec("60000")) {
		t.Errorf("polled quote = %+v", q)
	}
}

func TestStreamReturnsFnError(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	stop := errors.New("enough")
	if err := e.StreamQuotes(ctxT(t), []trade.Symbol{btcusd}, func(trade.Quote) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("StreamQuotes = %v, want fn's error", err)
	}
	f.Srv.DisableStreams(true)
	if err := e.StreamQuotes(ctxT(t), []trade.Symbol{btcusd}, func(trade.Quote) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("polling StreamQuotes = %v, want fn's error", err)
	}
}

func TestStreamUnknownSymbolFailsBeforeDialing(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	err := e.StreamQuotes(ctxT(t), []trade.Symbol{trade.MustSymbol("NOPE-USD")}, func(trade.Quote) error { return nil })
	if !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("StreamQuotes = %v, want ErrNotFound", err)
	}
	if n := f.Srv.StreamConnections(); n != 0 {
		t.Errorf("stream connections = %d, want none", n)
	}
}

// The messages below are the documented shapes (Kraken Spot WebSocket v2:
// ticker, heartbeat, status, subscribe acknowledgement).
const (
	docSnapshot = `{"channel":"ticker","type":"snapshot","data":[{"symbol":"ALGO/USD","bid":0.10025,"bid_qty":740.0,"ask":0.10036,"ask_qty":1361.44813783,"last":0.10035,"volume":997038.98383185,"vwap":0.10148,"low":0.09979,"high":0.10285,"change":-0.00017,"change_pct":-0.17,"timestamp":"2023-09-25T09:04:31.742648Z"}]}`
	docUpdate   = `{"channel":"ticker","type":"update","data":[{"symbol":"ALGO/USD","bid":0.10030,"bid_qty":10.0,"ask":0.10036,"ask_qty":1361.44813783,"last":0.10036,"volume":997048.98383185,"vwap":0.10148,"low":0.09979,"high":0.10285,"change":-0.00016,"change_pct":-0.16,"timestamp":"2023-09-25T09:04:32.000001Z"}]}`
	docStatus   = `{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"online","version":"2.0.0"}]}`
	docAck      = `{"method":"subscribe","result":{"channel":"ticker","snapshot":true,"symbol":"ALGO/USD"},"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}`
)

func TestTickerDecoder(t *testing.T) {
	algo := trade.MustSymbol("ALGO-USD")
	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339Nano, s); return tm }
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		msgs   []string
		want   []trade.Quote // from the last message
		resync bool
		bad    bool
	}{
		{name: "snapshot", msgs: []string{docStatus, docAck, docSnapshot},
			want: []trade.Quote{{Symbol: algo, Bid: trade.Dec("0.10025"), Ask: trade.Dec("0.10036"), Last: trade.Dec("0.10035"), Time: at("2023-09-25T09:04:31.742648Z"),
				Stats24h: stats("-0.00017", "-0.17", "0.10285", "0.09979", "997038.98383185", at("2023-09-25T09:04:31.742648Z"))}}},
		{name: "update over the snapshot", msgs: []string{docSnapshot, docUpdate},
			want: []trade.Quote{{Symbol: algo, Bid: trade.Dec("0.1003"), Ask: trade.Dec("0.10036"), Last: trade.Dec("0.10036"), Time: at("2023-09-25T09:04:32.000001Z"),
				Stats24h: stats("-0.00016", "-0.16", "0.10285", "0.09979", "997048.98383185", at("2023-09-25T09:04:32.000001Z"))}}},
		{name: "update without snapshot waits", msgs: []string{docUpdate}},
		{name: "partial update keeps the rest", msgs: []string{docSnapshot, `{"channel":"ticker","type":"update","data":[{"symbol":"ALGO/USD","ask":0.2}]}`},
			want: []trade.Quote{{Symbol: algo, Bid: trade.Dec("0.10025"), Ask: trade.Dec("0.2"), Last: trade.Dec("0.10035"), Time: now,
				Stats24h: stats("-0.00017", "-0.17", "0.10285", "0.09979", "997038.98383185", at("2023-09-25T09:04:31.742648Z"))}}},
		{name: "prices as strings too", msgs: []string{`{"channel":"ticker","type":"snapshot","data":[{"symbol":"ALGO/USD","bid":"1.5","ask":"1.6","last":"1.55"}]}`},
			want: []trade.Quote{{Symbol: algo, Bid: trade.Dec("1.5"), Ask: trade.Dec("1.6"), Last: trade.Dec("1.55"), Time: now}}},
		{name: "one-sided book waits", msgs: []string{`{"channel":"ticker","type":"snapshot","data":[{"symbol":"ALGO/USD","bid":0,"ask":0.1,"last":0.1}]}`}},
		{name: "other symbols ignored", msgs: []string{`{"channel":"ticker","type":"snapshot","data":[{"symbol":"BTC/USD","bid":1,"ask":2,"last":1}]}`}},
		{name: "heartbeat", msgs: []string{`{"channel":"heartbeat"}`}},
		{name: "pong", msgs: []string{`{"method":"pong","req_id":101,"time_in":"2023-09-24T14:10:23.799685Z","time_out":"2023-09-24T14:10:23.799703Z"}`}},
		{name: "refused subscription", msgs: []string{`{"error":"Currency pair not supported ALGO/XYZ","method":"subscribe","success":false,"symbol":"ALGO/XYZ","time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}`}, resync: true},
		{name: "not JSON", msgs: []string{`{"channel":`}, bad: true},
		{name: "price not a number", msgs: []string{`{"channel":"ticker","type":"snapshot","data":[{"symbol":"ALGO/USD","bid":"x","ask":1}]}`}, bad: true},
		{name: "negative price", msgs: []string{`{"channel":"ticker","type":"snapshot","data":[{"symbol":"ALGO/USD","bid":-1,"ask":1}]}`}, bad: true},
		{name: "negative volume", msgs: []string{`{"channel":"ticker","type":"snapshot","data":[{"symbol":"ALGO/USD","bid":1,"ask":1,"volume":-5}]}`}, bad: true},
		{name: "unknown type", msgs: []string{`{"channel":"ticker","type":"delta","data":[]}`}, bad: true},
		{name: "data not a list", msgs: []string{`{"channel":"ticker","type":"update","data":{}}`}, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTickerDecoder(map[string]trade.Symbol{"ALGO/USD": algo}, func() time.Time { return now })
			var got []trade.Quote
			var err error
			for _, m := range tt.msgs {
				got, err = d.decode([]byte(m))
			}
			switch {
			case tt.resync:
				if !errors.Is(err, venuews.ErrResync) {
					t.Errorf("decode = %v, want ErrResync", err)
				}
				return
			case tt.bad:
				if err == nil || errors.Is(err, venuews.ErrResync) {
					t.Errorf("decode = %v, want a malformed-message error", err)
				}
				return
			case err != nil:
				t.Fatalf("decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("quotes (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzTickerDecoder feeds arbitrary messages to the v2 decoder: it may
// refuse them but never panic or deliver a one-sided or negative quote.
func FuzzTickerDecoder(f *testing.F) {
	for _, s := range []string{docSnapshot, docUpdate, docStatus, docAck, `{"channel":"heartbeat"}`,
		`{"channel":"ticker","type":"update","data":[{"symbol":"ALGO/USD","bid":1e400,"ask":null}]}`,
		`{"success":false}`, `{"channel":"ticker","type":"snapshot","data":[null,{}]}`, `[]`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		d := newTickerDecoder(map[string]trade.Symbol{"ALGO/USD": trade.MustSymbol("ALGO-USD")}, time.Now)
		_, _ = d.decode([]byte(docSnapshot))
		qs, err := d.decode(msg)
		if err != nil {
			return
		}
		for _, q := range qs {
			if !q.Bid.IsPositive() || !q.Ask.IsPositive() || q.Last.IsNegative() {
				t.Errorf("delivered %+v", q)
			}
		}
	})
}

// BenchmarkDecodeTicker measures one v2 ticker update, the message a busy
// watch reads most.
func BenchmarkDecodeTicker(b *testing.B) {
	d := newTickerDecoder(map[string]trade.Symbol{"ALGO/USD": trade.MustSymbol("ALGO-USD")}, time.Now)
	if _, err := d.decode([]byte(docSnapshot)); err != nil {
		b.Fatal(err)
	}
	msg := []byte(docUpdate)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := d.decode(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func TestStreamURLFromProfile(t *testing.T) {
	tests := []struct {
		name    string
		options map[string]any
		want    string
		wantErr string
	}{
		{"production by default", nil, ProductionWSURL, ""},
		{"none when base_url points elsewhere", map[string]any{KeyBaseURL: "https://proxy.example"}, "", ""},
		{"ws_url named", map[string]any{KeyBaseURL: "https://proxy.example", KeyWSURL: "wss://ws.proxy.example/v2"}, "wss://ws.proxy.example/v2", ""},
		{"ws_url not a WebSocket URL", map[string]any{KeyWSURL: "https://ws.example"}, "", KeyWSURL},
		{"ws_url blank", map[string]any{KeyWSURL: ""}, "", KeyWSURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(exchange.Params{Profile: "p", Options: tt.options})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("parseConfig = %v, want an error naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.wsURL != tt.want {
				t.Errorf("wsURL = %q, want %q", cfg.wsURL, tt.want)
			}
		})
	}
}

func TestStreamWithoutAStreamPolls(t *testing.T) {
	// base_url names the fake and no ws_url: quotes come from the fake's
	// REST API, never from the production stream.
	f := adapter.Fixture(t)
	p := f.Params(nil)
	delete(p.Options, KeyWSURL)
	e := venuetest.Open(t, New, p, adapter.Fast...)
	got, err := collect(t, e, []trade.Symbol{btcusd}, func(qs []trade.Quote) bool { return len(qs) >= 2 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamQuotes = %v, want context.Canceled", err)
	}
	if n := f.Srv.StreamConnections(); n != 0 {
		t.Errorf("stream connections = %d, want none", n)
	}
	if q := got[0]; q.Symbol != btcusd || !q.Bid.IsPositive() {
		t.Errorf("polled quote = %+v", q)
	}
}

// BenchmarkStreamQuotes streams three symbols from the fake's WebSocket,
// which repeats their tickers as fast as it looks at its book (every
// 10 ms: about 300 messages/s). Wall time per quote is the fake's pace;
// the CPU it costs (client and fake together) is measured around the test
// binary, e.g. with /usr/bin/time.
func BenchmarkStreamQuotes(b *testing.B) {
	f := adapter.Fixture(b, fakekraken.WithStreamRepeat(time.Millisecond))
	e := f.Open(b, nil)
	syms := []trade.Symbol{btcusd, ethusd, trade.MustSymbol("SOL-USD")}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	b.ReportAllocs()
	b.ResetTimer()
	err := e.StreamQuotes(ctx, syms, func(trade.Quote) error {
		if n++; n >= b.N {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "quotes/s")
}
