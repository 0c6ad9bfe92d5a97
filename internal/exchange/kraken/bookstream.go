package kraken

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.BookStreamer = (*Exchange)(nil)

// bookDepths are the depths the v2 book channel serves, smallest first.
var bookDepths = []int{10, 25, 100, 500, 1000}

// checksumLevels is how many levels a side the book checksum covers,
// whatever the subscribed depth.
const checksumLevels = 10

// maxChecksumMisses is how many fresh snapshots in a row may fail their
// checksum before the stream is given up (and `book --watch` reads over
// REST): a book that never verifies is not one to show.
const maxChecksumMisses = 3

// wsBookDepth is the subscription depth for a book of depth levels: the
// smallest the channel serves that holds them (the largest when none
// does); depth 0 or less asks for REST Depth's default.
func wsBookDepth(depth int) int {
	if depth <= 0 {
		depth = depthDefault
	}
	for _, d := range bookDepths {
		if d >= depth {
			return d
		}
	}
	return bookDepths[len(bookDepths)-1]
}

// wsBookRequest is a v2 subscribe or unsubscribe request for the book
// channel.
type wsBookRequest struct {
	Method string `json:"method"`
	Params struct {
		Channel  string   `json:"channel"`
		Symbol   []string `json:"symbol"`
		Depth    int      `json:"depth"`
		Snapshot *bool    `json:"snapshot,omitempty"`
	} `json:"params"`
}

func bookRequest(method, symbol string, depth int) []byte {
	var r wsBookRequest
	r.Method, r.Params.Channel, r.Params.Symbol, r.Params.Depth = method, "book", []string{symbol}, depth
	if method == "subscribe" {
		snap := true
		r.Params.Snapshot = &snap
	}
	b, _ := json.Marshal(r) // plain strings, ints and a bool: cannot fail
	return b
}

// StreamBook implements exchange.BookStreamer over the WebSocket v2 book
// channel, on the shared stream core (venuews); see the package doc. The
// pair is checked against AssetPairs first, so an unknown one fails at
// once as it does for OrderBook.
func (e *Exchange) StreamBook(ctx context.Context, sym trade.Symbol, depth int, fn func(trade.Book) error) error {
	if e.wsURL == "" {
		// A profile pointed at another REST base without ws_url: its
		// caller reads the book over REST.
		return fmt.Errorf("stream book: %w: no order book stream for this profile (ws_url is not set)", venuews.ErrBookStreamDown)
	}
	if _, err := e.rulesFor(ctx, sym); err != nil {
		return fmt.Errorf("stream book: %w", err)
	}
	ws, subDepth := wsSymbol(sym), wsBookDepth(depth)
	if depth <= 0 {
		depth = subDepth
	}
	sub, unsub := bookRequest("subscribe", ws, subDepth), bookRequest("unsubscribe", ws, subDepth)
	log := e.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return venuews.StreamBooks(ctx, venuews.BookFeed{
		Endpoint:  e.Endpoint(e.wsURL),
		Subscribe: func(context.Context) ([][]byte, error) { return [][]byte{sub}, nil },
		NewDialogue: func(send func([]byte)) venuews.BookDecoder {
			d := newBookDecoder(sym, subDepth, depth, e.Now)
			d.resubscribe = func(reason string) {
				log.Warn("kraken: order book checksum failed, resubscribing for a fresh snapshot", "profile", e.Profile, "symbol", sym.String(), "why", reason)
				send(unsub)
				send(sub)
			}
			return d.decode
		},
		Timing: e.wsTiming,
	}, fn)
}

// bookLevel is one price level as Kraken wrote it: the decimals to order
// and show, the text for the checksum.
type bookLevel struct {
	price, qty         decimal.Decimal
	priceText, qtyText string
}

// bookSide is one side of the local book, best first.
type bookSide struct {
	levels []bookLevel
	bids   bool
}

// before says a is a better price than b on this side.
func (s *bookSide) before(a, b decimal.Decimal) bool {
	if s.bids {
		return a.GreaterThan(b)
	}
	return a.LessThan(b)
}

// apply sets a level's quantity; qty 0 removes the level.
func (s *bookSide) apply(l bookLevel) {
	i := sort.Search(len(s.levels), func(i int) bool { return !s.before(s.levels[i].price, l.price) })
	found := i < len(s.levels) && s.levels[i].price.Equal(l.price)
	switch {
	case l.qty.IsZero() && found:
		s.levels = append(s.levels[:i], s.levels[i+1:]...)
	case l.qty.IsZero():
	case found:
		s.levels[i] = l
	default:
		s.levels = append(s.levels, bookLevel{})
		copy(s.levels[i+1:], s.levels[i:])
		s.levels[i] = l
	}
}

// truncate drops the levels past depth: Kraken sends no removal for a
// level pushed out of the subscribed depth.
func (s *bookSide) truncate(depth int) {
	if len(s.levels) > depth {
		s.levels = s.levels[:depth]
	}
}

func (s *bookSide) top(depth int) []trade.BookLevel {
	n := min(depth, len(s.levels))
	out := make([]trade.BookLevel, n)
	for i := range n {
		out[i] = trade.BookLevel{Price: s.levels[i].price, Qty: s.levels[i].qty}
	}
	return out
}

// checksumText is a number as the checksum takes it: the decimal point
// removed, then the leading zeros.
func checksumText(s string) string {
	return strings.TrimLeft(strings.Replace(s, ".", "", 1), "0")
}

// bookChecksum is Kraken's CRC32 of the book: for the top ten asks, low to
// high, then the top ten bids, high to low, each level's price then qty
// as checksumText writes them, all concatenated.
func bookChecksum(asks, bids []bookLevel) uint32 {
	var b strings.Builder
	for _, side := range [][]bookLevel{asks, bids} {
		for _, l := range side[:min(checksumLevels, len(side))] {
			b.WriteString(checksumText(l.priceText))
			b.WriteString(checksumText(l.qtyText))
		}
	}
	return crc32.ChecksumIEEE([]byte(b.String()))
}

// wsBookEntry is one symbol's book message. v2 sends price and qty as JSON
// numbers written to the pair's precision ("qty": 0.00100000); the raw
// text is kept, since the checksum is computed from it.
type wsBookEntry struct {
	Symbol    string          `json:"symbol"`
	Bids      []wsBookLevel   `json:"bids"`
	Asks      []wsBookLevel   `json:"asks"`
	Checksum  json.RawMessage `json:"checksum"`
	Timestamp string          `json:"timestamp"`
}

type wsBookLevel struct {
	Price json.RawMessage `json:"price"`
	Qty   json.RawMessage `json:"qty"`
}

// plainDecimal is a JSON number (or a string holding one) written as
// digits with at most one decimal point: what Kraken sends, and the only
// form whose checksum text is defined.
func plainDecimal(field string, raw json.RawMessage) (decimal.Decimal, string, error) {
	s := strings.TrimSpace(string(raw))
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	digits, dots := 0, 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return decimal.Decimal{}, "", fmt.Errorf("%s %q is not a plain decimal", field, s)
		}
	}
	if digits == 0 || dots > 1 || s[0] == '.' || s[len(s)-1] == '.' {
		return decimal.Decimal{}, "", fmt.Errorf("%s %q is not a plain decimal", field, s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, "", fmt.Errorf("%s %q: %w", field, s, err)
	}
	return d, s, nil
}

func readLevels(side string, in []wsBookLevel) ([]bookLevel, error) {
	out := make([]bookLevel, len(in))
	for i, l := range in {
		p, pt, err := plainDecimal(fmt.Sprintf("%s[%d] price", side, i), l.Price)
		if err != nil {
			return nil, err
		}
		q, qt, err := plainDecimal(fmt.Sprintf("%s[%d] qty", side, i), l.Qty)
		if err != nil {
			return nil, err
		}
		if !p.IsPositive() {
			return nil, fmt.Errorf("%s[%d]: price %s is not positive", side, i, pt)
		}
		out[i] = bookLevel{price: p, qty: q, priceText: pt, qtyText: qt}
	}
	return out, nil
}

// bookDecoder keeps one connection's book of one pair: the snapshot, the
// updates applied over it, each message's checksum verified.
type bookDecoder struct {
	sym         trade.Symbol
	ws          string
	subDepth    int // the subscription's depth: the book kept
	depth       int // the depth shown
	now         func() time.Time
	resubscribe func(reason string)

	bids, asks bookSide
	// live is false until a snapshot arrives and again after a failed
	// checksum, until the fresh snapshot: updates meanwhile are dropped.
	live   bool
	misses int // failed checksums since the last verified message
}

func newBookDecoder(sym trade.Symbol, subDepth, depth int, now func() time.Time) *bookDecoder {
	return &bookDecoder{sym: sym, ws: wsSymbol(sym), subDepth: subDepth, depth: depth, now: now,
		bids: bookSide{bids: true}, resubscribe: func(string) {}}
}

func (d *bookDecoder) decode(msg []byte) ([]trade.Book, error) {
	var m wsMessage
	if err := json.Unmarshal(msg, &m); err != nil {
		return nil, err
	}
	var entries []wsBookEntry
	snapshot, ok, err := m.entries("book", &entries)
	if !ok {
		return nil, err
	}
	var out []trade.Book
	for _, e := range entries {
		if e.Symbol != d.ws {
			continue
		}
		b, err := d.fold(snapshot, e)
		if err != nil {
			return out, err
		}
		if b != nil {
			out = append(out, *b)
		}
	}
	return out, nil
}

// fold applies one entry, whole or not at all, and returns the book it
// leaves when its checksum holds.
func (d *bookDecoder) fold(snapshot bool, e wsBookEntry) (*trade.Book, error) {
	if !snapshot && !d.live {
		return nil, nil // before the (fresh) snapshot: nothing to build on
	}
	bids, err := readLevels("bids", e.Bids)
	if err != nil {
		return nil, err
	}
	asks, err := readLevels("asks", e.Asks)
	if err != nil {
		return nil, err
	}
	want, err := strconv.ParseUint(strings.TrimSpace(string(e.Checksum)), 10, 32)
	if err != nil {
		return nil, fmt.Errorf("checksum %q: not a 32-bit unsigned number", e.Checksum)
	}
	if snapshot {
		d.bids.levels, d.asks.levels = d.bids.levels[:0], d.asks.levels[:0]
	}
	for _, l := range bids {
		d.bids.apply(l)
	}
	for _, l := range asks {
		d.asks.apply(l)
	}
	d.bids.truncate(d.subDepth)
	d.asks.truncate(d.subDepth)
	if got := bookChecksum(d.asks.levels, d.bids.levels); got != uint32(want) {
		d.live = false
		d.misses++
		if d.misses > maxChecksumMisses {
			return nil, venuews.Fatal(fmt.Errorf("kraken: %s order book failed its checksum %d times in a row", d.sym, d.misses))
		}
		d.resubscribe(fmt.Sprintf("computed %d, Kraken sent %d", got, want))
		return nil, nil
	}
	d.live, d.misses = true, 0
	at := d.now().UTC()
	if t, err := time.Parse(time.RFC3339Nano, e.Timestamp); err == nil {
		at = t.UTC()
	}
	b, err := trade.NewBook(d.sym, at, d.bids.top(d.depth), d.asks.top(d.depth), d.depth)
	if err != nil {
		return nil, err
	}
	return &b, nil
}
