package paper

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

// t0 is a Monday morning; tests pin the clock there and move it.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// clock is a settable clock for Params.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testParams(t testing.TB, c *clock, opts map[string]any) exchange.Params {
	t.Helper()
	if opts == nil {
		opts = map[string]any{}
	}
	return exchange.Params{
		Profile:  "test",
		Exchange: Name,
		Options:  opts,
		DataDir:  t.TempDir(),
		CacheDir: t.TempDir(),
		Now:      c.Now,
	}
}

func open(t testing.TB, p exchange.Params) *Exchange {
	t.Helper()
	e, err := New(context.Background(), p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// newTest opens an exchange with the default options (seed 1, 100 000 USD,
// 0.1 % fees) plus opts, at t0.
func newTest(t testing.TB, opts map[string]any) (*Exchange, *clock) {
	t.Helper()
	c := newClock(t0)
	return open(t, testParams(t, c, opts)), c
}

var (
	btc  = trade.Symbol{Base: "BTC", Quote: "USD"}
	eth  = trade.Symbol{Base: "ETH", Quote: "USD"}
	aapl = trade.Symbol{Base: "AAPL"}
)

func dec(s string) decimal.Decimal { return trade.Dec(s) }

func path(t testing.TB, e *Exchange, sym trade.Symbol) *sim.Path {
	t.Helper()
	p, ok := e.market.Path(sym)
	if !ok {
		t.Fatalf("no path for %s", sym)
	}
	return p
}

func market(sym trade.Symbol, side trade.Side, qty string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: sym, Side: side, Type: trade.Market, Qty: dec(qty)}
}

func limit(sym trade.Symbol, side trade.Side, qty string, price decimal.Decimal, tif trade.TimeInForce) trade.OrderRequest {
	return trade.OrderRequest{Symbol: sym, Side: side, Type: trade.Limit, TimeInForce: tif, Qty: dec(qty), Price: decimal.NewNullDecimal(price)}
}

func place(t testing.TB, e *Exchange, req trade.OrderRequest) trade.Order {
	t.Helper()
	o, err := e.PlaceOrder(context.Background(), req)
	if err != nil {
		t.Fatalf("PlaceOrder(%+v): %v", req, err)
	}
	return o
}

func get(t testing.TB, e *Exchange, id string) trade.Order {
	t.Helper()
	o, err := e.GetOrder(context.Background(), exchange.OrderRef{ID: id})
	if err != nil {
		t.Fatalf("GetOrder(%s): %v", id, err)
	}
	return o
}

func balances(t testing.TB, e *Exchange) map[string]trade.Balance {
	t.Helper()
	bs, err := e.Balances(context.Background())
	if err != nil {
		t.Fatalf("Balances: %v", err)
	}
	out := map[string]trade.Balance{}
	for _, b := range bs {
		out[b.Asset] = b
	}
	return out
}

// wantBalances compares the account with free/locked pairs per asset.
func wantBalances(t testing.TB, e *Exchange, want map[string][2]decimal.Decimal) {
	t.Helper()
	w := map[string]trade.Balance{}
	for a, fl := range want {
		if b := trade.NewBalance(a, fl[0], fl[1]); !b.Total.IsZero() {
			w[a] = b
		}
	}
	if diff := cmp.Diff(w, balances(t, e), decimalEqual); diff != "" {
		t.Errorf("balances (-want +got):\n%s", diff)
	}
}

func fills(t testing.TB, e *Exchange, f exchange.FillFilter) []trade.Fill {
	t.Helper()
	fs, err := e.Fills(context.Background(), f)
	if err != nil {
		t.Fatalf("Fills: %v", err)
	}
	return fs
}

// wantKind checks err is an *exchange.Error of kind and mentions every
// fragment.
func wantKind(t testing.TB, err, kind error, fragments ...string) {
	t.Helper()
	var xe *exchange.Error
	if !errors.As(err, &xe) || !errors.Is(err, kind) {
		t.Fatalf("error %v (%T), want an *exchange.Error of kind %v", err, err, kind)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

func noOrders(t testing.TB, e *Exchange) {
	t.Helper()
	all, err := e.ListOrders(context.Background(), exchange.ListFilter{Scope: exchange.ListAll})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 0 {
		t.Errorf("%d orders stored, want none: %+v", len(all), all)
	}
}

// orderOpts ignores what a test cannot know in advance.
var orderOpts = []cmp.Option{decimalEqual, cmpopts.IgnoreFields(trade.Order{}, "ClientID")}

// crossAfter is the first crossing within a week after from; tests use it
// to know when the engine must fill or trigger.
func crossAfter(t testing.TB, p *sim.Path, cond sim.Condition, price decimal.Decimal, from time.Time) time.Time {
	t.Helper()
	at, ok := p.FirstCross(cond, price, from, from.Add(7*24*time.Hour))
	if !ok {
		t.Fatalf("%s never has %s %s within a week of %v; pick another price", p.Instrument().Symbol, cond, price, from)
	}
	return at
}

// checkBooks verifies the account's invariants straight from the tables:
// locked balances equal the working orders' reservations, finished orders
// reserve nothing, orders agree with their fills, and every asset's total
// equals its starting amount moved by the fills.
func checkBooks(t testing.TB, e *Exchange) {
	t.Helper()
	ctx := context.Background()
	ins, err := e.Instruments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rules := map[trade.Symbol]trade.Instrument{}
	for _, in := range ins {
		rules[in.Symbol] = in
	}
	type sums struct{ qty, value, fee decimal.Decimal }
	byOrder := map[int64]*sums{}
	moved := map[string]decimal.Decimal{}
	for _, b := range e.starting {
		moved[b.asset] = b.amount
	}
	rows, err := e.db.QueryContext(ctx, "SELECT order_id, side, qty, price, fee, symbol FROM fills")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var side, qty, price, fee, sym string
		if err := rows.Scan(&id, &side, &qty, &price, &fee, &sym); err != nil {
			t.Fatal(err)
		}
		in, ok := rules[trade.MustSymbol(sym)]
		if !ok {
			t.Fatalf("fill of unknown symbol %s", sym)
		}
		q, p, f := dec(qty), dec(price), dec(fee)
		s := byOrder[id]
		if s == nil {
			s = &sums{}
			byOrder[id] = s
		}
		s.qty, s.value, s.fee = s.qty.Add(q), s.value.Add(q.Mul(p)), s.fee.Add(f)
		if side == "buy" {
			moved[in.BaseAsset] = moved[in.BaseAsset].Add(q)
			moved[in.QuoteAsset] = moved[in.QuoteAsset].Sub(q.Mul(p)).Sub(f)
		} else {
			moved[in.BaseAsset] = moved[in.BaseAsset].Sub(q)
			moved[in.QuoteAsset] = moved[in.QuoteAsset].Add(q.Mul(p)).Sub(f)
		}
	}
	rows.Close()

	reserved := map[string]decimal.Decimal{}
	orders, err := e.db.QueryContext(ctx, "SELECT "+orderColumns+" FROM orders")
	if err != nil {
		t.Fatal(err)
	}
	for orders.Next() {
		o, err := scanOrder(orders)
		if err != nil {
			t.Fatal(err)
		}
		s := byOrder[o.id]
		if s == nil {
			s = &sums{}
		}
		if !o.filled.Equal(s.qty) || !o.filledValue.Equal(s.value) || !o.fee.Equal(s.fee) {
			t.Errorf("order %d: filled %s value %s fee %s; its fills sum to %s, %s, %s", o.id, o.filled, o.filledValue, o.fee, s.qty, s.value, s.fee)
		}
		if o.filled.GreaterThan(o.qty) {
			t.Errorf("order %d: filled %s of %s", o.id, o.filled, o.qty)
		}
		if o.status.Working() {
			reserved[o.reserveAsset] = reserved[o.reserveAsset].Add(o.reserved)
		} else if !o.reserved.IsZero() {
			t.Errorf("order %d is %s but still reserves %s %s", o.id, o.status, o.reserved, o.reserveAsset)
		}
		if o.status == trade.StatusFilled && !o.filled.Equal(o.qty) {
			t.Errorf("order %d is filled with %s of %s", o.id, o.filled, o.qty)
		}
	}
	orders.Close()

	bs, err := e.db.QueryContext(ctx, "SELECT asset, free, locked FROM balances")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for bs.Next() {
		var asset, free, locked string
		if err := bs.Scan(&asset, &free, &locked); err != nil {
			t.Fatal(err)
		}
		seen[asset] = true
		f, l := dec(free), dec(locked)
		if f.IsNegative() || l.IsNegative() {
			t.Errorf("%s: free %s locked %s", asset, f, l)
		}
		if !l.Equal(reserved[asset]) {
			t.Errorf("%s: locked %s, working orders reserve %s", asset, l, reserved[asset])
		}
		if total := f.Add(l); !total.Equal(moved[asset]) {
			t.Errorf("%s: total %s, starting balance moved by fills gives %s", asset, total, moved[asset])
		}
	}
	bs.Close()
	for asset, amt := range moved {
		if !seen[asset] && !amt.IsZero() {
			t.Errorf("%s: no balance row, fills say %s", asset, amt)
		}
	}
}

// walk is the test's own reading of the book: what qty takes from levels,
// best first, no further than limit (zero for none).
func walk(levels []sim.Level, qty, limit decimal.Decimal, buy bool) (taken, value decimal.Decimal, parts []sim.Level) {
	left := qty
	for _, l := range levels {
		if !left.IsPositive() {
			break
		}
		if !limit.IsZero() && (buy && l.Price.GreaterThan(limit) || !buy && l.Price.LessThan(limit)) {
			break
		}
		q := decimal.Min(l.Qty, left)
		parts = append(parts, sim.Level{Price: l.Price, Qty: q})
		taken, value, left = taken.Add(q), value.Add(q.Mul(l.Price)), left.Sub(q)
	}
	return taken, value, parts
}

var fee = dec("0.001") // the default 0.10 %
