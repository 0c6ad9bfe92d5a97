package kraken

import (
	"errors"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// Kraken takes no quote-sized orders (see doc.go on viqc): the adapter
// does not claim them natively, only that tradectl may size one from the
// quote, and refuses one that reaches it, on placement and validation
// alike, with nothing sent.
func TestQuoteSizedRefused(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	for _, side := range []trade.Side{trade.Buy, trade.Sell} {
		if exchange.CanQuoteSize(e, side) {
			t.Errorf("kraken claims quote-sized %s orders", side)
		}
		if !exchange.CanSizeQuoteClientSide(e, side) {
			t.Errorf("kraken does not let tradectl size a quote-sized %s order", side)
		}
		req := trade.OrderRequest{Symbol: btcusd, Side: side, Type: trade.Market, QuoteQty: trade.OptDec("100")}
		for name, err := range map[string]error{"PlaceOrder": func() error { _, err := e.PlaceOrder(ctxT(t), req); return err }(),
			"ValidateOrder": e.ValidateOrder(ctxT(t), req)} {
			if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), "no quote-sized orders") {
				t.Errorf("%s(quote-sized %s) = %v, want ErrInvalidOrder", name, side, err)
			}
		}
	}
	if got := f.Srv.Count(pathAddOrder); got != 0 {
		t.Errorf("AddOrder requests = %d, want 0", got)
	}
}
