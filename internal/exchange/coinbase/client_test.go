package coinbase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

const (
	pathOrders   = fakecoinbase.Prefix + "/orders"
	pathProducts = fakecoinbase.Prefix + "/market/products"
	pathAccounts = fakecoinbase.Prefix + "/accounts"
)

func TestVenue(t *testing.T) {
	v := Venue()
	want := []string{"base_url", "sandbox", "instruments_ttl", "ws_url", "ws_user_url"}
	if v.Name != "coinbase" || !cmp.Equal(v.Keys, want) || !cmp.Equal(v.Credentials, []string{"api_key", "api_secret"}) {
		t.Errorf("Venue() = %s %v %v", v.Name, v.Keys, v.Credentials)
	}
}

func TestNewURLs(t *testing.T) {
	tests := []struct {
		name                 string
		opts                 map[string]any
		wantBase, wantMarket string
		wantErr              string
	}{
		{name: "default production", wantBase: ProductionURL, wantMarket: ProductionURL},
		{name: "sandbox reads market data from production", opts: map[string]any{"sandbox": true}, wantBase: SandboxURL, wantMarket: ProductionURL},
		{name: "sandbox as the reference quotes it", opts: map[string]any{"sandbox": "true", "base_url": "https://api-sandbox.coinbase.com/api/v3/brokerage/"},
			wantBase: SandboxURL, wantMarket: SandboxURL},
		{name: "explicit base", opts: map[string]any{"base_url": "http://127.0.0.1:9999/"}, wantBase: "http://127.0.0.1:9999", wantMarket: "http://127.0.0.1:9999"},
		{name: "relative", opts: map[string]any{"base_url": "api.coinbase.com"}, wantErr: "not an absolute URL"},
		{name: "wrong scheme", opts: map[string]any{"base_url": "ftp://api.coinbase.com"}, wantErr: "http or https"},
		{name: "query", opts: map[string]any{"base_url": "https://api.coinbase.com?x=1"}, wantErr: "query"},
		{name: "bad sandbox", opts: map[string]any{"sandbox": "maybe"}, wantErr: "true or false"},
		{name: "bad ttl", opts: map[string]any{"instruments_ttl": "soon"}, wantErr: "instruments_ttl"},
		{name: "negative ttl", opts: map[string]any{"instruments_ttl": "-1h"}, wantErr: "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := venuetest.NewFromOptions(t, New, tt.opts, tt.wantErr)
			if !ok {
				return
			}
			if e.baseURL != tt.wantBase || e.marketURL != tt.wantMarket {
				t.Errorf("base %q market %q, want %q %q", e.baseURL, e.marketURL, tt.wantBase, tt.wantMarket)
			}
		})
	}
}

func TestSharedHTTPClientUntouched(t *testing.T) {
	f := adapter.Fixture(t)
	p := f.Params(nil)
	before := *p.HTTPClient
	e, err := New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Balances(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	after := *p.HTTPClient
	if before.Jar != after.Jar || before.Timeout != after.Timeout || (before.CheckRedirect == nil) != (after.CheckRedirect == nil) || before.Transport != after.Transport {
		t.Error("New changed the shared HTTP client")
	}
}

func TestPublicCallsNeedNoKeys(t *testing.T) {
	f := adapter.Fixture(t)
	p := f.Params(nil)
	var asked atomic.Int32
	p.Secret = func(context.Context, string) (string, error) { asked.Add(1); return "", nil }
	e, err := New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	if _, err := e.Instruments(ctx); err != nil {
		t.Errorf("Instruments without keys: %v", err)
	}
	if asked.Load() != 0 {
		t.Errorf("Instruments resolved secrets %d times", asked.Load())
	}
	qs, err := e.Quotes(ctx, []trade.Symbol{btcusd, trade.MustSymbol("ETH-USD")})
	if err != nil {
		t.Fatalf("Quotes without keys: %v", err)
	}
	want := []trade.Quote{
		{Symbol: btcusd, Bid: trade.Dec("60000"), Ask: trade.Dec("60000.01"), Last: trade.Dec("60000")},
		{Symbol: trade.MustSymbol("ETH-USD"), Bid: trade.Dec("3000"), Ask: trade.Dec("3000.01"), Last: trade.Dec("3000")},
	}
	if diff := cmp.Diff(want, qs, venuetest.DecEqual, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Time" }, cmp.Ignore())); diff != "" {
		t.Errorf("Quotes (-want +got):\n%s", diff)
	}
	if n := f.Srv.Count("GET", fakecoinbase.Prefix+"/market/products/BTC-USD/ticker"); n != 1 {
		t.Errorf("public ticker calls for BTC-USD = %d, want 1", n)
	}
	_, err = e.Balances(ctx)
	if !errors.Is(err, exchange.ErrAuth) || !strings.Contains(err.Error(), `profile "test" has no api_key`) {
		t.Errorf("Balances without keys = %v, want ErrAuth naming api_key and the profile", err)
	}
	if n := f.Srv.Count("GET", pathAccounts); n != 0 {
		t.Errorf("sent %d unsigned account requests", n)
	}
}

func TestQuotesWithKeysUseBestBidAsk(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	f.Srv.SetBook("BTC-USD", trade.Dec("61000"), trade.Dec("61000.5"), trade.Dec("61000.25"))
	qs, err := e.Quotes(ctxT(t), []trade.Symbol{btcusd, trade.MustSymbol("SOL-USD"), btcusd})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, q := range qs {
		got = append(got, q.Symbol.String()+" "+q.Bid.String()+" "+q.Ask.String()+" "+q.Last.String())
	}
	want := []string{"BTC-USD 61000 61000.5 61000.25", "SOL-USD 150 150.01 150", "BTC-USD 61000 61000.5 61000.25"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Quotes (-want +got):\n%s", diff)
	}
	if n := f.Srv.Count("GET", fakecoinbase.Prefix+"/best_bid_ask"); n != 1 {
		t.Errorf("best_bid_ask calls = %d, want 1 for all symbols", n)
	}
	_, err = e.Quotes(ctxT(t), []trade.Symbol{trade.MustSymbol("DOGE-USD")})
	if !errors.Is(err, exchange.ErrNotFound) || !strings.Contains(err.Error(), "DOGE-USD") {
		t.Errorf("unknown symbol: %v", err)
	}
}

func TestWrongKeyIsAuthAndNeverLeaks(t *testing.T) {
	f := adapter.Fixture(t)
	wrong := newKey(t) // same name, another key: signatures fail
	e := f.OpenAs(t, venuetest.Creds{Key: f.Creds.Key, Secret: wrong.pem})
	ctx := ctxT(t)
	_, err := e.Balances(ctx)
	if !errors.Is(err, exchange.ErrAuth) {
		t.Errorf("Balances with a wrong key = %v, want ErrAuth", err)
	}
	errs := []error{err}
	if r := f.Srv.LastRequest(); r.AuthError != "signature does not verify with the key's public key" {
		t.Errorf("fake refused the token for %q", r.AuthError)
	}

	// Failures on the right key must not leak either.
	good := f.Open(t, nil)
	f.Srv.DropNextCreateAfterAccept()
	_, err = good.PlaceOrder(ctx, restingBuy("leak-check"))
	errs = append(errs, err)
	f.Srv.HangNext()
	good.Rest.SetTimeout(100 * time.Millisecond)
	_, err = good.GetOrder(ctx, exchange.OrderRef{ID: "00000000-0000-4000-8000-000000000000"})
	errs = append(errs, err)

	// A JWT's header always starts with base64url("{\"") = "eyJ".
	secrets := []string{"eyJ", "Bearer"}
	for _, pem := range []string{f.Creds.Secret, wrong.pem} {
		for _, line := range strings.Split(pem, "\n") {
			if len(line) > 16 && !strings.HasPrefix(line, "-----") {
				secrets = append(secrets, line)
			}
		}
	}
	venuetest.CheckErrorsHide(t, errs, secrets...)
}

func TestBadSecretIsAuth(t *testing.T) {
	f := adapter.Fixture(t)
	for _, tt := range []struct{ name, key, secret, want string }{
		{"no secret", f.Creds.Key, "", `has no api_secret`},
		{"not a key", f.Creds.Key, "hunter2-hunter2-hunter2", "not a PEM private key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := f.Params(nil)
			p.Secret = func(_ context.Context, name string) (string, error) {
				if name == "api_key" {
					return tt.key, nil
				}
				return tt.secret, nil
			}
			e, _ := New(context.Background(), p)
			_, err := e.Balances(ctxT(t))
			if !errors.Is(err, exchange.ErrAuth) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Balances = %v, want ErrAuth with %q", err, tt.want)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error quotes the secret: %v", err)
			}
		})
	}
	p := f.Params(nil)
	p.Secret = func(context.Context, string) (string, error) { return "", errors.New("file mode 0644 is too open") }
	e, _ := New(context.Background(), p)
	if _, err := e.Balances(ctxT(t)); !errors.Is(err, exchange.ErrAuth) || !strings.Contains(err.Error(), "0644") {
		t.Errorf("secret source failure = %v, want ErrAuth with its cause", err)
	}
}

func TestSandboxWithoutKeysSendsUnsigned(t *testing.T) {
	f := adapter.Fixture(t)
	p := f.Params(map[string]any{"sandbox": true})
	p.Secret = func(context.Context, string) (string, error) { return "", nil }
	e, err := New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Balances(ctxT(t))
	// The real sandbox would answer; the fake insists on a token, which
	// shows none was sent.
	if !errors.Is(err, exchange.ErrAuth) {
		t.Fatalf("Balances = %v", err)
	}
	if r := f.Srv.LastRequest(); r.Path != pathAccounts || r.Authenticated || r.AuthError != "" {
		t.Errorf("sandbox request without keys: %+v, want one without a token", r)
	}
}

func TestIncrementViolationsSendNothing(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	base := restingBuy("")
	tests := []struct {
		name string
		edit func(r *trade.OrderRequest)
		want string
	}{
		{"price off the tick", func(r *trade.OrderRequest) { r.Price = trade.OptDec("40000.005") }, "tick size 0.01"},
		{"qty off the step", func(r *trade.OrderRequest) { r.Qty = trade.Dec("0.000000015") }, "step size 0.00000001"},
		{"below min funds", func(r *trade.OrderRequest) { r.Qty = trade.Dec("0.00000002") }, "below the minimum 1 USD"},
		{"above max size", func(r *trade.OrderRequest) { r.Qty = trade.Dec("3401") }, "above the maximum 3400"},
		{"stop-market", func(r *trade.OrderRequest) {
			r.Type, r.Price, r.StopPrice = trade.Stop, decimal.NullDecimal{}, trade.OptDec("70000")
		}, "stop-limit"},
		{"market fok", func(r *trade.OrderRequest) {
			r.Type, r.Price, r.TimeInForce = trade.Market, decimal.NullDecimal{}, trade.FOK
		}, "immediate-or-cancel"},
		{"zero qty", func(r *trade.OrderRequest) { r.Qty = decimal.Zero }, "greater than 0"},
		{"bad client id", func(r *trade.OrderRequest) { r.ClientID = "has space" }, "client_id"},
		{"disabled product", func(r *trade.OrderRequest) {
			r.Symbol, r.Price, r.Qty = trade.MustSymbol("OLD-USD"), trade.OptDec("1"), trade.Dec("5")
		}, "trading is disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := base
			tt.edit(&req)
			_, err := e.PlaceOrder(ctx, req)
			if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("PlaceOrder = %v, want ErrInvalidOrder with %q", err, tt.want)
			}
			err = e.ValidateOrder(ctx, req)
			if !errors.Is(err, exchange.ErrInvalidOrder) {
				t.Errorf("ValidateOrder = %v, want ErrInvalidOrder", err)
			}
		})
	}
	if n := f.Srv.Count("POST", pathOrders) + f.Srv.Count("POST", pathOrders+"/preview"); n != 0 || f.Srv.OrdersCreated() != 0 {
		t.Errorf("%d create/preview requests and %d orders for requests refused locally", n, f.Srv.OrdersCreated())
	}
}

func TestVenueRefusals(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	tests := []struct {
		name     string
		req      trade.OrderRequest
		wantKind error
		wantCode string
	}{
		{"post-only crossing", trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.001"),
			Price: trade.OptDec("60001"), PostOnly: true}, exchange.ErrInvalidOrder, "INVALID_LIMIT_PRICE_POST_ONLY"},
		{"insufficient funds", trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("10"),
			Price: trade.OptDec("50000")}, exchange.ErrInsufficientFunds, "PREVIEW_INSUFFICIENT_FUND"},
		{"sell more than held", trade.OrderRequest{Symbol: btcusd, Side: trade.Sell, Type: trade.Market, Qty: trade.Dec("2")},
			exchange.ErrInsufficientFunds, "PREVIEW_INSUFFICIENT_FUND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.PlaceOrder(ctx, tt.req)
			var xe *exchange.Error
			if !errors.As(err, &xe) || xe.Kind != tt.wantKind || xe.Code != tt.wantCode {
				t.Errorf("PlaceOrder = %v, want %v with code %s", err, tt.wantKind, tt.wantCode)
			}
			err = e.ValidateOrder(ctx, tt.req)
			if !errors.Is(err, tt.wantKind) || !strings.Contains(err.Error(), "PREVIEW_") {
				t.Errorf("ValidateOrder = %v, want %v from the preview", err, tt.wantKind)
			}
		})
	}
	if f.Srv.OrdersCreated() != 0 {
		t.Errorf("%d orders created", f.Srv.OrdersCreated())
	}
}

func TestUnknownOutcomeThenFoundByClientID(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*fakecoinbase.Server)
	}{
		{"5xx after accept", func(s *fakecoinbase.Server) { s.FailNextCreateAfterAccept(http.StatusServiceUnavailable) }},
		{"500 after accept", func(s *fakecoinbase.Server) { s.FailNextCreateAfterAccept(http.StatusInternalServerError) }},
		{"connection dropped", (*fakecoinbase.Server).DropNextCreateAfterAccept},
	}
	for _, tt := range tests {
		for _, given := range []string{"mine-1", ""} {
			t.Run(tt.name+"/client id "+given, func(t *testing.T) {
				f := adapter.Fixture(t)
				e := f.Open(t, nil)
				ctx := ctxT(t)
				tt.inject(f.Srv)
				req := restingBuy(given)
				_, err := e.PlaceOrder(ctx, req)
				var xe *exchange.Error
				if !errors.As(err, &xe) || xe.Kind != exchange.ErrUnknownOutcome {
					t.Fatalf("PlaceOrder = %v, want ErrUnknownOutcome", err)
				}
				if given != "" && xe.ClientID != given {
					t.Errorf("ClientID = %q, want %q", xe.ClientID, given)
				}
				if trade.ValidateClientID(xe.ClientID) != nil || xe.ClientID == "" {
					t.Fatalf("ClientID %q is not a valid client id", xe.ClientID)
				}
				if f.Srv.OrdersCreated() != 1 {
					t.Fatalf("orders created = %d, want 1", f.Srv.OrdersCreated())
				}
				got, err := e.GetOrder(ctx, exchange.OrderRef{ClientID: xe.ClientID})
				if err != nil {
					t.Fatalf("GetOrder by client id: %v", err)
				}
				if got.ClientID != xe.ClientID || got.Status != trade.StatusOpen || !got.Price.Decimal.Equal(req.Price.Decimal) {
					t.Errorf("found %+v", got)
				}
				// Resending under the same client id is safe on Coinbase:
				// the existing order comes back, nothing new is created.
				req.ClientID = xe.ClientID
				again, err := e.PlaceOrder(ctx, req)
				if err != nil || again.ID != got.ID {
					t.Errorf("resend = %v, %v; want order %s", again.ID, err, got.ID)
				}
				if f.Srv.OrdersCreated() != 1 {
					t.Errorf("orders created after the resend = %d, want 1", f.Srv.OrdersCreated())
				}
			})
		}
	}
}

func TestTransportFailureBeforeSendIsUnavailable(t *testing.T) {
	f := adapter.Fixture(t)
	p := f.Params(map[string]any{"base_url": "http://127.0.0.1:1"})
	e, err := New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	// Rules from the fake, orders to a closed port: nothing was written.
	e.marketURL = f.Srv.URL()
	_, err = e.PlaceOrder(ctxT(t), restingBuy("never-sent"))
	if !errors.Is(err, exchange.ErrUnavailable) {
		t.Errorf("PlaceOrder to a closed port = %v, want ErrUnavailable", err)
	}
}

// TestDuplicateClientIDForAnotherOrder: Coinbase answers a client id it
// already knows with the earlier order. Told apart from the create answer
// alone (product, side, order_configuration): a different order is
// ErrDuplicateClientID naming the earlier one, the same order is that
// order again; never a second order, never a second request.
func TestDuplicateClientIDForAnotherOrder(t *testing.T) {
	tests := []struct {
		name   string
		change func(*trade.OrderRequest)
		// wantDup: refused as a duplicate; else the first order again.
		wantDup bool
	}{
		{name: "same order", change: func(*trade.OrderRequest) {}},
		{name: "other price", change: func(r *trade.OrderRequest) { r.Price = trade.OptDec("39000") }, wantDup: true},
		{name: "other quantity", change: func(r *trade.OrderRequest) { r.Qty = trade.Dec("0.002") }, wantDup: true},
		{name: "other side", change: func(r *trade.OrderRequest) { r.Side, r.Price = trade.Sell, trade.OptDec("90000") }, wantDup: true},
		{name: "other type", change: func(r *trade.OrderRequest) { r.Type, r.Price, r.TimeInForce = trade.Market, decimal.NullDecimal{}, "" }, wantDup: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, e, ctx := adapter.Start(t)
			first := venuetest.Place(t, ctx, e, restingBuy("dup-1"))
			other := restingBuy("dup-1")
			tt.change(&other)
			before := len(f.Srv.Requests())
			o, err := e.PlaceOrder(ctx, other)
			switch {
			case tt.wantDup && (!errors.Is(err, exchange.ErrDuplicateClientID) || !strings.Contains(err.Error(), first.ID)):
				t.Errorf("PlaceOrder reusing a client id = %v, want ErrDuplicateClientID naming %s", err, first.ID)
			case !tt.wantDup && (err != nil || o.ID != first.ID):
				t.Errorf("PlaceOrder of the same order again = %s, %v; want %s", o.ID, err, first.ID)
			}
			if n := len(f.Srv.Requests()) - before; n != 1 {
				t.Errorf("%d requests, want the create only", n)
			}
			if f.Srv.OrdersCreated() != 1 {
				t.Errorf("orders created = %d", f.Srv.OrdersCreated())
			}
		})
	}
}

// TestOneRequestPerPlaceAndCancel: what each placement and cancel sends,
// and what it reports from Coinbase's answer: the create answer names the
// order, batch_cancel says the cancel succeeded; neither is followed by a
// read. A cancel by client id finds the order first (Coinbase cancels by
// order id only).
func TestOneRequestPerPlaceAndCancel(t *testing.T) {
	summary := func(o trade.Order) string {
		price := "-"
		if o.Price.Valid {
			price = o.Price.Decimal.String()
		}
		return fmt.Sprintf("%t %s %s %s %s %s qty=%s filled=%s price=%s avg=%t client=%s", o.ID != "", o.Symbol, o.Side, o.Type, o.TimeInForce, o.Status,
			o.Qty, o.FilledQty, price, o.AvgFillPrice.Valid, o.ClientID)
	}
	place := func(req trade.OrderRequest) func(*testing.T, *Exchange, trade.Order) (trade.Order, error) {
		return func(t *testing.T, e *Exchange, _ trade.Order) (trade.Order, error) { return e.PlaceOrder(ctxT(t), req) }
	}
	tests := []struct {
		name      string
		setup     bool // place a resting order first (not counted)
		act       func(t *testing.T, e *Exchange, placed trade.Order) (trade.Order, error)
		want      []string
		wantOrder string
	}{
		{
			name:      "limit order",
			act:       place(restingBuy("rt-limit")),
			want:      []string{"POST " + pathOrders},
			wantOrder: "true BTC-USD buy limit gtc open qty=0.001 filled=0 price=40000 avg=false client=rt-limit",
		},
		{
			name:      "market order: read back for its fill",
			act:       place(trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001"), ClientID: "rt-market"}),
			want:      []string{"POST " + pathOrders, "GET " + pathOrders + "/historical/{id}"},
			wantOrder: "true BTC-USD buy market ioc filled qty=0.001 filled=0.001 price=- avg=true client=rt-market",
		},
		{
			name:      "IOC limit through the ask: read back, never shown open",
			act:       place(trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.IOC, Qty: trade.Dec("0.001"), Price: trade.OptDec("70000"), ClientID: "rt-ioc-fill"}),
			want:      []string{"POST " + pathOrders, "GET " + pathOrders + "/historical/{id}"},
			wantOrder: "true BTC-USD buy limit ioc filled qty=0.001 filled=0.001 price=70000 avg=true client=rt-ioc-fill",
		},
		{
			name:      "FOK limit below the ask: read back, never shown open",
			act:       place(trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.FOK, Qty: trade.Dec("0.001"), Price: trade.OptDec("40000"), ClientID: "rt-fok-none"}),
			want:      []string{"POST " + pathOrders, "GET " + pathOrders + "/historical/{id}"},
			wantOrder: "true BTC-USD buy limit fok expired qty=0.001 filled=0 price=40000 avg=false client=rt-fok-none",
		},
		{
			name:  "cancel by id: read back for what filled before it",
			setup: true,
			act: func(t *testing.T, e *Exchange, placed trade.Order) (trade.Order, error) {
				return e.CancelOrder(ctxT(t), exchange.OrderRef{ID: placed.ID})
			},
			want:      []string{"POST " + pathOrders + "/batch_cancel", "GET " + pathOrders + "/historical/{id}"},
			wantOrder: "true BTC-USD buy limit gtc canceled qty=0.001 filled=0 price=40000 avg=false client=rt-placed",
		},
		{
			name:  "cancel by client id: found, then canceled",
			setup: true,
			act: func(t *testing.T, e *Exchange, _ trade.Order) (trade.Order, error) {
				return e.CancelOrder(ctxT(t), exchange.OrderRef{ClientID: "rt-placed"})
			},
			want:      []string{"GET " + pathOrders + "/historical/batch", "POST " + pathOrders + "/batch_cancel", "GET " + pathOrders + "/historical/{id}"},
			wantOrder: "true BTC-USD buy limit gtc canceled qty=0.001 filled=0 price=40000 avg=false client=rt-placed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, e, ctx := adapter.Start(t)
			// The product's rules are cached, as after any earlier command.
			if _, err := e.Instruments(ctx); err != nil {
				t.Fatal(err)
			}
			var placed trade.Order
			if tt.setup {
				placed = venuetest.Place(t, ctx, e, restingBuy("rt-placed"))
			}
			before := len(f.Srv.Requests())
			o, err := tt.act(t, e, placed)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range f.Srv.Requests()[before:] {
				route := r.Route()
				// One order read back, whatever its id.
				if rest, ok := strings.CutPrefix(route, "GET "+pathOrders+"/historical/"); ok && rest != "batch" {
					route = "GET " + pathOrders + "/historical/{id}"
				}
				got = append(got, route)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if got := summary(o); got != tt.wantOrder {
				t.Errorf("order = %s\nwant      %s", got, tt.wantOrder)
			}
			if placed.ID != "" && o.ID != placed.ID {
				t.Errorf("order id %s, want %s", o.ID, placed.ID)
			}
		})
	}
}

func TestGeneratedClientIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newClientID()
		if err := trade.ValidateClientID(id); err != nil || len(id) != 36 || id[14] != '4' {
			t.Fatalf("newClientID() = %q: %v", id, err)
		}
		if seen[id] {
			t.Fatalf("repeated %s", id)
		}
		seen[id] = true
	}
}

// createBodies returns the order_configuration of every create request.
func createBodies(t *testing.T, srv *fakecoinbase.Server) []string {
	t.Helper()
	var out []string
	for _, r := range srv.Requests() {
		if r.Method == "POST" && r.Path == pathOrders {
			var b struct {
				OrderConfiguration json.RawMessage `json:"order_configuration"`
			}
			if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b.OrderConfiguration))
		}
	}
	return out
}

func TestStopLimitDirectionAndDayOrders(t *testing.T) {
	now := time.Now().UTC()
	f, e, ctx := adapter.Start(t)
	orders := []trade.OrderRequest{
		{Symbol: btcusd, Side: trade.Buy, Type: trade.StopLimit, Qty: trade.Dec("0.001"), Price: trade.OptDec("62000"), StopPrice: trade.OptDec("61000")},
		{Symbol: btcusd, Side: trade.Sell, Type: trade.StopLimit, Qty: trade.Dec("0.001"), Price: trade.OptDec("55000"), StopPrice: trade.OptDec("56000")},
		{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.Day, Qty: trade.Dec("0.001"), Price: trade.OptDec("50000")},
	}
	for _, req := range orders {
		o, err := e.PlaceOrder(ctx, req)
		if err != nil {
			t.Fatalf("PlaceOrder(%s %s): %v", req.Side, req.Type, err)
		}
		if o.Status != trade.StatusOpen || o.Type != req.Type || o.TimeInForce != req.EffectiveTIF() {
			t.Errorf("placed %+v", o)
		}
	}
	end := endOfUTCDay(now).Format(time.RFC3339)
	want := []string{
		`{"stop_limit_stop_limit_gtc":{"base_size":"0.001","limit_price":"62000","stop_price":"61000","stop_direction":"STOP_DIRECTION_STOP_UP"}}`,
		`{"stop_limit_stop_limit_gtc":{"base_size":"0.001","limit_price":"55000","stop_price":"56000","stop_direction":"STOP_DIRECTION_STOP_DOWN"}}`,
		`{"limit_limit_gtd":{"base_size":"0.001","limit_price":"50000","end_time":"` + end + `","post_only":false}}`,
	}
	if diff := cmp.Diff(want, createBodies(t, f.Srv)); diff != "" {
		t.Errorf("order configurations (-want +got):\n%s", diff)
	}
	// The stop triggers when the price gets there, and the order fills.
	f.Srv.SetBook("BTC-USD", trade.Dec("61500"), trade.Dec("61500.01"), trade.Dec("61500"))
	open, err := e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListAll, Statuses: []trade.OrderStatus{trade.StatusFilled}})
	if err != nil || len(open) != 1 || open[0].Type != trade.StopLimit || !open[0].AvgFillPrice.Decimal.Equal(trade.Dec("62000")) {
		t.Errorf("filled orders after the stop = %+v, %v", open, err)
	}
}

func TestCancelFinishedAndUnknownOrders(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	m, err := e.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001")})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.GetOrder(ctx, exchange.OrderRef{ID: m.ID}); err != nil || got.Status != trade.StatusFilled {
		t.Fatalf("market order read back = %+v, %v", got, err)
	}
	_, err = e.CancelOrder(ctx, exchange.OrderRef{ID: m.ID})
	if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), "already filled") {
		t.Errorf("cancel a filled order = %v, want ErrInvalidOrder saying it is filled", err)
	}
	venuetest.CheckNotFound(t, ctx, e,
		exchange.OrderRef{ID: "11111111-2222-4333-8444-555555555555"},
		exchange.OrderRef{ID: "../accounts"},
		exchange.OrderRef{ClientID: "nobody"})
	// Odd ids are refused before they reach the venue.
	venuetest.CheckNotSent(t, f.Srv.Requests(), "..", "/accounts")
}

func TestPagination(t *testing.T) {
	f := adapter.Fixture(t, fakecoinbase.WithPageMax(2))
	e := f.Open(t, nil, fastBuckets)
	ctx := ctxT(t)
	f.Srv.SetBalance("USDC", trade.Dec("5"))
	bs, err := e.Balances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, b := range bs {
		got[b.Asset] = b.Free.String() + "/" + b.Locked.String()
	}
	want := map[string]string{"USD": "100000/0", "BTC": "1/0", "ETH": "10/0", "SOL": "100/0", "USDC": "5/0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("balances over pages of two (-want +got):\n%s", diff)
	}
	if n := f.Srv.Count("GET", pathAccounts); n < 3 {
		t.Errorf("accounts pages = %d, want at least 3", n)
	}

	var ids []string
	for i := range 5 {
		req := restingBuy("")
		req.Price = trade.OptDec(decimal.NewFromInt(int64(40000 + i)).String())
		o, err := e.PlaceOrder(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	open, err := e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListOpen})
	if err != nil || len(open) != 5 {
		t.Fatalf("ListOrders(open) over pages = %d orders, %v", len(open), err)
	}
	limited, err := e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListAll, Limit: 3})
	if err != nil || len(limited) != 3 || limited[0].ID != ids[4] {
		t.Errorf("ListOrders(limit 3) = %v, %v; want the 3 newest", limited, err)
	}
	// The oldest order is found by client id across pages.
	oldest, err := e.GetOrder(ctx, exchange.OrderRef{ID: ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.GetOrder(ctx, exchange.OrderRef{ClientID: oldest.ClientID}); err != nil || got.ID != ids[0] {
		t.Errorf("GetOrder by client id on page 3 = %v, %v", got.ID, err)
	}
	canceled, err := e.CancelAll(ctx, trade.Symbol{})
	if err != nil || len(canceled) != 5 {
		t.Errorf("CancelAll = %d orders, %v", len(canceled), err)
	}
}

func TestListOrdersQueries(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		filter exchange.ListFilter
		want   string
	}{
		{exchange.ListFilter{Scope: exchange.ListOpen}, "limit=100&order_status=OPEN"},
		{exchange.ListFilter{Scope: exchange.ListOpen, Symbol: btcusd}, "limit=100&order_status=OPEN&product_ids=BTC-USD"},
		{exchange.ListFilter{Scope: exchange.ListAll, Since: since}, "limit=100&start_date=2026-01-02T03%3A04%3A05Z"},
		{exchange.ListFilter{Scope: exchange.ListAll, Statuses: []trade.OrderStatus{trade.StatusCanceled, trade.StatusExpired}}, "limit=100&order_status=CANCELLED&order_status=EXPIRED"},
		{exchange.ListFilter{Scope: exchange.ListAll, Statuses: []trade.OrderStatus{trade.StatusOpen, trade.StatusFilled}}, "limit=100"},
		{exchange.ListFilter{Scope: exchange.ListAll, Statuses: []trade.OrderStatus{trade.StatusPartiallyFilled}}, "limit=100&order_status=OPEN"},
	}
	for _, tt := range tests {
		if _, err := e.ListOrders(ctx, tt.filter); err != nil {
			t.Errorf("ListOrders(%+v): %v", tt.filter, err)
			continue
		}
		if got := f.Srv.LastRequest().Query; got != tt.want {
			t.Errorf("ListOrders(%+v) query %q, want %q", tt.filter, got, tt.want)
		}
	}
}

func TestRateLimitPausesPrivateCalls(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	f.Srv.RateLimitNext(3 * time.Second)
	_, err := e.Balances(ctx)
	if got, ok := exchange.RetryAfter(err); !errors.Is(err, exchange.ErrRateLimited) || !ok || got != 3*time.Second {
		t.Fatalf("Balances after 429 = %v (retry after %s)", err, got)
	}
	before := f.Srv.Count("GET", pathAccounts)
	_, err = e.Balances(ctx)
	if got, ok := exchange.RetryAfter(err); !errors.Is(err, exchange.ErrRateLimited) || !ok || got <= 0 || got > 3*time.Second {
		t.Errorf("Balances during the pause = %v", err)
	}
	if n := f.Srv.Count("GET", pathAccounts); n != before {
		t.Errorf("%d requests sent during the pause", n-before)
	}
	// Public calls count against another limit and still go out.
	if _, err := e.Instruments(ctx); err != nil {
		t.Errorf("Instruments during a private pause: %v", err)
	}
}

func TestInstrumentsCache(t *testing.T) {
	f := adapter.Fixture(t)
	clock := time.Now()
	now := func() time.Time { return clock }
	open := func(extra map[string]any) *Exchange {
		return f.OpenAt(t, now, extra)
	}
	ctx := ctxT(t)
	fetches := func() int { return f.Srv.Count("GET", pathProducts) }

	ins, err := open(nil).Instruments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantBTC := trade.Instrument{Symbol: btcusd, BaseAsset: "BTC", QuoteAsset: "USD", TickSize: trade.Dec("0.01"),
		StepSize: trade.Dec("0.00000001"), MinQty: trade.Dec("0.00000001"), MaxQty: trade.Dec("3400"), MinNotional: trade.Dec("1"), VenueSymbol: "BTC-USD", Status: trade.StatusTrading}
	var names []string
	for _, in := range ins {
		names = append(names, in.Symbol.String())
		if in.Symbol == btcusd {
			if diff := cmp.Diff(wantBTC, in, venuetest.DecEqual); diff != "" {
				t.Errorf("BTC-USD (-want +got):\n%s", diff)
			}
		}
	}
	if diff := cmp.Diff([]string{"BTC-USD", "ETH-USD", "SOL-USD", "ETH-BTC"}, names); diff != "" {
		t.Errorf("instruments (disabled OLD-USD left out) (-want +got):\n%s", diff)
	}
	if fetches() != 1 {
		t.Fatalf("fetches = %d", fetches())
	}
	files, _ := filepath.Glob(filepath.Join(f.Cache, "coinbase-*-products.json"))
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}

	// A second process reads the disk cache.
	if _, err := open(nil).Instruments(ctx); err != nil || fetches() != 1 {
		t.Errorf("cached Instruments: %v, fetches %d", err, fetches())
	}
	// Past the TTL it refetches.
	clock = clock.Add(2 * time.Hour)
	if _, err := open(nil).Instruments(ctx); err != nil || fetches() != 2 {
		t.Errorf("stale cache: %v, fetches %d", err, fetches())
	}
	// A corrupt cache is refetched and rewritten.
	if err := os.WriteFile(files[0], []byte(`{"version":1,"products":[{"product_id":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := open(nil).Instruments(ctx); err != nil || fetches() != 3 {
		t.Errorf("corrupt cache: %v, fetches %d", err, fetches())
	}
	if b, _ := os.ReadFile(files[0]); !json.Valid(b) {
		t.Error("corrupt cache was not rewritten")
	}
	// A shorter TTL from the profile applies to the same file.
	clock = clock.Add(2 * time.Minute)
	if _, err := open(map[string]any{"instruments_ttl": "1m"}).Instruments(ctx); err != nil || fetches() != 4 {
		t.Errorf("ttl 1m: %v, fetches %d", err, fetches())
	}
	// No temp files are left behind.
	if tmp, _ := filepath.Glob(filepath.Join(f.Cache, ".coinbase-products-*")); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

func TestCanceledContextSendsNothing(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.PlaceOrder(ctx, restingBuy("c")); !errors.Is(err, context.Canceled) {
		t.Errorf("PlaceOrder = %v", err)
	}
	if n := len(f.Srv.Requests()); n != 0 {
		t.Errorf("%d requests with a canceled context", n)
	}
}

func TestQuotesFallBackWhenTheKeyCannotBeRead(t *testing.T) {
	f := adapter.Fixture(t)
	p := f.Params(nil)
	var asked atomic.Int32
	p.Secret = func(context.Context, string) (string, error) {
		asked.Add(1)
		return "", errors.New("environment variable COINBASE_KEY_NAME is not set")
	}
	e, err := New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	for range 3 {
		if _, err := e.Quotes(ctx, []trade.Symbol{btcusd}); err != nil {
			t.Fatalf("Quotes with an unreadable key: %v", err)
		}
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("three quotes resolved secrets %d times, want once", n)
	}
	if n := f.Srv.Count("GET", fakecoinbase.Prefix+"/best_bid_ask"); n != 0 {
		t.Errorf("best_bid_ask called %d times without a key", n)
	}
	if _, err := e.Balances(ctx); !errors.Is(err, exchange.ErrAuth) || !strings.Contains(err.Error(), "COINBASE_KEY_NAME") {
		t.Errorf("Balances = %v, want ErrAuth with the cause", err)
	}
}

func TestConformance(t *testing.T) {
	venuetest.RunConformance(t, adapter, btcusd, nil)
}

// TestTraceSigned: at -v a signed call is one debug line with its method,
// path and status, and without the key, its token or the query.
func TestTraceSigned(t *testing.T) {
	f := adapter.Fixture(t)
	f.CheckSignedTrace(t, "GET", apiPrefix+"/accounts",
		[]string{f.Creds.Key, "PRIVATE KEY", "eyJ", "Bearer", "query="}, fastBuckets)
}
