package coinbase

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

// collectBooks streams BTC-USD's book at depth until stop says so, then
// cancels and returns what arrived and StreamBook's result.
func collectBooks(t *testing.T, e *Exchange, depth int, stop func([]trade.Book) bool) ([]trade.Book, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []trade.Book
	err := e.StreamBook(ctx, btcusd, depth, func(b trade.Book) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, b)
		if stop(got) {
			cancel()
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	if ctx.Err() == context.DeadlineExceeded {
		t.Fatalf("stream timed out after %d books", len(got))
	}
	return got, err
}

// lv is a level from its texts.
func lv(price, qty string) trade.BookLevel {
	return trade.BookLevel{Price: trade.Dec(price), Qty: trade.Dec(qty)}
}

// Books compare by value and without their time, which is the venue's.
var bookOpts = cmp.Options{cmpopts.IgnoreFields(trade.Book{}, "Time"), cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b trade.BookLevel) bool { return a.Price.Equal(b.Price) && a.Qty.Equal(b.Qty) })}

// The fake's BTC-USD ladder (fakevenue.Ladder): a 0.01 tick, 1, 2, 3 …
// a level outwards from the best bid and ask.
var (
	bookAtStart = trade.Book{Symbol: btcusd,
		Bids: []trade.BookLevel{lv("60000", "1"), lv("59999.99", "2")},
		Asks: []trade.BookLevel{lv("60000.01", "1"), lv("60000.02", "2")}}
	// After the best bid drops a tick: 60000 is gone, 59999.99 holds 1.
	bookBidDown = trade.Book{Symbol: btcusd,
		Bids: []trade.BookLevel{lv("59999.99", "1"), lv("59999.98", "2")},
		Asks: []trade.BookLevel{lv("60000.01", "1"), lv("60000.02", "2")}}
	bookMoved = trade.Book{Symbol: btcusd,
		Bids: []trade.BookLevel{lv("61000", "1"), lv("60999.99", "2")},
		Asks: []trade.BookLevel{lv("61000.5", "1"), lv("61000.51", "2")}}
)

func sameBook(a, b trade.Book) bool { return cmp.Diff(a, b, bookOpts) == "" }

func TestStreamBookSnapshotThenUpdates(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	moved := false
	got, err := collectBooks(t, e, 2, func(bs []trade.Book) bool {
		if !moved {
			moved = true
			// One SetBook changes every level of the bid side: one update
			// message, so one book, with 60000 removed.
			go f.Srv.SetBook("BTC-USD", trade.Dec("59999.99"), trade.Dec("60000.01"), decimal.Zero)
		}
		return len(bs) == 2
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamBook = %v, want context.Canceled", err)
	}
	if diff := cmp.Diff([]trade.Book{bookAtStart, bookBidDown}, got, bookOpts); diff != "" {
		t.Errorf("books (-want +got):\n%s", diff)
	}
	for _, b := range got {
		if b.Time.IsZero() || time.Since(b.Time) > time.Minute {
			t.Errorf("book time %v: want the venue's recent timestamp", b.Time)
		}
	}
	if n := f.Srv.Count("GET", fakecoinbase.Prefix+"/market/product_book"); n != 0 {
		t.Errorf("product_book read %d times: the book must come from the stream", n)
	}
	var subs []fakecoinbase.StreamSubscription
	for _, s := range f.Srv.StreamSubscriptions() {
		if s.AuthError != "" {
			t.Errorf("%s subscription: token refused: %s", s.Channel, s.AuthError)
		}
		subs = append(subs, s)
	}
	want := []fakecoinbase.StreamSubscription{
		{Channel: "heartbeats", Authenticated: true},
		{Channel: "level2", ProductIDs: []string{"BTC-USD"}, Authenticated: true},
	}
	if diff := cmp.Diff(want, subs); diff != "" {
		t.Errorf("subscriptions (-want +got):\n%s", diff)
	}
}

func TestStreamBookResyncsOnSequenceGap(t *testing.T) {
	f := adapter.Fixture(t, fakecoinbase.WithStreamHeartbeat(10*time.Millisecond))
	e := f.Open(t, nil, fastBuckets)
	skipped := false
	got, err := collectBooks(t, e, 2, func(bs []trade.Book) bool {
		if !skipped {
			skipped = true
			// The message after the gap is lost to the client: the book
			// moves meanwhile, and only a fresh snapshot can show it.
			f.Srv.SkipStreamSequence()
			go f.Srv.SetBook("BTC-USD", trade.Dec("61000"), trade.Dec("61000.5"), decimal.Zero)
		}
		return sameBook(bs[len(bs)-1], bookMoved)
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamBook = %v, want context.Canceled", err)
	}
	if n := f.Srv.StreamConnections(); n != 2 {
		t.Errorf("stream connections = %d, want 2: one resubscription after the gap", n)
	}
	for i, b := range got {
		if !sameBook(b, bookAtStart) && !sameBook(b, bookMoved) {
			t.Errorf("book %d is neither the first snapshot nor the moved book: %+v", i, b)
		}
	}
	level2 := 0
	for _, s := range f.Srv.StreamSubscriptions() {
		if s.Channel == "level2" {
			level2++
		}
	}
	if level2 != 2 {
		t.Errorf("level2 subscriptions = %d, want 2", level2)
	}
}

func TestStreamBookReconnectsAfterDrop(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	dropped := false
	got, err := collectBooks(t, e, 2, func(bs []trade.Book) bool {
		if !dropped {
			dropped = true
			f.Srv.DropStreams()
			go f.Srv.SetBook("BTC-USD", trade.Dec("61000"), trade.Dec("61000.5"), decimal.Zero)
		}
		return sameBook(bs[len(bs)-1], bookMoved)
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamBook = %v, want context.Canceled", err)
	}
	if n := f.Srv.StreamConnections(); n < 2 {
		t.Errorf("stream connections = %d, want a reconnect", n)
	}
	if !sameBook(got[0], bookAtStart) {
		t.Errorf("first book = %+v, want the first snapshot", got[0])
	}
}

func TestStreamBookGivesUpForREST(t *testing.T) {
	// Streams refused: after FailuresBeforePoll failed dials StreamBook
	// returns an error, so book --watch reads over REST instead of waiting.
	f := adapter.Fixture(t)
	f.Srv.DisableStreams(true)
	e := f.Open(t, nil, fastBuckets)
	err := e.StreamBook(ctxT(t), btcusd, 5, func(trade.Book) error { t.Error("a book without a stream"); return nil })
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("StreamBook = %v, want the stream's failure", err)
	}
	if n := f.Srv.Count("GET", fakecoinbase.Prefix+"/market/product_book"); n != 0 {
		t.Errorf("product_book read %d times: reading is the caller's fallback", n)
	}
}

func TestStreamBookWithoutAStream(t *testing.T) {
	f := adapter.Fixture(t)
	p := f.Params(nil)
	delete(p.Options, KeyWSURL)
	e := venuetest.Open(t, New, p, append(adapter.Fast, fastBuckets)...)
	err := e.StreamBook(ctxT(t), btcusd, 5, func(trade.Book) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "ws_url") {
		t.Errorf("StreamBook = %v, want an error naming ws_url", err)
	}
}

func TestStreamBookUnknownSymbolAndFnError(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	err := e.StreamBook(ctxT(t), trade.MustSymbol("NOPE-USD"), 5, func(trade.Book) error { return nil })
	if !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("StreamBook(NOPE-USD) = %v, want ErrNotFound", err)
	}
	if n := f.Srv.StreamConnections(); n != 0 {
		t.Errorf("stream connections = %d, want none for an unknown symbol", n)
	}
	stop := errors.New("enough")
	if err := e.StreamBook(ctxT(t), btcusd, 5, func(trade.Book) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("StreamBook = %v, want fn's error", err)
	}
}

// The messages below follow the documented level2 shape (Advanced Trade
// WebSocket, Level 2 channel: channel l2_data, events of type snapshot or
// update, updates of side, event_time, price_level, new_quantity).
const (
	docL2Snapshot = `{"channel":"l2_data","client_id":"","timestamp":"2023-02-09T20:32:50.714964855Z","sequence_num":0,"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[` +
		`{"side":"bid","event_time":"1970-01-01T00:00:00Z","price_level":"21921.73","new_quantity":"0.06317902"},` +
		`{"side":"bid","event_time":"1970-01-01T00:00:00Z","price_level":"21921.3","new_quantity":"0.02"},` +
		`{"side":"bid","event_time":"1970-01-01T00:00:00Z","price_level":"21920.00","new_quantity":"1.5"},` +
		`{"side":"offer","event_time":"1970-01-01T00:00:00Z","price_level":"21921.74","new_quantity":"0.01"},` +
		`{"side":"offer","event_time":"1970-01-01T00:00:00Z","price_level":"21922","new_quantity":"0.3"}]}]}`
	docL2Update = `{"channel":"l2_data","client_id":"","timestamp":"2023-02-09T20:32:51.000000001Z","sequence_num":2,"events":[{"type":"update","product_id":"BTC-USD","updates":[` +
		`{"side":"bid","event_time":"2023-02-09T20:32:50.714964855Z","price_level":"21921.73","new_quantity":"0"},` +
		`{"side":"bid","event_time":"2023-02-09T20:32:50.714964855Z","price_level":"21920","new_quantity":"2.25"},` +
		`{"side":"offer","event_time":"2023-02-09T20:32:50.714964855Z","price_level":"21921.5","new_quantity":"0.4"}]}]}`
)

func TestLevel2Decoder(t *testing.T) {
	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339Nano, s); return tm }
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	snap := trade.Book{Symbol: btcusd, Time: at("2023-02-09T20:32:50.714964855Z"),
		Bids: []trade.BookLevel{lv("21921.73", "0.06317902"), lv("21921.3", "0.02"), lv("21920.00", "1.5")},
		Asks: []trade.BookLevel{lv("21921.74", "0.01"), lv("21922", "0.3")}}
	updated := trade.Book{Symbol: btcusd, Time: at("2023-02-09T20:32:51.000000001Z"),
		Bids: []trade.BookLevel{lv("21921.3", "0.02"), lv("21920", "2.25")},
		Asks: []trade.BookLevel{lv("21921.5", "0.4"), lv("21921.74", "0.01"), lv("21922", "0.3")}}
	withSeq := func(msg string, n int) string {
		return strings.Replace(msg, `"sequence_num":2`, fmt.Sprintf(`"sequence_num":%d`, n), 1)
	}
	tests := []struct {
		name   string
		depth  int
		msgs   []string
		want   []trade.Book // from the last message
		resync bool
		bad    bool
	}{
		{name: "snapshot", depth: 10, msgs: []string{docL2Snapshot}, want: []trade.Book{snap}},
		{name: "snapshot cut to depth", depth: 1, msgs: []string{docL2Snapshot}, want: []trade.Book{{Symbol: btcusd, Time: snap.Time,
			Bids: snap.Bids[:1], Asks: snap.Asks[:1]}}},
		{name: "update after heartbeat: removal, change, new level", depth: 10, msgs: []string{docL2Snapshot, docHeartbeat, docL2Update},
			want: []trade.Book{updated}},
		{name: "many updates, one book", depth: 10, msgs: []string{docL2Snapshot, withSeq(docL2Update, 1)}, want: []trade.Book{updated}},
		{name: "a second snapshot replaces the book", depth: 10, msgs: []string{docL2Snapshot, docHeartbeat,
			strings.NewReplacer(`"sequence_num":0`, `"sequence_num":2`, `"timestamp":"2023-02-09T20:32:50.714964855Z"`, `"timestamp":"bad"`).Replace(
				`{"channel":"l2_data","timestamp":"2023-02-09T20:32:50.714964855Z","sequence_num":0,"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"x","price_level":"5","new_quantity":"1"}]}]}`)},
			want: []trade.Book{{Symbol: btcusd, Time: now, Bids: []trade.BookLevel{lv("5", "1")}}}},
		{name: "heartbeat", depth: 10, msgs: []string{docHeartbeat}},
		{name: "subscriptions", depth: 10, msgs: []string{docSubscriptions}},
		{name: "other products ignored", depth: 10, msgs: []string{strings.ReplaceAll(docL2Snapshot, "BTC-USD", "ETH-USD")}},
		{name: "late message ignored", depth: 10, msgs: []string{docL2Snapshot, docHeartbeat, docL2Update, withSeq(docL2Update, 1)}},
		{name: "sequence gap", depth: 10, msgs: []string{docL2Snapshot, docL2Update}, resync: true},
		{name: "update before the snapshot", depth: 10, msgs: []string{docL2Update}, resync: true},
		{name: "venue error", depth: 10, msgs: []string{`{"type":"error","message":"Failed to subscribe"}`}, resync: true},
		{name: "unknown side", depth: 10, msgs: []string{strings.Replace(docL2Snapshot, `"side":"offer"`, `"side":"ask"`, 1)}, resync: true},
		{name: "price not a number", depth: 10, msgs: []string{strings.Replace(docL2Snapshot, `"21922"`, `"abc"`, 1)}, resync: true},
		{name: "zero price", depth: 10, msgs: []string{strings.Replace(docL2Snapshot, `"21922"`, `"0"`, 1)}, resync: true},
		{name: "negative quantity", depth: 10, msgs: []string{strings.Replace(docL2Snapshot, `"0.3"`, `"-0.3"`, 1)}, resync: true},
		{name: "crossed book", depth: 10, msgs: []string{strings.Replace(docL2Snapshot, `"21922"`, `"21900"`, 1)}, resync: true},
		{name: "unknown event type", depth: 10, msgs: []string{strings.Replace(docL2Snapshot, `"type":"snapshot"`, `"type":"delta"`, 1)}, resync: true},
		{name: "events not a list", depth: 10, msgs: []string{`{"channel":"l2_data","sequence_num":0,"events":{}}`}, resync: true},
		{name: "not JSON", depth: 10, msgs: []string{`{"channel":`}, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newLevel2Decoder(btcusd, tt.depth, func() time.Time { return now })
			var got []trade.Book
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
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b trade.BookLevel) bool {
				return a.Price.Equal(b.Price) && a.Qty.Equal(b.Qty)
			})); diff != "" {
				t.Errorf("books (-want +got):\n%s", diff)
			}
		})
	}
}

// A message that fails is not applied at all: the book after a refused
// update is still the snapshot (what a resync would show is a new book,
// never a half-applied one).
func TestLevel2DecoderAppliesAMessageWhole(t *testing.T) {
	d := newLevel2Decoder(btcusd, 10, time.Now)
	if _, err := d.decode([]byte(docL2Snapshot)); err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(strings.Replace(docL2Update, `"sequence_num":2`, `"sequence_num":1`, 1), `"price_level":"21921.5"`, `"price_level":"x"`, 1)
	if _, err := d.decode([]byte(bad)); !errors.Is(err, venuews.ErrResync) {
		t.Fatalf("decode = %v, want ErrResync", err)
	}
	if _, ok := d.bids["21921.73"]; !ok || len(d.bids) != 3 || len(d.asks) != 2 {
		t.Errorf("book after a refused update: bids %v asks %v, want the snapshot untouched", d.bids, d.asks)
	}
}

// FuzzLevel2Decoder feeds arbitrary messages after a snapshot: the decoder
// may refuse them but never panics, and any book it delivers is sorted
// best first, within the depth, positive and uncrossed.
func FuzzLevel2Decoder(f *testing.F) {
	for _, s := range []string{docL2Snapshot, docL2Update, strings.Replace(docL2Update, `"sequence_num":2`, `"sequence_num":1`, 1),
		docHeartbeat, docSubscriptions, `{"type":"error"}`,
		`{"channel":"l2_data","sequence_num":1,"events":[null,{"type":"update","product_id":"BTC-USD","updates":null}]}`,
		`{"channel":"l2_data","sequence_num":1,"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"bid","price_level":"1e99999","new_quantity":"1"}]}]}`,
		`{"channel":"l2_data","sequence_num":-9223372036854775808}`, `[]`, ``} {
		f.Add([]byte(s))
	}
	const depth = 3
	f.Fuzz(func(t *testing.T, msg []byte) {
		d := newLevel2Decoder(btcusd, depth, time.Now)
		if _, err := d.decode([]byte(docL2Snapshot)); err != nil {
			t.Fatal(err)
		}
		bs, err := d.decode(msg)
		if err != nil {
			return
		}
		for _, b := range bs {
			if len(b.Bids) > depth || len(b.Asks) > depth {
				t.Errorf("book beyond depth %d: %+v", depth, b)
			}
			for i, l := range append(append([]trade.BookLevel(nil), b.Bids...), b.Asks...) {
				if !l.Price.IsPositive() || !l.Qty.IsPositive() {
					t.Errorf("level %d not positive: %+v", i, l)
				}
			}
			for i := 1; i < len(b.Bids); i++ {
				if !b.Bids[i-1].Price.GreaterThan(b.Bids[i].Price) {
					t.Errorf("bids out of order: %+v", b.Bids)
				}
			}
			for i := 1; i < len(b.Asks); i++ {
				if !b.Asks[i-1].Price.LessThan(b.Asks[i].Price) {
					t.Errorf("asks out of order: %+v", b.Asks)
				}
			}
			if len(b.Bids) > 0 && len(b.Asks) > 0 && !b.Bids[0].Price.LessThan(b.Asks[0].Price) {
				t.Errorf("crossed book: %+v", b)
			}
		}
	})
}

// BenchmarkDecodeLevel2Update measures one update message of three levels
// against a deep book (5000 levels a side), cut to book's default depth
// of 10: the work a busy product costs per message. "top" touches the
// best bid, so that side is cut again; "deep" touches only levels below
// the best ten, which leaves the cut as it was.
func BenchmarkDecodeLevel2Update(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"channel":"l2_data","timestamp":"2023-02-09T20:32:50.714964855Z","sequence_num":0,"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[`)
	for i := range 5000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"side":"bid","event_time":"x","price_level":"%d.%02d","new_quantity":"1"},`, 21921-i/100, 99-i%100)
		fmt.Fprintf(&sb, `{"side":"offer","event_time":"x","price_level":"%d.%02d","new_quantity":"1"}`, 21922+i/100, i%100)
	}
	sb.WriteString(`]}]}`)
	for _, bc := range []struct{ name, bestBid string }{{"top", "21921.99"}, {"deep", "21910.01"}} {
		b.Run(bc.name, func(b *testing.B) {
			d := newLevel2Decoder(btcusd, 10, time.Now)
			if _, err := d.decode([]byte(sb.String())); err != nil {
				b.Fatal(err)
			}
			msg := []byte(`{"channel":"l2_data","timestamp":"2023-02-09T20:32:51.000000001Z","sequence_num":1,"events":[{"type":"update","product_id":"BTC-USD","updates":[` +
				`{"side":"bid","event_time":"x","price_level":"` + bc.bestBid + `","new_quantity":"3"},` +
				`{"side":"bid","event_time":"x","price_level":"21900.5","new_quantity":"2"},` +
				`{"side":"offer","event_time":"x","price_level":"21930.5","new_quantity":"0"}]}]}`)
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				d.seq.last = 0 // each round is the next message
				if _, err := d.decode(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The cut kept between messages (topCache) must always equal a cut of the
// whole book: random updates on a grid of 100 bid and 100 ask prices,
// many of them inside the best levels, each book checked against one
// built from every level.
func TestLevel2DecoderTopMatchesWholeBook(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const depth = 5
	d := newLevel2Decoder(btcusd, depth, time.Now)
	if _, err := d.decode([]byte(docL2Snapshot)); err != nil {
		t.Fatal(err)
	}
	for seq := 1; seq <= 3000; seq++ {
		var ups []string
		for range 1 + rng.IntN(4) {
			side, price := "bid", 21800+rng.IntN(100)
			if rng.IntN(2) == 0 {
				side, price = "offer", 22000+rng.IntN(100)
			}
			qty := "0"
			if rng.IntN(3) > 0 {
				qty = fmt.Sprint(1 + rng.IntN(9))
			}
			ups = append(ups, fmt.Sprintf(`{"side":%q,"event_time":"x","price_level":"%d","new_quantity":%q}`, side, price, qty))
		}
		msg := fmt.Sprintf(`{"channel":"l2_data","sequence_num":%d,"events":[{"type":"update","product_id":"BTC-USD","updates":[%s]}]}`, seq, strings.Join(ups, ","))
		got, err := d.decode([]byte(msg))
		if err != nil {
			t.Fatalf("message %d: %v", seq, err)
		}
		want, err := trade.NewBook(btcusd, got[0].Time, d.bids.best(len(d.bids), true), d.asks.best(len(d.asks), false), depth)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got[0], bookOpts); diff != "" {
			t.Fatalf("message %d: book (-whole book cut +decoder):\n%s", seq, diff)
		}
	}
}
