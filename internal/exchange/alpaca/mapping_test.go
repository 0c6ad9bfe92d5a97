package alpaca

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestMapStatus(t *testing.T) {
	tests := []struct {
		wire         string
		qty, filled  string
		want         trade.OrderStatus
		wantErr      bool
		wantTerminal bool
	}{
		{wire: "new", qty: "1", filled: "0", want: trade.StatusOpen},
		{wire: "accepted", qty: "1", filled: "0", want: trade.StatusOpen},
		{wire: "pending_new", qty: "1", filled: "0", want: trade.StatusOpen},
		{wire: "accepted_for_bidding", qty: "1", filled: "0", want: trade.StatusOpen},
		{wire: "held", qty: "1", filled: "0", want: trade.StatusOpen},
		{wire: "suspended", qty: "1", filled: "0", want: trade.StatusOpen},
		{wire: "stopped", qty: "1", filled: "0", want: trade.StatusOpen},
		{wire: "pending_cancel", qty: "1", filled: "0", want: trade.StatusOpen},
		{wire: "pending_cancel", qty: "2", filled: "1", want: trade.StatusPartiallyFilled},
		{wire: "pending_replace", qty: "1", filled: "0", want: trade.StatusOpen},
		{wire: "done_for_day", qty: "1", filled: "0", want: trade.StatusOpen},
		{wire: "done_for_day", qty: "3", filled: "1", want: trade.StatusPartiallyFilled},
		{wire: "calculated", qty: "3", filled: "3", want: trade.StatusFilled, wantTerminal: true},
		{wire: "calculated", qty: "3", filled: "1", want: trade.StatusPartiallyFilled},
		{wire: "calculated", qty: "3", filled: "0", want: trade.StatusOpen},
		{wire: "partially_filled", qty: "3", filled: "1", want: trade.StatusPartiallyFilled},
		{wire: "filled", qty: "3", filled: "3", want: trade.StatusFilled, wantTerminal: true},
		{wire: "canceled", qty: "3", filled: "0", want: trade.StatusCanceled, wantTerminal: true},
		{wire: "canceled", qty: "3", filled: "1", want: trade.StatusCanceled, wantTerminal: true},
		{wire: "replaced", qty: "3", filled: "0", want: trade.StatusCanceled, wantTerminal: true},
		{wire: "expired", qty: "3", filled: "0", want: trade.StatusExpired, wantTerminal: true},
		{wire: "rejected", qty: "3", filled: "0", want: trade.StatusRejected, wantTerminal: true},
		{wire: "NEW", qty: "1", filled: "0", wantErr: true},
		{wire: "", qty: "1", filled: "0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.wire+"/"+tt.filled+"of"+tt.qty, func(t *testing.T) {
			got, err := mapStatus(tt.wire, trade.Dec(tt.qty), trade.Dec(tt.filled))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("mapStatus(%q) = %s, want an error", tt.wire, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || got.Terminal() != tt.wantTerminal {
				t.Errorf("mapStatus(%q, %s/%s) = %s (terminal %v), want %s (terminal %v)", tt.wire, tt.filled, tt.qty, got, got.Terminal(), tt.want, tt.wantTerminal)
			}
		})
	}
	// Every documented status is in the table.
	for s := range statusFromWire {
		if _, err := mapStatus(s, decimal.NewFromInt(1), decimal.Zero); err != nil {
			t.Errorf("status %q: %v", s, err)
		}
	}
}

func TestMapOrder(t *testing.T) {
	e := &Exchange{Base: venuebase.Base{Profile: "p"}}
	created := time.Date(2026, 3, 16, 18, 38, 1, 942282000, time.UTC)
	updated := created.Add(time.Second)
	base := orderWire{
		ID: "61e69015-8549-4bfd-b9c3-01e75843f47d", ClientOrderID: "c1",
		CreatedAt: "2026-03-16T18:38:01.942282Z", UpdatedAt: "2026-03-16T18:38:02.942282Z",
		Symbol: "AAPL", AssetClass: "us_equity", Qty: "10", FilledQty: "0", Type: "limit", OrderType: "limit",
		Side: "buy", TimeInForce: "day", LimitPrice: "150.5", Status: "new",
	}
	want := trade.Order{
		ID: base.ID, ClientID: "c1", Symbol: aapl, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.Day,
		Status: trade.StatusOpen, Qty: trade.Dec("10"), FilledQty: decimal.Zero, Price: trade.OptDec("150.5"),
		CreatedAt: created, UpdatedAt: updated, Exchange: "alpaca", Profile: "p",
	}
	with := func(w orderWire, f func(*orderWire)) orderWire { f(&w); return w }
	wantWith := func(f func(*trade.Order)) trade.Order { o := want; f(&o); return o }
	tests := []struct {
		name    string
		in      orderWire
		want    trade.Order
		wantErr string
	}{
		{name: "resting limit", in: base, want: want},
		{name: "pending_new placement answer", in: with(base, func(w *orderWire) { w.Status = "pending_new" }), want: want},
		{name: "filled market crypto", in: with(base, func(w *orderWire) {
			w.Symbol, w.AssetClass, w.Type, w.TimeInForce, w.LimitPrice = "BTC/USD", "crypto", "market", "gtc", ""
			w.Qty, w.FilledQty, w.FilledAvgPrice, w.Status = "0.5", "0.5", "60010", "filled"
		}), want: wantWith(func(o *trade.Order) {
			o.Symbol, o.Type, o.TimeInForce, o.Price = btcusd, trade.Market, trade.GTC, decimal.NullDecimal{}
			o.Qty, o.FilledQty, o.AvgFillPrice, o.Status = trade.Dec("0.5"), trade.Dec("0.5"), trade.OptDec("60010"), trade.StatusFilled
		})},
		{name: "crypto written without slash", in: with(base, func(w *orderWire) { w.Symbol, w.AssetClass = "ETHUSD", "crypto" }),
			want: wantWith(func(o *trade.Order) { o.Symbol = ethusd })},
		{name: "stop limit sell partially filled", in: with(base, func(w *orderWire) {
			w.Type, w.Side, w.StopPrice, w.FilledQty, w.FilledAvgPrice, w.Status = "stop_limit", "sell", "151", "4", "150.75", "partially_filled"
		}), want: wantWith(func(o *trade.Order) {
			o.Type, o.Side, o.StopPrice, o.FilledQty, o.AvgFillPrice, o.Status = trade.StopLimit, trade.Sell, trade.OptDec("151"), trade.Dec("4"), trade.OptDec("150.75"), trade.StatusPartiallyFilled
		})},
		{name: "trailing stop with its trail and current stop", in: with(base, func(w *orderWire) {
			w.Type, w.LimitPrice, w.TrailPercent, w.StopPrice = "trailing_stop", "", "2", "186.2"
		}), want: wantWith(func(o *trade.Order) {
			o.Type, o.Price, o.TrailPct, o.StopPrice = trade.TrailingStop, decimal.NullDecimal{}, trade.OptDec("2"), trade.OptDec("186.2")
		})},
		{name: "trailing stop by price", in: with(base, func(w *orderWire) { w.Type, w.LimitPrice, w.TrailPrice = "trailing_stop", "", "1.5" }),
			want: wantWith(func(o *trade.Order) {
				o.Type, o.Price, o.TrailAmount = trade.TrailingStop, decimal.NullDecimal{}, trade.OptDec("1.5")
			})},
		{name: "type from order_type", in: with(base, func(w *orderWire) { w.Type = "" }), want: want},
		{name: "opg is day", in: with(base, func(w *orderWire) { w.TimeInForce = "opg" }), want: want},
		{name: "cls is day", in: with(base, func(w *orderWire) { w.TimeInForce = "cls" }), want: want},
		{name: "notional order takes filled qty", in: with(base, func(w *orderWire) {
			w.Type, w.LimitPrice, w.Qty, w.Notional, w.FilledQty, w.FilledAvgPrice, w.Status = "market", "", "", "100", "0.526", "190.1", "filled"
		}), want: wantWith(func(o *trade.Order) {
			o.Type, o.Price, o.Qty, o.FilledQty, o.AvgFillPrice, o.Status = trade.Market, decimal.NullDecimal{}, trade.Dec("0.526"), trade.Dec("0.526"), trade.OptDec("190.1"), trade.StatusFilled
		})},
		{name: "avg price ignored without fills", in: with(base, func(w *orderWire) { w.FilledAvgPrice = "1" }), want: want},
		{name: "updated defaults to created", in: with(base, func(w *orderWire) { w.UpdatedAt = "" }),
			want: wantWith(func(o *trade.Order) { o.UpdatedAt = created })},
		{name: "unknown status", in: with(base, func(w *orderWire) { w.Status = "vanished" }), wantErr: "unknown order status"},
		{name: "unknown type", in: with(base, func(w *orderWire) { w.Type, w.OrderType = "iceberg", "" }), wantErr: "unknown order type"},
		{name: "unknown tif", in: with(base, func(w *orderWire) { w.TimeInForce = "gtd" }), wantErr: "unknown time in force"},
		{name: "unknown side", in: with(base, func(w *orderWire) { w.Side = "short" }), wantErr: "unknown side"},
		{name: "no id", in: with(base, func(w *orderWire) { w.ID = "" }), wantErr: "without an id"},
		{name: "bad qty", in: with(base, func(w *orderWire) { w.Qty = "1e3" }), wantErr: "qty"},
		{name: "negative filled", in: with(base, func(w *orderWire) { w.FilledQty = "-1" }), wantErr: "negative"},
		{name: "bad time", in: with(base, func(w *orderWire) { w.CreatedAt = "yesterday" }), wantErr: "created_at"},
		{name: "pair on equity", in: with(base, func(w *orderWire) { w.Symbol = "BTC/USD" }), wantErr: "does not fit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.mapOrder(tt.in, nil)
			if !venuetest.WantError(t, err, nil, tt.wantErr) {
				return
			}
			if diff := cmp.Diff(tt.want, got, venuetest.DecEqual); diff != "" {
				t.Errorf("mapOrder (-want +got):\n%s", diff)
			}
		})
	}
}

func TestToWire(t *testing.T) {
	stock := assetRule{VenueSymbol: "AAPL", Class: classEquity, Base: "AAPL", Tradable: true, Fractionable: true, TickSize: stockTick, StepSize: fractionalStep}
	whole := stock
	whole.Fractionable = false
	crypto := assetRule{VenueSymbol: "BTC/USD", Class: classCrypto, Base: "BTC", Quote: "USD", Tradable: true}
	req := func(sym trade.Symbol, typ trade.OrderType, tif trade.TimeInForce, qty, price, stop string) trade.OrderRequest {
		return trade.OrderRequest{Symbol: sym, Side: trade.Buy, Type: typ, TimeInForce: tif, Qty: trade.Dec(qty), Price: trade.OptDec(price), StopPrice: trade.OptDec(stop)}
	}
	tests := []struct {
		name     string
		req      trade.OrderRequest
		rule     assetRule
		extended bool
		want     orderRequestWire
		wantErr  string
	}{
		{name: "stock limit gtc", req: req(aapl, trade.Limit, trade.GTC, "2", "150.25", ""), rule: stock,
			want: orderRequestWire{Symbol: "AAPL", Qty: "2", Side: "buy", Type: "limit", TimeInForce: "gtc", LimitPrice: "150.25", ClientOrderID: "cid"}},
		{name: "unset tif is gtc", req: req(aapl, trade.Market, "", "2", "", ""), rule: stock,
			want: orderRequestWire{Symbol: "AAPL", Qty: "2", Side: "buy", Type: "market", TimeInForce: "gtc", ClientOrderID: "cid"}},
		{name: "stock stop-limit ioc", req: req(aapl, trade.StopLimit, trade.IOC, "2", "150", "151"), rule: stock,
			want: orderRequestWire{Symbol: "AAPL", Qty: "2", Side: "buy", Type: "stop_limit", TimeInForce: "ioc", LimitPrice: "150", StopPrice: "151", ClientOrderID: "cid"}},
		{name: "stock stop fok", req: req(aapl, trade.Stop, trade.FOK, "2", "", "151"), rule: stock,
			want: orderRequestWire{Symbol: "AAPL", Qty: "2", Side: "buy", Type: "stop", TimeInForce: "fok", StopPrice: "151", ClientOrderID: "cid"}},
		{name: "extended hours on limit day", req: req(aapl, trade.Limit, trade.Day, "2", "150", ""), rule: stock, extended: true,
			want: orderRequestWire{Symbol: "AAPL", Qty: "2", Side: "buy", Type: "limit", TimeInForce: "day", LimitPrice: "150", ExtendedHours: true, ClientOrderID: "cid"}},
		{name: "no extended hours on gtc", req: req(aapl, trade.Limit, trade.GTC, "2", "150", ""), rule: stock, extended: true,
			want: orderRequestWire{Symbol: "AAPL", Qty: "2", Side: "buy", Type: "limit", TimeInForce: "gtc", LimitPrice: "150", ClientOrderID: "cid"}},
		{name: "no extended hours on crypto", req: req(btcusd, trade.Limit, trade.GTC, "0.1", "50000", ""), rule: crypto, extended: true,
			want: orderRequestWire{Symbol: "BTC/USD", Qty: "0.1", Side: "buy", Type: "limit", TimeInForce: "gtc", LimitPrice: "50000", ClientOrderID: "cid"}},
		{name: "fractional market goes as day", req: req(aapl, trade.Market, "", "0.5", "", ""), rule: stock,
			want: orderRequestWire{Symbol: "AAPL", Qty: "0.5", Side: "buy", Type: "market", TimeInForce: "day", ClientOrderID: "cid"}},
		{name: "fractional limit day", req: req(aapl, trade.Limit, trade.Day, "0.5", "150", ""), rule: stock,
			want: orderRequestWire{Symbol: "AAPL", Qty: "0.5", Side: "buy", Type: "limit", TimeInForce: "day", LimitPrice: "150", ClientOrderID: "cid"}},
		{name: "fractional limit gtc", req: req(aapl, trade.Limit, trade.GTC, "0.5", "150", ""), rule: stock, wantErr: "only on day orders"},
		{name: "fractional market ioc", req: req(aapl, trade.Market, trade.IOC, "0.5", "", ""), rule: stock, wantErr: "only on day orders"},
		{name: "fractional not fractionable", req: req(aapl, trade.Market, "", "0.5", "", ""), rule: whole, wantErr: "not fractionable"},
		{name: "crypto market ioc", req: req(btcusd, trade.Market, trade.IOC, "0.1", "", ""), rule: crypto,
			want: orderRequestWire{Symbol: "BTC/USD", Qty: "0.1", Side: "buy", Type: "market", TimeInForce: "ioc", ClientOrderID: "cid"}},
		{name: "crypto fok refused", req: req(btcusd, trade.Limit, trade.FOK, "0.1", "50000", ""), rule: crypto, wantErr: "FOK"},
		{name: "crypto day refused", req: req(btcusd, trade.Limit, trade.Day, "0.1", "50000", ""), rule: crypto, wantErr: "gtc or ioc"},
		{name: "crypto stop refused", req: req(btcusd, trade.Stop, trade.GTC, "0.1", "", "50000"), rule: crypto, wantErr: "stop-limit"},
		{name: "post-only refused", req: func() trade.OrderRequest {
			r := req(aapl, trade.Limit, trade.GTC, "1", "150", "")
			r.PostOnly = true
			return r
		}(), rule: stock, wantErr: "post-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toWire(tt.req, tt.rule, "cid", tt.extended)
			if !venuetest.WantError(t, err, exchange.ErrInvalidOrder, tt.wantErr) {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("toWire (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListQuery(t *testing.T) {
	since := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		f    exchange.ListFilter
		want string
	}{
		{name: "open", f: exchange.ListFilter{Scope: exchange.ListOpen}, want: "direction=desc&limit=500&status=open"},
		{name: "all", f: exchange.ListFilter{Scope: exchange.ListAll}, want: "direction=desc&limit=500&status=all"},
		{name: "all with limit", f: exchange.ListFilter{Scope: exchange.ListAll, Limit: 7}, want: "direction=desc&limit=7&status=all"},
		{name: "limit above a page", f: exchange.ListFilter{Scope: exchange.ListAll, Limit: 900}, want: "direction=desc&limit=500&status=all"},
		{name: "terminal statuses are closed, limit local", f: exchange.ListFilter{Scope: exchange.ListAll, Limit: 1, Statuses: []trade.OrderStatus{trade.StatusCanceled}},
			want: "direction=desc&limit=500&status=closed"},
		{name: "working statuses are open", f: exchange.ListFilter{Scope: exchange.ListAll, Statuses: []trade.OrderStatus{trade.StatusPartiallyFilled}},
			want: "direction=desc&limit=500&status=open"},
		{name: "mixed statuses are all", f: exchange.ListFilter{Scope: exchange.ListAll, Statuses: []trade.OrderStatus{trade.StatusOpen, trade.StatusFilled}},
			want: "direction=desc&limit=500&status=all"},
		{name: "crypto symbol and since", f: exchange.ListFilter{Scope: exchange.ListAll, Symbol: btcusd, Since: since},
			want: "after=2026-05-01T11%3A59%3A59Z&direction=desc&limit=500&status=all&symbols=BTC%2FUSD"},
		{name: "stock symbol", f: exchange.ListFilter{Symbol: aapl}, want: "direction=desc&limit=500&status=open&symbols=AAPL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listQuery(tt.f).Encode(); got != tt.want {
				t.Errorf("listQuery = %s\nwant        %s", got, tt.want)
			}
		})
	}
}

func TestSymbolFromVenue(t *testing.T) {
	as := &assetSet{Assets: []assetRule{{VenueSymbol: "DOGE/USDC", Class: classCrypto, Base: "DOGE", Quote: "USDC"}}}
	as.index()
	tests := []struct {
		in, class string
		as        *assetSet
		want      trade.Symbol
		wantErr   bool
	}{
		{in: "AAPL", class: classEquity, want: aapl},
		{in: "BRK.B", class: classEquity, want: trade.Symbol{Base: "BRK.B"}},
		{in: "AAPL", class: "", want: aapl},
		{in: "BTC/USD", class: classCrypto, want: btcusd},
		{in: "BTC/USD", class: "", want: btcusd},
		{in: "BTCUSD", class: classCrypto, want: btcusd},
		{in: "ETHUSDT", class: classCrypto, want: trade.MustSymbol("ETH-USDT")},
		{in: "ETHBTC", class: classCrypto, want: trade.MustSymbol("ETH-BTC")},
		{in: "DOGEUSDC", class: classCrypto, as: as, want: trade.MustSymbol("DOGE-USDC")},
		{in: "XYZ", class: classCrypto, wantErr: true},
		{in: "AAPL", class: classCrypto, wantErr: true},
		{in: "BTC/USD", class: classEquity, wantErr: true},
		{in: "", class: classEquity, wantErr: true},
		{in: "A B", class: classEquity, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.class, func(t *testing.T) {
			got, err := symbolFromVenue(tt.in, tt.class, tt.as)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("symbolFromVenue(%q, %q) = %s, want an error", tt.in, tt.class, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("symbolFromVenue(%q, %q) = %v, %v; want %v", tt.in, tt.class, got, err, tt.want)
			}
		})
	}
}

func TestParseAssets(t *testing.T) {
	body := `[
	 {"id":"a","class":"us_equity","exchange":"NASDAQ","symbol":"AAPL","status":"active","tradable":true,"fractionable":true},
	 {"id":"b","class":"us_equity","exchange":"NYSE","symbol":"BRK.B","status":"active","tradable":true,"fractionable":false},
	 {"id":"c","class":"us_equity","exchange":"OTC","symbol":"HALT","status":"active","tradable":false},
	 {"id":"d","class":"us_equity","symbol":"GONE","status":"inactive","tradable":false},
	 {"id":"e","class":"us_equity","symbol":"ODD/WS","status":"active","tradable":true},
	 {"id":"f","class":"crypto","exchange":"CRYPTO","symbol":"BTC/USD","status":"active","tradable":true,"fractionable":true,
	  "min_order_size":"0.000018","min_trade_increment":"0.000000001","price_increment":"1"},
	 {"id":"g","class":"crypto","symbol":"ETH/USD","status":"active","tradable":true,"min_order_size":"0.001","min_trade_increment":"0.000000001","price_increment":"bad"},
	 {"id":"h","class":"crypto","symbol":"SOLUSD","status":"active","tradable":true,"min_order_size":"1","min_trade_increment":"1","price_increment":"1"},
	 {"id":"i","class":"us_option","symbol":"AAPL250117C00150000","status":"active","tradable":true}
	]`
	as, err := parseAssets([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	one := decimal.NewFromInt(1)
	want := []assetRule{
		{VenueSymbol: "AAPL", Class: classEquity, Base: "AAPL", Tradable: true, Fractionable: true, TickSize: stockTick, StepSize: fractionalStep, MinNotional: one},
		{VenueSymbol: "BRK.B", Class: classEquity, Base: "BRK.B", Tradable: true, TickSize: stockTick, StepSize: one, MinQty: one},
		{VenueSymbol: "HALT", Class: classEquity, Base: "HALT", TickSize: stockTick, StepSize: one, MinQty: one},
		{VenueSymbol: "BTC/USD", Class: classCrypto, Base: "BTC", Quote: "USD", Tradable: true, Fractionable: true,
			TickSize: one, StepSize: trade.Dec("0.000000001"), MinQty: trade.Dec("0.000018")},
	}
	if diff := cmp.Diff(want, as.Assets, venuetest.DecEqual); diff != "" {
		t.Errorf("parseAssets (-want +got):\n%s", diff)
	}
	if _, err := parseAssets([]byte(`{"not":"a list"}`)); err == nil {
		t.Error("parseAssets of an object: no error")
	}
}

func TestCashBalance(t *testing.T) {
	tests := []struct {
		name               string
		in                 accountWire
		free, locked       string
		wantAsset, wantErr string
	}{
		{name: "cash account, nothing held", in: accountWire{Cash: "1000", BuyingPower: "1000", NonMarginableBuyingPower: "1000"}, free: "1000", locked: "0"},
		{name: "open buy holds buying power", in: accountWire{Cash: "1000", BuyingPower: "700", NonMarginableBuyingPower: "700"}, free: "700", locked: "300"},
		{name: "margin is not free money", in: accountWire{Cash: "1000", BuyingPower: "4000", NonMarginableBuyingPower: "1000"}, free: "1000", locked: "0"},
		{name: "buying power alone", in: accountWire{Cash: "1000", BuyingPower: "900"}, free: "900", locked: "100"},
		{name: "negative buying power", in: accountWire{Cash: "1000", BuyingPower: "-5", NonMarginableBuyingPower: "-5"}, free: "0", locked: "1000"},
		{name: "margin loan", in: accountWire{Cash: "-250", BuyingPower: "100"}, free: "-250", locked: "0"},
		{name: "currency", in: accountWire{Currency: "EUR", Cash: "5", BuyingPower: "5"}, free: "5", locked: "0", wantAsset: "EUR"},
		{name: "bad cash", in: accountWire{Cash: "lots"}, wantErr: "cash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cashBalance(tt.in)
			if !venuetest.WantError(t, err, nil, tt.wantErr) {
				return
			}
			asset := tt.wantAsset
			if asset == "" {
				asset = "USD"
			}
			want := trade.NewBalance(asset, trade.Dec(tt.free), trade.Dec(tt.locked))
			if diff := cmp.Diff(want, got, venuetest.DecEqual); diff != "" {
				t.Errorf("cashBalance (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMapPosition(t *testing.T) {
	tests := []struct {
		name        string
		in          positionWire
		wantPos     trade.Position
		wantBalance trade.Balance
		wantErr     bool
	}{
		{name: "stock with shares held by a sell",
			in:          positionWire{Symbol: "AAPL", AssetClass: classEquity, Qty: "10", QtyAvailable: "7", AvgEntryPrice: "150.5", Side: "long"},
			wantPos:     trade.Position{Symbol: aapl, Qty: trade.Dec("10"), AvgCost: trade.Dec("150.5")},
			wantBalance: trade.NewBalance("AAPL", trade.Dec("7"), trade.Dec("3"))},
		{name: "crypto without slash",
			in:          positionWire{Symbol: "BTCUSD", AssetClass: classCrypto, Qty: "0.5", QtyAvailable: "0.5", AvgEntryPrice: "60000", Side: "long"},
			wantPos:     trade.Position{Symbol: btcusd, Qty: trade.Dec("0.5"), AvgCost: trade.Dec("60000")},
			wantBalance: trade.NewBalance("BTC", trade.Dec("0.5"), decimal.Zero)},
		{name: "no qty_available means all free",
			in:          positionWire{Symbol: "MSFT", AssetClass: classEquity, Qty: "2", AvgEntryPrice: "400"},
			wantPos:     trade.Position{Symbol: msft, Qty: trade.Dec("2"), AvgCost: trade.Dec("400")},
			wantBalance: trade.NewBalance("MSFT", trade.Dec("2"), decimal.Zero)},
		{name: "short",
			in:          positionWire{Symbol: "TSLA", AssetClass: classEquity, Qty: "-3", QtyAvailable: "-3", AvgEntryPrice: "250", Side: "short"},
			wantPos:     trade.Position{Symbol: trade.MustSymbol("TSLA"), Qty: trade.Dec("-3"), AvgCost: trade.Dec("250")},
			wantBalance: trade.NewBalance("TSLA", trade.Dec("-3"), decimal.Zero)},
		{name: "short with unsigned qty",
			in:          positionWire{Symbol: "TSLA", AssetClass: classEquity, Qty: "3", QtyAvailable: "3", AvgEntryPrice: "250", Side: "short"},
			wantPos:     trade.Position{Symbol: trade.MustSymbol("TSLA"), Qty: trade.Dec("-3"), AvgCost: trade.Dec("250")},
			wantBalance: trade.NewBalance("TSLA", trade.Dec("-3"), decimal.Zero)},
		{name: "bad avg", in: positionWire{Symbol: "AAPL", Qty: "1", AvgEntryPrice: "-1"}, wantErr: true},
		{name: "bad qty", in: positionWire{Symbol: "AAPL", Qty: "x"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mapPosition(tt.in, nil)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("mapPosition = %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantPos, got.Position, venuetest.DecEqual); diff != "" {
				t.Errorf("position (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantBalance, got.balance(), venuetest.DecEqual); diff != "" {
				t.Errorf("balance (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorMapping(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	place := call{method: http.MethodPost, path: "/v2/orders", placement: true, clientID: "cid-1"}
	read := call{method: http.MethodGet, path: "/v2/orders/{id}"}
	data := call{host: dataHost, method: http.MethodGet, path: "/v2/stocks/quotes/latest", lookup: true}
	tests := []struct {
		name       string
		c          call
		status     int
		header     http.Header
		body       string
		want       error
		wantCode   string
		wantRetry  time.Duration
		wantClient string
		wantMsg    string
	}{
		{name: "401", c: read, status: 401, body: `{"code":40110000,"message":"request is not authorized"}`, want: exchange.ErrAuth, wantCode: "40110000", wantMsg: "paper"},
		{name: "401 without code", c: read, status: 401, body: `{"message":"unauthorized"}`, want: exchange.ErrAuth},
		{name: "403 buying power", c: place, status: 403, body: `{"buying_power":"10","code":40310000,"cost_basis":"20","message":"insufficient buying power"}`, want: exchange.ErrInsufficientFunds, wantCode: "40310000"},
		{name: "403 qty", c: place, status: 403, body: `{"code":40310000,"message":"insufficient qty available for order (requested: 10, available: 0)"}`, want: exchange.ErrInsufficientFunds},
		{name: "403 crypto balance", c: place, status: 403, body: `{"code":40310000,"message":"insufficient balance for BTC (requested: 1, available: 0)"}`, want: exchange.ErrInsufficientFunds},
		{name: "403 wash trade", c: place, status: 403, body: `{"code":40310000,"message":"potential wash trade detected. use complex orders"}`, want: exchange.ErrInvalidOrder},
		{name: "403 permission on placement", c: place, status: 403, body: `{"code":40310000,"message":"account is not authorized to trade"}`, want: exchange.ErrAuth},
		{name: "403 on a read", c: read, status: 403, body: `{"code":40310000,"message":"forbidden"}`, want: exchange.ErrAuth},
		{name: "403 sip", c: data, status: 403, body: `{"message":"subscription does not permit querying recent SIP data"}`, want: exchange.ErrAuth, wantMsg: "feed: iex"},
		{name: "404 order", c: read, status: 404, body: `{"code":40410000,"message":"order not found"}`, want: exchange.ErrNotFound},
		{name: "404 no body is a wrong URL", c: read, status: 404, body: "404 page not found", want: exchange.ErrUnavailable, wantMsg: "base_url"},
		{name: "422 duplicate", c: place, status: 422, body: `{"code":40010001,"message":"client_order_id must be unique"}`, want: exchange.ErrDuplicateClientID},
		{name: "422 sub-penny", c: place, status: 422, body: `{"code":42210000,"message":"invalid limit_price 290.123. sub-penny increment does not fulfill minimum pricing criteria"}`, want: exchange.ErrInvalidOrder, wantCode: "42210000"},
		{name: "422 not cancelable", c: read, status: 422, body: `{"code":42210000,"message":"order is already in \"filled\" state"}`, want: exchange.ErrInvalidOrder},
		{name: "400 data symbol", c: data, status: 400, body: `{"message":"invalid symbol: A$"}`, want: exchange.ErrNotFound},
		{name: "400 order", c: place, status: 400, body: `{"code":40010000,"message":"request body format is invalid"}`, want: exchange.ErrInvalidOrder},
		{name: "429 retry-after", c: read, status: 429, header: http.Header{"Retry-After": {"7"}}, body: `{"code":42910000,"message":"rate limit exceeded"}`,
			want: exchange.ErrRateLimited, wantRetry: 7 * time.Second},
		{name: "429 reset only", c: read, status: 429, header: http.Header{"X-Ratelimit-Reset": {"1700000012"}}, body: `{"message":"too many requests"}`,
			want: exchange.ErrRateLimited, wantRetry: 13 * time.Second},
		{name: "429 http date", c: read, status: 429, header: http.Header{"Retry-After": {now.Add(30 * time.Second).UTC().Format(http.TimeFormat)}},
			want: exchange.ErrRateLimited, wantRetry: 30 * time.Second},
		{name: "429 nothing", c: read, status: 429, want: exchange.ErrRateLimited},
		{name: "429 absurd retry-after is capped", c: read, status: 429, header: http.Header{"Retry-After": {"200000000000"}},
			want: exchange.ErrRateLimited, wantRetry: 24 * time.Hour},
		{name: "500 on placement", c: place, status: 500, body: `{"code":50010000,"message":"internal server error occurred"}`,
			want: exchange.ErrUnknownOutcome, wantClient: "cid-1", wantMsg: "client id"},
		{name: "503 on read", c: read, status: 503, body: "<html>down</html>", want: exchange.ErrUnavailable},
		{name: "redirect", c: read, status: 301, want: exchange.ErrUnavailable, wantMsg: "does not redirect"},
		{name: "418 other 4xx", c: place, status: 418, body: `{"message":"teapot"}`, want: exchange.ErrInvalidOrder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			err := toError(decodeError(tt.status, h, []byte(tt.body), now), tt.c)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %q is not %q", err, tt.want)
			}
			if err.Code != tt.wantCode && tt.wantCode != "" {
				t.Errorf("code %q, want %q", err.Code, tt.wantCode)
			}
			if err.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter %s, want %s", err.RetryAfter, tt.wantRetry)
			}
			if err.ClientID != tt.wantClient {
				t.Errorf("ClientID %q, want %q", err.ClientID, tt.wantClient)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q does not mention %q", err.Error(), tt.wantMsg)
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "189.98", want: "189.98"},
		{in: "60000", want: "60000"},
		{in: "1e-05", want: "0.00001"},
		{in: "2.5E+3", want: "2500"},
		{in: "", want: "0"},
		{in: "-1", wantErr: true},
		{in: "1e999999999", wantErr: true},
		{in: "1e-99", wantErr: true},
		{in: "NaN", wantErr: true},
		{in: strings.Repeat("1", 65), wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseNumber("p", json.Number(tt.in))
		if tt.wantErr {
			if err == nil {
				t.Errorf("parseNumber(%q) = %s, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(trade.Dec(tt.want)) {
			t.Errorf("parseNumber(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestValidOrderID(t *testing.T) {
	for id, want := range map[string]bool{
		"61e69015-8549-4bfd-b9c3-01e75843f47d": true,
		"123":                                  true,
		"":                                     false,
		"../account":                           false,
		"61e69015 8549":                        false,
		"BTCUSDT:28":                           false,
		strings.Repeat("a", 65):                false,
	} {
		if got := validOrderID(id); got != want {
			t.Errorf("validOrderID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestVenue(t *testing.T) {
	v := Venue()
	if v.Name != "alpaca" {
		t.Errorf("Name = %q", v.Name)
	}
	wantKeys := []string{"base_url", "data_url", "paper", "feed", "extended_hours", "instruments_ttl", "stream_url", "data_stream_url"}
	if diff := cmp.Diff(wantKeys, v.Keys); diff != "" {
		t.Errorf("Keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"api_key", "api_secret"}, v.Credentials); diff != "" {
		t.Errorf("Credentials (-want +got):\n%s", diff)
	}
	ex, err := v.New(context.Background(), exchange.Params{Profile: "p"})
	if err != nil || ex.Name() != "alpaca" {
		t.Errorf("New = %v, %v", ex, err)
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name               string
		opts               map[string]any
		wantBase, wantData string
		wantFeed           string
		wantExtended       bool
		wantTTL            time.Duration
		wantErr            string
	}{
		{name: "defaults are paper", opts: nil, wantBase: PaperURL, wantData: DataURL, wantFeed: "iex", wantTTL: time.Hour},
		{name: "live", opts: map[string]any{"paper": false}, wantBase: ProductionURL, wantData: DataURL, wantFeed: "iex", wantTTL: time.Hour},
		{name: "paper as text", opts: map[string]any{"paper": "false"}, wantBase: ProductionURL, wantData: DataURL, wantFeed: "iex", wantTTL: time.Hour},
		{name: "base_url wins over paper", opts: map[string]any{"paper": true, "base_url": "http://127.0.0.1:9/v2/"}, wantBase: "http://127.0.0.1:9", wantData: DataURL, wantFeed: "iex", wantTTL: time.Hour},
		{name: "all set", opts: map[string]any{"data_url": "https://data.example.test", "feed": "SIP", "extended_hours": true, "instruments_ttl": "10m"},
			wantBase: PaperURL, wantData: "https://data.example.test", wantFeed: "sip", wantExtended: true, wantTTL: 10 * time.Minute},
		{name: "bad feed", opts: map[string]any{"feed": "otc"}, wantErr: "feed must be iex or sip"},
		{name: "bad paper", opts: map[string]any{"paper": "maybe"}, wantErr: "paper must be true or false"},
		{name: "relative url", opts: map[string]any{"base_url": "paper-api.alpaca.markets"}, wantErr: "not an absolute URL"},
		{name: "ws url", opts: map[string]any{"data_url": "wss://stream.data.alpaca.markets"}, wantErr: "http or https"},
		{name: "url with credentials", opts: map[string]any{"base_url": "https://user:pw@paper-api.alpaca.markets"}, wantErr: "plain base URL"},
		{name: "negative ttl", opts: map[string]any{"instruments_ttl": "-1m"}, wantErr: "must not be negative"},
		{name: "bad extended", opts: map[string]any{"extended_hours": 3}, wantErr: "extended_hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := venuetest.NewFromOptions(t, New, tt.opts, tt.wantErr)
			if !ok {
				return
			}
			got := []any{e.baseURL, e.dataURL, e.feed, e.extendedHours, e.ttl}
			want := []any{tt.wantBase, tt.wantData, tt.wantFeed, tt.wantExtended, tt.wantTTL}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("base, data, feed, extended, ttl (-want +got):\n%s", diff)
			}
		})
	}
}
