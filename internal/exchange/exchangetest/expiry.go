package exchangetest

import (
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// testExpiry checks orders with an expiry (OrderRequest.ExpiresAt): a
// venue that claims them (exchange.Expirer) rests the order and reports
// its expiry, placed and read back, and — when the harness can move its
// clock — ends it "expired" once the time has passed; a venue that does
// not refuses the order with ErrInvalidOrder and places nothing.
func testExpiry(s *suite) {
	now := time.Now
	if s.h.Now != nil {
		now = s.h.Now
	}
	expires := trade.ExpiryAfter(now(), time.Hour)
	req := s.restingBuy().WithExpiry(expires)
	if !exchange.CanExpire(s.ex, trade.Limit) {
		_, err := s.ex.PlaceOrder(s.ctx, req)
		s.wantKind("PlaceOrder(limit with an expiry, not taken here)", err, exchange.ErrInvalidOrder)
		if n := countClientID(s.openOrders(), req.ClientID); n != 0 {
			s.t.Errorf("a refused order with an expiry left %d open orders", n)
		}
		return
	}
	placed := s.place(req)
	got, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: placed.ID, Symbol: s.h.Symbol})
	if err != nil {
		s.t.Fatalf("GetOrder(%s): %v", placed.ID, err)
	}
	for name, o := range map[string]trade.Order{"placed": placed, "read back": got} {
		if !o.Status.Working() || o.ExpiresAt == nil || !o.ExpiresAt.Equal(expires) {
			s.t.Errorf("%s order with an expiry: status %s, expires_at %v; want working, expiring at %s",
				name, o.Status, o.ExpiresAt, trade.FormatTime(expires))
		}
	}
	if s.h.AdvanceClock == nil {
		return
	}
	s.h.AdvanceClock(2 * time.Hour)
	if got, err = s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: placed.ID, Symbol: s.h.Symbol}); err != nil {
		s.t.Fatalf("GetOrder(%s) after its expiry: %v", placed.ID, err)
	}
	if got.Status != trade.StatusExpired || !got.FilledQty.IsZero() {
		s.t.Errorf("order %s after its expiry: %s with %s filled; want expired with nothing filled", placed.ID, got.Status, got.FilledQty)
	}
}
