package orderplan_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/orderplan"
	"github.com/tradectl/tradectl/internal/trade"
)

// A bracket or an OCO is refused before any request on a venue that does
// not link orders natively; where the venue does, the exits are conformed
// to the tick with the rest of the request.
func TestLinkedExitsPlan(t *testing.T) {
	bracket := trade.OrderRequest{Symbol: btcUSD, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01"),
		Exits: &trade.Exits{TakeProfit: trade.OptDec("110000.004"), StopLoss: trade.OptDec("100000")}}
	oco := trade.OrderRequest{Symbol: btcUSD, Side: trade.Sell, Type: trade.Limit, Qty: trade.Dec("0.01"), Price: trade.OptDec("110000"),
		Exits: &trade.Exits{StopLoss: trade.OptDec("100000"), OCO: true}}

	for _, tt := range []struct {
		name string
		req  trade.OrderRequest
		want string
	}{
		{"bracket", bracket, "paper does not attach a take-profit and a stop-loss to a market entry natively"},
		{"oco", oco, "paper does not place OCO exit pairs natively"},
	} {
		t.Run(tt.name+" hidden", func(t *testing.T) {
			ex := &counting{Exchange: openPaper(t, nil)}
			_, err := orderplan.Make(context.Background(), deps(ex, config.Safety{}), orderplan.Input{Request: tt.req, Round: trade.RoundDown, DryRun: true})
			var link *orderplan.LinkError
			if !errors.As(err, &link) || err.Error() != tt.want {
				t.Fatalf("Make: %v, want a LinkError %q", err, tt.want)
			}
			if len(ex.calls) != 0 {
				t.Errorf("calls before the refusal: %v, want none", ex.calls)
			}
		})
	}

	p, err := orderplan.Make(context.Background(), deps(openPaper(t, nil), config.Safety{}), orderplan.Input{Request: bracket, Round: trade.RoundDown, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("110000", p.Request.Exits.TakeProfit.Decimal.String()); diff != "" {
		t.Errorf("take-profit after rounding down to the tick (-want +got):\n%s", diff)
	}
}
