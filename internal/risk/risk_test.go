package risk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/trade"
)

// usd is an instrument quoted in USD with a cent tick.
var usd = trade.Instrument{Symbol: btcUSD, BaseAsset: "BTC", QuoteAsset: "USD", TickSize: d("0.01"), StepSize: d("0.00001")}

// quote is a fixed market: bid 99, ask 101, mid 100.
var quote = trade.Quote{Symbol: btcUSD, Bid: d("99"), Ask: d("101"), Last: d("100")}

func TestCheckLimits(t *testing.T) {
	lossOf := func(s string) func(context.Context) (decimal.Decimal, error) {
		return func(context.Context) (decimal.Decimal, error) { return d(s), nil }
	}
	tests := []struct {
		name      string
		safety    config.Safety
		req       trade.OrderRequest
		dailyLoss func(context.Context) (decimal.Decimal, error)
		overrides []string
		wantErr   string // the whole message; "" means allowed
		wantRep   risk.Report
	}{
		{
			name:    "no limits",
			req:     market(btcUSD, trade.Buy, "1000"),
			wantRep: risk.Report{},
		},
		{
			name:    "allowed symbol",
			safety:  config.Safety{AllowedSymbols: []trade.Symbol{ethUSD, btcUSD}},
			req:     market(btcUSD, trade.Buy, "1"),
			wantRep: risk.Report{Passed: []string{"allowed_symbols"}},
		},
		{
			name:    "symbol not allowed",
			safety:  config.Safety{AllowedSymbols: []trade.Symbol{ethUSD, aapl}},
			req:     market(btcUSD, trade.Buy, "1"),
			wantErr: `risk limit allowed_symbols: BTC-USD is not one of the allowed symbols ETH-USD, AAPL (profile "live")`,
		},
		{
			name:    "quantity within",
			safety:  config.Safety{MaxOrderQty: d("2")},
			req:     market(btcUSD, trade.Buy, "2"),
			wantRep: risk.Report{Passed: []string{"max_order_qty"}},
		},
		{
			name:    "quantity over",
			safety:  config.Safety{MaxOrderQty: d("2")},
			req:     market(btcUSD, trade.Sell, "2.00001"),
			wantErr: `risk limit max_order_qty: quantity 2.00001 exceeds 2 (profile "live")`,
		},
		{
			name:    "limit order value over",
			safety:  config.Safety{MaxOrderNotional: d("10000")},
			req:     limitOrder(btcUSD, trade.Buy, "120", "100"),
			wantErr: `risk limit max_order_notional: order value 12000.00 USD exceeds 10000 (120 × 100) (profile "live")`,
		},
		{
			name:    "limit order value exactly at the limit",
			safety:  config.Safety{MaxOrderNotional: d("10000")},
			req:     limitOrder(btcUSD, trade.Buy, "100", "100"),
			wantRep: risk.Report{Passed: []string{"max_order_notional"}},
		},
		{
			name:    "market buy valued at the ask",
			safety:  config.Safety{MaxOrderNotional: d("10000")},
			req:     market(btcUSD, trade.Buy, "99.1"),
			wantErr: `risk limit max_order_notional: order value 10009.10 USD exceeds 10000 (99.1 × 101 at the ask) (profile "live")`,
		},
		{
			name:    "market sell valued at the bid",
			safety:  config.Safety{MaxOrderNotional: d("10000")},
			req:     market(btcUSD, trade.Sell, "101"),
			wantRep: risk.Report{Passed: []string{"max_order_notional"}},
		},
		{
			name:   "stop valued at the stop price",
			safety: config.Safety{MaxOrderNotional: d("100")},
			req: trade.OrderRequest{Symbol: btcUSD, Side: trade.Sell, Type: trade.Stop, Qty: d("2"),
				StopPrice: trade.OptDec("60")},
			wantErr: `risk limit max_order_notional: order value 120.00 USD exceeds 100 (2 × 60 at the stop price) (profile "live")`,
		},
		{
			name:    "quote-sized order valued at its amount, no price needed",
			safety:  config.Safety{MaxOrderNotional: d("10000")},
			req:     trade.OrderRequest{Symbol: btcUSD, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("10000.01")},
			wantErr: `risk limit max_order_notional: order value 10000.01 USD exceeds 10000 (the quote amount) (profile "live")`,
		},
		{
			name:    "quote-sized order within the notional limit",
			safety:  config.Safety{MaxOrderNotional: d("10000")},
			req:     trade.OrderRequest{Symbol: btcUSD, Side: trade.Sell, Type: trade.Market, QuoteQty: trade.OptDec("10000")},
			wantRep: risk.Report{Passed: []string{"max_order_notional"}},
		},
		{
			name:    "quote-sized quantity estimated at the ask",
			safety:  config.Safety{MaxOrderQty: d("2")},
			req:     trade.OrderRequest{Symbol: btcUSD, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("303")},
			wantErr: `risk limit max_order_qty: quantity of about 3 (303 at the ask) exceeds 2 (profile "live")`,
		},
		{
			name:    "price inside the band",
			safety:  config.Safety{PriceBandPct: d("5")},
			req:     limitOrder(btcUSD, trade.Buy, "1", "95"),
			wantRep: risk.Report{Passed: []string{"price_band_pct"}},
		},
		{
			name:    "price below the band",
			safety:  config.Safety{PriceBandPct: d("5")},
			req:     limitOrder(btcUSD, trade.Buy, "1", "94.99"),
			wantErr: `risk limit price_band_pct: limit price 94.99 is 5.01% below the mid 100.00, outside the band of 5% (profile "live")`,
		},
		{
			name:    "price above the band",
			safety:  config.Safety{PriceBandPct: d("0.5")},
			req:     limitOrder(btcUSD, trade.Sell, "1", "112.5"),
			wantErr: `risk limit price_band_pct: limit price 112.5 is 12.50% above the mid 100.00, outside the band of 0.5% (profile "live")`,
		},
		{
			name:   "stop-limit price measured against its stop",
			safety: config.Safety{PriceBandPct: d("1")},
			req: trade.OrderRequest{Symbol: btcUSD, Side: trade.Sell, Type: trade.StopLimit, Qty: d("1"),
				Price: trade.OptDec("79"), StopPrice: trade.OptDec("80")},
			wantErr: `risk limit price_band_pct: limit price 79 is 1.25% below the stop price 80.00, outside the band of 1% (profile "live")`,
		},
		{
			name:    "market orders have no price to band",
			safety:  config.Safety{PriceBandPct: d("1")},
			req:     market(btcUSD, trade.Buy, "1"),
			wantRep: risk.Report{Passed: []string{"price_band_pct"}},
		},
		{
			name:      "daily loss below the limit",
			safety:    config.Safety{MaxDailyLoss: d("1000")},
			req:       market(btcUSD, trade.Buy, "1"),
			dailyLoss: lossOf("999.99"),
			wantRep:   risk.Report{Passed: []string{"max_daily_loss"}},
		},
		{
			name:      "daily loss reached",
			safety:    config.Safety{MaxDailyLoss: d("1000")},
			req:       market(btcUSD, trade.Buy, "1"),
			dailyLoss: lossOf("1200"),
			wantErr:   `risk limit max_daily_loss: today's realised loss 1200.00 USD has reached the limit 1000 (profile "live")`,
		},
		{
			name:    "daily loss without a way to measure it fails closed",
			safety:  config.Safety{MaxDailyLoss: d("1000")},
			req:     market(btcUSD, trade.Buy, "1"),
			wantErr: `risk limit max_daily_loss: today's realised loss cannot be measured on this venue, so the limit 1000 cannot be checked (profile "live")`,
		},
		{
			name:    "every breach is named",
			safety:  config.Safety{MaxOrderQty: d("1"), MaxOrderNotional: d("100"), AllowedSymbols: []trade.Symbol{ethUSD}},
			req:     limitOrder(btcUSD, trade.Buy, "2", "100"),
			wantErr: `risk limit allowed_symbols: BTC-USD is not one of the allowed symbols ETH-USD; risk limit max_order_qty: quantity 2 exceeds 1; risk limit max_order_notional: order value 200.00 USD exceeds 100 (2 × 100) (profile "live")`,
		},
		{
			name:      "an override lifts one limit and says what it would have refused",
			safety:    config.Safety{MaxOrderQty: d("1"), MaxOrderNotional: d("1000")},
			req:       limitOrder(btcUSD, trade.Buy, "2", "100"),
			overrides: []string{"max_order_qty", "max_open_orders", "max_slippage_pct"},
			wantRep: risk.Report{
				Passed: []string{"max_order_notional"},
				Overridden: []risk.Override{
					{Limit: "max_order_qty", InForce: true, Breach: "quantity 2 exceeds 1"},
					{Limit: "max_open_orders", Note: "not set for this profile"},
					{Limit: "max_slippage_pct", Note: "the slippage guard is skipped"},
				},
			},
		},
		{
			name:      "an override of an unmeasurable limit",
			safety:    config.Safety{MaxDailyLoss: d("5")},
			req:       market(btcUSD, trade.Buy, "1"),
			overrides: []string{"max_daily_loss"},
			wantRep: risk.Report{Overridden: []risk.Override{{Limit: "max_daily_loss", InForce: true,
				Breach: "today's realised loss cannot be measured on this venue, so the limit 5 cannot be checked"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := risk.Check(context.Background(), risk.Input{
				Profile: "live", Request: tt.req, Instrument: usd, Safety: tt.safety, Quote: quote,
				DailyLoss: tt.dailyLoss, Overrides: tt.overrides,
			})
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("allowed; want %q", tt.wantErr)
				}
				if diff := cmp.Diff(tt.wantErr, err.Error()); diff != "" {
					t.Errorf("message (-want +got):\n%s", diff)
				}
				if !errors.Is(err, risk.ErrRefused) {
					t.Errorf("refusal %v does not match risk.ErrRefused", err)
				}
				if c := cmdutil.Classify(context.Background(), err); c.Exit != cmdutil.ExitRejected {
					t.Errorf("exit code %d, want %d", c.Exit, cmdutil.ExitRejected)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if diff := cmp.Diff(tt.wantRep, rep); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckDailyLossErrorIsNotARefusal(t *testing.T) {
	boom := &exchange.Error{Kind: exchange.ErrUnavailable, Venue: "binance", Message: "down"}
	_, err := risk.Check(context.Background(), risk.Input{
		Profile: "live", Request: market(btcUSD, trade.Buy, "1"), Instrument: usd, Quote: quote,
		Safety:    config.Safety{MaxDailyLoss: d("10")},
		DailyLoss: func(context.Context) (decimal.Decimal, error) { return decimal.Zero, boom },
	})
	// The order is not sent (an error), and the exit code tells the truth
	// about why: the venue was unreachable.
	if !errors.Is(err, exchange.ErrUnavailable) || errors.Is(err, risk.ErrRefused) {
		t.Fatalf("got %v; want the venue's error, not a refusal", err)
	}
	if !strings.Contains(err.Error(), `risk limit max_daily_loss (profile "live"): measure today's realised loss`) {
		t.Errorf("message %q does not name the limit", err)
	}
}

// TestCheckOnPaper runs the limits that ask the exchange — the quote and
// the open orders — against a real paper account.
func TestCheckOnPaper(t *testing.T) {
	c := &clock{t: t0}
	ex := openPaper(t, c)
	q, err := ex.Quotes(context.Background(), []trade.Symbol{btcUSD})
	if err != nil {
		t.Fatal(err)
	}
	mid := q[0].Mid()
	below := mid.Mul(d("0.5")).RoundFloor(2) // rests for a while
	inst, err := exchange.FindInstrument(context.Background(), ex, btcUSD)
	if err != nil {
		t.Fatal(err)
	}
	safety := config.Safety{MaxOpenOrders: 2, PriceBandPct: d("60")}
	check := func(req trade.OrderRequest) (risk.Report, error) {
		return risk.Check(context.Background(), risk.Input{Profile: "paper", Exchange: ex, Request: req, Instrument: inst, Safety: safety})
	}
	rest := limitOrder(btcUSD, trade.Buy, "0.01", below.String())
	for range 2 {
		if _, err := check(rest); err != nil {
			t.Fatalf("with fewer than 2 open: %v", err)
		}
		place(t, ex, rest)
	}
	_, err = check(rest)
	want := `risk limit max_open_orders: 2 orders are already open, at most 2 allowed (profile "paper")`
	if err == nil || err.Error() != want {
		t.Fatalf("third resting order: got %v, want %q", err, want)
	}
	// Orders that cannot rest do not add to the open orders.
	ioc := rest
	ioc.TimeInForce = trade.IOC
	for _, req := range []trade.OrderRequest{market(btcUSD, trade.Buy, "0.01"), ioc} {
		if _, err := check(req); err != nil {
			t.Errorf("%s %s: %v", req.Type, req.TimeInForce, err)
		}
	}
	// The band is measured against the paper mid, fetched by Check.
	far := limitOrder(btcUSD, trade.Buy, "0.01", mid.Mul(d("0.3")).RoundFloor(2).String())
	_, err = risk.Check(context.Background(), risk.Input{Profile: "paper", Exchange: ex, Request: far, Instrument: inst, Safety: config.Safety{PriceBandPct: d("60")}})
	if err == nil || !strings.Contains(err.Error(), "70.00% below the mid "+mid.StringFixed(2)) {
		t.Errorf("far limit: got %v", err)
	}
}

func TestParseOverrides(t *testing.T) {
	got, err := risk.ParseOverrides([]string{"max_order_qty", "MAX_ORDER_NOTIONAL, max_order_qty", ""})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"max_order_notional", "max_order_qty"}, got); diff != "" {
		t.Errorf("overrides (-want +got):\n%s", diff)
	}
	_, err = risk.ParseOverrides([]string{"max_order_qtty"})
	if !errors.Is(err, risk.ErrBadOverride) || !strings.Contains(err.Error(), `"max_order_qtty": unknown limit (known: allowed_symbols, max_daily_loss`) {
		t.Errorf("unknown limit: got %v", err)
	}
	if _, err := risk.ParseOverrides([]string{"confirm"}); err == nil {
		t.Error("confirm is not a limit")
	}
}
