package trade

import (
	"errors"
	"strings"
	"testing"
)

func TestOrderRequestValidate(t *testing.T) {
	base := OrderRequest{Symbol: MustSymbol("BTC-USD"), Side: Buy, Type: Market, Qty: Dec("0.1")}
	with := func(f func(*OrderRequest)) OrderRequest { r := base; f(&r); return r }
	tests := []struct {
		name      string
		req       OrderRequest
		wantField string // "" means valid
		wantMsg   string
	}{
		{name: "market ok", req: base},
		{name: "limit ok", req: with(func(r *OrderRequest) { r.Type = Limit; r.Price = OptDec("100") })},
		{name: "stop ok", req: with(func(r *OrderRequest) { r.Type = Stop; r.StopPrice = OptDec("90") })},
		{name: "stop-limit ok", req: with(func(r *OrderRequest) { r.Type = StopLimit; r.Price = OptDec("89"); r.StopPrice = OptDec("90") })},
		{name: "post-only limit ok", req: with(func(r *OrderRequest) { r.Type = Limit; r.Price = OptDec("1"); r.PostOnly = true })},
		{name: "client id ok", req: with(func(r *OrderRequest) { r.ClientID = "run-2026.11.27:a_1" })},
		{name: "missing symbol", req: with(func(r *OrderRequest) { r.Symbol = Symbol{} }), wantField: "symbol"},
		{name: "bad side", req: with(func(r *OrderRequest) { r.Side = "hold" }), wantField: "side"},
		{name: "bad type", req: with(func(r *OrderRequest) { r.Type = "trailing" }), wantField: "type"},
		{name: "bad tif", req: with(func(r *OrderRequest) { r.TimeInForce = "gtd" }), wantField: "time_in_force"},
		{name: "zero qty", req: with(func(r *OrderRequest) { r.Qty = Dec("0") }), wantField: "qty", wantMsg: "greater than 0"},
		{name: "negative qty", req: with(func(r *OrderRequest) { r.Qty = Dec("-1") }), wantField: "qty"},
		{name: "limit without price", req: with(func(r *OrderRequest) { r.Type = Limit }), wantField: "price", wantMsg: "required"},
		{name: "market with price", req: with(func(r *OrderRequest) { r.Price = OptDec("1") }), wantField: "price", wantMsg: "not allowed"},
		{name: "zero price", req: with(func(r *OrderRequest) { r.Type = Limit; r.Price = OptDec("0") }), wantField: "price"},
		{name: "stop without stop price", req: with(func(r *OrderRequest) { r.Type = Stop }), wantField: "stop_price"},
		{name: "stop-limit without price", req: with(func(r *OrderRequest) { r.Type = StopLimit; r.StopPrice = OptDec("1") }), wantField: "price"},
		{name: "limit with stop price", req: with(func(r *OrderRequest) { r.Type = Limit; r.Price = OptDec("1"); r.StopPrice = OptDec("1") }), wantField: "stop_price"},
		{name: "negative stop", req: with(func(r *OrderRequest) { r.Type = Stop; r.StopPrice = OptDec("-1") }), wantField: "stop_price"},
		{name: "post-only market", req: with(func(r *OrderRequest) { r.PostOnly = true }), wantField: "post_only"},
		{name: "post-only ioc", req: with(func(r *OrderRequest) {
			r.Type = Limit
			r.Price = OptDec("1")
			r.PostOnly = true
			r.TimeInForce = IOC
		}), wantField: "post_only"},
		{name: "market day", req: with(func(r *OrderRequest) { r.TimeInForce = Day }), wantField: "time_in_force"},
		{name: "client id too long", req: with(func(r *OrderRequest) { r.ClientID = strings.Repeat("a", 37) }), wantField: "client_id"},
		{name: "client id space", req: with(func(r *OrderRequest) { r.ClientID = "a b" }), wantField: "client_id"},
		{name: "client id unicode", req: with(func(r *OrderRequest) { r.ClientID = "ordré" }), wantField: "client_id"},
		{name: "quote-sized market buy ok", req: with(func(r *OrderRequest) { r.Qty = Dec("0"); r.QuoteQty = OptDec("100") })},
		{name: "quote-sized market sell ok", req: with(func(r *OrderRequest) { r.Side = Sell; r.Qty = Dec("0"); r.QuoteQty = OptDec("100") })},
		{name: "qty and quote qty", req: with(func(r *OrderRequest) { r.QuoteQty = OptDec("100") }), wantField: "quote_qty", wantMsg: "cannot be combined with qty"},
		{name: "quote qty on a limit", req: with(func(r *OrderRequest) {
			r.Qty = Dec("0")
			r.QuoteQty = OptDec("100")
			r.Type = Limit
			r.Price = OptDec("1")
		}), wantField: "quote_qty", wantMsg: "only allowed on market orders"},
		{name: "zero quote qty", req: with(func(r *OrderRequest) { r.Qty = Dec("0"); r.QuoteQty = OptDec("0") }), wantField: "quote_qty", wantMsg: "greater than 0"},
		{name: "negative quote qty", req: with(func(r *OrderRequest) { r.Qty = Dec("0"); r.QuoteQty = OptDec("-5") }), wantField: "quote_qty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("Validate() = %v, want a *ValidationError on %s", err, tt.wantField)
			}
			if v.Field != tt.wantField || !strings.Contains(v.Message, tt.wantMsg) {
				t.Errorf("Validate() = field %q message %q, want field %q message containing %q", v.Field, v.Message, tt.wantField, tt.wantMsg)
			}
		})
	}
}

func TestParseQtyShare(t *testing.T) {
	tests := []struct {
		in      string
		want    string // "" when not a share
		wantErr bool
	}{
		{in: "all", want: "1"},
		{in: " ALL ", want: "1"},
		{in: "50%", want: "0.5"},
		{in: "100%", want: "1"},
		{in: "12.5%", want: "0.125"},
		{in: "0.5"},
		{in: "0%", wantErr: true},
		{in: "101%", wantErr: true},
		{in: "-5%", wantErr: true},
		{in: "x%", wantErr: true},
	}
	for _, tt := range tests {
		share, ok, err := ParseQtyShare(tt.in)
		switch {
		case tt.wantErr:
			if err == nil {
				t.Errorf("ParseQtyShare(%q) = %s, want an error", tt.in, share)
			}
		case err != nil:
			t.Errorf("ParseQtyShare(%q): %v", tt.in, err)
		case tt.want == "" && ok:
			t.Errorf("ParseQtyShare(%q) = share %s, want not a share", tt.in, share)
		case tt.want != "" && (!ok || !share.Equal(Dec(tt.want))):
			t.Errorf("ParseQtyShare(%q) = %s (ok %v), want %s", tt.in, share, ok, tt.want)
		}
	}
	if got := ShareText(Dec("0.5")); got != "50%" {
		t.Errorf("ShareText(0.5) = %q, want 50%%", got)
	}
	if got := ShareText(Dec("1")); got != "all" {
		t.Errorf("ShareText(1) = %q, want all", got)
	}
}

func TestParseEnums(t *testing.T) {
	if got, err := ParseOrderType("Stop_Limit"); err != nil || got != StopLimit {
		t.Errorf("ParseOrderType(Stop_Limit) = %q, %v", got, err)
	}
	if got, err := ParseSide(" SELL "); err != nil || got != Sell {
		t.Errorf("ParseSide = %q, %v", got, err)
	}
	_, err := ParseTimeInForce("gtd")
	if err == nil || !strings.Contains(err.Error(), "gtc, ioc, fok, day") {
		t.Errorf("ParseTimeInForce(gtd) error = %v, want the allowed list", err)
	}
	for _, s := range OrderStatuses {
		if s.Terminal() == s.Working() {
			t.Errorf("status %s is both or neither terminal and working", s)
		}
	}
}
