package coinbase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.BookStreamer = (*Exchange)(nil)

// StreamBook implements exchange.BookStreamer over the market-data
// WebSocket's level2 channel (with heartbeats), on the shared stream core;
// see the package doc. The symbol is checked against the product list
// first, so an unknown one fails at once as it does for OrderBook. A
// profile with no stream (base_url set, ws_url not) fails at once too,
// and book --watch reads over REST instead.
func (e *Exchange) StreamBook(ctx context.Context, sym trade.Symbol, depth int, fn func(trade.Book) error) error {
	if _, err := e.rulesFor(ctx, sym); err != nil {
		return fmt.Errorf("stream book: %w", err)
	}
	if e.wsURL == "" {
		return errors.New("coinbase: stream book: the profile has no market-data WebSocket (ws_url)")
	}
	if depth <= 0 {
		depth = bookDefault
	}
	creds := e.streamCredentials(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	id := sym.String()
	return venuews.StreamBooks(ctx, venuews.BookFeed{
		Endpoint: e.Endpoint(e.wsURL),
		Subscribe: func(context.Context) ([][]byte, error) {
			// Built per connection: a token lives two minutes.
			return e.subscribeMessages(creds, "level2", []string{id})
		},
		NewDecoder: func() venuews.BookDecoder { return newLevel2Decoder(sym, depth, e.Now).decode },
		Timing:     e.wsTiming,
	}, fn)
}

// wsLevel2Event is one event of an l2_data message: the product's whole
// book (snapshot) or the levels that changed (update).
type wsLevel2Event struct {
	Type      string          `json:"type"`
	ProductID string          `json:"product_id"`
	Updates   []wsLevel2Entry `json:"updates"`
}

// wsLevel2Entry is one price level: new_quantity is the size now resting
// there, not a change; "0" removes the level.
type wsLevel2Entry struct {
	Side        string `json:"side"` // bid or offer
	EventTime   string `json:"event_time"`
	PriceLevel  string `json:"price_level"`
	NewQuantity string `json:"new_quantity"`
}

// bookSide is one side of the local book, keyed by the price's canonical
// text so "60000.00" and "60000" are one level.
type bookSide map[string]trade.BookLevel

// topCache is a side's best levels as last cut: an update that only
// touches levels worse than all of them (most updates, on a deep book)
// leaves them as they are, and the side is not scanned again.
type topCache struct {
	levels []trade.BookLevel
	valid  bool
}

// touch drops the cache when a change at price may alter the best depth
// levels: when it is no worse than the last of them, or there are fewer
// than depth of them (any new level joins).
func (c *topCache) touch(price decimal.Decimal, depth int, bids bool) {
	if !c.valid {
		return
	}
	if len(c.levels) < depth {
		c.valid = false
		return
	}
	worst := c.levels[len(c.levels)-1].Price
	if bids && price.GreaterThanOrEqual(worst) || !bids && price.LessThanOrEqual(worst) {
		c.valid = false
	}
}

// get returns the side's best depth levels, cutting them again if needed.
func (c *topCache) get(s bookSide, depth int, bids bool) []trade.BookLevel {
	if !c.valid {
		c.levels, c.valid = s.best(depth, bids), true
	}
	return c.levels
}

// level2Decoder keeps one connection's copy of a product's book. It trusts
// nothing it cannot check: a sequence gap, an update before the snapshot,
// an unreadable level or a crossed book ends the connection (ErrResync)
// and the next one starts from a fresh snapshot.
type level2Decoder struct {
	sym   trade.Symbol
	id    string
	depth int
	now   func() time.Time

	bids, asks       bookSide
	topBids, topAsks topCache
	have             bool // the snapshot came
	seq              wsSequence
}

func newLevel2Decoder(sym trade.Symbol, depth int, now func() time.Time) *level2Decoder {
	return &level2Decoder{sym: sym, id: sym.String(), depth: depth, now: now, bids: bookSide{}, asks: bookSide{}}
}

// level2Change is one update read and checked, not yet applied.
type level2Change struct {
	bid   bool
	key   string
	level trade.BookLevel
}

func (d *level2Decoder) decode(msg []byte) ([]trade.Book, error) {
	m, fresh, err := d.seq.read(msg, marketDataError)
	if !fresh {
		return nil, err
	}
	if m.Channel != "l2_data" {
		return nil, nil // heartbeats, subscriptions
	}
	var evs []wsLevel2Event
	if err := json.Unmarshal(m.Events, &evs); err != nil {
		return nil, venuews.Resync("level2 events: %v", err)
	}
	// Read every change first: a message is applied whole or not at all.
	var changes []level2Change
	snapshot, touched := false, false
	for _, ev := range evs {
		if ev.ProductID != d.id {
			continue
		}
		switch ev.Type {
		case "snapshot":
			snapshot, touched, changes = true, true, changes[:0]
		case "update":
			if !d.have && !snapshot {
				return nil, venuews.Resync("level2 update before the snapshot")
			}
			touched = true
		default:
			return nil, venuews.Resync("level2 event of type %q", ev.Type)
		}
		for i, u := range ev.Updates {
			c, err := d.read(u)
			if err != nil {
				return nil, venuews.Resync("level2 %s update %d: %v", ev.Type, i, err)
			}
			changes = append(changes, c)
		}
	}
	if !touched {
		return nil, nil
	}
	if snapshot {
		clear(d.bids)
		clear(d.asks)
		d.topBids.valid, d.topAsks.valid = false, false
		d.have = true
	}
	for _, c := range changes {
		side, top := d.asks, &d.topAsks
		if c.bid {
			side, top = d.bids, &d.topBids
		}
		top.touch(c.level.Price, d.depth, c.bid)
		if c.level.Qty.IsZero() {
			delete(side, c.key)
		} else {
			side[c.key] = c.level
		}
	}
	at := d.now().UTC()
	if t, ok := parseTime(m.Timestamp); ok {
		at = t
	}
	b, err := trade.NewBook(d.sym, at, d.topBids.get(d.bids, d.depth, true), d.topAsks.get(d.asks, d.depth, false), d.depth)
	if err != nil {
		return nil, venuews.Resync("level2 book: %v", err)
	}
	return []trade.Book{b}, nil
}

// read checks one level of an update.
func (d *level2Decoder) read(u wsLevel2Entry) (level2Change, error) {
	var bid bool
	switch u.Side {
	case "bid":
		bid = true
	case "offer":
	default:
		return level2Change{}, fmt.Errorf("side %q is neither bid nor offer", u.Side)
	}
	p, err := venueorder.Decimal("price_level", u.PriceLevel)
	if err != nil {
		return level2Change{}, err
	}
	q, err := venueorder.Decimal("new_quantity", u.NewQuantity)
	if err != nil {
		return level2Change{}, err
	}
	if !p.IsPositive() || q.IsNegative() {
		return level2Change{}, fmt.Errorf("level %s × %s is not a price and a size", u.PriceLevel, u.NewQuantity)
	}
	return level2Change{bid: bid, key: p.String(), level: trade.BookLevel{Price: p, Qty: q}}, nil
}

// best returns the n best levels of the side, best first (highest bids,
// lowest asks), in one pass that keeps only n: a busy product's book holds
// thousands of levels and is cut again after every message.
func (s bookSide) best(n int, bids bool) []trade.BookLevel {
	better := decimal.Decimal.LessThan
	if bids {
		better = decimal.Decimal.GreaterThan
	}
	top := make([]trade.BookLevel, 0, min(n, len(s)))
	for _, l := range s {
		if len(top) == n && !better(l.Price, top[n-1].Price) {
			continue
		}
		i := len(top)
		if i < n {
			top = append(top, l)
		} else {
			i = n - 1
		}
		for ; i > 0 && better(l.Price, top[i-1].Price); i-- {
			top[i] = top[i-1]
		}
		top[i] = l
	}
	return top
}
