package confirm_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/confirm"
	"github.com/tradectl/tradectl/internal/trade"
)

// A bracket's screen lists each exit leg under the entry.
func TestRenderBracket(t *testing.T) {
	var b strings.Builder
	s := confirm.Summary{Profile: "live", Exchange: "binance",
		Request: trade.OrderRequest{Symbol: trade.MustSymbol("BTC-USDT"), Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
			Qty: trade.Dec("0.1"), Price: trade.OptDec("59000"),
			Exits: &trade.Exits{TakeProfit: trade.OptDec("65000"), StopLoss: trade.OptDec("56000"), StopLossLimit: trade.OptDec("55900")}}}
	if err := confirm.Render(&b, s, 0); err != nil {
		t.Fatal(err)
	}
	want := `Live order on binance (REAL MONEY) — check before it is sent:
  profile     live
  exchange    binance
  symbol      BTC-USDT
  side        buy
  type        limit, gtc
  qty         0.1
  price       59000
  take-profit sell 0.1 limit 65000 (once the entry has filled, one cancels the other)
  stop-loss   sell 0.1 stop 56000 limit 55900 (once the entry has filled, one cancels the other)
  value       unknown
  limits      none set in the profile
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("screen (-want +got):\n%s", diff)
	}
}
