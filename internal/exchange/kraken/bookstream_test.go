package kraken

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"

	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

// docBookSnapshot is the worked example of Kraken's "Spot Websockets (v2) Book
// Checksum" guide (https://docs.kraken.com/api/docs/guides/spot-ws-book-v2),
// prices and quantities as the JSON numbers it shows; its checksum is the
// guide's, 3310070434.
const docBookSnapshot = `{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",
"bids":[{"price":45283.5,"qty":0.10000000},{"price":45283.4,"qty":1.54582015},{"price":45282.1,"qty":0.10000000},
{"price":45281.0,"qty":0.10000000},{"price":45280.3,"qty":1.54592586},{"price":45279.0,"qty":0.07990000},
{"price":45277.6,"qty":0.03310103},{"price":45277.5,"qty":0.30000000},{"price":45277.3,"qty":1.54602737},
{"price":45276.6,"qty":0.15445238}],
"asks":[{"price":45285.2,"qty":0.00100000},{"price":45286.4,"qty":1.54571953},{"price":45286.6,"qty":1.54571109},
{"price":45289.6,"qty":1.54560911},{"price":45290.2,"qty":0.15890660},{"price":45291.8,"qty":1.54553491},
{"price":45294.7,"qty":0.04454749},{"price":45296.1,"qty":0.35380000},{"price":45297.5,"qty":0.09945542},
{"price":45299.5,"qty":0.18772827}],
"checksum":3310070434}]}`

// The guide's intermediate strings: the asks part and the bids part of
// the text the CRC32 is taken of.
const (
	docAsksText = "45285210000045286415457195345286615457110945289615456091145290215890660452918154553491452947445474945296135380000452975994554245299518772827"
	docBidsText = "452835100000004528341545820154528211000000045281010000000452803154592586452790799000045277633101034527753000000045277315460273745276615445238"
)

func levelsText(ls []bookLevel) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(checksumText(l.priceText) + checksumText(l.qtyText))
	}
	return b.String()
}

func TestBookChecksumDocExample(t *testing.T) {
	d := newBookDecoder(btcusd, 10, 10, time.Now)
	books, err := d.decode([]byte(docBookSnapshot))
	if err != nil {
		t.Fatal(err)
	}
	if len(books) != 1 {
		t.Fatalf("books = %d, want the verified snapshot", len(books))
	}
	if got := levelsText(d.asks.levels); got != docAsksText {
		t.Errorf("asks text\n got %s\nwant %s", got, docAsksText)
	}
	if got := levelsText(d.bids.levels); got != docBidsText {
		t.Errorf("bids text\n got %s\nwant %s", got, docBidsText)
	}
	if got := bookChecksum(d.asks.levels, d.bids.levels); got != 3310070434 {
		t.Errorf("checksum = %d, want 3310070434", got)
	}
	b := books[0]
	if !b.Bids[0].Price.Equal(trade.Dec("45283.5")) || !b.Asks[0].Qty.Equal(trade.Dec("0.001")) || len(b.Asks) != 10 {
		t.Errorf("book top = %v / %v (%d asks)", b.Bids[0], b.Asks[0], len(b.Asks))
	}
}

func TestChecksumText(t *testing.T) {
	for in, want := range map[string]string{
		"45285.2": "452852", "0.00100000": "100000", "0.05000": "5000", "1.54571953": "154571953",
		"100": "100", "0": "", "1000.0": "10000",
	} {
		if got := checksumText(in); got != want {
			t.Errorf("checksumText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWSBookDepth(t *testing.T) {
	for in, want := range map[int]int{0: 100, -3: 100, 1: 10, 10: 10, 11: 25, 25: 25, 26: 100, 101: 500, 500: 500, 501: 1000, 5000: 1000} {
		if got := wsBookDepth(in); got != want {
			t.Errorf("wsBookDepth(%d) = %d, want %d", in, got, want)
		}
	}
}

// lv writes book levels as "price qty".
func lv(pq ...string) []trade.BookLevel {
	var out []trade.BookLevel
	for _, s := range pq {
		p, q, _ := strings.Cut(s, " ")
		out = append(out, trade.BookLevel{Price: trade.Dec(p), Qty: trade.Dec(q)})
	}
	return out
}

// wireLevels writes levels ("price qty") as v2 does: JSON numbers.
func wireLevels(pq []string) string {
	var parts []string
	for _, s := range pq {
		p, q, _ := strings.Cut(s, " ")
		parts = append(parts, `{"price":`+p+`,"qty":`+q+`}`)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// checksumOf is the checksum of the book a message should leave, from
// the levels a test expects.
func checksumOf(asks, bids []string) string {
	toLevels := func(pq []string) []bookLevel {
		var out []bookLevel
		for _, s := range pq {
			p, q, _ := strings.Cut(s, " ")
			out = append(out, bookLevel{priceText: p, qtyText: q})
		}
		return out
	}
	return strconv.FormatUint(uint64(bookChecksum(toLevels(asks), toLevels(bids))), 10)
}

func msg(typ string, bids, asks []string, checksum string) string {
	return `{"channel":"book","type":"` + typ + `","data":[{"symbol":"BTC/USD","bids":` + wireLevels(bids) +
		`,"asks":` + wireLevels(asks) + `,"checksum":` + checksum + `,"timestamp":"2026-12-06T20:00:00.000001Z"}]}`
}

func TestBookDecoder(t *testing.T) {
	snapBids, snapAsks := []string{"100.0 1.000", "99.9 2.000", "99.8 3.000"}, []string{"100.1 1.000", "100.2 2.000", "100.3 3.000"}
	snapshot := msg("snapshot", snapBids, snapAsks, checksumOf(snapAsks, snapBids))
	type step struct {
		msg        string
		want       []trade.Book // nil: none delivered
		resubs     int          // resubscriptions asked so far
		wantErr    bool
		wantResync bool
		wantFatal  bool
	}
	at := time.Date(2026, 12, 6, 20, 0, 0, 1000, time.UTC)
	book := func(bids, asks []trade.BookLevel) []trade.Book {
		return []trade.Book{{Symbol: btcusd, Time: at, Bids: bids, Asks: asks}}
	}
	// After the update below: 100.0 removed, 99.95 inserted, 100.2 changed.
	updBids, updAsks := []string{"99.95 0.500", "99.9 2.000", "99.8 3.000"}, []string{"100.1 1.000", "100.2 4.000", "100.3 3.000"}
	update := msg("update", []string{"100.0 0", "99.95 0.500"}, []string{"100.2 4.000"}, checksumOf(updAsks, updBids))
	for _, tc := range []struct {
		name  string
		depth int
		steps []step
	}{
		{"snapshot then update", 2, []step{
			{msg: `{"channel":"status","type":"update","data":[{"system":"online"}]}`},
			{msg: `{"method":"subscribe","result":{"channel":"book","symbol":"BTC/USD","depth":10},"success":true}`},
			{msg: snapshot, want: book(lv("100.0 1.000", "99.9 2.000"), lv("100.1 1.000", "100.2 2.000"))},
			{msg: `{"channel":"heartbeat"}`},
			{msg: update, want: book(lv("99.95 0.500", "99.9 2.000"), lv("100.1 1.000", "100.2 4.000"))},
		}},
		{"update before the snapshot is dropped", 3, []step{
			{msg: update},
			{msg: snapshot, want: book(lv(snapBids...), lv(snapAsks...))},
		}},
		{"wrong checksum resubscribes and waits for the snapshot", 3, []step{
			{msg: snapshot, want: book(lv(snapBids...), lv(snapAsks...))},
			{msg: msg("update", []string{"100.0 0"}, nil, "12345"), resubs: 1},
			{msg: update, resubs: 1}, // the old subscription's: dropped
			{msg: snapshot, resubs: 1, want: book(lv(snapBids...), lv(snapAsks...))},
			{msg: update, resubs: 1, want: book(lv(updBids...), lv(updAsks...))},
		}},
		{"checksums that keep failing end the stream", 3, []step{
			{msg: msg("snapshot", snapBids, snapAsks, "1"), resubs: 1},
			{msg: msg("snapshot", snapBids, snapAsks, "1"), resubs: 2},
			{msg: msg("snapshot", snapBids, snapAsks, "1"), resubs: 3},
			{msg: msg("snapshot", snapBids, snapAsks, "1"), resubs: 3, wantFatal: true},
		}},
		{"malformed levels leave the book alone", 3, []step{
			{msg: snapshot, want: book(lv(snapBids...), lv(snapAsks...))},
			{msg: msg("update", []string{"1e2 1"}, nil, "0"), wantErr: true},
			{msg: msg("update", []string{"-1.0 1"}, nil, "0"), wantErr: true},
			{msg: msg("update", []string{"0 1"}, nil, "0"), wantErr: true},
			{msg: msg("update", []string{"99.0 1"}, nil, `"x"`), wantErr: true},
			{msg: `{"channel":"book","type":"update","data":{}}`, wantErr: true},
			{msg: `{"channel":"book","type":"other","data":[]}`, wantErr: true},
			{msg: update, want: book(lv(updBids...), lv(updAsks...))},
		}},
		{"refused subscription", 3, []step{
			{msg: `{"method":"subscribe","error":"Currency pair not supported","success":false}`, wantResync: true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newBookDecoder(btcusd, 10, tc.depth, time.Now)
			resubs := 0
			d.resubscribe = func(string) { resubs++ }
			for i, s := range tc.steps {
				got, err := d.decode([]byte(s.msg))
				switch {
				case s.wantFatal:
					if !venuews.IsFatal(err) {
						t.Fatalf("step %d: err = %v, want a fatal one", i, err)
					}
				case s.wantResync:
					if !errors.Is(err, venuews.ErrResync) {
						t.Fatalf("step %d: err = %v, want a resync", i, err)
					}
				case s.wantErr:
					if err == nil || venuews.IsFatal(err) || errors.Is(err, venuews.ErrResync) {
						t.Fatalf("step %d: err = %v, want a malformed message", i, err)
					}
				case err != nil:
					t.Fatalf("step %d: %v", i, err)
				}
				if diff := cmp.Diff(s.want, got); diff != "" {
					t.Errorf("step %d: books (-want +got):\n%s", i, diff)
				}
				if resubs != s.resubs {
					t.Errorf("step %d: resubscriptions = %d, want %d", i, resubs, s.resubs)
				}
			}
		})
	}
}

// collectBooks streams BTC-USD's book at depth until stop says so, then
// cancels and returns the books (without their times) and StreamBook's
// result.
func collectBooks(t *testing.T, e *Exchange, depth int, stop func([]trade.Book) bool) ([]trade.Book, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []trade.Book
	err := e.StreamBook(ctx, btcusd, depth, func(b trade.Book) error {
		mu.Lock()
		defer mu.Unlock()
		if b.Time.IsZero() {
			t.Errorf("book without a time")
		}
		b.Time = time.Time{}
		got = append(got, b)
		if stop(got) {
			cancel()
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	if ctx.Err() == context.DeadlineExceeded {
		t.Fatalf("stream timed out after %d books: %v", len(got), got)
	}
	return got, err
}

// fakeBook is the fake's ladder for BTC-USD around bid and ask (0.1 tick,
// quantities 1, 2, 3… a side), depth levels a side.
func fakeBook(bid, ask string, depth int) trade.Book {
	b := trade.Book{Symbol: btcusd}
	tick := trade.Dec("0.1")
	for i := range depth {
		off, qty := tick.Mul(decimal.NewFromInt(int64(i))), decimal.NewFromInt(int64(i+1))
		b.Bids = append(b.Bids, trade.BookLevel{Price: trade.Dec(bid).Sub(off), Qty: qty})
		b.Asks = append(b.Asks, trade.BookLevel{Price: trade.Dec(ask).Add(off), Qty: qty})
	}
	return b
}

func TestStreamBookSnapshotUpdatesAndRemoval(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	moved := false
	got, err := collectBooks(t, e, 3, func(bs []trade.Book) bool {
		if !moved {
			moved = true
			// The ask moves up a tick: 60000.1 leaves the book (qty 0),
			// the other levels change size, one comes in at the back.
			go f.Srv.SetPrice("XBTUSD", trade.Dec("60000.0"), trade.Dec("60000.2"), trade.Dec("60000.1"))
		}
		return len(bs) == 2
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamBook = %v, want context.Canceled", err)
	}
	want := []trade.Book{fakeBook("60000.0", "60000.1", 3), fakeBook("60000.0", "60000.2", 3)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("books (-want +got):\n%s", diff)
	}
	if n := f.Srv.Count("/0/public/Depth"); n != 0 {
		t.Errorf("Depth requests = %d, want none: the stream carries the book", n)
	}
}

func TestStreamBookChecksumMismatchResubscribes(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	corrupted := false
	got, err := collectBooks(t, e, 2, func(bs []trade.Book) bool {
		if !corrupted {
			corrupted = true
			f.Srv.CorruptNextBookChecksum()
			go f.Srv.SetPrice("XBTUSD", trade.Dec("59999.9"), trade.Dec("60000.1"), trade.Dec("60000.0"))
		}
		return len(bs) == 2
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamBook = %v, want context.Canceled", err)
	}
	// The update with the wrong checksum is never shown; the next book is
	// the fresh snapshot's, which is the book after the move.
	want := []trade.Book{fakeBook("60000.0", "60000.1", 2), fakeBook("59999.9", "60000.1", 2)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("books (-want +got):\n%s", diff)
	}
	if n := f.Srv.BookSubscriptions(); n != 2 {
		t.Errorf("book subscriptions = %d, want 2: the first and one after the mismatch", n)
	}
	if n := f.Srv.StreamConnections(); n != 1 {
		t.Errorf("connections = %d, want 1: a resubscription, not a reconnect", n)
	}
}

func TestStreamBookReconnectsAfterDrop(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	dropped := false
	got, err := collectBooks(t, e, 2, func(bs []trade.Book) bool {
		if !dropped {
			dropped = true
			f.Srv.DropStreams()
			// The move happens while the client is away: only the new
			// connection's snapshot can tell it.
			f.Srv.SetPrice("XBTUSD", trade.Dec("61000.0"), trade.Dec("61000.1"), trade.Dec("61000.0"))
		}
		return len(bs) == 2
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamBook = %v, want context.Canceled", err)
	}
	want := []trade.Book{fakeBook("60000.0", "60000.1", 2), fakeBook("61000.0", "61000.1", 2)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("books (-want +got):\n%s", diff)
	}
	if n := f.Srv.StreamConnections(); n != 2 {
		t.Errorf("connections = %d, want 2", n)
	}
	if n := f.Srv.Count("/0/public/Depth"); n != 0 {
		t.Errorf("Depth requests = %d, want none: a reconnect is not a fallback", n)
	}
}

func TestStreamBookGivesUpWhenTheStreamIsDown(t *testing.T) {
	f := adapter.Fixture(t)
	f.Srv.DisableStreams(true)
	e := f.Open(t, nil)
	_, err := collectBooks(t, e, 5, func([]trade.Book) bool { return true })
	if !errors.Is(err, venuews.ErrBookStreamDown) {
		t.Errorf("StreamBook = %v, want ErrBookStreamDown so the caller reads over REST", err)
	}
	if n := f.Srv.StreamConnections(); n != 0 {
		t.Errorf("connections = %d, want none accepted", n)
	}
}

func TestStreamBookUnknownSymbol(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	err := e.StreamBook(ctxT(t), trade.MustSymbol("NOPE-USD"), 5, func(trade.Book) error { return nil })
	if !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("StreamBook = %v, want ErrNotFound", err)
	}
	if n := f.Srv.StreamConnections(); n != 0 {
		t.Errorf("connections = %d, want none for an unknown pair", n)
	}
}

// FuzzBookStreamDecoder feeds arbitrary messages, one a line, to one
// connection's book decoder: it must not panic, must keep each side
// ordered, unique, positive and within the subscribed depth, and may only
// deliver books that verified, within the asked depth and not crossed.
func FuzzBookStreamDecoder(f *testing.F) {
	snapBids, snapAsks := []string{"100.0 1.000", "99.9 2.000"}, []string{"100.1 1.000"}
	for _, s := range []string{
		docBookSnapshot,
		msg("snapshot", snapBids, snapAsks, checksumOf(snapAsks, snapBids)) + "\n" + msg("update", []string{"100.0 0"}, nil, checksumOf(snapAsks, snapBids[1:])),
		msg("snapshot", snapBids, snapAsks, "1"),
		msg("update", []string{"1e5 1"}, nil, "0"),
		`{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":"100.0","qty":"1"}],"asks":[],"checksum":4294967295}]}`,
		`{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":101,"qty":1}],"asks":[{"price":100,"qty":1}],"checksum":0}]}`,
		`{"channel":"book","type":"update","data":null}`, `{"method":"subscribe","success":false}`,
		`{"channel":"heartbeat"}`, ``, `[]`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d := newBookDecoder(btcusd, 10, 3, time.Now)
		for _, line := range strings.Split(string(in), "\n") {
			books, _ := d.decode([]byte(line))
			for _, side := range []*bookSide{&d.bids, &d.asks} {
				if len(side.levels) > d.subDepth {
					t.Fatalf("%d levels kept, subscribed %d", len(side.levels), d.subDepth)
				}
				for i, l := range side.levels {
					if !l.qty.IsPositive() || !l.price.IsPositive() {
						t.Fatalf("level %v kept", l)
					}
					if i > 0 && !side.before(side.levels[i-1].price, l.price) {
						t.Fatalf("side out of order at %d: %v", i, side.levels)
					}
				}
			}
			for _, b := range books {
				if len(b.Bids) > 3 || len(b.Asks) > 3 {
					t.Fatalf("book deeper than asked: %v", b)
				}
				if len(b.Bids) > 0 && len(b.Asks) > 0 && !b.Bids[0].Price.LessThan(b.Asks[0].Price) {
					t.Fatalf("crossed book delivered: %v", b)
				}
				if got := bookChecksum(d.asks.levels, d.bids.levels); !d.live {
					t.Fatalf("book delivered from an unverified state (checksum %d)", got)
				}
			}
		}
	})
}

func TestStreamBookWithoutAStreamURL(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, func(e *Exchange) { e.wsURL = "" })
	err := e.StreamBook(ctxT(t), btcusd, 5, func(trade.Book) error { return nil })
	if !errors.Is(err, venuews.ErrBookStreamDown) || !strings.Contains(err.Error(), "ws_url") {
		t.Errorf("StreamBook = %v, want ErrBookStreamDown naming ws_url", err)
	}
}
