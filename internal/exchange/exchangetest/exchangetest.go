// Package exchangetest is the conformance suite every exchange.Exchange
// implementation passes, in the spirit of testing/fstest.TestFS: one call,
// Run, proves the behaviours the rest of tradectl relies on (order round
// trips, typed errors, balance reservations, cancellation, optional
// capabilities) against any adapter and its fake venue.
//
// The suite derives every price and quantity from the venue's own Quotes and
// Instrument rules, so it needs no per-venue tables: a resting buy is placed
// at about 70% of the bid rounded to the tick, with the smallest quantity
// that clears the minimum notional.
package exchangetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// Harness is one fresh exchange to test, plus the hooks only a fake venue
// can offer. Run closes Exchange when the property that asked for it ends.
type Harness struct {
	// Exchange is the implementation under test, freshly opened.
	Exchange exchange.Exchange
	// Symbol is a liquid symbol the account can trade.
	Symbol trade.Symbol

	// InjectRateLimit makes the venue answer the next request with its
	// rate-limit response carrying retryAfter. Nil skips that property.
	InjectRateLimit func(retryAfter time.Duration)
	// InjectHang makes the venue hold the next request without answering
	// until the client gives up. Nil skips the in-flight cancellation check.
	InjectHang func()
	// Fund sets the free balance of asset. Nil makes the suite work with
	// whatever the account holds.
	Fund func(asset string, amount decimal.Decimal)
	// RejectsCrossedStops says the venue refuses a stop order whose trigger
	// the market has already crossed (Binance: -2010 "Stop price would
	// trigger immediately"; the paper exchange likewise). False skips that
	// property: some venues trigger such a stop on arrival, and some fakes
	// do not model stops at all.
	RejectsCrossedStops bool
	// QuoteSizedRefused, when set, says why the venue refuses quote-sized
	// orders on Symbol although it takes them elsewhere (Alpaca: notional
	// orders are day orders, crypto orders never are). The quote-sized
	// property then checks that refusal instead of the fill.
	QuoteSizedRefused string
	// Now is the venue's clock, for expiry times (nil: time.Now).
	// AdvanceClock moves it on; nil skips the check that an order with an
	// expiry ends when the time passes.
	Now          func() time.Time
	AdvanceClock func(d time.Duration)
	// FireCancelAllAfter runs the venue's cancel-all-after timer out now
	// if it is armed (exchange.CancelAllAfterer), as if its timeout had
	// passed. Nil skips the check that the timer cancels the orders.
	FireCancelAllAfter func()

	// CandleSlots is how many 1m candles the candle property reads, for a
	// venue that keeps less history than its default of 1500 (Kraken
	// serves only its latest 720); 0 means the default.
	CandleSlots int
}

// Run runs every property as its own subtest, each with a harness from
// newHarness. Properties that need a hook or an optional capability the
// harness lacks are skipped with the reason. Properties run one after
// another, never in parallel: they place orders and cancel all of the
// symbol's orders, so against a real venue use a testnet account that
// nothing else trades on.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Helper()
	for _, p := range properties {
		t.Run(p.name, func(t *testing.T) {
			p.run(newSuite(t, newHarness))
		})
	}
}

var properties = []struct {
	name string
	run  func(s *suite)
}{
	{"Instruments", testInstruments},
	{"Quotes", testQuotes},
	{"OrderBook", testOrderBook},
	{"Candles", testCandles},
	{"PlaceGetCancel", testPlaceGetCancel},
	{"ListOrders", testListOrders},
	{"CancelAll", testCancelAll},
	{"BalancesFollowOrders", testBalances},
	{"UnknownOrder", testUnknownOrder},
	{"DuplicateClientID", testDuplicateClientID},
	{"InvalidOrder", testInvalidOrder},
	{"StopAlreadyCrossed", testStopAlreadyCrossed},
	{"InsufficientFunds", testInsufficientFunds},
	{"CanceledContext", testCanceledContext},
	{"RateLimited", testRateLimited},
	{"QuoteStreamer", testQuoteStreamer},
	{"OrderEventStreamer", testOrderEventStreamer},
	{"OrderValidator", testOrderValidator},
	{"PositionLister", testPositionLister},
	{"FillLister", testFillLister},
	{"FillHistory", testFillHistory},
	{"QuoteSizedMarketOrder", testQuoteSized},
	{"ExpiringOrder", testExpiry},
	{"LinkedExits", testLinked},
	{"Amend", testAmend},
	{"TrailingStop", testTrailingStop},
	{"CancelAllAfter", testCancelAllAfter},
}

// callTimeout bounds each property so a hanging adapter fails the test with
// a message instead of stalling the whole run until go test's deadline.
const callTimeout = 30 * time.Second

// promptly is how long a canceled call may take to return. It is a liveness
// bound, not a performance assertion: a correct adapter returns in
// microseconds, a broken one never.
const promptly = 5 * time.Second

type suite struct {
	t      *testing.T
	h      Harness
	ex     exchange.Exchange
	ctx    context.Context
	prefix string
	seq    atomic.Int64

	instOnce sync.Once
	inst     trade.Instrument
	instErr  error
}

func newSuite(t *testing.T, newHarness func(t *testing.T) Harness) *suite {
	t.Helper()
	h := newHarness(t)
	if h.Exchange == nil {
		t.Fatal("exchangetest: harness has no Exchange")
	}
	if h.Symbol.IsZero() {
		t.Fatal("exchangetest: harness has no Symbol")
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	s := &suite{t: t, h: h, ex: h.Exchange, ctx: ctx, prefix: "xt" + randomHex(4)}
	t.Cleanup(func() {
		cancel()
		if err := h.Exchange.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	// Registered after Close so it runs first (cleanups are LIFO): leave no
	// working order behind on a shared account, even when a property fails.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := h.Exchange.CancelAll(ctx, h.Symbol); err != nil && !errors.Is(err, exchange.ErrRateLimited) {
			t.Logf("cleanup: CancelAll(%s): %v", h.Symbol, err)
		}
	})
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// clientID returns a fresh client order id unique to this run.
func (s *suite) clientID() string {
	return fmt.Sprintf("%s-%s-%d", s.prefix, randomHex(3), s.seq.Add(1))
}

func (s *suite) instrument() trade.Instrument {
	s.t.Helper()
	s.instOnce.Do(func() {
		s.inst, s.instErr = exchange.FindInstrument(s.ctx, s.ex, s.h.Symbol)
	})
	if s.instErr != nil {
		s.t.Fatalf("instrument for %s: %v", s.h.Symbol, s.instErr)
	}
	return s.inst
}

func (s *suite) quote() trade.Quote {
	s.t.Helper()
	qs, err := s.ex.Quotes(s.ctx, []trade.Symbol{s.h.Symbol})
	if err != nil {
		s.t.Fatalf("Quotes(%s): %v", s.h.Symbol, err)
	}
	if len(qs) != 1 {
		s.t.Fatalf("Quotes(%s) returned %d quotes, want 1", s.h.Symbol, len(qs))
	}
	q := qs[0]
	if !q.Bid.IsPositive() || !q.Ask.IsPositive() {
		s.t.Fatalf("Quotes(%s) = bid %s ask %s; the suite needs a two-sided book", s.h.Symbol, q.Bid, q.Ask)
	}
	return q
}

// restingBuy is a limit buy well below the bid, so it rests on the book, for
// the smallest quantity the instrument accepts at that price.
func (s *suite) restingBuy() trade.OrderRequest {
	s.t.Helper()
	in := s.instrument()
	q := s.quote()
	price := floorTo(q.Bid.Mul(decimal.RequireFromString("0.7")), in.TickSize)
	if !price.IsPositive() {
		s.t.Fatalf("cannot derive a resting price from bid %s and tick %s", q.Bid, in.TickSize)
	}
	return trade.OrderRequest{
		Symbol:      s.h.Symbol,
		Side:        trade.Buy,
		Type:        trade.Limit,
		TimeInForce: trade.GTC,
		Qty:         minQty(in, price),
		Price:       decimal.NewNullDecimal(price),
		ClientID:    s.clientID(),
	}
}

// marketBuy is the smallest market buy the instrument accepts at the ask.
func (s *suite) marketBuy() trade.OrderRequest {
	s.t.Helper()
	in := s.instrument()
	q := s.quote()
	return trade.OrderRequest{
		Symbol:   s.h.Symbol,
		Side:     trade.Buy,
		Type:     trade.Market,
		Qty:      minQty(in, q.Ask),
		ClientID: s.clientID(),
	}
}

// minQty is the smallest step multiple whose value at price clears the
// minimum notional with a margin (venues check notional against prices that
// move), or a small fixed value when the venue sets no minimum.
func minQty(in trade.Instrument, price decimal.Decimal) decimal.Decimal {
	target := decimal.NewFromInt(20)
	if in.MinNotional.IsPositive() {
		target = in.MinNotional.Mul(decimal.RequireFromString("1.2"))
	}
	qty := ceilTo(target.DivRound(price, 16), in.StepSize)
	if in.MinQty.GreaterThan(qty) {
		qty = ceilTo(in.MinQty, in.StepSize)
	}
	if in.StepSize.GreaterThan(qty) {
		qty = in.StepSize
	}
	return qty
}

// floorTo rounds v down to a multiple of unit; without a unit to 8 places.
func floorTo(v, unit decimal.Decimal) decimal.Decimal {
	if !unit.IsPositive() {
		return v.RoundFloor(8)
	}
	return trade.FloorTo(v, unit)
}

// ceilTo rounds v up to a multiple of unit; without a unit to 8 places.
func ceilTo(v, unit decimal.Decimal) decimal.Decimal {
	if !unit.IsPositive() {
		return v.RoundCeil(8)
	}
	f := trade.FloorTo(v, unit)
	if f.Equal(v) {
		return f
	}
	return f.Add(unit)
}

func (s *suite) place(req trade.OrderRequest) trade.Order {
	s.t.Helper()
	o, err := s.ex.PlaceOrder(s.ctx, req)
	if err != nil {
		s.t.Fatalf("PlaceOrder(%s %s %s %s @ %s, client id %s): %v",
			req.Side, req.Type, req.Qty, req.Symbol, priceText(req.Price), req.ClientID, err)
	}
	if o.ID == "" {
		s.t.Fatalf("PlaceOrder returned an order without an ID: %+v", o)
	}
	return o
}

func priceText(p decimal.NullDecimal) string {
	if !p.Valid {
		return "market"
	}
	return p.Decimal.String()
}

// openOrders lists working orders of the harness symbol.
func (s *suite) openOrders() []trade.Order {
	s.t.Helper()
	os, err := s.ex.ListOrders(s.ctx, exchange.ListFilter{Scope: exchange.ListOpen, Symbol: s.h.Symbol})
	if err != nil {
		s.t.Fatalf("ListOrders(open, %s): %v", s.h.Symbol, err)
	}
	return os
}

func countClientID(orders []trade.Order, clientID string) int {
	n := 0
	for _, o := range orders {
		if o.ClientID == clientID {
			n++
		}
	}
	return n
}

func findID(orders []trade.Order, id string) (trade.Order, bool) {
	for _, o := range orders {
		if o.ID == id {
			return o, true
		}
	}
	return trade.Order{}, false
}

func ids(orders []trade.Order) []string {
	out := make([]string, len(orders))
	for i, o := range orders {
		out[i] = o.ID + "(" + string(o.Status) + ")"
	}
	return out
}

// wantKind fails unless err matches kind, naming the call.
func (s *suite) wantKind(call string, err, kind error) {
	s.t.Helper()
	if err == nil {
		s.t.Errorf("%s: got no error, want one matching %q", call, kind)
		return
	}
	if !errors.Is(err, kind) {
		s.t.Errorf("%s: got error %q (%T), want one matching errors.Is(err, %q)", call, err, err, kind)
	}
}

// balance returns one asset's balance, zero when the venue lists none.
func (s *suite) balance(asset string) trade.Balance {
	s.t.Helper()
	bs, err := s.ex.Balances(s.ctx)
	if err != nil {
		s.t.Fatalf("Balances: %v", err)
	}
	for _, b := range bs {
		if !b.Total.Equal(b.Free.Add(b.Locked)) {
			s.t.Errorf("Balances: %s total %s != free %s + locked %s", b.Asset, b.Total, b.Free, b.Locked)
		}
		if b.Asset == asset {
			return b
		}
	}
	return trade.NewBalance(asset, decimal.Zero, decimal.Zero)
}

// eventually polls cond until it holds or a few seconds pass; venues that
// settle asynchronously (Alpaca) need it, synchronous ones pass at once.
func (s *suite) eventually(cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-s.ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func testInstruments(s *suite) {
	all, err := s.ex.Instruments(s.ctx)
	if err != nil {
		s.t.Fatalf("Instruments: %v", err)
	}
	var found *trade.Instrument
	for i := range all {
		if all[i].Symbol == s.h.Symbol {
			found = &all[i]
			break
		}
	}
	if found == nil {
		s.t.Fatalf("Instruments (%d entries) does not contain %s", len(all), s.h.Symbol)
	}
	if s.h.Symbol.IsPair() && (found.BaseAsset != s.h.Symbol.Base || found.QuoteAsset != s.h.Symbol.Quote) {
		s.t.Errorf("instrument %s has base %q quote %q, want %q %q", found.Symbol, found.BaseAsset, found.QuoteAsset, s.h.Symbol.Base, s.h.Symbol.Quote)
	}
	for name, d := range map[string]decimal.Decimal{"tick size": found.TickSize, "step size": found.StepSize, "min qty": found.MinQty, "max qty": found.MaxQty, "min notional": found.MinNotional} {
		if d.IsNegative() {
			s.t.Errorf("instrument %s: negative %s %s", found.Symbol, name, d)
		}
	}
	if found.MaxQty.IsPositive() && found.MinQty.GreaterThan(found.MaxQty) {
		s.t.Errorf("instrument %s: min qty %s above max qty %s", found.Symbol, found.MinQty, found.MaxQty)
	}
}

func testQuotes(s *suite) {
	qs, err := s.ex.Quotes(s.ctx, []trade.Symbol{s.h.Symbol, s.h.Symbol})
	if err != nil {
		s.t.Fatalf("Quotes(%s, %s): %v", s.h.Symbol, s.h.Symbol, err)
	}
	if len(qs) != 2 {
		s.t.Fatalf("Quotes for two symbols returned %d quotes", len(qs))
	}
	for _, q := range qs {
		if q.Symbol != s.h.Symbol {
			s.t.Errorf("quote symbol %s, want %s", q.Symbol, s.h.Symbol)
		}
		if !q.Bid.IsPositive() || !q.Ask.IsPositive() {
			s.t.Errorf("quote %s: bid %s and ask %s must be positive", q.Symbol, q.Bid, q.Ask)
		}
		if q.Bid.GreaterThan(q.Ask) {
			s.t.Errorf("quote %s: bid %s above ask %s", q.Symbol, q.Bid, q.Ask)
		}
		if q.Last.IsNegative() {
			s.t.Errorf("quote %s: negative last %s", q.Symbol, q.Last)
		}
	}
	unknown := trade.Symbol{Base: "NOSUCHCOIN", Quote: "NOSUCHQ"}
	_, err = s.ex.Quotes(s.ctx, []trade.Symbol{unknown})
	s.wantKind("Quotes(unknown symbol "+unknown.String()+")", err, exchange.ErrNotFound)
	_, err = s.ex.Quotes(s.ctx, []trade.Symbol{s.h.Symbol, unknown})
	s.wantKind("Quotes(known and unknown symbol)", err, exchange.ErrNotFound)
}

func (s *suite) checkPlaced(o trade.Order, req trade.OrderRequest) {
	s.t.Helper()
	if o.Symbol != req.Symbol || o.Side != req.Side || o.Type != req.Type {
		s.t.Errorf("placed order is %s %s %s, want %s %s %s", o.Side, o.Type, o.Symbol, req.Side, req.Type, req.Symbol)
	}
	if !o.Qty.Equal(req.Qty) {
		s.t.Errorf("placed order qty %s, want %s", o.Qty, req.Qty)
	}
	if req.Price.Valid && (!o.Price.Valid || !o.Price.Decimal.Equal(req.Price.Decimal)) {
		s.t.Errorf("placed order price %s, want %s", priceText(o.Price), req.Price.Decimal)
	}
	if req.ClientID != "" && o.ClientID != req.ClientID {
		s.t.Errorf("placed order client id %q, want %q", o.ClientID, req.ClientID)
	}
	if o.Exchange != s.ex.Name() {
		s.t.Errorf("order Exchange %q, want %q", o.Exchange, s.ex.Name())
	}
}

func testPlaceGetCancel(s *suite) {
	req := s.restingBuy()
	o := s.place(req)
	s.checkPlaced(o, req)
	if o.Status != trade.StatusOpen {
		s.t.Errorf("resting buy %s status %s, want %s", o.ID, o.Status, trade.StatusOpen)
	}

	refs := []exchange.OrderRef{
		{ID: o.ID},
		{ClientID: req.ClientID, Symbol: req.Symbol},
		{ClientID: req.ClientID}, // working orders must be findable by client id alone
	}
	for _, ref := range refs {
		got, err := s.ex.GetOrder(s.ctx, ref)
		if err != nil {
			s.t.Errorf("GetOrder(%+v): %v", ref, err)
			continue
		}
		if got.ID != o.ID || got.ClientID != req.ClientID || got.Status != trade.StatusOpen {
			s.t.Errorf("GetOrder(%+v) = id %s client id %s status %s, want %s %s %s", ref, got.ID, got.ClientID, got.Status, o.ID, req.ClientID, trade.StatusOpen)
		}
		s.checkPlaced(got, req)
	}

	canceled, err := s.ex.CancelOrder(s.ctx, exchange.OrderRef{ID: o.ID})
	if err != nil {
		s.t.Fatalf("CancelOrder(%s): %v", o.ID, err)
	}
	if canceled.ID != o.ID || canceled.Status != trade.StatusCanceled {
		s.t.Errorf("CancelOrder(%s) = id %s status %s, want status %s", o.ID, canceled.ID, canceled.Status, trade.StatusCanceled)
	}
	got, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: o.ID})
	if err != nil {
		s.t.Fatalf("GetOrder(%s) after cancel: %v", o.ID, err)
	}
	if got.Status != trade.StatusCanceled {
		s.t.Errorf("GetOrder(%s) after cancel: status %s, want %s", o.ID, got.Status, trade.StatusCanceled)
	}
	_, err = s.ex.CancelOrder(s.ctx, exchange.OrderRef{ID: o.ID})
	if err == nil {
		s.t.Errorf("CancelOrder(%s) a second time: got no error", o.ID)
	}

	// The same round trip by client id.
	req2 := s.restingBuy()
	o2 := s.place(req2)
	canceled, err = s.ex.CancelOrder(s.ctx, exchange.OrderRef{ClientID: req2.ClientID, Symbol: req2.Symbol})
	if err != nil {
		s.t.Fatalf("CancelOrder(client id %s): %v", req2.ClientID, err)
	}
	if canceled.ID != o2.ID || canceled.ClientID != req2.ClientID || canceled.Status != trade.StatusCanceled {
		s.t.Errorf("CancelOrder(client id %s) = id %s client id %s status %s, want %s %s %s",
			req2.ClientID, canceled.ID, canceled.ClientID, canceled.Status, o2.ID, req2.ClientID, trade.StatusCanceled)
	}
	got, err = s.ex.GetOrder(s.ctx, exchange.OrderRef{ClientID: req2.ClientID, Symbol: req2.Symbol})
	if err != nil {
		s.t.Fatalf("GetOrder(client id %s) after cancel: %v", req2.ClientID, err)
	}
	if got.ID != o2.ID || got.Status != trade.StatusCanceled {
		s.t.Errorf("GetOrder(client id %s) after cancel = %s %s, want %s %s", req2.ClientID, got.ID, got.Status, o2.ID, trade.StatusCanceled)
	}
}

func testListOrders(s *suite) {
	keep := s.place(s.restingBuy())
	gone := s.place(s.restingBuy())
	if _, err := s.ex.CancelOrder(s.ctx, exchange.OrderRef{ID: gone.ID}); err != nil {
		s.t.Fatalf("CancelOrder(%s): %v", gone.ID, err)
	}
	for _, f := range []exchange.ListFilter{
		{Scope: exchange.ListOpen, Symbol: s.h.Symbol},
		{Scope: exchange.ListOpen},
	} {
		open, err := s.ex.ListOrders(s.ctx, f)
		if err != nil {
			s.t.Fatalf("ListOrders(%+v): %v", f, err)
		}
		if _, ok := findID(open, keep.ID); !ok {
			s.t.Errorf("ListOrders(%+v) = %v, missing resting order %s", f, ids(open), keep.ID)
		}
		if _, ok := findID(open, gone.ID); ok {
			s.t.Errorf("ListOrders(%+v) = %v, contains canceled order %s", f, ids(open), gone.ID)
		}
		for _, o := range open {
			if !o.Status.Working() {
				s.t.Errorf("ListOrders(%+v) contains %s with status %s", f, o.ID, o.Status)
			}
		}
	}

	all, err := s.ex.ListOrders(s.ctx, exchange.ListFilter{Scope: exchange.ListAll, Symbol: s.h.Symbol})
	if err != nil {
		s.t.Fatalf("ListOrders(all, %s): %v", s.h.Symbol, err)
	}
	if o, ok := findID(all, keep.ID); !ok || o.Status != trade.StatusOpen {
		s.t.Errorf("ListOrders(all) = %v, want %s open", ids(all), keep.ID)
	}
	if o, ok := findID(all, gone.ID); !ok || o.Status != trade.StatusCanceled {
		s.t.Errorf("ListOrders(all) = %v, want %s canceled", ids(all), gone.ID)
	}
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt.After(all[i-1].CreatedAt) {
			s.t.Errorf("ListOrders(all) is not newest first: %s (%s) before %s (%s)",
				all[i-1].ID, all[i-1].CreatedAt, all[i].ID, all[i].CreatedAt)
			break
		}
	}

	canceledOnly, err := s.ex.ListOrders(s.ctx, exchange.ListFilter{Scope: exchange.ListAll, Symbol: s.h.Symbol, Statuses: []trade.OrderStatus{trade.StatusCanceled}, Limit: 1})
	if err != nil {
		s.t.Fatalf("ListOrders(canceled, limit 1): %v", err)
	}
	if len(canceledOnly) != 1 || canceledOnly[0].Status != trade.StatusCanceled {
		s.t.Errorf("ListOrders(canceled, limit 1) = %v, want one canceled order", ids(canceledOnly))
	}
}

func testCancelAll(s *suite) {
	a := s.place(s.restingBuy())
	b := s.place(s.restingBuy())

	// An order on another symbol must survive a per-symbol cancel-all. The
	// suite finds one itself and skips that check when it cannot place it.
	other, otherOK := s.placeOnOtherSymbol()

	canceled, err := s.ex.CancelAll(s.ctx, s.h.Symbol)
	if err != nil {
		s.t.Fatalf("CancelAll(%s): %v", s.h.Symbol, err)
	}
	for _, id := range []string{a.ID, b.ID} {
		o, ok := findID(canceled, id)
		if !ok {
			s.t.Errorf("CancelAll(%s) = %v, missing %s", s.h.Symbol, ids(canceled), id)
		} else if o.Status != trade.StatusCanceled {
			s.t.Errorf("CancelAll(%s) returned %s with status %s", s.h.Symbol, id, o.Status)
		}
	}
	if open := s.openOrders(); len(open) != 0 {
		s.t.Errorf("after CancelAll(%s) open orders remain: %v", s.h.Symbol, ids(open))
	}
	if otherOK {
		got, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: other.ID, Symbol: other.Symbol})
		if err != nil {
			s.t.Errorf("GetOrder(%s): %v", other.ID, err)
		} else if got.Status != trade.StatusOpen {
			s.t.Errorf("CancelAll(%s) touched %s on %s: status %s", s.h.Symbol, other.ID, other.Symbol, got.Status)
		}
	}

	// Cancel-all without a symbol reaches every symbol.
	c := s.place(s.restingBuy())
	canceled, err = s.ex.CancelAll(s.ctx, trade.Symbol{})
	if err != nil {
		s.t.Fatalf("CancelAll(all symbols): %v", err)
	}
	want := []string{c.ID}
	if otherOK {
		want = append(want, other.ID)
	}
	for _, id := range want {
		if _, ok := findID(canceled, id); !ok {
			s.t.Errorf("CancelAll(all symbols) = %v, missing %s", ids(canceled), id)
		}
	}
	open, err := s.ex.ListOrders(s.ctx, exchange.ListFilter{Scope: exchange.ListOpen})
	if err != nil {
		s.t.Fatalf("ListOrders(open): %v", err)
	}
	for _, id := range want {
		if _, ok := findID(open, id); ok {
			s.t.Errorf("after CancelAll(all symbols) %s is still open", id)
		}
	}
}

// placeOnOtherSymbol places a resting buy on another symbol with the same
// quote asset, or reports false (and logs why) when there is none to use.
func (s *suite) placeOnOtherSymbol() (trade.Order, bool) {
	s.t.Helper()
	all, err := s.ex.Instruments(s.ctx)
	if err != nil {
		s.t.Fatalf("Instruments: %v", err)
	}
	for _, in := range all {
		if in.Symbol == s.h.Symbol || in.QuoteAsset != s.h.Symbol.Quote || in.QuoteAsset == "" {
			continue
		}
		qs, err := s.ex.Quotes(s.ctx, []trade.Symbol{in.Symbol})
		if err != nil || len(qs) != 1 || !qs[0].Bid.IsPositive() {
			continue
		}
		price := floorTo(qs[0].Bid.Mul(decimal.RequireFromString("0.7")), in.TickSize)
		req := trade.OrderRequest{Symbol: in.Symbol, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
			Qty: minQty(in, price), Price: decimal.NewNullDecimal(price), ClientID: s.clientID()}
		o, err := s.ex.PlaceOrder(s.ctx, req)
		if err != nil {
			s.t.Logf("per-symbol isolation not checked: placing on %s: %v", in.Symbol, err)
			return trade.Order{}, false
		}
		s.t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, _ = s.ex.CancelOrder(ctx, exchange.OrderRef{ID: o.ID, Symbol: in.Symbol})
		})
		return o, true
	}
	s.t.Logf("per-symbol isolation not checked: no other %s-quoted symbol", s.h.Symbol.Quote)
	return trade.Order{}, false
}

func testBalances(s *suite) {
	in := s.instrument()
	quoteAsset, baseAsset := in.QuoteAsset, in.BaseAsset
	if quoteAsset == "" {
		s.t.Skipf("%s has no quote asset to reserve", s.h.Symbol)
	}
	req := s.restingBuy()
	notional := req.Qty.Mul(req.Price.Decimal)
	if s.h.Fund != nil {
		s.h.Fund(quoteAsset, notional.Mul(decimal.NewFromInt(100)))
	}
	before := s.balance(quoteAsset)
	o := s.place(req)
	during := s.balance(quoteAsset)
	locked := during.Locked.Sub(before.Locked)
	if locked.LessThan(notional) {
		s.t.Errorf("resting buy of %s %s at %s (value %s %s): %s locked rose by %s, want at least %s",
			req.Qty, baseAsset, req.Price.Decimal, notional, quoteAsset, quoteAsset, locked, notional)
	}
	if !before.Free.Sub(during.Free).Equal(locked) {
		s.t.Errorf("resting buy: %s free fell by %s but locked rose by %s", quoteAsset, before.Free.Sub(during.Free), locked)
	}
	if !during.Total.Equal(before.Total) {
		s.t.Errorf("resting buy changed %s total from %s to %s", quoteAsset, before.Total, during.Total)
	}
	if _, err := s.ex.CancelOrder(s.ctx, exchange.OrderRef{ID: o.ID}); err != nil {
		s.t.Fatalf("CancelOrder(%s): %v", o.ID, err)
	}
	after := s.balance(quoteAsset)
	if !after.Free.Equal(before.Free) || !after.Locked.Equal(before.Locked) {
		s.t.Errorf("cancel did not release exactly: %s free/locked %s/%s before, %s/%s after",
			quoteAsset, before.Free, before.Locked, after.Free, after.Locked)
	}

	// A marketable order moves totals: base up, quote down.
	baseBefore, quoteBefore := s.balance(baseAsset), s.balance(quoteAsset)
	mreq := s.marketBuy()
	m := s.place(mreq)
	s.checkPlaced(m, mreq)
	var last trade.Order
	if !s.eventually(func() bool {
		got, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: m.ID, Symbol: s.h.Symbol})
		last = got
		return err == nil && got.Status == trade.StatusFilled
	}) {
		s.t.Fatalf("market buy %s did not fill: last seen %+v", m.ID, last)
	}
	if !last.FilledQty.Equal(mreq.Qty) {
		s.t.Errorf("filled market buy: filled qty %s, want %s", last.FilledQty, mreq.Qty)
	}
	if !last.AvgFillPrice.Valid || !last.AvgFillPrice.Decimal.IsPositive() {
		s.t.Errorf("filled market buy: avg fill price %s, want a positive price", priceText(last.AvgFillPrice))
	}
	var baseAfter, quoteAfter trade.Balance
	if !s.eventually(func() bool {
		baseAfter, quoteAfter = s.balance(baseAsset), s.balance(quoteAsset)
		return baseAfter.Total.GreaterThan(baseBefore.Total) && quoteAfter.Total.LessThan(quoteBefore.Total)
	}) {
		s.t.Errorf("market buy of %s %s: %s total %s → %s (want up), %s total %s → %s (want down)",
			mreq.Qty, baseAsset, baseAsset, baseBefore.Total, baseAfter.Total, quoteAsset, quoteBefore.Total, quoteAfter.Total)
	}
}

// unknownID turns a real order id into one of the same shape that names no
// order. A numeric last token (Binance "BTCUSDT:28", counters "P-7") is a
// counter: it becomes a number far beyond any issued. Any other token
// (Kraken "OU22CG-KLAF2-FWUDD7", UUIDs) looks random: its last character
// changes within its class, keeping length and alphabet.
func unknownID(id string) string {
	if id == "" {
		return "exchangetest-unknown"
	}
	start := strings.LastIndexAny(id, ":-_/") + 1
	token := id[start:]
	if token != "" && strings.Trim(token, "0123456789") == "" {
		return id[:start] + strings.Repeat("9", max(len(token), 12))
	}
	c := id[len(id)-1]
	switch {
	case c >= '0' && c < '9', c >= 'a' && c < 'f', c >= 'A' && c < 'F', c >= 'g' && c < 'z', c >= 'G' && c < 'Z':
		c++
	case c == '9':
		c = '0'
	case c == 'f' || c == 'z':
		c = 'a'
	case c == 'F' || c == 'Z':
		c = 'A'
	default:
		return id + "0"
	}
	return id[:len(id)-1] + string(c)
}

func testUnknownOrder(s *suite) {
	// Learn the venue's id shape from a real order, then ask for a sibling.
	req := s.restingBuy()
	o := s.place(req)
	if _, err := s.ex.CancelOrder(s.ctx, exchange.OrderRef{ID: o.ID}); err != nil {
		s.t.Fatalf("CancelOrder(%s): %v", o.ID, err)
	}
	missing := unknownID(o.ID)
	refs := []exchange.OrderRef{
		{ID: missing},
		{ID: missing, Symbol: s.h.Symbol},
		{ClientID: s.clientID(), Symbol: s.h.Symbol},
	}
	for _, ref := range refs {
		_, err := s.ex.GetOrder(s.ctx, ref)
		s.wantKind(fmt.Sprintf("GetOrder(%+v)", ref), err, exchange.ErrNotFound)
		_, err = s.ex.CancelOrder(s.ctx, ref)
		s.wantKind(fmt.Sprintf("CancelOrder(%+v)", ref), err, exchange.ErrNotFound)
	}
}

func testDuplicateClientID(s *suite) {
	req := s.restingBuy()
	first := s.place(req)
	second, err := s.ex.PlaceOrder(s.ctx, req)
	switch {
	case err == nil:
		if second.ID != first.ID {
			s.t.Errorf("second PlaceOrder with client id %s created order %s besides %s", req.ClientID, second.ID, first.ID)
		}
	case errors.Is(err, exchange.ErrDuplicateClientID):
	default:
		s.t.Errorf("second PlaceOrder with client id %s: got %q, want ErrDuplicateClientID or the same order", req.ClientID, err)
	}
	if n := countClientID(s.openOrders(), req.ClientID); n != 1 {
		s.t.Errorf("after a duplicate placement %d open orders carry client id %s, want 1", n, req.ClientID)
	}
}

// testStopAlreadyCrossed: a buy stop (and a buy stop-limit) whose trigger
// is below the ask — already crossed — is refused as an invalid order, and
// leaves no working order and no fill behind.
func testStopAlreadyCrossed(s *suite) {
	if !s.h.RejectsCrossedStops {
		s.t.Skipf("%s: the harness does not say the venue refuses a stop whose trigger is already crossed (venues that trigger it on arrival, and fakes without stops, skip this)", s.ex.Name())
	}
	in := s.instrument()
	q := s.quote()
	stop := floorTo(q.Ask.Mul(decimal.RequireFromString("0.9")), in.TickSize)
	limit := floorTo(q.Ask.Mul(decimal.RequireFromString("1.05")), in.TickSize)
	reqs := map[string]trade.OrderRequest{
		"stop": {Symbol: s.h.Symbol, Side: trade.Buy, Type: trade.Stop, Qty: minQty(in, limit),
			StopPrice: decimal.NewNullDecimal(stop), ClientID: s.clientID()},
		"stop-limit": {Symbol: s.h.Symbol, Side: trade.Buy, Type: trade.StopLimit, TimeInForce: trade.GTC, Qty: minQty(in, limit),
			StopPrice: decimal.NewNullDecimal(stop), Price: decimal.NewNullDecimal(limit), ClientID: s.clientID()},
	}
	before := s.balance(in.QuoteAsset)
	for name, r := range reqs {
		o, err := s.ex.PlaceOrder(s.ctx, r)
		if err == nil {
			s.t.Errorf("PlaceOrder(buy %s, trigger %s below the ask %s) was accepted as %s (filled %s); want it refused",
				name, stop, q.Ask, o.Status, o.FilledQty)
			continue
		}
		s.wantKind("PlaceOrder(crossed buy "+name+")", err, exchange.ErrInvalidOrder)
	}
	open := s.openOrders()
	for name, r := range reqs {
		if n := countClientID(open, r.ClientID); n != 0 {
			s.t.Errorf("the refused %s is working: %v", name, ids(open))
		}
	}
	if after := s.balance(in.QuoteAsset); !after.Total.Equal(before.Total) || !after.Locked.Equal(before.Locked) {
		s.t.Errorf("%s balance moved after refused stops: %+v, was %+v", in.QuoteAsset, after, before)
	}
}

func testInvalidOrder(s *suite) {
	in := s.instrument()
	base := s.restingBuy()
	cases := map[string]trade.OrderRequest{}
	if in.TickSize.IsPositive() {
		r := base
		r.ClientID = s.clientID()
		r.Price = decimal.NewNullDecimal(base.Price.Decimal.Add(in.TickSize.Div(decimal.NewFromInt(2))))
		cases["price off the tick"] = r
	}
	if in.StepSize.IsPositive() {
		r := base
		r.ClientID = s.clientID()
		r.Qty = base.Qty.Add(in.StepSize.Div(decimal.NewFromInt(2)))
		cases["qty off the step"] = r
	}
	if in.MinNotional.IsPositive() {
		r := base
		r.ClientID = s.clientID()
		r.Qty = floorTo(in.MinNotional.DivRound(base.Price.Decimal, 16).Div(decimal.NewFromInt(4)), in.StepSize)
		if r.Qty.IsPositive() && (!in.MinQty.IsPositive() || !r.Qty.LessThan(in.MinQty)) {
			cases["below min notional"] = r
		}
	}
	{
		r := base
		r.ClientID = s.clientID()
		r.Qty = decimal.Zero
		cases["zero qty"] = r
	}
	{
		r := base
		r.ClientID = s.clientID()
		r.Price = decimal.NullDecimal{}
		cases["limit without price"] = r
	}
	for name, r := range cases {
		_, err := s.ex.PlaceOrder(s.ctx, r)
		s.wantKind("PlaceOrder("+name+")", err, exchange.ErrInvalidOrder)
	}
	open := s.openOrders()
	for name, r := range cases {
		if countClientID(open, r.ClientID) != 0 {
			s.t.Errorf("invalid order (%s) is on the book as client id %s", name, r.ClientID)
		}
	}
}

func testInsufficientFunds(s *suite) {
	in := s.instrument()
	req := s.restingBuy()
	if in.QuoteAsset == "" {
		s.t.Skipf("%s has no quote asset", s.h.Symbol)
	}
	if s.h.Fund != nil {
		s.h.Fund(in.QuoteAsset, req.Qty.Mul(req.Price.Decimal).Mul(decimal.NewFromInt(3)))
	}
	free := s.balance(in.QuoteAsset).Free
	// Twice what the account could pay for, rounded up to the step.
	qty := ceilTo(free.Mul(decimal.NewFromInt(2)).DivRound(req.Price.Decimal, 16), in.StepSize)
	if qty.LessThan(req.Qty) {
		qty = req.Qty
	}
	if in.MaxQty.IsPositive() && qty.GreaterThan(in.MaxQty) {
		s.t.Skipf("an order above the free %s %s needs qty %s, beyond the max %s: fund the account less or provide Harness.Fund", free, in.QuoteAsset, qty, in.MaxQty)
	}
	req.Qty = qty
	_, err := s.ex.PlaceOrder(s.ctx, req)
	s.wantKind(fmt.Sprintf("PlaceOrder(buy %s at %s with %s %s free)", qty, req.Price.Decimal, free, in.QuoteAsset), err, exchange.ErrInsufficientFunds)
	if countClientID(s.openOrders(), req.ClientID) != 0 {
		s.t.Errorf("order refused for funds is on the book as client id %s", req.ClientID)
	}
}

// callsWithContext are the calls the cancellation property exercises.
func (s *suite) callsWithContext(req trade.OrderRequest) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"Balances": func(ctx context.Context) error { _, err := s.ex.Balances(ctx); return err },
		"Quotes": func(ctx context.Context) error {
			_, err := s.ex.Quotes(ctx, []trade.Symbol{s.h.Symbol})
			return err
		},
		"ListOrders": func(ctx context.Context) error {
			_, err := s.ex.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListOpen, Symbol: s.h.Symbol})
			return err
		},
		"GetOrder": func(ctx context.Context) error {
			_, err := s.ex.GetOrder(ctx, exchange.OrderRef{ClientID: req.ClientID, Symbol: s.h.Symbol})
			return err
		},
		"PlaceOrder": func(ctx context.Context) error { _, err := s.ex.PlaceOrder(ctx, req); return err },
	}
}

func testCanceledContext(s *suite) {
	req := s.restingBuy()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for name, call := range s.callsWithContext(req) {
		start := time.Now()
		err := call(canceled)
		if d := time.Since(start); d > promptly {
			s.t.Errorf("%s with a canceled context took %s", name, d)
		}
		s.wantKind(name+" with a canceled context", err, context.Canceled)
	}
	if countClientID(s.openOrders(), req.ClientID) != 0 {
		s.t.Errorf("PlaceOrder with a canceled context created an order (client id %s)", req.ClientID)
	}

	if s.h.InjectHang == nil {
		s.t.Log("in-flight cancellation not checked: harness has no InjectHang")
		return
	}
	s.h.InjectHang()
	ctx, cancelLater := context.WithCancel(s.ctx)
	timer := time.AfterFunc(50*time.Millisecond, cancelLater)
	defer timer.Stop()
	start := time.Now()
	_, err := s.ex.Balances(ctx)
	if d := time.Since(start); d > promptly {
		s.t.Errorf("Balances on a hanging venue returned %s after its context was canceled", d-50*time.Millisecond)
	}
	s.wantKind("Balances canceled in flight", err, context.Canceled)
}

func testRateLimited(s *suite) {
	if s.h.InjectRateLimit == nil {
		s.t.Skip("harness has no InjectRateLimit")
	}
	const retryAfter = 7 * time.Second
	s.h.InjectRateLimit(retryAfter)
	_, err := s.ex.Balances(s.ctx)
	s.wantKind("Balances after an injected rate limit", err, exchange.ErrRateLimited)
	got, ok := exchange.RetryAfter(err)
	if !ok {
		s.t.Fatalf("rate-limit error %q carries no RetryAfter", err)
	}
	if got < retryAfter-time.Second || got > retryAfter+time.Second {
		s.t.Errorf("RetryAfter = %s, want about %s", got, retryAfter)
	}
}

func testQuoteStreamer(s *suite) {
	qs, ok := s.ex.(exchange.QuoteStreamer)
	if !ok {
		s.t.Skipf("%s does not implement exchange.QuoteStreamer", s.ex.Name())
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	var (
		returned atomic.Bool
		lateCall atomic.Bool
		mu       sync.Mutex
		got      []trade.Quote
	)
	done := make(chan error, 1)
	go func() {
		done <- qs.StreamQuotes(ctx, []trade.Symbol{s.h.Symbol}, func(q trade.Quote) error {
			if returned.Load() {
				lateCall.Store(true)
			}
			mu.Lock()
			got = append(got, q)
			mu.Unlock()
			cancel()
			return nil
		})
		returned.Store(true)
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(callTimeout / 2):
		s.t.Fatalf("StreamQuotes: no quote and no return within %s", callTimeout/2)
	}
	if !errors.Is(err, context.Canceled) {
		s.t.Errorf("StreamQuotes after cancel returned %v, want context.Canceled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) == 0 {
		s.t.Fatal("StreamQuotes returned without delivering a quote")
	}
	q := got[0]
	if q.Symbol != s.h.Symbol || !q.Bid.IsPositive() || !q.Ask.IsPositive() || q.Bid.GreaterThan(q.Ask) {
		s.t.Errorf("streamed quote %+v: want %s with 0 < bid ≤ ask", q, s.h.Symbol)
	}
	if lateCall.Load() {
		s.t.Error("StreamQuotes called fn after it returned")
	}

	// fn's error ends the stream and comes back to the caller.
	stop := errors.New("exchangetest: stop")
	err = qs.StreamQuotes(s.ctx, []trade.Symbol{s.h.Symbol}, func(trade.Quote) error { return stop })
	if !errors.Is(err, stop) {
		s.t.Errorf("StreamQuotes with fn failing returned %v, want fn's error", err)
	}
}

func testOrderValidator(s *suite) {
	v, ok := s.ex.(exchange.OrderValidator)
	if !ok {
		s.t.Skipf("%s does not implement exchange.OrderValidator", s.ex.Name())
	}
	req := s.restingBuy()
	if err := v.ValidateOrder(s.ctx, req); err != nil {
		s.t.Errorf("ValidateOrder(valid resting buy): %v", err)
	}
	if countClientID(s.openOrders(), req.ClientID) != 0 {
		s.t.Errorf("ValidateOrder placed an order (client id %s)", req.ClientID)
	}
	bad := req
	bad.Qty = decimal.Zero
	s.wantKind("ValidateOrder(zero qty)", v.ValidateOrder(s.ctx, bad), exchange.ErrInvalidOrder)
	if in := s.instrument(); in.TickSize.IsPositive() {
		bad = req
		bad.Price = decimal.NewNullDecimal(req.Price.Decimal.Add(in.TickSize.Div(decimal.NewFromInt(2))))
		s.wantKind("ValidateOrder(price off the tick)", v.ValidateOrder(s.ctx, bad), exchange.ErrInvalidOrder)
	}
}

func testPositionLister(s *suite) {
	pl, ok := s.ex.(exchange.PositionLister)
	if !ok {
		s.t.Skipf("%s does not implement exchange.PositionLister", s.ex.Name())
	}
	ps, err := pl.Positions(s.ctx)
	if err != nil {
		s.t.Fatalf("Positions: %v", err)
	}
	for _, p := range ps {
		if p.Symbol.IsZero() {
			s.t.Errorf("Positions: entry without a symbol: %+v", p)
		}
		if p.AvgCost.IsNegative() {
			s.t.Errorf("Positions: %s has negative average cost %s", p.Symbol, p.AvgCost)
		}
	}
}

func testFillLister(s *suite) {
	fl, ok := s.ex.(exchange.FillLister)
	if !ok {
		s.t.Skipf("%s does not implement exchange.FillLister", s.ex.Name())
	}
	m := s.place(s.marketBuy())
	var mine []trade.Fill
	var lastErr error
	filled := s.eventually(func() bool {
		o, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: m.ID, Symbol: s.h.Symbol})
		if err != nil || o.Status != trade.StatusFilled {
			return false
		}
		fills, err := fl.Fills(s.ctx, exchange.FillFilter{Symbol: s.h.Symbol})
		lastErr = err
		mine = mine[:0]
		sum := decimal.Zero
		for _, f := range fills {
			if f.OrderID == m.ID {
				mine = append(mine, f)
				sum = sum.Add(f.Qty)
			}
		}
		return err == nil && sum.Equal(o.FilledQty)
	})
	if !filled {
		s.t.Fatalf("Fills(%s) never accounted for market buy %s (last error %v, fills %+v)", s.h.Symbol, m.ID, lastErr, mine)
	}
	for _, f := range mine {
		if f.Symbol != s.h.Symbol || f.Side != trade.Buy || !f.Price.IsPositive() || !f.Qty.IsPositive() {
			s.t.Errorf("fill %+v: want a positive buy of %s", f, s.h.Symbol)
		}
	}
}
