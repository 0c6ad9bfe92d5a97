package paper

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

func quoteSized(sym trade.Symbol, side trade.Side, quote string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: sym, Side: side, Type: trade.Market, QuoteQty: decimal.NewNullDecimal(dec(quote))}
}

// A quote-sized order fills the quantity its amount buys at the book,
// rounded down to the step, with the fee on top as for any market order.
func TestQuoteSizedMarketOrders(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": "100000", "BTC": "1"}})
	if !exchange.CanQuoteSize(e, trade.Buy) || !exchange.CanQuoteSize(e, trade.Sell) {
		t.Fatal("paper does not claim quote-sized orders on both sides")
	}
	in, err := exchange.FindInstrument(context.Background(), e, btc)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		side  trade.Side
		quote string
	}{
		{trade.Buy, "100"},
		{trade.Buy, "12345.67"},
		{trade.Sell, "100"},
	}
	for _, tt := range tests {
		book := path(t, e, btc).Book(c.Now())
		levels := book.Asks
		if tt.side == trade.Sell {
			levels = book.Bids
		}
		before := balances(t, e)["USD"].Free
		o := place(t, e, quoteSized(btc, tt.side, tt.quote))
		quote := dec(tt.quote)
		_, value, _ := walk(levels, o.Qty, decimal.Zero, tt.side == trade.Buy)
		switch {
		case o.Status != trade.StatusFilled || !o.FilledQty.Equal(o.Qty):
			t.Errorf("%s %s USD: %s %s of %s, want filled", tt.side, tt.quote, o.Status, o.FilledQty, o.Qty)
		case !o.Qty.Mod(in.StepSize).IsZero():
			t.Errorf("%s %s USD: qty %s is not a multiple of the step %s", tt.side, tt.quote, o.Qty, in.StepSize)
		case value.GreaterThan(quote):
			t.Errorf("%s %s USD: filled value %s is more than the quote amount", tt.side, tt.quote, value)
		case quote.Sub(value).GreaterThan(in.StepSize.Mul(levels[len(levels)-1].Price)):
			t.Errorf("%s %s USD: filled value %s is more than one step short of the amount", tt.side, tt.quote, value)
		}
		after := balances(t, e)["USD"].Free
		moved := after.Sub(before).Abs()
		wantMoved := value.Add(value.Mul(fee))
		if tt.side == trade.Sell {
			wantMoved = value.Sub(value.Mul(fee))
		}
		if !moved.Equal(wantMoved) {
			t.Errorf("%s %s USD: USD moved by %s, want value %s and the fee (%s)", tt.side, tt.quote, moved, value, wantMoved)
		}
	}
	checkBooks(t, e)

	_, err = e.PlaceOrder(context.Background(), quoteSized(btc, trade.Buy, "0.5"))
	wantKind(t, err, exchange.ErrInvalidOrder, "quote_qty")
	noneLeft, _ := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": "50"}})
	_, err = noneLeft.PlaceOrder(context.Background(), quoteSized(btc, trade.Buy, "100"))
	wantKind(t, err, exchange.ErrInsufficientFunds)
}
