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
