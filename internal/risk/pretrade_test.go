package risk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestEvaluateOnPaper(t *testing.T) {
	c := &clock{t: t0}
	ex := openPaper(t, c)
	inst, err := exchange.FindInstrument(context.Background(), ex, btcUSD)
	if err != nil {
		t.Fatal(err)
	}
	base := risk.Pretrade{Profile: "paper", Exchange: ex, Instrument: inst}
	with := func(mod func(*risk.Pretrade)) risk.Pretrade {
		p := base
		mod(&p)
		return p
	}
	tests := []struct {
		name    string
		p       risk.Pretrade
		wantErr string
		check   func(t *testing.T, d risk.Decision)
	}{
		{
			name: "no guard without a tolerance",
			p:    with(func(p *risk.Pretrade) { p.Request = market(btcUSD, trade.Buy, "50") }),
			check: func(t *testing.T, d risk.Decision) {
				if d.Estimate != nil || d.Converted || !d.Tolerance.IsZero() {
					t.Errorf("decision %+v", d)
				}
			},
		},
		{
			name: "the profile's tolerance refuses a huge order",
			p: with(func(p *risk.Pretrade) {
				p.Request = market(btcUSD, trade.Buy, "50")
				p.Safety.MaxSlippagePct = d("1")
			}),
			wantErr: "slippage guard: the visible book (10 levels) fills only ",
		},
		{
			name: "--max-slippage wins over the profile",
			p: with(func(p *risk.Pretrade) {
				p.Request = market(btcUSD, trade.Buy, "0.01")
				p.Safety.MaxSlippagePct = d("0.00001")
				p.MaxSlippage = decimal.NewNullDecimal(d("1"))
			}),
			check: func(t *testing.T, d risk.Decision) {
				if d.Estimate == nil || !d.Tolerance.Equal(trade.Dec("1")) || d.Request.Type != trade.Market {
					t.Errorf("decision %+v", d)
				}
				if want := d.Request.Qty.Mul(d.Estimate.AvgPrice); !d.Value.Equal(want) || d.Currency != "USD" {
					t.Errorf("value %s %s, want %s USD", d.Value, d.Currency, want)
				}
			},
		},
		{
			name: "an override skips the guard",
			p: with(func(p *risk.Pretrade) {
				p.Request = market(btcUSD, trade.Buy, "50")
				p.Safety.MaxSlippagePct = d("1")
				p.Overrides = []string{"max_slippage_pct"}
			}),
			check: func(t *testing.T, d risk.Decision) {
				want := []risk.Override{{Limit: "max_slippage_pct", InForce: true, Note: "the slippage guard is skipped"}}
				if diff := cmp.Diff(want, d.Report.Overridden); diff != "" || d.Estimate != nil {
					t.Errorf("overrides (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "a marketable limit is what the limits judge",
			p: with(func(p *risk.Pretrade) {
				p.Request = market(btcUSD, trade.Buy, "0.01")
				p.MaxSlippage = decimal.NewNullDecimal(d("50"))
				p.MarketableLimit = true
				p.Safety.MaxOrderNotional = d("1000")
			}),
			// 0.01 BTC at mid·1.5 is worth more than 1000 although at the
			// market it would be about 950.
			wantErr: "risk limit max_order_notional: order value ",
		},
		{
			name: "--max-slippage on a limit order is a usage error",
			p: with(func(p *risk.Pretrade) {
				p.Request = limitOrder(btcUSD, trade.Buy, "0.01", "1000")
				p.MaxSlippage = decimal.NewNullDecimal(d("1"))
			}),
			wantErr: "a slippage tolerance applies to market orders only",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec, err := risk.Evaluate(context.Background(), tt.p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, dec)
		})
	}
	_, err = risk.Evaluate(context.Background(), with(func(p *risk.Pretrade) {
		p.Request = limitOrder(btcUSD, trade.Buy, "0.01", "1000")
		p.MaxSlippage = decimal.NewNullDecimal(d("1"))
	}))
	if !errors.Is(err, risk.ErrSlippageNotMarket) {
		t.Errorf("a tolerance on a limit: %v, want ErrSlippageNotMarket", err)
	}
}

// TestEvaluateMarketableLimitOnBinance: on a live venue a guarded market
// order, estimated from the venue's depth, goes out as a limit IOC at the
// tolerance price.
func TestEvaluateMarketableLimitOnBinance(t *testing.T) {
	ex, srv := openBinance(t)
	inst, err := exchange.FindInstrument(context.Background(), ex, btcUSDT)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := risk.Evaluate(context.Background(), risk.Pretrade{
		Profile: "live", Exchange: ex, Instrument: inst, Request: market(btcUSDT, trade.Buy, "0.01"),
		MaxSlippage: decimal.NewNullDecimal(d("1")), MarketableLimit: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !dec.Converted || dec.Estimate.Source != risk.SourceBook {
		t.Fatalf("decision %+v", dec)
	}
	wantPrice := trade.FloorTo(dec.Estimate.Mid.Mul(d("1.01")), inst.TickSize)
	want := trade.OrderRequest{Symbol: btcUSDT, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.IOC,
		Qty: d("0.01"), Price: decimal.NewNullDecimal(wantPrice)}
	if diff := cmp.Diff(want, dec.Request, decimalEqual); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	o := place(t, ex, dec.Request)
	if o.Status != trade.StatusFilled || o.Type != trade.Limit || o.TimeInForce != trade.IOC {
		t.Errorf("placed %s %s %s", o.Type, o.TimeInForce, o.Status)
	}
	if got := srv.LastRequest(); got.Path != "/api/v3/order" || !strings.Contains(got.Query+got.Body, "timeInForce=IOC") {
		t.Errorf("last request %s %s %s", got.Path, got.Query, got.Body)
	}

	// Beyond a tolerance tighter than half the spread: refused, and the
	// message says where the estimate comes from.
	_, err = risk.Evaluate(context.Background(), risk.Pretrade{
		Profile: "live", Exchange: ex, Instrument: inst, Request: market(btcUSDT, trade.Buy, "0.01"),
		MaxSlippage: decimal.NewNullDecimal(d("0.000001")), MarketableLimit: true,
	})
	if err == nil || !strings.Contains(err.Error(), "(estimated from the book's first level)") {
		t.Errorf("got %v", err)
	}
}

func TestDailyLossSource(t *testing.T) {
	c := &clock{t: t0}
	ex := openPaper(t, c)
	inst, err := exchange.FindInstrument(context.Background(), ex, aapl)
	if err != nil {
		t.Fatal(err)
	}
	// Paper lists its fills: they are the source, whatever the journal says.
	journal := func(context.Context, time.Time) (map[string]decimal.Decimal, error) {
		return map[string]decimal.Decimal{"": d("-500")}, nil
	}
	loss, err := risk.DailyLossSource(ex, c.Now, inst, journal)(context.Background())
	if err != nil || !loss.IsZero() {
		t.Errorf("paper: loss %s, %v; want 0 from its own fills", loss, err)
	}

	// A venue that cannot list fills falls back to the journal, keyed ""
	// for tickers.
	var since time.Time
	journal = func(_ context.Context, s time.Time) (map[string]decimal.Decimal, error) {
		since = s
		return map[string]decimal.Decimal{"": d("-500"), "USD": d("-7")}, nil
	}
	noFills := struct{ exchange.Exchange }{ex}
	loss, err = risk.DailyLossSource(noFills, c.Now, inst, journal)(context.Background())
	if err != nil || !loss.Equal(d("500")) {
		t.Errorf("journal for AAPL: loss %s, %v; want 500", loss, err)
	}
	if want := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC); !since.Equal(want) {
		t.Errorf("asked since %s, want %s", since, want)
	}
	btcInst, _ := exchange.FindInstrument(context.Background(), ex, btcUSD)
	loss, _ = risk.DailyLossSource(noFills, c.Now, btcInst, journal)(context.Background())
	if !loss.Equal(d("7")) {
		t.Errorf("journal for BTC-USD: loss %s, want 7", loss)
	}
	if f := risk.DailyLossSource(noFills, c.Now, inst, nil); f != nil {
		t.Error("no fills and no journal: want nil, so max_daily_loss refuses")
	}
	// A profit is no loss.
	profit := risk.RealisedDailyLoss(func(context.Context, time.Time) (map[string]decimal.Decimal, error) {
		return map[string]decimal.Decimal{"USD": d("3")}, nil
	}, c.Now, "USD")
	if loss, _ := profit(context.Background()); !loss.IsZero() {
		t.Errorf("profit: loss %s", loss)
	}
}
