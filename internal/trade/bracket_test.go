package trade

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestValidateExits(t *testing.T) {
	btc := MustSymbol("BTC-USD")
	bracket := func(side Side, typ OrderType, price, tp, sl string) OrderRequest {
		r := OrderRequest{Symbol: btc, Side: side, Type: typ, Qty: Dec("1"),
			Exits: &Exits{TakeProfit: OptDec(tp), StopLoss: OptDec(sl)}}
		if price != "" {
			r.Price = OptDec(price)
		}
		return r
	}
	oco := func(side Side, tp, sl string) OrderRequest {
		return OrderRequest{Symbol: btc, Side: side, Type: Limit, Qty: Dec("1"), Price: OptDec(tp),
			Exits: &Exits{StopLoss: OptDec(sl), OCO: true}}
	}
	withTIF := oco(Sell, "110", "90")
	withTIF.TimeInForce = IOC
	noTP := bracket(Buy, Market, "", "", "90")
	noTP.Exits.TakeProfit = OptDec("")
	tests := []struct {
		name      string
		req       OrderRequest
		wantField string // "" = valid
	}{
		{"buy limit bracket", bracket(Buy, Limit, "100", "110", "90"), ""},
		{"buy market bracket", bracket(Buy, Market, "", "110", "90"), ""},
		{"sell limit bracket", bracket(Sell, Limit, "100", "90", "110"), ""},
		{"buy: stop-loss above the entry", bracket(Buy, Limit, "100", "110", "101"), "take_profit"},
		{"buy: take-profit below the entry", bracket(Buy, Limit, "100", "99", "90"), "take_profit"},
		{"sell: take-profit above the entry", bracket(Sell, Limit, "100", "101", "110"), "take_profit"},
		{"market buy: stop-loss above take-profit", bracket(Buy, Market, "", "90", "110"), "stop_loss"},
		{"stop entry", func() OrderRequest {
			r := bracket(Buy, Stop, "", "110", "90")
			r.StopPrice = OptDec("100")
			return r
		}(), "type"},
		{"bracket with a stop-loss alone", noTP, ""},
		{"buy limit: take-profit alone", bracket(Buy, Limit, "100", "110", ""), ""},
		{"buy limit: take-profit alone below the entry", bracket(Buy, Limit, "100", "99", ""), "take_profit"},
		{"sell limit: stop-loss alone", bracket(Sell, Limit, "100", "", "110"), ""},
		{"sell limit: stop-loss alone below the entry", bracket(Sell, Limit, "100", "", "99"), "stop_loss"},
		{"buy limit: stop-loss alone above the entry", bracket(Buy, Limit, "100", "", "101"), "stop_loss"},
		{"bracket without exits", bracket(Buy, Limit, "100", "", ""), "take_profit"},
		{"stop-loss limit without a stop-loss", func() OrderRequest {
			r := bracket(Buy, Limit, "100", "110", "")
			r.Exits.StopLossLimit = OptDec("89")
			return r
		}(), "stop_loss_limit"},
		{"OCO without a stop-loss", oco(Sell, "110", ""), "stop_loss"},
		{"sell OCO", oco(Sell, "110", "90"), ""},
		{"buy OCO", oco(Buy, "90", "110"), ""},
		{"sell OCO: stop-loss above take-profit", oco(Sell, "90", "110"), "stop_loss"},
		{"buy OCO: stop-loss below take-profit", oco(Buy, "110", "90"), "stop_loss"},
		{"OCO with ioc", withTIF, "time_in_force"},
		{"negative stop-loss limit", func() OrderRequest {
			r := oco(Sell, "110", "90")
			r.Exits.StopLossLimit = OptDec("-1")
			return r
		}(), "stop_loss_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			var ve *ValidationError
			got := ""
			if errors.As(err, &ve) {
				got = ve.Field
			} else if err != nil {
				t.Fatalf("Validate: %v is not a *ValidationError", err)
			}
			if diff := cmp.Diff(tt.wantField, got); diff != "" {
				t.Errorf("field of Validate's error (%v) (-want +got):\n%s", err, diff)
			}
		})
	}
}

func TestLegRequests(t *testing.T) {
	btc := MustSymbol("BTC-USD")
	r := OrderRequest{Symbol: btc, Side: Buy, Type: Limit, Qty: Dec("2"), Price: OptDec("100"),
		Exits: &Exits{TakeProfit: OptDec("110"), StopLoss: OptDec("90"), StopLossLimit: OptDec("89")}}
	got := []OrderRequest{r.TakeProfitRequest("a-tp"), r.StopLossRequest("a-sl")}
	want := []OrderRequest{
		{Symbol: btc, Side: Sell, Type: Limit, TimeInForce: GTC, Qty: Dec("2"), Price: OptDec("110"), ClientID: "a-tp"},
		{Symbol: btc, Side: Sell, Type: StopLimit, TimeInForce: GTC, Qty: Dec("2"), Price: OptDec("89"), StopPrice: OptDec("90"), ClientID: "a-sl"},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("legs (-want +got):\n%s", diff)
	}
}

func TestLegClientID(t *testing.T) {
	long := "tc-abcdefghijklmnopqrstuvwxyz234567ab" // 36
	tests := []struct {
		list string
		role LegRole
		want string
	}{
		{"oco-1", LegStopLoss, "oco-1-sl"},
		{"oco-1", LegTakeProfit, "oco-1-tp"},
		{long, LegStopLoss, long[:33] + "-sl"},
	}
	for _, tt := range tests {
		got := LegClientID(tt.list, tt.role)
		if got != tt.want || ValidateClientID(got) != nil {
			t.Errorf("LegClientID(%q, %s) = %q, want %q (valid)", tt.list, tt.role, got, tt.want)
		}
	}
}

// TestExitWords: dry runs, confirmation screens and the journal name the
// legs a request carries — a single exit alone, with nothing to cancel.
func TestExitWords(t *testing.T) {
	btc := MustSymbol("BTC-USD")
	entry := func(x Exits) OrderRequest {
		return OrderRequest{Symbol: btc, Side: Buy, Type: Limit, Qty: Dec("0.5"), Price: OptDec("100"), Exits: &x}
	}
	tests := []struct {
		name     string
		req      OrderRequest
		lines    [][2]string
		describe string
		pair     bool
	}{
		{"pair", entry(Exits{TakeProfit: OptDec("110"), StopLoss: OptDec("90")}),
			[][2]string{{"take-profit", "sell 0.5 limit 110 (once the entry has filled, one cancels the other)"}, {"stop-loss", "sell 0.5 stop 90 market (once the entry has filled, one cancels the other)"}},
			" take-profit 110 stop-loss 90", true},
		{"take-profit alone", entry(Exits{TakeProfit: OptDec("110")}),
			[][2]string{{"take-profit", "sell 0.5 limit 110 (once the entry has filled)"}}, " take-profit 110", false},
		{"stop-loss limit alone", entry(Exits{StopLoss: OptDec("90"), StopLossLimit: OptDec("89")}),
			[][2]string{{"stop-loss", "sell 0.5 stop 90 limit 89 (once the entry has filled)"}}, " stop-loss 90 limit 89", false},
		{"OCO", OrderRequest{Symbol: btc, Side: Sell, Type: Limit, Qty: Dec("0.5"), Price: OptDec("110"), Exits: &Exits{StopLoss: OptDec("90"), OCO: true}},
			[][2]string{{"take-profit", "sell 0.5 limit 110 (one cancels the other)"}, {"stop-loss", "sell 0.5 stop 90 market (one cancels the other)"}},
			" oco stop-loss 90", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := struct {
				Lines    [][2]string
				Describe string
				Pair     bool
			}{tt.req.ExitLines(), tt.req.Exits.Describe(), tt.req.Exits.Pair()}
			want := struct {
				Lines    [][2]string
				Describe string
				Pair     bool
			}{tt.lines, tt.describe, tt.pair}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
