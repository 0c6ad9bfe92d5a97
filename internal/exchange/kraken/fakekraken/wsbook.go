package fakekraken

import (
	"encoding/json"
	"hash/crc32"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// The book channel of the WebSocket v2 endpoint: a snapshot of the pair's
// ladder (fakevenue.Ladder around its bid and ask) at the subscribed
// depth, then, whenever the ladder moves, an update carrying the levels
// that changed (qty 0 for a level gone), each message with the CRC32
// checksum of the top ten levels a side as Kraken computes it. Prices are
// written with the pair's pair_decimals and quantities with its
// lot_decimals, as JSON numbers, the way Kraken writes them.

// wsBookDepths are the depths the book channel accepts; 10 is the default.
var wsBookDepths = map[int]bool{10: true, 25: true, 100: true, 500: true, 1000: true}

// CorruptNextBookChecksum makes the next book message sent (on any
// connection) carry a wrong checksum, once.
func (s *Server) CorruptNextBookChecksum() { s.ws.corruptBook.Store(true) }

// BookSubscriptions counts book subscriptions accepted so far, on every
// connection.
func (s *Server) BookSubscriptions() int { return int(s.ws.bookSubs.Load()) }

// BookMessages counts book snapshots and updates built for sending so
// far, on every connection.
func (s *Server) BookMessages() int { return int(s.ws.bookMsgs.Load()) }

// wsLevel is a level as the book channel sends it.
type wsLevel struct {
	Price json.RawMessage `json:"price"`
	Qty   json.RawMessage `json:"qty"`
}

// bookView is what a connection last sent of one pair's book: the
// formatted levels, best first.
type bookView struct {
	depth      int
	bids, asks []textLevel
}

type textLevel struct{ price, qty string }

// ladderLocked is the pair's book at depth levels a side, formatted.
func (s *Server) ladderLocked(p *pair, depth int) (bids, asks []textLevel) {
	b, a := fakevenue.Ladder(p.bid, p.ask, p.tick, p.lotStep(), depth)
	format := func(ls []fakevenue.Level) []textLevel {
		out := make([]textLevel, len(ls))
		for i, l := range ls {
			out[i] = textLevel{fx(l.Price, p.spec.PairDecimals), fx(l.Qty, p.spec.LotDecimals)}
		}
		return out
	}
	return format(b), format(a)
}

// krakenChecksum is the book checksum of Kraken's v2 book guide: the top
// ten asks (low to high) then the top ten bids (high to low), each price
// and qty without its decimal point and leading zeros, concatenated, CRC32.
func krakenChecksum(bids, asks []textLevel) uint32 {
	var b strings.Builder
	strip := func(s string) string { return strings.TrimLeft(strings.Replace(s, ".", "", 1), "0") }
	for _, side := range [][]textLevel{asks, bids} {
		for _, l := range side[:min(10, len(side))] {
			b.WriteString(strip(l.price) + strip(l.qty))
		}
	}
	return crc32.ChecksumIEEE([]byte(b.String()))
}

// diffLevels are the updates that turn was into now: changed or new
// levels, and qty 0 for the levels gone.
func diffLevels(was, now []textLevel, zero string) []wsLevel {
	out := []wsLevel{}
	old := map[string]string{}
	for _, l := range was {
		old[l.price] = l.qty
	}
	cur := map[string]bool{}
	for _, l := range now {
		cur[l.price] = true
		if q, ok := old[l.price]; !ok || q != l.qty {
			out = append(out, wsLevel{json.RawMessage(l.price), json.RawMessage(l.qty)})
		}
	}
	for _, l := range was {
		if !cur[l.price] {
			out = append(out, wsLevel{json.RawMessage(l.price), json.RawMessage(zero)})
		}
	}
	return out
}

func wsLevels(ls []textLevel) []wsLevel {
	out := make([]wsLevel, len(ls))
	for i, l := range ls {
		out[i] = wsLevel{json.RawMessage(l.price), json.RawMessage(l.qty)}
	}
	return out
}

// bookMessage is a book snapshot or update; the checksum is of the book
// the message leaves, unless a test asked for a wrong one.
func (s *Server) bookMessage(typ, sym string, v *bookView, bids, asks []wsLevel) []byte {
	s.ws.bookMsgs.Add(1)
	sum := krakenChecksum(v.bids, v.asks)
	if s.ws.corruptBook.CompareAndSwap(true, false) {
		sum++
	}
	entry := map[string]any{"symbol": sym, "bids": bids, "asks": asks, "checksum": sum}
	if typ == "update" {
		entry["timestamp"] = s.clock().UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	return marshal(map[string]any{"channel": "book", "type": typ, "data": []any{entry}})
}

// bookSnapshotLocked starts a connection's view of sym and returns the
// snapshot message.
func (s *Server) bookSnapshotLocked(sym string, depth int) (*bookView, []byte) {
	p, _ := s.pairByV2Locked(sym)
	v := &bookView{depth: depth}
	v.bids, v.asks = s.ladderLocked(p, depth)
	return v, s.bookMessage("snapshot", sym, v, wsLevels(v.bids), wsLevels(v.asks))
}

// bookUpdateLocked moves a connection's view of sym to the pair's book
// now and returns the update, or nil when nothing changed.
func (s *Server) bookUpdateLocked(sym string, v *bookView) []byte {
	p, _ := s.pairByV2Locked(sym)
	bids, asks := s.ladderLocked(p, v.depth)
	zero := fx(decimal.Zero, p.spec.LotDecimals)
	db, da := diffLevels(v.bids, bids, zero), diffLevels(v.asks, asks, zero)
	if len(db) == 0 && len(da) == 0 {
		return nil
	}
	v.bids, v.asks = bids, asks
	return s.bookMessage("update", sym, v, db, da)
}
