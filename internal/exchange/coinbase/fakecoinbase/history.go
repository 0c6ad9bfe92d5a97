package fakecoinbase

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// List Fills pages: the fake answers 100 fills when no limit is asked and
// at most 1000, the largest page the adapter asks for — or the WithPageMax
// cap, 250 unless a test sets it, when lower.
const (
	fillsDefaultLimit = 100
	fillsMaxLimit     = 1000
)

// Fill is one execution as the fake keeps it and List Fills reports it.
type Fill struct {
	EntryID, TradeID, OrderID string
	ProductID                 string
	Side                      string // BUY or SELL
	Price, Size, Commission   decimal.Decimal
	Liquidity                 string // MAKER, TAKER or UNKNOWN_LIQUIDITY_INDICATOR
	SizeInQuote               bool   // Size is a quote amount
	Time                      time.Time
}

func (f Fill) json() map[string]any {
	t := f.Time.UTC().Format(time.RFC3339Nano)
	return map[string]any{
		"entry_id": f.EntryID, "trade_id": f.TradeID, "order_id": f.OrderID, "trade_time": t, "trade_type": "FILL",
		"price": fx(f.Price), "size": fx(f.Size), "commission": fx(f.Commission), "product_id": f.ProductID,
		"sequence_timestamp": t, "liquidity_indicator": f.Liquidity, "size_in_quote": f.SizeInQuote,
		"user_id": "fake-user", "side": f.Side, "retail_portfolio_id": "default",
	}
}

// seedProducts are the products seeded fills rotate through, with a base
// price and a size step each.
var seedProducts = []struct {
	id          string
	price, size decimal.Decimal
}{
	{"BTC-USD", decimal.RequireFromString("60000"), decimal.RequireFromString("0.001")},
	{"ETH-USD", decimal.RequireFromString("3000"), decimal.RequireFromString("0.01")},
	{"SOL-USD", decimal.RequireFromString("150"), decimal.RequireFromString("0.5")},
}

// SeedFills adds n deterministic fills, one every `every` from start:
// products in turn, buys and sells alternating per product, prices and
// sizes varying with the index, two fills per order, maker every third
// fill, commission at the fake's fee rates. Ids are fixed by the index,
// so two fakes seeded alike answer alike. It returns them oldest first.
func (s *Server) SeedFills(n int, start time.Time, every time.Duration) []Fill {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fill, 0, n)
	for i := range n {
		p := seedProducts[i%len(seedProducts)]
		side := "BUY"
		if (i/len(seedProducts))%2 == 1 {
			side = "SELL"
		}
		price := p.price.Add(decimal.NewFromInt(int64(i % 97)))
		size := p.size.Mul(decimal.NewFromInt(int64(1 + i%5)))
		liquidity, rate := "TAKER", s.takerFee
		if i%3 == 0 {
			liquidity, rate = "MAKER", s.makerFee
		}
		f := Fill{
			EntryID:    fmt.Sprintf("e0000000-0000-4000-8000-%012d", i),
			TradeID:    fmt.Sprintf("t0000000-0000-4000-8000-%012d", i),
			OrderID:    fmt.Sprintf("00000000-0000-4000-8000-%012d", i/2),
			ProductID:  p.id,
			Side:       side,
			Price:      price,
			Size:       size,
			Commission: price.Mul(size).Mul(rate),
			Liquidity:  liquidity,
			Time:       start.Add(time.Duration(i) * every).UTC(),
		}
		s.fills = append(s.fills, f)
		out = append(out, f)
	}
	return out
}

// fillSeed is what WithSeededFills asked for.
type fillSeed struct {
	n     int
	start time.Time
	every time.Duration
}

// WithSeededFills starts the fake with SeedFills(n, start, every) done,
// after every other option, so CLI tests that only pass options get a
// history of thousands of fills.
func WithSeededFills(n int, start time.Time, every time.Duration) Option {
	return func(s *Server) { s.seed = &fillSeed{n: n, start: start, every: every} }
}

// Fills returns every fill the fake holds, in the order they happened.
func (s *Server) Fills() []Fill {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.fills)
	slices.SortStableFunc(out, func(a, b Fill) int { return a.Time.Compare(b.Time) })
	return out
}

// recordFillLocked adds the fill of qty at price that fillLocked made.
func (s *Server) recordFillLocked(o *order, qty, price, fee decimal.Decimal, maker bool, now time.Time) {
	f := Fill{
		EntryID: fakevenue.NewUUID(), TradeID: fakevenue.NewUUID(), OrderID: o.id, ProductID: o.p.spec.ID, Side: o.side,
		Price: price, Size: qty, Commission: fee, Liquidity: "TAKER", Time: now,
	}
	if maker {
		f.Liquidity = "MAKER"
	}
	if o.spec.quoteSize.IsPositive() {
		// A quote-sized order's fills report their size in the quote
		// currency.
		f.Size, f.SizeInQuote = price.Mul(qty), true
	}
	s.fills = append(s.fills, f)
}

var fillSorts = []string{"UNKNOWN_SORT_BY", "PRICE", "TRADE_TIME"}

// handleFills is List Fills: filters by order, trade and product ids and
// by trade time (start and end both exclusive), newest first, paged by an
// offset cursor. A cursor counts from the newest fill, so fills that
// arrive during a read repeat a few entries on the next page, never skip
// one.
func (s *Server) handleFills(r *http.Request, _ []byte) response {
	q := r.URL.Query()
	if resp, ok := checkQuery(q, "order_ids", "trade_ids", "product_ids", "start_sequence_timestamp", "end_sequence_timestamp",
		"retail_portfolio_id", "limit", "cursor", "sort_by"); !ok {
		return resp
	}
	if sb := q.Get("sort_by"); sb != "" && !slices.Contains(fillSorts, sb) {
		return invalidArgument("invalid sort_by " + strconv.Quote(sb))
	}
	var bounds [2]time.Time
	for i, name := range []string{"start_sequence_timestamp", "end_sequence_timestamp"} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return invalidArgument(name + " must be an RFC 3339 timestamp")
			}
			bounds[i] = t
		}
	}
	start, end := bounds[0], bounds[1]
	products, orders, trades := q["product_ids"], q["order_ids"], q["trade_ids"]
	var matched []Fill
	for _, f := range s.fills {
		switch {
		case len(products) > 0 && !slices.Contains(products, f.ProductID),
			len(orders) > 0 && !slices.Contains(orders, f.OrderID),
			len(trades) > 0 && !slices.Contains(trades, f.TradeID),
			!start.IsZero() && !f.Time.After(start),
			!end.IsZero() && !f.Time.Before(end):
			continue
		}
		matched = append(matched, f)
	}
	// Newest first; among equal times the later recorded first.
	slices.Reverse(matched)
	slices.SortStableFunc(matched, func(a, b Fill) int { return b.Time.Compare(a.Time) })
	from, to, next, resp, good := page(q, len(matched), fillsDefaultLimit, min(fillsMaxLimit, s.pageMax))
	if !good {
		return resp
	}
	out := make([]any, 0, to-from)
	for _, f := range matched[from:to] {
		out = append(out, f.json())
	}
	return ok(map[string]any{"fills": out, "cursor": next})
}
