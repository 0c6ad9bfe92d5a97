package alpaca

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/exchangetest"
	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestPlacementIsAsynchronous(t *testing.T) {
	_, e, ctx := adapter.Start(t)
	req := trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("2"), ClientID: "async-1"}
	placed := venuetest.Place(t, ctx, e, req)
	if placed.Status != trade.StatusOpen || !placed.FilledQty.IsZero() || placed.AvgFillPrice.Valid {
		t.Errorf("placement answer = %s filled %s avg %v, want open with nothing filled (pending_new)", placed.Status, placed.FilledQty, placed.AvgFillPrice)
	}
	got, err := e.GetOrder(ctx, exchange.OrderRef{ID: placed.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := placed
	want.Status, want.FilledQty, want.AvgFillPrice = trade.StatusFilled, trade.Dec("2"), trade.OptDec("190.02")
	if diff := cmp.Diff(want, got, venuetest.DecEqual, cmpIgnoreUpdated); diff != "" {
		t.Errorf("order read after placement (-want +got):\n%s", diff)
	}
	byClient, err := e.GetOrder(ctx, exchange.OrderRef{ClientID: "async-1", Symbol: aapl})
	if err != nil || byClient.ID != placed.ID {
		t.Errorf("GetOrder by client id = %s, %v; want %s", byClient.ID, err, placed.ID)
	}
	if _, err := e.GetOrder(ctx, exchange.OrderRef{ClientID: "async-1", Symbol: msft}); !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("GetOrder by client id with another symbol = %v, want ErrNotFound", err)
	}
}

var cmpIgnoreUpdated = cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "UpdatedAt" }, cmp.Ignore())

func TestKeysAreSentExactly(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	if _, err := e.Balances(ctx); err != nil {
		t.Fatalf("Balances: %v", err)
	}
	if _, err := e.Quotes(ctx, []trade.Symbol{aapl, btcusd}); err != nil {
		t.Fatalf("Quotes: %v", err)
	}
	reqs := f.Srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("no requests")
	}
	for _, r := range reqs {
		if !r.Authorized {
			t.Errorf("%s %s (data host %v) was not authorized", r.Method, r.Path, r.Data)
		}
	}
}

func TestCredentialFailures(t *testing.T) {
	tests := []struct {
		name     string
		secret   func(c venuetest.Creds) func(context.Context, string) (string, error)
		wantMsg  string
		wantSent bool
	}{
		{name: "no key", secret: func(c venuetest.Creds) func(context.Context, string) (string, error) {
			return func(context.Context, string) (string, error) { return "", nil }
		}, wantMsg: `profile "test" has no api_key`},
		{name: "no secret", secret: func(c venuetest.Creds) func(context.Context, string) (string, error) {
			return func(_ context.Context, name string) (string, error) {
				if name == "api_key" {
					return c.Key, nil
				}
				return "", nil
			}
		}, wantMsg: `profile "test" has no api_secret`},
		{name: "source fails", secret: func(c venuetest.Creds) func(context.Context, string) (string, error) {
			return func(context.Context, string) (string, error) { return "", errors.New("pass: store locked") }
		}, wantMsg: "store locked"},
		{name: "wrong secret", secret: func(c venuetest.Creds) func(context.Context, string) (string, error) {
			return func(_ context.Context, name string) (string, error) {
				if name == "api_key" {
					return c.Key, nil
				}
				return "wrong-" + c.Secret, nil
			}
		}, wantMsg: "request is not authorized", wantSent: true},
		{name: "wrong key", secret: func(c venuetest.Creds) func(context.Context, string) (string, error) {
			return func(_ context.Context, name string) (string, error) {
				if name == "api_key" {
					return c.Key + "X", nil
				}
				return c.Secret, nil
			}
		}, wantMsg: "paper", wantSent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t)
			p := f.Params(nil)
			p.Secret = tt.secret(f.Creds)
			e, err := New(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			for name, call := range map[string]func() error{
				"Balances": func() error { _, err := e.Balances(ctxT(t)); return err },
				"Quotes":   func() error { _, err := e.Quotes(ctxT(t), []trade.Symbol{aapl}); return err },
			} {
				err := call()
				if !errors.Is(err, exchange.ErrAuth) || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("%s = %v, want ErrAuth mentioning %q", name, err, tt.wantMsg)
				}
				if err != nil && (strings.Contains(err.Error(), f.Creds.Secret) || strings.Contains(err.Error(), f.Creds.Key)) {
					t.Errorf("%s error quotes a credential: %v", name, err)
				}
			}
			if sent := len(f.Srv.Requests()) > 0; sent != tt.wantSent {
				t.Errorf("requests sent = %v, want %v", sent, tt.wantSent)
			}
		})
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, func(e *Exchange) { e.Rest.SetTimeout(100 * time.Millisecond) })
	ctx := ctxT(t)
	var errs []error
	f.Srv.DropNextOrderAfterAccept()
	_, err := e.PlaceOrder(ctx, restingBuy("leak-1"))
	errs = append(errs, err)
	f.Srv.HangNext()
	_, err = e.GetOrder(ctx, exchange.OrderRef{ClientID: "leak-1"})
	errs = append(errs, err)
	f.Srv.FailNext(500, `{"code":50010000,"message":"internal server error occurred"}`, nil)
	_, err = e.Balances(ctx)
	errs = append(errs, err)
	for _, err := range errs {
		if err == nil {
			t.Fatal("expected an error")
		}
		if strings.Contains(err.Error(), f.Creds.Secret) || strings.Contains(err.Error(), f.Creds.Key) {
			t.Errorf("error quotes a credential: %v", err)
		}
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	f := adapter.Fixture(t)
	var sawSecret atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("APCA-API-SECRET-KEY") != "" {
			sawSecret.Store(true)
		}
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"cash":"1","buying_power":"1"}`))
	}))
	defer elsewhere.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	e := f.Open(t, map[string]any{KeyBaseURL: redirector.URL})
	_, err := e.Balances(ctxT(t))
	if !errors.Is(err, exchange.ErrUnavailable) || !strings.Contains(err.Error(), "does not redirect") {
		t.Errorf("Balances through a redirect = %v, want ErrUnavailable", err)
	}
	if sawSecret.Load() {
		t.Error("the secret followed the redirect to another host")
	}
}

// TestLocalRefusalsSendNothing: what Alpaca would refuse, and what breaks
// the instrument's rules, never reaches it.
func TestLocalRefusalsSendNothing(t *testing.T) {
	tests := []struct {
		name    string
		req     trade.OrderRequest
		want    error
		wantMsg string
	}{
		{name: "sub-penny stock price", req: trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("1"), Price: trade.OptDec("150.005")},
			want: exchange.ErrInvalidOrder, wantMsg: "nearest valid values are 150 and 150.01"},
		{name: "crypto off its tick", req: trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.001"), Price: trade.OptDec("40000.5")},
			want: exchange.ErrInvalidOrder, wantMsg: "tick size 1"},
		{name: "crypto below minimum", req: trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.00001"), Price: trade.OptDec("40000")},
			want: exchange.ErrInvalidOrder, wantMsg: "below the minimum 0.0001"},
		{name: "crypto fok", req: trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.FOK, Qty: trade.Dec("0.001"), Price: trade.OptDec("40000")},
			want: exchange.ErrInvalidOrder, wantMsg: "FOK"},
		{name: "post-only", req: trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("1"), Price: trade.OptDec("150"), PostOnly: true},
			want: exchange.ErrInvalidOrder, wantMsg: "post-only"},
		{name: "fractional gtc limit", req: trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("1.5"), Price: trade.OptDec("150")},
			want: exchange.ErrInvalidOrder, wantMsg: "day orders"},
		{name: "fractional below $1", req: trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.Day, Qty: trade.Dec("0.001"), Price: trade.OptDec("150")},
			want: exchange.ErrInvalidOrder, wantMsg: "below the minimum 1 USD"},
		{name: "not tradable", req: trade.OrderRequest{Symbol: trade.MustSymbol("OLD"), Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("1"), Price: trade.OptDec("1")},
			want: exchange.ErrInvalidOrder, wantMsg: "not tradable"},
		{name: "unknown symbol", req: trade.OrderRequest{Symbol: trade.MustSymbol("NOPE"), Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("1")},
			want: exchange.ErrNotFound, wantMsg: "unknown symbol NOPE"},
		{name: "zero qty", req: trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Market, Qty: decimal.Zero},
			want: exchange.ErrInvalidOrder, wantMsg: "qty"},
	}
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.PlaceOrder(ctxT(t), tt.req)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("PlaceOrder = %v, want %q mentioning %q", err, tt.want, tt.wantMsg)
			}
		})
	}
	if n := f.Srv.Count(http.MethodPost, "/v2/orders"); n != 0 {
		t.Errorf("%d order requests reached the venue, want 0", n)
	}
}

func TestPlacementUnknownOutcome(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(*fakealpaca.Server)
	}{
		{"500 after accept", func(s *fakealpaca.Server) { s.FailNextOrderAfterAccept(500) }},
		{"504 after accept", func(s *fakealpaca.Server) { s.FailNextOrderAfterAccept(504) }},
		{"dropped connection", (*fakealpaca.Server).DropNextOrderAfterAccept},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := adapter.Fixture(t)
			e := f.Open(t, nil)
			ctx := ctxT(t)
			tc.inject(f.Srv)
			req := restingBuy("") // the adapter must generate one and report it
			_, err := e.PlaceOrder(ctx, req)
			var xe *exchange.Error
			if !errors.As(err, &xe) || !errors.Is(err, exchange.ErrUnknownOutcome) || xe.ClientID == "" {
				t.Fatalf("PlaceOrder = %v, want ErrUnknownOutcome with a client id", err)
			}
			got, err := e.GetOrder(ctx, exchange.OrderRef{ClientID: xe.ClientID})
			if err != nil {
				t.Fatalf("GetOrder(client id %s) after an unknown outcome: %v", xe.ClientID, err)
			}
			if got.ClientID != xe.ClientID || got.Status != trade.StatusOpen {
				t.Errorf("found %s %s %s, want the resting order", got.ID, got.ClientID, got.Status)
			}
			if n := f.Srv.OrdersPlaced(); n != 1 {
				t.Errorf("venue holds %d orders, want 1", n)
			}
		})
	}
}

func TestPlacementTimeoutIsUnknownOutcome(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, func(e *Exchange) { e.Rest.SetTimeout(50 * time.Millisecond) })
	f.Srv.Inject(fakealpaca.Failure{Method: http.MethodPost, Path: "/v2/orders", Mode: fakevenue.Hang})
	_, err := e.PlaceOrder(ctxT(t), restingBuy("hang-1"))
	var xe *exchange.Error
	if !errors.As(err, &xe) || xe.Kind != exchange.ErrUnknownOutcome || xe.ClientID != "hang-1" {
		t.Errorf("PlaceOrder on a hanging venue = %v, want ErrUnknownOutcome for hang-1", err)
	}
}

func TestReadFailuresAreUnavailable(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	f.Srv.FailNext(503, "<html>maintenance</html>", nil)
	_, err := e.ListOrders(ctxT(t), exchange.ListFilter{})
	if !errors.Is(err, exchange.ErrUnavailable) || errors.Is(err, exchange.ErrUnknownOutcome) {
		t.Errorf("ListOrders on 503 = %v, want ErrUnavailable", err)
	}
	f.Srv.Close()
	_, err = e.Balances(ctxT(t))
	if !errors.Is(err, exchange.ErrUnavailable) {
		t.Errorf("Balances on a closed venue = %v, want ErrUnavailable", err)
	}
}

func TestDuplicateClientID(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	first := venuetest.Place(t, ctx, e, restingBuy("dup-1"))
	// Unique across all orders: a canceled order's id stays taken.
	if _, err := e.CancelOrder(ctx, exchange.OrderRef{ID: first.ID}); err != nil {
		t.Fatal(err)
	}
	_, err := e.PlaceOrder(ctx, restingBuy("dup-1"))
	if !errors.Is(err, exchange.ErrDuplicateClientID) {
		t.Errorf("second placement = %v, want ErrDuplicateClientID", err)
	}
	n := 0
	for _, o := range f.Srv.Orders() {
		if o.ClientID == "dup-1" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d orders carry client id dup-1, want 1", n)
	}
}

func TestInsufficientFunds(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	for name, req := range map[string]trade.OrderRequest{
		"buying power": {Symbol: aapl, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("1000"), Price: trade.OptDec("150")},
		"stock qty":    {Symbol: aapl, Side: trade.Sell, Type: trade.Market, Qty: trade.Dec("5")},
		"crypto qty":   {Symbol: btcusd, Side: trade.Sell, Type: trade.Market, Qty: trade.Dec("1")},
	} {
		_, err := e.PlaceOrder(ctx, req)
		if !errors.Is(err, exchange.ErrInsufficientFunds) {
			t.Errorf("%s: PlaceOrder = %v, want ErrInsufficientFunds", name, err)
		}
	}
	if n := f.Srv.OrdersPlaced(); n != 0 {
		t.Errorf("%d orders placed", n)
	}
}

func TestUnknownOrders(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	venuetest.CheckNotFound(t, ctx, e,
		exchange.OrderRef{ID: "00000000-0000-4000-8000-000000000000"},
		exchange.OrderRef{ClientID: "never-placed"},
		exchange.OrderRef{ID: "../account"},
		exchange.OrderRef{ID: "BTCUSDT:28"})
	// Malformed ids are refused before they reach the venue.
	venuetest.CheckNotSent(t, f.Srv.Requests(), "account", ":28")
}

func TestCancelFinishedOrder(t *testing.T) {
	_, e, ctx := adapter.Start(t)
	o := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001")})
	_, err := e.CancelOrder(ctx, exchange.OrderRef{ID: o.ID})
	if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), "filled") {
		t.Errorf("CancelOrder of a filled order = %v, want ErrInvalidOrder naming its state", err)
	}
}

func TestCancelWaitsOutPendingCancel(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	o := venuetest.Place(t, ctx, e, restingBuy("pc-1"))
	pending := fmt.Sprintf(`{"id":%q,"client_order_id":"pc-1","created_at":"2026-01-01T00:00:00Z","symbol":"BTC/USD","asset_class":"crypto",`+
		`"qty":"0.001","filled_qty":"0","type":"limit","side":"buy","time_in_force":"gtc","limit_price":"40000","status":"pending_cancel"}`, o.ID)
	f.Srv.Inject(fakealpaca.Failure{Method: http.MethodGet, Path: "/v2/orders/" + o.ID, Status: 200, Body: pending})
	got, err := e.CancelOrder(ctx, exchange.OrderRef{ID: o.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != trade.StatusCanceled {
		t.Errorf("CancelOrder = %s, want canceled after pending_cancel", got.Status)
	}
	if n := f.Srv.Count(http.MethodGet, "/v2/orders/"+o.ID); n != 2 {
		t.Errorf("read the order %d times, want 2 (pending_cancel, then canceled)", n)
	}

	// When it does not settle in time, the order is returned as it stands.
	o2 := venuetest.Place(t, ctx, e, restingBuy("pc-2"))
	e.cancelSettle = 0
	pending = strings.ReplaceAll(strings.ReplaceAll(pending, o.ID, o2.ID), "pc-1", "pc-2")
	f.Srv.Inject(fakealpaca.Failure{Method: http.MethodGet, Path: "/v2/orders/" + o2.ID, Status: 200, Body: pending})
	got, err = e.CancelOrder(ctx, exchange.OrderRef{ID: o2.ID})
	if err != nil || got.Status != trade.StatusOpen {
		t.Errorf("CancelOrder without settling = %s, %v; want the order still open (pending_cancel)", got.Status, err)
	}
}

func TestCancelAllReportsFailures(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	a := venuetest.Place(t, ctx, e, restingBuy("ca-1"))
	body := fmt.Sprintf(`[{"id":%q,"status":200,"body":{"id":%q,"client_order_id":"ca-1","symbol":"BTC/USD","asset_class":"crypto","qty":"0.001","filled_qty":"0",`+
		`"type":"limit","side":"buy","time_in_force":"gtc","limit_price":"40000","status":"pending_cancel"}},`+
		`{"id":"11111111-1111-4111-8111-111111111111","status":500,"body":{"code":50010000,"message":"failed to cancel order"}}]`, a.ID, a.ID)
	// The fake's own cancel-all would cancel a; answer as Alpaca does when
	// one cancel fails, then let the read-back find a canceled by id.
	f.Srv.Inject(fakealpaca.Failure{Method: http.MethodDelete, Path: "/v2/orders", Mode: fakevenue.AfterAccept, Status: 207, Body: body})
	got, err := e.CancelAll(ctx, trade.Symbol{})
	if err == nil || !strings.Contains(err.Error(), "11111111-1111-4111-8111-111111111111") || !strings.Contains(err.Error(), "failed to cancel") {
		t.Errorf("CancelAll error = %v, want the failed order named", err)
	}
	if len(got) != 1 || got[0].ID != a.ID || got[0].Status != trade.StatusCanceled {
		t.Errorf("CancelAll returned %+v, want %s canceled", got, a.ID)
	}
}

func TestCancelAllOfOneSymbol(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	btc := venuetest.Place(t, ctx, e, restingBuy("s-1"))
	eth := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: ethusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.01"), Price: trade.OptDec("2000")})
	got, err := e.CancelAll(ctx, btcusd)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != btc.ID || got[0].Status != trade.StatusCanceled {
		t.Errorf("CancelAll(BTC-USD) = %+v, want only %s", got, btc.ID)
	}
	if o, err := e.GetOrder(ctx, exchange.OrderRef{ID: eth.ID}); err != nil || o.Status != trade.StatusOpen {
		t.Errorf("ETH order after CancelAll(BTC-USD) = %s, %v; want open", o.Status, err)
	}
	if n := f.Srv.Count(http.MethodDelete, "/v2/orders"); n != 0 {
		t.Errorf("a per-symbol cancel used DELETE /v2/orders (%d times), which cancels every symbol", n)
	}
}

func TestOrderOptionsReachTheVenue(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, map[string]any{KeyExtendedHours: true})
	ctx := ctxT(t)
	reqs := []trade.OrderRequest{
		{Symbol: aapl, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.Day, Qty: trade.Dec("1"), Price: trade.OptDec("100"), ClientID: "ext-day"},
		{Symbol: aapl, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC, Qty: trade.Dec("1"), Price: trade.OptDec("100"), ClientID: "ext-gtc"},
		{Symbol: aapl, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.25"), ClientID: "frac"},
		{Symbol: btcusd, Side: trade.Buy, Type: trade.StopLimit, TimeInForce: trade.IOC, Qty: trade.Dec("0.001"), Price: trade.OptDec("70000"), StopPrice: trade.OptDec("69000"), ClientID: "crypto-sl"},
	}
	for _, r := range reqs {
		if _, err := e.PlaceOrder(ctx, r); err != nil {
			t.Fatalf("PlaceOrder(%s): %v", r.ClientID, err)
		}
	}
	type seen struct {
		TIF      string
		Extended bool
		Type     string
	}
	got := map[string]seen{}
	for _, o := range f.Srv.Orders() {
		got[o.ClientID] = seen{o.TimeInForce, o.ExtendedHours, o.Type}
	}
	want := map[string]seen{
		"ext-day":   {"day", true, "limit"},
		"ext-gtc":   {"gtc", false, "limit"},
		"frac":      {"day", false, "market"},
		"crypto-sl": {"ioc", false, "stop_limit"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("orders at the venue (-want +got):\n%s", diff)
	}
}

func TestBalancesAndPositions(t *testing.T) {
	_, e, ctx := adapter.Start(t)
	for _, r := range []trade.OrderRequest{
		{Symbol: aapl, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("3")},
		{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.1")},
		{Symbol: msft, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("10"), Price: trade.OptDec("400")}, // rests: holds 4000
	} {
		if _, err := e.PlaceOrder(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// A resting sell holds one share.
	if _, err := e.PlaceOrder(ctx, trade.OrderRequest{Symbol: aapl, Side: trade.Sell, Type: trade.Limit, Qty: trade.Dec("1"), Price: trade.OptDec("300")}); err != nil {
		t.Fatal(err)
	}
	ps, err := e.Positions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantPos := []trade.Position{
		{Symbol: aapl, Qty: trade.Dec("3"), AvgCost: trade.Dec("190.02")},
		{Symbol: btcusd, Qty: trade.Dec("0.1"), AvgCost: trade.Dec("60010")},
	}
	if diff := cmp.Diff(wantPos, ps, venuetest.DecEqual); diff != "" {
		t.Errorf("Positions (-want +got):\n%s", diff)
	}
	bs, err := e.Balances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cash := trade.Dec("100000").Sub(trade.Dec("570.06")).Sub(trade.Dec("6001"))
	wantBal := []trade.Balance{
		trade.NewBalance("AAPL", trade.Dec("2"), trade.Dec("1")),
		trade.NewBalance("BTC", trade.Dec("0.1"), decimal.Zero),
		trade.NewBalance("USD", cash.Sub(trade.Dec("4000")), trade.Dec("4000")),
	}
	if diff := cmp.Diff(wantBal, bs, venuetest.DecEqual); diff != "" {
		t.Errorf("Balances (-want +got):\n%s", diff)
	}
}

func TestQuotes(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, map[string]any{KeyFeed: "sip"})
	ctx := ctxT(t)
	qs, err := e.Quotes(ctx, []trade.Symbol{btcusd, aapl, btcusd, ethusd})
	if err != nil {
		t.Fatal(err)
	}
	type q struct{ Symbol, Bid, Ask, Last string }
	var got []q
	for _, x := range qs {
		got = append(got, q{x.Symbol.String(), x.Bid.String(), x.Ask.String(), x.Last.String()})
		if x.Time.IsZero() {
			t.Errorf("%s: no time", x.Symbol)
		}
	}
	want := []q{{"BTC-USD", "60000", "60010", "60005"}, {"AAPL", "189.98", "190.02", "190"}, {"BTC-USD", "60000", "60010", "60005"}, {"ETH-USD", "3000", "3000.5", "3000.2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Quotes (-want +got):\n%s", diff)
	}
	var stockCalls, feedSIP int
	for _, r := range f.Srv.Requests() {
		if !r.Data {
			t.Errorf("%s %s went to the trading host", r.Method, r.Path)
		}
		if strings.HasPrefix(r.Path, "/v2/stocks/") {
			stockCalls++
			if strings.Contains(r.Query, "feed=sip") {
				feedSIP++
			}
		}
	}
	if stockCalls != 2 || feedSIP != 2 {
		t.Errorf("stock data calls %d, with feed=sip %d; want 2 and 2", stockCalls, feedSIP)
	}
	for _, syms := range [][]trade.Symbol{{trade.MustSymbol("NOPE")}, {aapl, trade.MustSymbol("DOGE-USD")}} {
		_, err := e.Quotes(ctx, syms)
		if !errors.Is(err, exchange.ErrNotFound) {
			t.Errorf("Quotes(%v) = %v, want ErrNotFound", syms, err)
		}
	}
}

func TestInstrumentsFromFake(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	got, err := e.Instruments(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	stock := func(s string) trade.Instrument {
		return trade.Instrument{Symbol: trade.MustSymbol(s), BaseAsset: s, QuoteAsset: "USD", TickSize: trade.Dec("0.01"),
			StepSize: trade.Dec("0.000000001"), MinNotional: trade.Dec("1"), VenueSymbol: s, Status: trade.StatusTrading}
	}
	want := []trade.Instrument{
		stock("AAPL"), stock("MSFT"), stock("TSLA"),
		{Symbol: btcusd, BaseAsset: "BTC", QuoteAsset: "USD", TickSize: trade.Dec("1"), StepSize: trade.Dec("0.000000001"), MinQty: trade.Dec("0.0001"), VenueSymbol: "BTC/USD", Status: trade.StatusTrading},
		{Symbol: ethusd, BaseAsset: "ETH", QuoteAsset: "USD", TickSize: trade.Dec("0.1"), StepSize: trade.Dec("0.000000001"), MinQty: trade.Dec("0.001"), VenueSymbol: "ETH/USD", Status: trade.StatusTrading},
	}
	if diff := cmp.Diff(want, got, venuetest.DecEqual); diff != "" {
		t.Errorf("Instruments (-want +got):\n%s", diff)
	}
}

func TestInstrumentCache(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	f := adapter.Fixture(t)
	open := func() *Exchange {
		return f.OpenAt(t, clock, nil)
	}
	fetches := func() int { return f.Srv.Count(http.MethodGet, "/v2/assets") }
	ctx := ctxT(t)

	first, err := open().Instruments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fetches() != 1 {
		t.Fatalf("fetches = %d, want 1", fetches())
	}
	// A new process within the TTL reads the disk cache.
	second, err := open().Instruments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fetches() != 1 {
		t.Errorf("fetches after a cached open = %d, want 1", fetches())
	}
	if diff := cmp.Diff(first, second, venuetest.DecEqual); diff != "" {
		t.Errorf("cached instruments differ (-fetched +cached):\n%s", diff)
	}
	entries, _ := os.ReadDir(f.Cache)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "alpaca-") || !strings.HasSuffix(entries[0].Name(), "-assets.json") {
		t.Errorf("cache dir holds %v, want one alpaca-…-assets.json and no temp files", entries)
	}
	path := filepath.Join(f.Cache, entries[0].Name())

	// A corrupt cache is refetched and rewritten.
	if err := os.WriteFile(path, []byte(`{"version":1,"assets":[`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := open().Instruments(ctx); err != nil {
		t.Fatal(err)
	}
	if fetches() != 2 {
		t.Errorf("fetches after corruption = %d, want 2", fetches())
	}
	if _, err := open().Instruments(ctx); err != nil || fetches() != 2 {
		t.Errorf("the rewritten cache was not used: fetches %d, err %v", fetches(), err)
	}

	// Past the TTL it is refetched, by the same process too.
	e := open()
	if _, err := e.Instruments(ctx); err != nil || fetches() != 2 {
		t.Fatalf("fetches %d, err %v", fetches(), err)
	}
	now = now.Add(time.Hour + time.Second)
	if _, err := e.Instruments(ctx); err != nil || fetches() != 3 {
		t.Errorf("after the TTL: fetches %d, err %v; want 3", fetches(), err)
	}

	// Another base URL never reads this cache.
	other := adapter.Fixture(t)
	p := other.Params(nil)
	p.CacheDir, p.Now = f.Cache, clock
	e2, err := New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e2.Instruments(ctx); err != nil || other.Srv.Count(http.MethodGet, "/v2/assets") != 1 {
		t.Errorf("a second venue used the first one's cache")
	}
}

func TestRateLimitAnswerPausesClient(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	f.Srv.RateLimitNext(3 * time.Second)
	_, err := e.Balances(ctx)
	if d, ok := exchange.RetryAfter(err); !errors.Is(err, exchange.ErrRateLimited) || !ok || d != 3*time.Second {
		t.Fatalf("Balances after 429 = %v, want ErrRateLimited with 3s", err)
	}
	before := len(f.Srv.Requests())
	_, err = e.ListOrders(ctx, exchange.ListFilter{})
	if !errors.Is(err, exchange.ErrRateLimited) || !strings.Contains(err.Error(), "nothing was sent") {
		t.Errorf("call during the pause = %v, want ErrRateLimited without sending", err)
	}
	if after := len(f.Srv.Requests()); after != before {
		t.Errorf("%d requests sent during the pause", after-before)
	}
	// The data API has its own allowance and keeps working.
	if _, err := e.Quotes(ctx, []trade.Symbol{aapl}); err != nil {
		t.Errorf("Quotes during a trading pause: %v", err)
	}
}

func TestVenueRateLimitIsFollowed(t *testing.T) {
	f := adapter.Fixture(t, fakealpaca.WithRateLimit(3))
	var waits []time.Duration
	e := f.Open(t, nil, func(e *Exchange) {
		// Record the hold instead of sleeping through it.
		e.tradeLimiter.sleep = func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			return errors.New("held")
		}
	})
	ctx := ctxT(t)
	for i := 0; i < 3; i++ {
		if _, err := e.ListOrders(ctx, exchange.ListFilter{}); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	// The venue said Remaining 0: the fourth request waits for the reset
	// instead of collecting a 429.
	_, err := e.ListOrders(ctx, exchange.ListFilter{})
	if err == nil || len(waits) != 1 || waits[0] <= 0 || waits[0] > 61*time.Second {
		t.Errorf("fourth request: err %v, waits %v; want one wait until the window resets", err, waits)
	}
	if n := f.Srv.Count(http.MethodGet, "/v2/orders"); n != 3 {
		t.Errorf("venue saw %d list requests, want 3", n)
	}
}

func TestUnreadableAnswers(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	// The order was accepted, but its answer cannot be read: the caller
	// must look it up, not place it again.
	f.Srv.Inject(fakealpaca.Failure{Method: http.MethodPost, Path: "/v2/orders", Mode: fakevenue.AfterAccept, Status: 200, Body: `{"id":`})
	_, err := e.PlaceOrder(ctx, restingBuy("garbled-1"))
	var xe *exchange.Error
	if !errors.As(err, &xe) || xe.Kind != exchange.ErrUnknownOutcome || xe.ClientID != "garbled-1" {
		t.Errorf("PlaceOrder with an unreadable answer = %v, want ErrUnknownOutcome for garbled-1", err)
	}
	f.Srv.Inject(fakealpaca.Failure{Method: http.MethodPost, Path: "/v2/orders", Mode: fakevenue.AfterAccept, Status: 200, Body: `{"id":"x","status":"teleported"}`})
	_, err = e.PlaceOrder(ctx, restingBuy("garbled-2"))
	if !errors.As(err, &xe) || xe.Kind != exchange.ErrUnknownOutcome || xe.ClientID != "garbled-2" {
		t.Errorf("PlaceOrder with an unknown status = %v, want ErrUnknownOutcome for garbled-2", err)
	}
	f.Srv.FailNext(200, `[{"id":"x"`, nil)
	_, err = e.ListOrders(ctx, exchange.ListFilter{})
	if !errors.Is(err, exchange.ErrUnavailable) || errors.Is(err, exchange.ErrUnknownOutcome) {
		t.Errorf("ListOrders with an unreadable answer = %v, want ErrUnavailable", err)
	}
	if n := f.Srv.OrdersPlaced(); n != 2 {
		t.Errorf("venue holds %d orders, want 2", n)
	}
}

// TestConformance runs the suite once on a crypto pair and once on a
// stock, the two halves of Alpaca that map differently (pairs with venue
// increments; tickers with cent ticks and whole or fractional shares).
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name   string
		symbol trade.Symbol
		opts   []fakealpaca.Option
		// quoteSizedRefused: see exchangetest.Harness.QuoteSizedRefused.
		quoteSizedRefused string
	}{
		// Crypto first in the asset list, so the suite's per-symbol
		// cancel-all check picks ETH-USD as the other symbol rather than a
		// fractional stock it cannot rest a gtc order on.
		// Bars come 600 a page, so the candle property reads through
		// next_page_token.
		{name: "crypto", symbol: btcusd, opts: []fakealpaca.Option{fakealpaca.WithAssets(cryptoFirst(fakealpaca.DefaultAssets())...), fakealpaca.WithBarsPageSize(600)},
			quoteSizedRefused: "notional orders are market day orders, and crypto orders are never day"},
		// The suite's resting orders are gtc, which Alpaca refuses for
		// fractional quantities, so the stock run uses whole shares.
		{name: "stock", symbol: aapl, opts: []fakealpaca.Option{fakealpaca.WithAssets(
			fakealpaca.AssetSpec{Symbol: "AAPL", Class: "us_equity", Exchange: "NASDAQ", Tradable: true, Bid: "189.98", Ask: "190.02", Last: "190"},
			fakealpaca.AssetSpec{Symbol: "MSFT", Class: "us_equity", Exchange: "NASDAQ", Tradable: true, Bid: "414.9", Ask: "415.1", Last: "415"},
		)}, quoteSizedRefused: "AAPL is whole shares only here, and a notional order needs fractional shares (TestNotionalOrders covers the fill)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			venuetest.RunConformance(t, adapter, tc.symbol, func(h *exchangetest.Harness) { h.QuoteSizedRefused = tc.quoteSizedRefused }, tc.opts...)
		})
	}
}

func cryptoFirst(specs []fakealpaca.AssetSpec) []fakealpaca.AssetSpec {
	slices.SortStableFunc(specs, func(a, b fakealpaca.AssetSpec) int {
		switch {
		case a.Class == b.Class:
			return 0
		case a.Class == classCrypto:
			return -1
		}
		return 1
	})
	return specs
}

// TestTraceSigned: at -v a call is one debug line with its method, path
// and status, and without the key id or secret its headers carry.
func TestTraceSigned(t *testing.T) {
	f := adapter.Fixture(t)
	f.CheckSignedTrace(t, "GET", "/v2/account", []string{f.Creds.Key, f.Creds.Secret, "APCA"})
}
