package orderplan_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/orderplan"
	"github.com/tradectl/tradectl/internal/trade"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// counting is an exchange that records the calls planning makes. It
// embeds the Exchange interface only, so the paper exchange's optional
// capabilities (QuoteSizer among them) are hidden unless asked for.
type counting struct {
	exchange.Exchange
	calls []string
}

func (c *counting) Instruments(ctx context.Context) ([]trade.Instrument, error) {
	c.calls = append(c.calls, "Instruments")
	return c.Exchange.Instruments(ctx)
}

func (c *counting) Quotes(ctx context.Context, s []trade.Symbol) ([]trade.Quote, error) {
	c.calls = append(c.calls, "Quotes")
	return c.Exchange.Quotes(ctx, s)
}

func (c *counting) Balances(ctx context.Context) ([]trade.Balance, error) {
	c.calls = append(c.calls, "Balances")
	return c.Exchange.Balances(ctx)
}

// quoteSizing is counting with the paper exchange's quote sizing shown.
type quoteSizing struct{ *counting }

func (q quoteSizing) QuoteSized(side trade.Side) bool { return exchange.CanQuoteSize(q.Exchange, side) }

func openPaper(t *testing.T, balances map[string]any) *paper.Exchange {
	t.Helper()
	ex, err := paper.New(context.Background(), exchange.Params{
		Profile: "paper", Exchange: paper.Name, Options: map[string]any{paper.KeyStartingBalances: balances},
		DataDir: t.TempDir(), CacheDir: t.TempDir(), Now: func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })
	return ex
}

func deps(ex exchange.Exchange, sf config.Safety) orderplan.Deps {
	return orderplan.Deps{Exchange: ex, Profile: "p", Safety: sf, Now: func() time.Time { return t0 },
		Journal: func() (*journal.Journal, error) { return nil, errors.New("no journal in this test") }}
}

var btcUSD = trade.MustSymbol("BTC-USD")

func TestQuoteSizedPlan(t *testing.T) {
	ctx := context.Background()
	sized := trade.OrderRequest{Symbol: btcUSD, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("100")}

	// Without the capability: refused before any request.
	plain := &counting{Exchange: openPaper(t, map[string]any{"USD": "1000"})}
	_, err := orderplan.Make(ctx, deps(plain, config.Safety{}), orderplan.Input{Request: sized, DryRun: true})
	var qe *orderplan.QuoteSizeError
	if !errors.As(err, &qe) || qe.Side != trade.Buy {
		t.Errorf("Make on a venue without quote sizing = %v, want a QuoteSizeError", err)
	}
	if len(plain.calls) != 0 {
		t.Errorf("calls before the refusal: %v, want none", plain.calls)
	}

	// With it: max_order_notional compares the amount, no quote fetched.
	able := quoteSizing{&counting{Exchange: openPaper(t, map[string]any{"USD": "1000"})}}
	p, err := orderplan.Make(ctx, deps(able, config.Safety{MaxOrderNotional: trade.Dec("100")}), orderplan.Input{Request: sized, DryRun: true})
	if err != nil {
		t.Fatalf("Make(quote-sized, within max_order_notional): %v", err)
	}
	if diff := cmp.Diff([]string{"Instruments"}, able.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if !p.EstimatedValue().Equal(trade.Dec("100")) || !p.Request.QuoteQty.Decimal.Equal(trade.Dec("100")) || !p.Request.Qty.IsZero() {
		t.Errorf("plan: value %s, request %+v; want the amount 100 as sent", p.EstimatedValue(), p.Request)
	}
	over := sized
	over.QuoteQty = trade.OptDec("100.01")
	if _, err := orderplan.Make(ctx, deps(able, config.Safety{MaxOrderNotional: trade.Dec("100")}), orderplan.Input{Request: over, DryRun: true}); err == nil ||
		!strings.Contains(err.Error(), "order value 100.01 USD exceeds 100 (the quote amount)") {
		t.Errorf("Make(quote-sized over max_order_notional) = %v, want the limit's refusal", err)
	}

	// The slippage guard cannot bound it: refused unless lifted.
	guarded := config.Safety{MaxSlippagePct: trade.Dec("1")}
	if _, err := orderplan.Make(ctx, deps(able, guarded), orderplan.Input{Request: sized, DryRun: true}); !errors.Is(err, orderplan.ErrSlippageQuoteSized) {
		t.Errorf("Make(quote-sized under the slippage guard) = %v, want ErrSlippageQuoteSized", err)
	}
	if _, err := orderplan.Make(ctx, deps(able, guarded), orderplan.Input{Request: sized, DryRun: true, Overrides: []string{config.SafetyMaxSlippagePct}}); err != nil {
		t.Errorf("Make(quote-sized, guard overridden) = %v", err)
	}
}

func TestQtyShare(t *testing.T) {
	ctx := context.Background()
	ex := openPaper(t, map[string]any{"USD": "1000", "BTC": "0.123456789"})
	in, err := exchange.FindInstrument(ctx, ex, btcUSD)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := ex.Quotes(ctx, []trade.Symbol{btcUSD})
	if err != nil {
		t.Fatal(err)
	}
	ask := qs[0].Ask
	share := func(side trade.Side, s string, price string) (orderplan.Plan, []string, error) {
		c := &counting{Exchange: ex}
		req := trade.OrderRequest{Symbol: btcUSD, Side: side, Type: trade.Market}
		if price != "" {
			req.Type, req.Price = trade.Limit, trade.OptDec(price)
		}
		p, err := orderplan.Make(ctx, deps(c, config.Safety{}), orderplan.Input{Request: req, QtyShare: decimal.NewNullDecimal(trade.Dec(s)), DryRun: true})
		return p, c.calls, err
	}
	floor := func(v decimal.Decimal) decimal.Decimal { return trade.FloorTo(v, in.StepSize) }
	tests := []struct {
		name      string
		side      trade.Side
		share     string
		price     string
		wantQty   decimal.Decimal
		wantAsset string
		wantCalls []string
	}{
		{"sell all of the base", trade.Sell, "1", "", floor(trade.Dec("0.123456789")), "BTC", []string{"Instruments", "Balances"}},
		{"sell half of the base", trade.Sell, "0.5", "", floor(trade.Dec("0.0617283945")), "BTC", []string{"Instruments", "Balances"}},
		{"buy with half the quote at the ask", trade.Buy, "0.5", "", floor(trade.Dec("500").DivRound(ask, 16)), "USD", []string{"Instruments", "Quotes", "Balances"}},
		{"buy with all the quote at the limit price", trade.Buy, "1", "10000", floor(trade.Dec("0.1")), "USD", []string{"Instruments", "Balances"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, calls, err := share(tt.side, tt.share, tt.price)
			if err != nil {
				t.Fatal(err)
			}
			if !p.Request.Qty.Equal(tt.wantQty) || p.Sizing == nil || p.Sizing.Asset != tt.wantAsset || !p.Sizing.Qty.Equal(tt.wantQty) {
				t.Errorf("qty %s, sizing %+v; want %s from %s", p.Request.Qty, p.Sizing, tt.wantQty, tt.wantAsset)
			}
			if diff := cmp.Diff(tt.wantCalls, calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}

	poor := openPaper(t, map[string]any{"USD": "1000", "BTC": "0.00000001"})
	_, err = orderplan.Make(ctx, deps(poor, config.Safety{}), orderplan.Input{
		Request: trade.OrderRequest{Symbol: btcUSD, Side: trade.Sell, Type: trade.Market}, QtyShare: decimal.NewNullDecimal(trade.Dec("0.5")), DryRun: true})
	var rules *orderplan.RulesError
	if !errors.As(err, &rules) || !strings.Contains(err.Error(), "50% of the free BTC balance 0.00000001 sells 0.000000005 BTC, which rounds down to 0") {
		t.Errorf("Make(50%% of dust) = %v, want a RulesError saying it rounds to 0", err)
	}
}

// clientSizing is counting on a venue that takes no quote-sized order
// but lets tradectl size one from the quote (as Kraken's adapter does).
type clientSizing struct{ *counting }

func (clientSizing) SizesQuoteClientSide(trade.Side) bool { return true }

func TestQuoteSizedClientSide(t *testing.T) {
	ctx := context.Background()
	ex := openPaper(t, map[string]any{"USD": "1000", "BTC": "1"})
	in, err := exchange.FindInstrument(ctx, ex, btcUSD)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := ex.Quotes(ctx, []trade.Symbol{btcUSD})
	if err != nil {
		t.Fatal(err)
	}
	floor := func(v decimal.Decimal) decimal.Decimal { return trade.FloorTo(v, in.StepSize) }
	tests := []struct {
		name  string
		side  trade.Side
		quote string
		want  orderplan.QuoteSizing
	}{
		{"buy at the ask", trade.Buy, "100", orderplan.QuoteSizing{QuoteQty: trade.Dec("100"), Asset: "USD", PriceSide: "ask",
			Price: qs[0].Ask, Qty: floor(trade.Dec("100").DivRound(qs[0].Ask, 16))}},
		{"sell at the bid", trade.Sell, "250.5", orderplan.QuoteSizing{QuoteQty: trade.Dec("250.5"), Asset: "USD", PriceSide: "bid",
			Price: qs[0].Bid, Qty: floor(trade.Dec("250.5").DivRound(qs[0].Bid, 16))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := clientSizing{&counting{Exchange: ex}}
			req := trade.OrderRequest{Symbol: btcUSD, Side: tc.side, Type: trade.Market, QuoteQty: trade.OptDec(tc.quote)}
			p, err := orderplan.Make(ctx, deps(c, config.Safety{}), orderplan.Input{Request: req, DryRun: true})
			if err != nil {
				t.Fatalf("Make: %v", err)
			}
			if p.QuoteSizing == nil {
				t.Fatal("no QuoteSizing in the plan")
			}
			if diff := cmp.Diff(tc.want, *p.QuoteSizing); diff != "" {
				t.Errorf("QuoteSizing (-want +got):\n%s", diff)
			}
			// What goes out is a base-quantity market order, the size
			// rounded down: it never spends (or fetches) more than asked at
			// the quoted price.
			if p.Request.QuoteSized() || !p.Request.Qty.Equal(tc.want.Qty) {
				t.Errorf("request qty %s quote %v, want qty %s and no quote size", p.Request.Qty, p.Request.QuoteQty, tc.want.Qty)
			}
			if p.Request.Qty.Mul(tc.want.Price).GreaterThan(tc.want.QuoteQty) {
				t.Errorf("sized %s × %s is more than the amount %s", p.Request.Qty, tc.want.Price, tc.want.QuoteQty)
			}
			if diff := cmp.Diff([]string{"Instruments", "Quotes"}, c.calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}

	// An amount below one step is refused, nothing placed.
	tiny := trade.OrderRequest{Symbol: btcUSD, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("0.0001")}
	_, err = orderplan.Make(ctx, deps(clientSizing{&counting{Exchange: ex}}, config.Safety{}), orderplan.Input{Request: tiny, DryRun: true})
	var re *orderplan.RulesError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "rounds down to 0") {
		t.Errorf("Make(tiny quote amount) = %v, want a rules error", err)
	}

	// The slippage guard treats the sized order as the market order it is
	// (it is not refused as a quote-sized one).
	guarded := config.Safety{MaxSlippagePct: trade.Dec("5")}
	req := trade.OrderRequest{Symbol: btcUSD, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("100")}
	if _, err := orderplan.Make(ctx, deps(clientSizing{&counting{Exchange: ex}}, guarded), orderplan.Input{Request: req, DryRun: true}); err != nil {
		t.Errorf("Make(client-sized under the slippage guard) = %v, want it planned", err)
	}
}
