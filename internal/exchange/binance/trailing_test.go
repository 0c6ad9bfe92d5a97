package binance

import (
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// A trailing stop is a STOP_LOSS with trailingDelta in BIPS and no
// stopPrice: it trails from the market at placement (see doc.go).
func TestTrailingStopOrderParams(t *testing.T) {
	tests := []struct {
		pct  string
		want string // "" when refused locally
	}{
		{"1.5", "symbol=BTCUSDT&side=SELL&type=STOP_LOSS&quantity=0.01&trailingDelta=150&newClientOrderId=t-1&newOrderRespType=FULL"},
		{"0.1", "symbol=BTCUSDT&side=SELL&type=STOP_LOSS&quantity=0.01&trailingDelta=10&newClientOrderId=t-1&newOrderRespType=FULL"},
		{"20", "symbol=BTCUSDT&side=SELL&type=STOP_LOSS&quantity=0.01&trailingDelta=2000&newClientOrderId=t-1&newOrderRespType=FULL"},
		{"0.09", ""},  // below 10 BIPS
		{"20.01", ""}, // above 2000 BIPS
		{"1.005", ""}, // not a whole basis point
	}
	for _, tt := range tests {
		req := trade.OrderRequest{Symbol: btcusdt, Side: trade.Sell, Type: trade.TrailingStop, Qty: trade.Dec("0.01"), TrailPct: trade.OptDec(tt.pct)}
		q, err := orderParams(req, "BTCUSDT", "t-1")
		switch {
		case tt.want == "" && !errors.Is(err, exchange.ErrInvalidOrder):
			t.Errorf("trail %s%%: %v, want ErrInvalidOrder", tt.pct, err)
		case tt.want == "":
		case err != nil:
			t.Errorf("trail %s%%: %v", tt.pct, err)
		default:
			if diff := cmp.Diff(tt.want, q.String()); diff != "" {
				t.Errorf("orderParams trail %s%% (-want +got):\n%s", tt.pct, diff)
			}
		}
	}
}

// Against the fake: the trailing stop is sent with the documented field
// names, rests, and reads back as a trailing stop with its percentage; a
// trail given as an amount, which Binance has no field for, is refused
// before any request.
func TestTrailingStopAgainstFake(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	if u := e.TrailUnits(btcusdt); !u.Pct || u.Amount {
		t.Fatalf("TrailUnits = %+v, want percentage only", u)
	}
	o, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusdt, Side: trade.Sell, Type: trade.TrailingStop, Qty: trade.Dec("0.01"), TrailPct: trade.OptDec("2.5")})
	if err != nil {
		t.Fatal(err)
	}
	r := f.Srv.LastRequest()
	sent, err := url.ParseQuery(r.Query + "&" + r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Get("type") != "STOP_LOSS" || sent.Get("trailingDelta") != "250" || sent.Has("stopPrice") || sent.Has("timeInForce") {
		t.Errorf("sent %v; want type STOP_LOSS, trailingDelta 250, no stopPrice, no timeInForce", sent)
	}
	got, err := e.GetOrder(ctxT(t), exchange.OrderRef{ID: o.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != trade.TrailingStop || got.Status != trade.StatusOpen || !got.TrailPct.Valid || !got.TrailPct.Decimal.Equal(trade.Dec("2.5")) {
		t.Errorf("GetOrder: %s %s trail %v; want an open trailing-stop trailing 2.5%%", got.Status, got.Type, got.TrailPct)
	}

	before := f.Srv.OrdersPlaced()
	_, err = e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusdt, Side: trade.Sell, Type: trade.TrailingStop, Qty: trade.Dec("0.01"), TrailAmount: trade.OptDec("100")})
	if !errors.Is(err, exchange.ErrInvalidOrder) {
		t.Errorf("trail amount: %v, want ErrInvalidOrder", err)
	}
	if f.Srv.OrdersPlaced() != before {
		t.Error("a trailing stop by amount reached the venue")
	}
}
