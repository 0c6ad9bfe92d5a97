package coinbase

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
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

var ethusd = trade.MustSymbol("ETH-USD")

func TestStreamQuotesSnapshotThenUpdates(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	moved := false
	got, err := collect(t, e, []trade.Symbol{btcusd, ethusd}, func(qs []trade.Quote) bool {
		if !moved && len(qs) == 2 {
			moved = true
			go f.Srv.SetBook("BTC-USD", trade.Dec("61000"), trade.Dec("61000.5"), trade.Dec("61000.2"))
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
		if q.Volume24h == nil || q.StatsTime == nil {
			t.Errorf("quote %+v: want the ticker's 24-hour volume and its time", q)
		}
		q.Time, q.Stats24h = time.Time{}, trade.Stats24h{}
		bare = append(bare, q)
	}
	want := []trade.Quote{
		{Symbol: btcusd, Bid: trade.Dec("60000"), Ask: trade.Dec("60000.01"), Last: trade.Dec("60000")},
		{Symbol: ethusd, Bid: trade.Dec("3000"), Ask: trade.Dec("3000.01"), Last: trade.Dec("3000")},
		{Symbol: btcusd, Bid: trade.Dec("61000"), Ask: trade.Dec("61000.5"), Last: trade.Dec("61000.2")},
	}
	if diff := cmp.Diff(want, bare); diff != "" {
		t.Errorf("quotes (-want +got):\n%s", diff)
	}
}

func TestStreamSubscriptionsAreSignedWhenKeyed(t *testing.T) {
	tests := []struct {
		name   string
		keyed  bool
		signed bool
	}{
		{"with a key", true, true},
		{"without a key", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t)
			p := f.Params(nil)
			log, logger := venuetest.NewLog()
			p.Logger = logger
			if !tt.keyed {
				p.Secret = func(context.Context, string) (string, error) { return "", nil }
			}
			e := venuetest.Open(t, New, p, fastBuckets)
			if _, err := collect(t, e, []trade.Symbol{btcusd}, func(qs []trade.Quote) bool { return true }); !errors.Is(err, context.Canceled) {
				t.Errorf("StreamQuotes = %v, want context.Canceled", err)
			}
			var got []fakecoinbase.StreamSubscription
			for _, s := range f.Srv.StreamSubscriptions() {
				if s.AuthError != "" {
					t.Errorf("%s subscription: token refused: %s", s.Channel, s.AuthError)
				}
				got = append(got, s)
			}
			want := []fakecoinbase.StreamSubscription{
				{Channel: "heartbeats", Authenticated: tt.signed},
				{Channel: "ticker", ProductIDs: []string{"BTC-USD"}, Authenticated: tt.signed},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("subscriptions (-want +got):\n%s", diff)
			}
			for _, leak := range []string{f.Creds.Secret, "eyJ"} {
				if strings.Contains(log.String(), leak) {
					t.Errorf("log shows a secret or token (%.8q…)", leak)
				}
			}
		})
	}
}

func TestStreamResyncsOnSequenceGap(t *testing.T) {
	f := adapter.Fixture(t, fakecoinbase.WithStreamHeartbeat(10*time.Millisecond))
	e := f.Open(t, nil, fastBuckets)
	skipped := false
	_, err := collect(t, e, []trade.Symbol{btcusd}, func(qs []trade.Quote) bool {
		if !skipped {
			skipped = true
			f.Srv.SkipStreamSequence()
		}
		return f.Srv.StreamConnections() >= 2 && len(qs) >= 2
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamQuotes = %v, want context.Canceled", err)
	}
	if n := f.Srv.StreamConnections(); n != 2 {
		t.Errorf("stream connections = %d, want 2: one resync after the gap", n)
	}
}

func TestStreamResumesAfterDrop(t *testing.T) {
	f := adapter.Fixture(t, fakecoinbase.WithStreamRepeat(10*time.Millisecond))
	e := f.Open(t, nil, fastBuckets)
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
}

func TestStreamQuietFeedFallsBackToPolling(t *testing.T) {
	// The feed goes silent without closing: no heartbeat, no ticker. The
	// adapter gives the connection up, delivers nothing old, and polls.
	f := adapter.Fixture(t, fakecoinbase.WithStreamHeartbeat(20*time.Millisecond))
	e := f.Open(t, nil, fastBuckets, func(e *Exchange) {
		e.wsTiming.IdleTimeout = 150 * time.Millisecond
		e.wsTiming.FailuresBeforePoll = 2
	})
	silenced := false
	got, err := collect(t, e, []trade.Symbol{btcusd}, func(qs []trade.Quote) bool {
		if !silenced {
			silenced = true
			f.Srv.SilenceStreams(true)
			go f.Srv.SetBook("BTC-USD", trade.Dec("59000"), trade.Dec("59000.01"), trade.Dec("59000"))
		}
		return qs[len(qs)-1].Bid.Equal(trade.Dec("59000"))
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamQuotes = %v, want context.Canceled", err)
	}
	if n := f.Srv.Count("GET", fakecoinbase.Prefix+"/best_bid_ask"); n == 0 {
		t.Error("no best_bid_ask poll: a silent feed must fall back to polling")
	}
	if n := f.Srv.StreamConnections(); n < 2 {
		t.Errorf("stream connections = %d, want the silent one given up and redialed", n)
	}
	if len(got) > 2 {
		t.Errorf("quotes = %+v, want the snapshot and then only the polled price", got)
	}
}

func TestStreamFallsBackToPolling(t *testing.T) {
	f := adapter.Fixture(t)
	f.Srv.DisableStreams(true)
	e := f.Open(t, nil, fastBuckets)
	got, err := collect(t, e, []trade.Symbol{btcusd}, func(qs []trade.Quote) bool { return len(qs) >= 3 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamQuotes = %v, want context.Canceled", err)
	}
	if n := f.Srv.StreamConnections(); n != 0 {
		t.Errorf("stream connections = %d while disabled", n)
	}
	if q := got[0]; q.Symbol != btcusd || !q.Bid.Equal(trade.Dec("60000")) {
		t.Errorf("polled quote = %+v", q)
	}
}

func TestStreamReturnsFnError(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
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
	e := f.Open(t, nil, fastBuckets)
	err := e.StreamQuotes(ctxT(t), []trade.Symbol{trade.MustSymbol("NOPE-USD")}, func(trade.Quote) error { return nil })
	if !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("StreamQuotes = %v, want ErrNotFound", err)
	}
	if n := f.Srv.StreamConnections(); n != 0 {
		t.Errorf("stream connections = %d, want none", n)
	}
}

// The messages below are the documented shapes (Coinbase Advanced Trade
// WebSocket channels: ticker, heartbeats, subscriptions).
const (
	docTicker        = `{"channel":"ticker","client_id":"","timestamp":"2023-02-09T20:30:37.167359596Z","sequence_num":0,"events":[{"type":"snapshot","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"21932.98","volume_24_h":"16038.28770938","low_24_h":"21835.29","high_24_h":"23011.18","low_52_w":"15460","high_52_w":"48240","price_percent_chg_24_h":"-4.15775596190603","best_bid":"21931.98","best_bid_quantity":"8000.21","best_ask":"21933.98","best_ask_quantity":"8038.07770938"}]}]}`
	docTickerUpdate  = `{"channel":"ticker","client_id":"","timestamp":"2023-02-09T20:30:38.000000001Z","sequence_num":2,"events":[{"type":"update","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"21933.5","volume_24_h":"16038.3","low_24_h":"21835.29","high_24_h":"23011.18","low_52_w":"15460","high_52_w":"48240","price_percent_chg_24_h":"-4.1","best_bid":"21933","best_bid_quantity":"1","best_ask":"21934","best_ask_quantity":"2"}]}]}`
	docHeartbeat     = `{"channel":"heartbeats","client_id":"","timestamp":"2023-06-23T20:31:26.122969572Z","sequence_num":1,"events":[{"current_time":"2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105","heartbeat_counter":"3049"}]}`
	docSubscriptions = `{"channel":"subscriptions","client_id":"","timestamp":"2023-02-09T20:32:59.074437236Z","sequence_num":1,"events":[{"subscriptions":{"ticker":["BTC-USD"],"heartbeats":["heartbeats"]}}]}`
)

// cbStats are the ticker's 24-hour figures: no absolute change.
func cbStats(pct, high, low, volume string, at time.Time) trade.Stats24h {
	st := trade.JSONTime(at)
	return trade.Stats24h{Change24hPct: trade.DecimalPtr(trade.Dec(pct)),
		High24h: trade.DecimalPtr(trade.Dec(high)), Low24h: trade.DecimalPtr(trade.Dec(low)), Volume24h: trade.DecimalPtr(trade.Dec(volume)), StatsTime: &st}
}

func TestTickerDecoder(t *testing.T) {
	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339Nano, s); return tm }
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		msgs   []string
		want   []trade.Quote // from the last message
		resync bool
		bad    bool
	}{
		{name: "snapshot", msgs: []string{docTicker},
			want: []trade.Quote{{Symbol: btcusd, Bid: trade.Dec("21931.98"), Ask: trade.Dec("21933.98"), Last: trade.Dec("21932.98"), Time: at("2023-02-09T20:30:37.167359596Z"),
				Stats24h: cbStats("-4.15775596190603", "23011.18", "21835.29", "16038.28770938", at("2023-02-09T20:30:37.167359596Z"))}}},
		{name: "update after heartbeat", msgs: []string{docTicker, docHeartbeat, docTickerUpdate},
			want: []trade.Quote{{Symbol: btcusd, Bid: trade.Dec("21933"), Ask: trade.Dec("21934"), Last: trade.Dec("21933.5"), Time: at("2023-02-09T20:30:38.000000001Z"),
				Stats24h: cbStats("-4.1", "23011.18", "21835.29", "16038.3", at("2023-02-09T20:30:38.000000001Z"))}}},
		{name: "update without snapshot waits", msgs: []string{docTickerUpdate}},
		{name: "empty field keeps the known price", msgs: []string{docTicker,
			`{"channel":"ticker","timestamp":"bad","sequence_num":1,"events":[{"type":"update","tickers":[{"product_id":"BTC-USD","price":"1","best_bid":"","best_ask":"22000"}]}]}`},
			want: []trade.Quote{{Symbol: btcusd, Bid: trade.Dec("21931.98"), Ask: trade.Dec("22000"), Last: trade.Dec("1"), Time: now,
				Stats24h: cbStats("-4.15775596190603", "23011.18", "21835.29", "16038.28770938", at("2023-02-09T20:30:37.167359596Z"))}}},
		{name: "subscriptions", msgs: []string{docSubscriptions}},
		{name: "heartbeat", msgs: []string{docHeartbeat}},
		{name: "other products ignored", msgs: []string{strings.ReplaceAll(docTicker, "BTC-USD", "SOL-USD")}},
		{name: "late message ignored", msgs: []string{docTicker, docHeartbeat, docTickerUpdate,
			strings.Replace(docTickerUpdate, `"sequence_num":2`, `"sequence_num":1`, 1)}},
		{name: "sequence gap", msgs: []string{docTicker, docTickerUpdate}, resync: true},
		{name: "venue error", msgs: []string{`{"type":"error","message":"failure to subscribe"}`}, resync: true},
		{name: "not JSON", msgs: []string{`{"channel":`}, bad: true},
		{name: "price not a number", msgs: []string{strings.Replace(docTicker, `"best_bid":"21931.98"`, `"best_bid":"abc"`, 1)}, bad: true},
		{name: "negative price", msgs: []string{strings.Replace(docTicker, `"best_ask":"21933.98"`, `"best_ask":"-1"`, 1)}, bad: true},
		{name: "negative volume", msgs: []string{strings.Replace(docTicker, `"volume_24_h":"16038.28770938"`, `"volume_24_h":"-1"`, 1)}, bad: true},
		{name: "unknown event type", msgs: []string{strings.Replace(docTicker, `"type":"snapshot"`, `"type":"delta"`, 1)}, bad: true},
		{name: "events not a list", msgs: []string{`{"channel":"ticker","sequence_num":0,"events":{}}`}, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTickerDecoder(map[string]trade.Symbol{"BTC-USD": btcusd}, func() time.Time { return now })
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

// FuzzTickerDecoder feeds arbitrary messages to the decoder: it may refuse
// them but never panic or deliver a one-sided or negative quote.
func FuzzTickerDecoder(f *testing.F) {
	for _, s := range []string{docTicker, docTickerUpdate, docHeartbeat, docSubscriptions,
		`{"type":"error"}`, `{"channel":"ticker","sequence_num":-9223372036854775808,"events":[null,{"tickers":null}]}`,
		`{"channel":"ticker","sequence_num":1,"events":[{"type":"update","tickers":[{"product_id":"BTC-USD","best_bid":"1e99999"}]}]}`, `[]`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		d := newTickerDecoder(map[string]trade.Symbol{"BTC-USD": btcusd}, time.Now)
		_, _ = d.decode([]byte(docTicker))
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

// BenchmarkDecodeTicker measures one ticker update, the message a busy
// watch reads most.
func BenchmarkDecodeTicker(b *testing.B) {
	d := newTickerDecoder(map[string]trade.Symbol{"BTC-USD": btcusd}, time.Now)
	if _, err := d.decode([]byte(docTicker)); err != nil {
		b.Fatal(err)
	}
	msg := []byte(docTickerUpdate)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		// Each round is a new message: the decoder ignores repeats.
		d.seq.last = 1
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
	e := venuetest.Open(t, New, p, append(adapter.Fast, fastBuckets)...)
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
	f := adapter.Fixture(b, fakecoinbase.WithStreamRepeat(time.Millisecond))
	e := f.Open(b, nil, fastBuckets)
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
