package risk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/trade"
)

func fill(sym trade.Symbol, side trade.Side, qty, price, fee, feeAsset string, at time.Time) trade.Fill {
	return trade.Fill{Symbol: sym, Side: side, Qty: d(qty), Price: d(price), Fee: d(fee), FeeAsset: feeAsset, Time: at}
}

func TestRealisedLoss(t *testing.T) {
	today := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	yesterday := today.Add(-3 * time.Hour)
	noon := today.Add(12 * time.Hour)
	tests := []struct {
		name     string
		fills    []trade.Fill
		currency string
		want     string
	}{
		{name: "nothing traded", want: "0"},
		{
			name: "a position bought yesterday and sold lower today",
			fills: []trade.Fill{
				fill(btcUSD, trade.Buy, "1", "100", "0", "USD", yesterday),
				fill(btcUSD, trade.Sell, "1", "90", "0.5", "USD", noon),
			},
			currency: "USD", want: "10.5",
		},
		{
			name: "yesterday's loss is not today's",
			fills: []trade.Fill{
				fill(btcUSD, trade.Buy, "2", "100", "0", "USD", yesterday.Add(-time.Hour)),
				fill(btcUSD, trade.Sell, "1", "50", "0", "USD", yesterday),
				fill(btcUSD, trade.Sell, "1", "98", "0", "USD", noon),
			},
			currency: "USD", want: "2",
		},
		{
			name: "a profit today is no loss",
			fills: []trade.Fill{
				fill(btcUSD, trade.Buy, "1", "100", "0", "USD", yesterday),
				fill(btcUSD, trade.Sell, "1", "120", "0", "USD", noon),
			},
			currency: "USD", want: "0",
		},
		{
			name: "gains and losses net out",
			fills: []trade.Fill{
				fill(btcUSD, trade.Buy, "1", "100", "0", "USD", yesterday),
				fill(btcUSD, trade.Sell, "1", "80", "0", "USD", noon),
				fill(ethUSD, trade.Buy, "1", "10", "0", "USD", noon),
				fill(ethUSD, trade.Sell, "1", "15", "0", "USD", noon.Add(time.Minute)),
			},
			currency: "USD", want: "15",
		},
		{
			name: "other currencies are not counted; tickers count by their fee currency",
			fills: []trade.Fill{
				fill(btcUSDT, trade.Buy, "1", "100", "0", "BTC", noon),
				fill(btcUSDT, trade.Sell, "1", "10", "0", "USDT", noon.Add(time.Minute)),
				fill(aapl, trade.Buy, "1", "200", "0", "USD", noon),
				fill(aapl, trade.Sell, "1", "190", "0", "USD", noon.Add(time.Minute)),
			},
			currency: "USD", want: "10",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := risk.RealisedLoss(tt.fills, today, tt.currency)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(d(tt.want)) {
				t.Errorf("loss %s, want %s", got, tt.want)
			}
		})
	}
}

// TestFillsDailyLossOnPaper: a round trip on paper loses the spread and
// both fees, and that is what the limit sees; a day later it is gone.
func TestFillsDailyLossOnPaper(t *testing.T) {
	c := &clock{t: t0}
	ex := openPaper(t, c)
	buy := place(t, ex, market(ethUSD, trade.Buy, "2"))
	c.t = t0.Add(time.Minute)
	sell := place(t, ex, market(ethUSD, trade.Sell, "2"))
	// Paid: value + fee of the buy; received: value − fee of the sell.
	paid := buy.AvgFillPrice.Decimal.Mul(buy.FilledQty).Add(buy.Fee)
	got := sell.AvgFillPrice.Decimal.Mul(sell.FilledQty).Sub(sell.Fee)
	want := paid.Sub(got)
	if !want.IsPositive() {
		t.Fatalf("a round trip at t0 made %s; the test needs a loss", want.Neg())
	}

	dl := risk.FillsDailyLoss{Fills: ex, Now: c.Now, Currency: "USD"}
	loss, err := dl.Loss(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !loss.Round(8).Equal(want.Round(8)) {
		t.Errorf("loss %s, want %s", loss, want)
	}

	// The limit refuses the next order once the loss reaches it.
	inst, err := exchange.FindInstrument(context.Background(), ex, ethUSD)
	if err != nil {
		t.Fatal(err)
	}
	_, err = risk.Check(context.Background(), risk.Input{Profile: "paper", Exchange: ex, Request: market(ethUSD, trade.Buy, "1"),
		Instrument: inst, Safety: config.Safety{MaxDailyLoss: d("1")}, DailyLoss: dl.Loss})
	if err == nil || !strings.Contains(err.Error(), "risk limit max_daily_loss: today's realised loss "+want.StringFixed(2)+" USD has reached the limit 1") {
		t.Errorf("got %v", err)
	}

	c.t = t0.Add(24 * time.Hour)
	if loss, err := dl.Loss(context.Background()); err != nil || !loss.IsZero() {
		t.Errorf("the next day: loss %s, %v; want 0", loss, err)
	}
}

// TestFillsDailyLossPerSymbolVenue: Binance lists fills per symbol only;
// the provider falls back to the symbols it was given.
func TestFillsDailyLossPerSymbolVenue(t *testing.T) {
	ex, srv := openBinance(t)
	place(t, ex, market(btcUSDT, trade.Buy, "0.01"))
	place(t, ex, market(btcUSDT, trade.Sell, "0.01"))

	if _, err := (risk.FillsDailyLoss{Fills: ex, Currency: "USDT"}).Loss(context.Background()); err == nil {
		t.Error("without symbols on a per-symbol venue: no error")
	}
	dl := risk.FillsDailyLoss{Fills: ex, Currency: "USDT", Symbols: []trade.Symbol{btcUSDT}}
	loss, err := dl.Loss(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fills, err := ex.Fills(context.Background(), exchange.FillFilter{Symbol: btcUSDT})
	if err != nil {
		t.Fatal(err)
	}
	want, err := risk.RealisedLoss(fills, time.Now().UTC().Truncate(24*time.Hour), "USDT")
	if err != nil {
		t.Fatal(err)
	}
	if !loss.IsPositive() {
		t.Errorf("a round trip across the spread lost %s", loss)
	}
	if diff := cmp.Diff(want.String(), loss.String()); diff != "" {
		t.Errorf("loss (-want +got):\n%s", diff)
	}
	if srv.Count("GET", "/api/v3/myTrades") < 2 {
		t.Errorf("the venue was asked %d times for trades", srv.Count("GET", "/api/v3/myTrades"))
	}
}
