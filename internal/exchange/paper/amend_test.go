package paper

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestAmendReservesAfresh: an amendment in place keeps the id and holds
// exactly what the amended order needs; one the account cannot pay is
// refused with ErrInsufficientFunds and leaves the order and the balances
// as they were.
func TestAmendReservesAfresh(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": "100000"}})
	ctx := context.Background()
	q := path(t, e, btc).Quote(c.Now())
	low := trade.FloorTo(q.Bid.Mul(dec("0.8")), dec("0.01"))
	buy := place(t, e, limit(btc, trade.Buy, "0.5", low, trade.GTC))

	lower := low.Sub(dec("100"))
	res, err := e.AmendOrder(ctx, buy, trade.AmendRequest{Qty: decimal.NewNullDecimal(dec("0.2")), Price: decimal.NewNullDecimal(lower)}, "")
	if err != nil {
		t.Fatalf("AmendOrder: %v", err)
	}
	if res.Order.ID != buy.ID || res.ReplacedID != "" || !res.Order.Qty.Equal(dec("0.2")) || !res.Order.Price.Decimal.Equal(lower) {
		t.Errorf("amended = %s qty %s at %s replacing %q, want %s qty 0.2 at %s", res.Order.ID, res.Order.Qty, res.Order.Price.Decimal, res.ReplacedID, buy.ID, lower)
	}
	reserve := dec("0.2").Mul(lower).Mul(one.Add(fee))
	wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000").Sub(reserve), reserve}})

	_, err = e.AmendOrder(ctx, res.Order, trade.AmendRequest{Qty: decimal.NewNullDecimal(dec("5"))}, "")
	wantKind(t, err, exchange.ErrInsufficientFunds)
	if got := get(t, e, buy.ID); !got.Qty.Equal(dec("0.2")) || !got.Price.Decimal.Equal(lower) {
		t.Errorf("after a refused amendment the order is qty %s at %s, want 0.2 at %s", got.Qty, got.Price.Decimal, lower)
	}
	wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000").Sub(reserve), reserve}})
	checkBooks(t, e)
}
