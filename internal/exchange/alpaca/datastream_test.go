package alpaca

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

// The messages below are the ones Alpaca's "WebSocket Stream" and
// "Real-time Stock Data" pages show (docs.alpaca.markets/docs/streaming-market-data,
// docs.alpaca.markets/docs/real-time-stock-pricing-data).
const (
	dsConnected     = `[{"T":"success","msg":"connected"}]`
	dsAuthenticated = `[{"T":"success","msg":"authenticated"}]`
	dsSubscription  = `[{"T":"subscription","trades":["AAPL"],"quotes":["AAPL"],"bars":[],"updatedBars":[],"dailyBars":[]}]`
	dsQuote         = `[{"T":"q","S":"AAPL","bx":"U","bp":189.5,"bs":1,"ax":"Q","ap":189.52,"as":4,"c":["R"],"z":"C","t":"2026-03-02T15:00:00.123456789Z"}]`
	dsTrade         = `[{"T":"t","i":96921,"S":"AAPL","x":"D","p":189.51,"s":1,"t":"2026-03-02T15:00:01Z","c":["@","I"],"z":"C"}]`
)

func newTestDataDecoder(sent *[]string) *dataDecoder {
	last := map[trade.Symbol]trade.Quote{aapl: {Last: trade.Dec("189")}}
	return newDataDecoder("v2/iex", map[string]trade.Symbol{"AAPL": aapl}, last, func(m []byte) { *sent = append(*sent, string(m)) },
		func() ([]byte, error) { return []byte(`{"action":"auth","key":"K","secret":"S"}`), nil }, []byte(`{"action":"subscribe","trades":["AAPL"],"quotes":["AAPL"]}`))
}

func TestDataDecoderDialogue(t *testing.T) {
	var sent []string
	d := newTestDataDecoder(&sent)
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }
	for _, tc := range []struct {
		name, msg string
		want      []trade.Quote
		sent      []string
	}{
		{"connected: sign in", dsConnected, nil, []string{`{"action":"auth","key":"K","secret":"S"}`}},
		{"authenticated: subscribe", dsAuthenticated, nil, []string{`{"action":"subscribe","trades":["AAPL"],"quotes":["AAPL"]}`}},
		{"subscription", dsSubscription, nil, nil},
		{"a quote, with the last trade known before", dsQuote,
			[]trade.Quote{{Symbol: aapl, Bid: trade.Dec("189.5"), Ask: trade.Dec("189.52"), Last: trade.Dec("189"), Time: at("2026-03-02T15:00:00.123456789Z")}}, nil},
		{"a trade moves last", dsTrade,
			[]trade.Quote{{Symbol: aapl, Bid: trade.Dec("189.5"), Ask: trade.Dec("189.52"), Last: trade.Dec("189.51"), Time: at("2026-03-02T15:00:01Z")}}, nil},
		{"another symbol's point is not ours", `[{"T":"q","S":"MSFT","bp":1,"ap":2,"t":"2026-03-02T15:00:02Z"}]`, nil, nil},
		{"a batch is one update per symbol, in its final state", `[{"T":"q","S":"AAPL","bp":190,"ap":190.1,"t":"2026-03-02T15:00:02Z"},{"T":"q","S":"MSFT","bp":1,"ap":2,"t":"2026-03-02T15:00:02Z"},{"T":"t","S":"AAPL","p":190.05,"s":5,"t":"2026-03-02T15:00:03Z"}]`,
			[]trade.Quote{{Symbol: aapl, Bid: trade.Dec("190"), Ask: trade.Dec("190.1"), Last: trade.Dec("190.05"), Time: at("2026-03-02T15:00:03Z")}}, nil},
		{"bars and statuses are ignored", `[{"T":"b","S":"AAPL","o":1,"h":2,"l":1,"c":2,"v":5,"t":"2026-03-02T15:00:00Z"}]`, nil, nil},
	} {
		sent = nil
		got, err := d.decode([]byte(tc.msg))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, got, venuetest.DecEqual); diff != "" {
			t.Errorf("%s: quotes (-want +got):\n%s", tc.name, diff)
		}
		if diff := cmp.Diff(tc.sent, sent); diff != "" {
			t.Errorf("%s: sent (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestDataDecoderErrors(t *testing.T) {
	type want struct {
		kind              error // nil: no *exchange.Error
		fatal, pollNow    bool
		resync, malformed bool
		code              string
	}
	for _, tc := range []struct {
		name, msg string
		want      want
	}{
		{"402 auth failed", `[{"T":"error","code":402,"msg":"auth failed"}]`, want{kind: exchange.ErrAuth, fatal: true, code: "402"}},
		{"409 insufficient subscription", `[{"T":"error","code":409,"msg":"insufficient subscription"}]`, want{kind: exchange.ErrAuth, fatal: true, code: "409"}},
		{"410 invalid subscribe action", `[{"T":"error","code":410,"msg":"invalid subscribe action for this feed"}]`, want{kind: exchange.ErrUnavailable, fatal: true, code: "410"}},
		{"406 connection limit", `[{"T":"error","code":406,"msg":"connection limit exceeded"}]`, want{kind: exchange.ErrUnavailable, pollNow: true, code: "406"}},
		{"405 symbol limit", `[{"T":"error","code":405,"msg":"symbol limit exceeded"}]`, want{kind: exchange.ErrUnavailable, pollNow: true, code: "405"}},
		{"407 slow client", `[{"T":"error","code":407,"msg":"slow client"}]`, want{resync: true}},
		{"404 auth timeout", `[{"T":"error","code":404,"msg":"auth timeout"}]`, want{resync: true}},
		{"500 internal", `[{"T":"error","code":500,"msg":"internal error"}]`, want{resync: true}},
		{"not an array", `{"T":"q"}`, want{malformed: true}},
		{"negative bid", `[{"T":"q","S":"AAPL","bp":-1,"ap":2,"t":"2026-03-02T15:00:00Z"}]`, want{malformed: true}},
		{"price not a number", `[{"T":"q","S":"AAPL","bp":"one","ap":2,"t":"2026-03-02T15:00:00Z"}]`, want{malformed: true}},
		{"huge exponent", `[{"T":"t","S":"AAPL","p":1e999999,"t":"2026-03-02T15:00:00Z"}]`, want{malformed: true}},
		{"zero trade price", `[{"T":"t","S":"AAPL","p":0,"t":"2026-03-02T15:00:00Z"}]`, want{malformed: true}},
		{"bad time", `[{"T":"q","S":"AAPL","bp":1,"ap":2,"t":"yesterday"}]`, want{malformed: true}},
	} {
		var sent []string
		_, err := newTestDataDecoder(&sent).decode([]byte(tc.msg))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		var xe *exchange.Error
		var dse *DataStreamError
		got := want{
			fatal:   venuews.IsFatal(err),
			pollNow: venuews.IsPollNow(err),
			resync:  errors.Is(err, venuews.ErrResync),
		}
		if errors.As(err, &xe) {
			got.kind, got.code = xe.Kind, xe.Code
			if !errors.As(err, &dse) || strconv.Itoa(dse.Code) != xe.Code {
				t.Errorf("%s: %v does not carry the DataStreamError", tc.name, err)
			}
		}
		got.malformed = !got.fatal && !got.pollNow && !got.resync && got.kind == nil
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
			t.Errorf("%s: %v (-want +got):\n%s", tc.name, err, diff)
		}
	}
}

// dataStreamOptions name the fake's data stream.
func dataStreamOptions(srv *fakealpaca.Server) map[string]any {
	return map[string]any{KeyDataStreamURL: srv.DataStreamURL()}
}

// quoteStream runs StreamQuotes in the background and hands its quotes
// over a channel.
type quoteStream struct {
	// backlog holds quotes an await read past while looking for another
	// symbol's.
	backlog []trade.Quote
	quotes  chan trade.Quote
	done    chan error
	cancel  context.CancelFunc
}

func startQuotes(t *testing.T, e *Exchange, symbols ...trade.Symbol) *quoteStream {
	t.Helper()
	ctx, cancel := context.WithCancel(ctxT(t))
	qs := &quoteStream{quotes: make(chan trade.Quote, 4096), done: make(chan error, 1), cancel: cancel}
	go func() {
		qs.done <- e.StreamQuotes(ctx, symbols, func(q trade.Quote) error {
			select {
			case qs.quotes <- q:
			default:
			}
			return nil
		})
	}()
	t.Cleanup(func() { cancel(); <-qs.done })
	return qs
}

// await returns the first quote match accepts and the quotes of its
// symbol up to it; other symbols' quotes stay for a later await.
func (qs *quoteStream) await(t *testing.T, what string, match func(trade.Quote) bool) (trade.Quote, []trade.Quote) {
	t.Helper()
	var seen []trade.Quote
	take := func(q trade.Quote) bool {
		if !match(q) && (len(seen) == 0 || seen[0].Symbol != q.Symbol) {
			// Is it the symbol we wait for? Only a match says so; keep
			// the rest in arrival order.
			qs.backlog = append(qs.backlog, q)
			return false
		}
		seen = append(seen, q)
		return match(q)
	}
	old := qs.backlog
	qs.backlog = nil
	for i, q := range old {
		if take(q) {
			qs.backlog = append(qs.backlog, old[i+1:]...)
			return q, seen
		}
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case q := <-qs.quotes:
			if take(q) {
				return q, seen
			}
		case err := <-qs.done:
			t.Fatalf("waiting for %s: stream ended: %v", what, err)
		case <-deadline:
			t.Fatalf("waiting for %s: none within 5s; saw %d quotes", what, len(seen))
		}
	}
}

func bidIs(sym trade.Symbol, bid string) func(trade.Quote) bool {
	return func(q trade.Quote) bool { return q.Symbol == sym && q.Bid.Equal(trade.Dec(bid)) }
}

func lastIs(sym trade.Symbol, last string) func(trade.Quote) bool {
	return func(q trade.Quote) bool { return q.Symbol == sym && q.Last.Equal(trade.Dec(last)) }
}

func TestStreamQuotesEndToEnd(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, dataStreamOptions(f.Srv))
	qs := startQuotes(t, e, aapl, btcusd)
	first, _ := qs.await(t, "AAPL", bidIs(aapl, "189.98"))
	if !first.Ask.Equal(trade.Dec("190.02")) || !first.Last.Equal(trade.Dec("190")) {
		t.Errorf("first AAPL quote %+v: want 189.98/190.02, last 190", first)
	}
	qs.await(t, "BTC-USD", bidIs(btcusd, "60000"))
	if n := f.Srv.DataStreamConnections(); n != 2 {
		t.Errorf("connections = %d, want one per endpoint (stocks, crypto)", n)
	}

	f.Srv.SetQuote("AAPL", trade.Dec("190.5"), trade.Dec("190.6"))
	moved, _ := qs.await(t, "AAPL's new book", bidIs(aapl, "190.5"))
	if !moved.Ask.Equal(trade.Dec("190.6")) || !moved.Last.Equal(trade.Dec("190.55")) {
		t.Errorf("after the move: ask %s, last %s; want 190.6 and the trade at 190.55, in one update", moved.Ask, moved.Last)
	}

	// A drop: the stream reconnects, subscribes again, and what the
	// venue's book became while it was away is delivered.
	f.Srv.DropDataStreams()
	f.Srv.SetQuote("AAPL", trade.Dec("191"), trade.Dec("191.1"))
	f.Srv.SetQuote("BTC/USD", trade.Dec("61000"), trade.Dec("61010"))
	final, seen := qs.await(t, "AAPL after the reconnect", lastIs(aapl, "191.05"))
	qs.await(t, "BTC-USD after the reconnect", bidIs(btcusd, "61000"))
	if !final.Bid.Equal(trade.Dec("191")) || !final.Ask.Equal(trade.Dec("191.1")) {
		t.Errorf("final AAPL book %s/%s, want the venue's 191/191.1", final.Bid, final.Ask)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Symbol == seen[i-1].Symbol && seen[i].Time.Before(seen[i-1].Time) {
			t.Errorf("quote %d of %s goes back in time: %s after %s", i, seen[i].Symbol, seen[i].Time, seen[i-1].Time)
		}
	}
	if n := f.Srv.DataStreamConnections(); n != 4 {
		t.Errorf("connections = %d, want 4 (two endpoints, twice)", n)
	}
	// Delivered once: with the book still, nothing follows the final state.
	quiet := time.After(300 * time.Millisecond)
	for {
		select {
		case q := <-qs.quotes:
			if q.Symbol == aapl {
				t.Errorf("AAPL quote %+v after the final state: a duplicate", q)
			}
			continue
		case <-quiet:
		}
		break
	}
	for _, q := range qs.backlog {
		if q.Symbol == aapl {
			t.Errorf("AAPL quote %+v after the final state: a duplicate", q)
		}
	}
}

func TestStreamQuotesRefusedKey(t *testing.T) {
	f := adapter.Fixture(t)
	f.Srv.FailNextDataStream(402, "auth failed")
	e := f.Open(t, dataStreamOptions(f.Srv))
	err := e.StreamQuotes(ctxT(t), []trade.Symbol{aapl}, func(trade.Quote) error { return nil })
	var dse *DataStreamError
	if !errors.Is(err, exchange.ErrAuth) || !errors.As(err, &dse) || dse.Code != 402 {
		t.Fatalf("StreamQuotes = %v, want ErrAuth carrying code 402", err)
	}
	if n := f.Srv.DataStreamConnections(); n != 1 {
		t.Errorf("connections = %d, want one: no reconnect storm on a refused key", n)
	}
	venuetest.CheckErrorsHide(t, []error{err}, f.Creds.Key, f.Creds.Secret)

	// The fake's own refusal of a wrong key, after the welcome.
	wrong := f.OpenAs(t, adapter.NewCreds(t), func(e *Exchange) { e.dataStreamURL = f.Srv.DataStreamURL() })
	err = wrong.StreamQuotes(ctxT(t), []trade.Symbol{aapl}, func(trade.Quote) error { return nil })
	if !errors.Is(err, exchange.ErrAuth) {
		t.Fatalf("StreamQuotes with a wrong key = %v, want ErrAuth", err)
	}
}

func TestStreamQuotesSIPWithoutSubscription(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, map[string]any{KeyDataStreamURL: f.Srv.DataStreamURL(), KeyFeed: FeedSIP})
	err := e.StreamQuotes(ctxT(t), []trade.Symbol{aapl}, func(trade.Quote) error { return nil })
	if !errors.Is(err, exchange.ErrAuth) || !strings.Contains(err.Error(), "v2/sip") {
		t.Fatalf("StreamQuotes on sip = %v, want ErrAuth naming v2/sip", err)
	}
}

func TestStreamQuotesSIPWithSubscription(t *testing.T) {
	f := adapter.Fixture(t, fakealpaca.WithSIPFeed())
	e := f.Open(t, map[string]any{KeyDataStreamURL: f.Srv.DataStreamURL(), KeyFeed: FeedSIP})
	qs := startQuotes(t, e, aapl)
	qs.await(t, "a quote from v2/sip", bidIs(aapl, "189.98"))
}

func fastPoll(e *Exchange) {
	e.streamTiming.PollInterval, e.streamTiming.PollFor = 20*time.Millisecond, time.Minute
}

func TestStreamQuotesConnectionLimitPolls(t *testing.T) {
	f := adapter.Fixture(t)
	f.Srv.FailNextDataStream(406, "connection limit exceeded")
	log, logger := venuetest.NewLog()
	p := f.Params(dataStreamOptions(f.Srv))
	p.Logger = logger
	e := venuetest.Open(t, New, p, fastPoll)
	qs := startQuotes(t, e, aapl)
	qs.await(t, "a polled quote", bidIs(aapl, "189.98"))
	f.Srv.SetQuote("AAPL", trade.Dec("188"), trade.Dec("188.2"))
	qs.await(t, "the polled move", bidIs(aapl, "188"))
	if n := f.Srv.DataStreamConnections(); n != 1 {
		t.Errorf("connections = %d, want 1: a connection limit is not retried at once", n)
	}
	if !strings.Contains(log.String(), "polling instead") || !strings.Contains(log.String(), "406") {
		t.Errorf("the log does not say why it polls:\n%s", log.String())
	}
}

func TestStreamQuotesOneConnectionPerEndpoint(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, dataStreamOptions(f.Srv), fastPoll)
	a := startQuotes(t, e, aapl)
	a.await(t, "the first stream's quote", bidIs(aapl, "189.98"))
	b := startQuotes(t, e, aapl, msft)
	b.await(t, "the second stream's (polled) quote", bidIs(msft, "414.9"))
	if n := f.Srv.DataStreamConnections(); n != 1 {
		t.Errorf("connections = %d, want 1: Alpaca allows one per endpoint", n)
	}
}

func TestStreamQuotesUnknownSymbol(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, dataStreamOptions(f.Srv))
	err := e.StreamQuotes(ctxT(t), []trade.Symbol{trade.MustSymbol("NOPE")}, func(trade.Quote) error { return nil })
	if !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("StreamQuotes(NOPE) = %v, want ErrNotFound", err)
	}
	if n := f.Srv.DataStreamConnections(); n != 0 {
		t.Errorf("connections = %d, want none for an unknown symbol", n)
	}
}

func TestStreamQuotesWithoutStreamPolls(t *testing.T) {
	f := adapter.Fixture(t) // data_url set, data_stream_url not: poll
	e := f.Open(t, nil, fastPoll)
	qs := startQuotes(t, e, btcusd)
	qs.await(t, "a polled quote", bidIs(btcusd, "60000"))
	if n := f.Srv.DataStreamConnections(); n != 0 {
		t.Errorf("connections = %d, want none", n)
	}
}

// Fuzzing the decoder: whatever arrives, it returns quotes of the
// subscribed symbol with non-negative prices, or an error — never a panic.
func FuzzDataDecoder(f *testing.F) {
	for _, s := range []string{dsConnected, dsAuthenticated, dsSubscription, dsQuote, dsTrade,
		`[{"T":"error","code":406,"msg":"connection limit exceeded"}]`, `[{"T":"q","S":"AAPL","bp":1e-7,"ap":2E+3,"t":"2026-03-02T15:00:00Z"}]`, `[]`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		var sent []string
		d := newTestDataDecoder(&sent)
		qs, err := d.decode(msg)
		if err != nil {
			return
		}
		for _, q := range qs {
			if q.Symbol != aapl || !q.Bid.IsPositive() || !q.Ask.IsPositive() || q.Last.IsNegative() {
				t.Fatalf("decoded %+v from %q", q, msg)
			}
		}
		for _, m := range sent {
			if !json.Valid([]byte(m)) {
				t.Fatalf("sent %q", m)
			}
		}
	})
}
