package binance

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/exchangetest"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestClockSkewRetriesOnce(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	f.Srv.SetClockOffset(30 * time.Second) // our timestamps look 30 s old
	bs, err := e.Balances(ctxT(t))
	if err != nil {
		t.Fatalf("Balances with a skewed clock: %v", err)
	}
	if len(bs) == 0 {
		t.Error("no balances")
	}
	if got := f.Srv.Count("GET", "/api/v3/account"); got != 2 {
		t.Errorf("account requests = %d, want 2 (rejected, then retried)", got)
	}
	if got := f.Srv.Count("GET", "/api/v3/time"); got != 1 {
		t.Errorf("time requests = %d, want 1", got)
	}
	// The offset sticks: no more -1021 round trips.
	if _, err := e.Balances(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got := f.Srv.Count("GET", "/api/v3/account"); got != 3 {
		t.Errorf("account requests = %d, want 3", got)
	}
}

func TestClockSkewGivesUpAfterOneRetry(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	skew := `{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}`
	f.Srv.Inject(fakebinance.Failure{Path: "/api/v3/account", Status: 400, Body: skew})
	f.Srv.Inject(fakebinance.Failure{Path: "/api/v3/account", Status: 400, Body: skew})
	_, err := e.Balances(ctxT(t))
	if !errors.Is(err, exchange.ErrAuth) || !strings.Contains(err.Error(), "sync_clock") {
		t.Fatalf("Balances = %v, want ErrAuth suggesting sync_clock", err)
	}
	if got := f.Srv.Count("GET", "/api/v3/account"); got != 2 {
		t.Errorf("account requests = %d, want 2", got)
	}
}

func TestSyncClockAtStart(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, map[string]any{"sync_clock": true})
	f.Srv.SetClockOffset(-20 * time.Second) // our timestamps look 20 s ahead
	if _, err := e.Balances(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got := f.Srv.Count("GET", "/api/v3/account"); got != 1 {
		t.Errorf("account requests = %d, want 1 (the clock was synced first)", got)
	}
	if got := f.Srv.Count("GET", "/api/v3/time"); got != 1 {
		t.Errorf("time requests = %d, want 1", got)
	}
	if off := time.Duration(e.offsetMS.Load()) * time.Millisecond; off > -19*time.Second || off < -21*time.Second {
		t.Errorf("offset = %s, want about -20s", off)
	}
}

func TestPublicCallsNeedNoKeys(t *testing.T) {
	f := adapter.Fixture(t)
	p := f.Params(nil)
	asked := atomic.Int32{}
	p.Secret = func(context.Context, string) (string, error) { asked.Add(1); return "", nil }
	e, err := New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	if _, err := e.Quotes(ctx, []trade.Symbol{btcusdt}); err != nil {
		t.Errorf("Quotes without keys: %v", err)
	}
	if _, err := e.Instruments(ctx); err != nil {
		t.Errorf("Instruments without keys: %v", err)
	}
	if asked.Load() != 0 {
		t.Errorf("public calls resolved secrets %d times", asked.Load())
	}
	_, err = e.Balances(ctx)
	if !errors.Is(err, exchange.ErrAuth) || !strings.Contains(err.Error(), `profile "test" has no api_key`) {
		t.Errorf("Balances without keys = %v, want ErrAuth naming api_key and the profile", err)
	}
	if n := f.Srv.Count("GET", "/api/v3/account"); n != 0 {
		t.Errorf("sent %d unsigned account requests", n)
	}
}

func TestBadCredentialsNeverLeak(t *testing.T) {
	f := adapter.Fixture(t)
	wrongSecret := "test-secret-wrong-0123456789abcdef"
	e := f.OpenAs(t, venuetest.Creds{Key: f.Creds.Key, Secret: wrongSecret})
	ctx := ctxT(t)
	_, err := e.Balances(ctx)
	if !errors.Is(err, exchange.ErrAuth) {
		t.Errorf("Balances with a wrong secret = %v, want ErrAuth", err)
	}
	errs := []error{err}

	// Transport failures quote URLs in net/http; ours must not.
	f.Srv.DropNextOrderAfterAccept()
	_, err = e.PlaceOrder(ctx, restingBuy("leak-check"))
	errs = append(errs, err)
	f.Srv.HangNext()
	e.Rest.SetTimeout(100 * time.Millisecond)
	_, err = e.GetOrder(ctx, exchange.OrderRef{ID: "BTCUSDT:1"})
	errs = append(errs, err)

	secrets := []string{f.Creds.Key, f.Creds.Secret, wrongSecret, "signature="}
	for _, r := range f.Srv.Requests() {
		if _, sig, ok := strings.Cut(r.Query, "signature="); ok {
			secrets = append(secrets, sig)
		}
	}
	venuetest.CheckErrorsHide(t, errs, secrets...)
}

func TestEd25519KeyType(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	f := adapter.Fixture(t, fakebinance.WithEd25519PublicKey(pub))
	f.Creds.Secret = pemKey
	e := f.Open(t, map[string]any{"key_type": "ed25519"})
	if _, err := e.Balances(ctxT(t)); err != nil {
		t.Fatalf("Balances with an Ed25519 key: %v", err)
	}
	// The same key read as HMAC fails the venue's check.
	f2 := adapter.Fixture(t, fakebinance.WithEd25519PublicKey(pub))
	f2.Creds.Secret = pemKey
	e2 := f2.Open(t, nil)
	if _, err := e2.Balances(ctxT(t)); !errors.Is(err, exchange.ErrAuth) {
		t.Errorf("Balances signing an Ed25519 account with HMAC = %v, want ErrAuth", err)
	}
	// A non-key secret with key_type ed25519 fails locally.
	f3 := adapter.Fixture(t)
	e3 := f3.Open(t, map[string]any{"key_type": "ed25519"})
	if _, err := e3.Balances(ctxT(t)); !errors.Is(err, exchange.ErrAuth) || !strings.Contains(err.Error(), "ed25519") {
		t.Errorf("Balances with an HMAC secret as ed25519 = %v, want ErrAuth", err)
	}
	if n := f3.Srv.Count("GET", "/api/v3/account"); n != 0 {
		t.Errorf("sent %d requests with an unusable key", n)
	}
}

func TestInstrumentCache(t *testing.T) {
	f := adapter.Fixture(t)
	clock := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	open := func() *Exchange {
		return f.OpenAt(t, now, nil)
	}
	ctx := ctxT(t)
	if _, err := open().Instruments(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.Srv.Count("GET", "/api/v3/exchangeInfo"); n != 1 {
		t.Fatalf("exchangeInfo requests = %d, want 1", n)
	}
	files, _ := filepath.Glob(filepath.Join(f.Cache, "binance-*-exchangeinfo.json"))
	if len(files) != 1 {
		t.Fatalf("cache files = %v, want one", files)
	}
	leftovers, _ := filepath.Glob(filepath.Join(f.Cache, "*.tmp"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}

	// A second Exchange within the TTL reads the disk cache.
	clock = clock.Add(59 * time.Minute)
	e2 := open()
	ins, err := e2.Instruments(ctx)
	if err != nil || len(ins) == 0 {
		t.Fatalf("Instruments from cache: %v, %d", err, len(ins))
	}
	if n := f.Srv.Count("GET", "/api/v3/exchangeInfo"); n != 1 {
		t.Errorf("exchangeInfo requests within TTL = %d, want 1", n)
	}
	// The cached rules still guard orders.
	if _, err := e2.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.001"), Price: trade.OptDec("40000.005")}); !errors.Is(err, exchange.ErrInvalidOrder) {
		t.Errorf("off-tick order with cached rules = %v", err)
	}

	// Past the TTL it refetches.
	clock = clock.Add(2 * time.Minute)
	if _, err := open().Instruments(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.Srv.Count("GET", "/api/v3/exchangeInfo"); n != 2 {
		t.Errorf("exchangeInfo requests after TTL = %d, want 2", n)
	}

	// A corrupt cache is ignored, refetched and repaired.
	if err := os.WriteFile(files[0], []byte(`{"version":1,"symbols":[{"venue_symbol":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := open().Instruments(ctx); err != nil {
		t.Fatalf("Instruments with a corrupt cache: %v", err)
	}
	if n := f.Srv.Count("GET", "/api/v3/exchangeInfo"); n != 3 {
		t.Errorf("exchangeInfo requests after corruption = %d, want 3", n)
	}
	if _, err := open().Instruments(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.Srv.Count("GET", "/api/v3/exchangeInfo"); n != 3 {
		t.Errorf("exchangeInfo requests after repair = %d, want 3", n)
	}

	// Another base URL does not share the file.
	other := adapter.Fixture(t)
	p := other.Params(nil)
	p.CacheDir, p.Now = f.Cache, now
	e3, _ := New(context.Background(), p)
	if _, err := e3.Instruments(ctx); err != nil {
		t.Fatal(err)
	}
	if n := other.Srv.Count("GET", "/api/v3/exchangeInfo"); n != 1 {
		t.Errorf("other venue's exchangeInfo requests = %d, want 1", n)
	}
}

func TestBadTickNeverLeavesTheMachine(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	tests := []struct {
		name string
		req  trade.OrderRequest
		want string
	}{
		{"price off tick", trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.001"), Price: trade.OptDec("40000.005")}, "nearest valid values are 40000 and 40000.01"},
		{"qty off step", trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.000015"), Price: trade.OptDec("40000")}, "step size"},
		{"below min notional", trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.0001"), Price: trade.OptDec("40000")}, "below the minimum 5"},
		{"market above MARKET_LOT_SIZE max", trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("101")}, "above the maximum 100"},
		{"day", trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.Day, Qty: trade.Dec("0.001"), Price: trade.OptDec("40000")}, "time in force day"},
		{"no price", trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.001")}, "price: is required"},
		{"bad client id", restingBuyWithID("has space"), "client_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.PlaceOrder(ctx, tt.req)
			if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("PlaceOrder = %v, want ErrInvalidOrder containing %q", err, tt.want)
			}
			if err := e.ValidateOrder(ctx, tt.req); !errors.Is(err, exchange.ErrInvalidOrder) {
				t.Errorf("ValidateOrder = %v, want ErrInvalidOrder", err)
			}
		})
	}
	for _, path := range []string{"/api/v3/order", "/api/v3/order/test"} {
		if n := f.Srv.Count("POST", path); n != 0 {
			t.Errorf("%d requests reached POST %s", n, path)
		}
	}
}

func restingBuyWithID(id string) trade.OrderRequest { return restingBuy(id) }

func TestVenueRejectionsAreTyped(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	// Passes local rules, fails the venue's: a post-only buy at the ask.
	req := trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Limit, PostOnly: true, Qty: trade.Dec("0.001"), Price: trade.OptDec("60000.01")}
	_, err := e.PlaceOrder(ctx, req)
	var xe *exchange.Error
	if !errors.As(err, &xe) || xe.Kind != exchange.ErrInvalidOrder || xe.Code != "-2010" || !strings.Contains(xe.Message, "immediately match") {
		t.Errorf("post-only crossing = %v, want ErrInvalidOrder -2010", err)
	}
	// Max price is not a local rule; Binance enforces it (-1013).
	req = trade.OrderRequest{Symbol: btcusdt, Side: trade.Sell, Type: trade.Limit, Qty: trade.Dec("0.001"), Price: trade.OptDec("2000000")}
	if _, err := e.PlaceOrder(ctx, req); !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), "PRICE_FILTER") {
		t.Errorf("price above max = %v, want ErrInvalidOrder PRICE_FILTER", err)
	}
	f.Srv.FailNext(http.StatusServiceUnavailable, "<html>down</html>", nil)
	if _, err := e.Balances(ctx); !errors.Is(err, exchange.ErrUnavailable) {
		t.Errorf("Balances on 503 = %v, want ErrUnavailable", err)
	}
}

// An order answer that cannot be read — here valid JSON with a price that
// is no number — leaves the order's fate unknown, and the error says what
// to do, as on every venue.
func TestUnreadablePlacementAnswer(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	f.Srv.FailNextAfterAccept("POST /api/v3/order", http.StatusOK, `{"symbol":"BTCUSDT","orderId":12345,"clientOrderId":"unreadable-1",`+
		`"transactTime":1700000000000,"price":"oops","origQty":"0.001","executedQty":"0","cummulativeQuoteQty":"0",`+
		`"status":"NEW","timeInForce":"GTC","type":"LIMIT","side":"BUY"}`, nil)
	_, err := e.PlaceOrder(ctx, restingBuy("unreadable-1"))
	var xe *exchange.Error
	if !errors.As(err, &xe) || !errors.Is(err, exchange.ErrUnknownOutcome) || xe.ClientID != "unreadable-1" {
		t.Fatalf("PlaceOrder = %v, want ErrUnknownOutcome naming client id unreadable-1", err)
	}
	if !strings.Contains(err.Error(), "look it up by its client id before trying again") {
		t.Errorf("PlaceOrder = %v, want the advice to look the order up", err)
	}
}

func TestPlacementUnknownOutcome(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*fakebinance.Server)
		tweak  func(*Exchange)
	}{
		{"5xx after accepting", func(s *fakebinance.Server) { s.FailNextOrderAfterAccept(http.StatusServiceUnavailable) }, nil},
		{"connection dropped after accepting", (*fakebinance.Server).DropNextOrderAfterAccept, nil},
		{"no answer before the timeout", (*fakebinance.Server).HangNext, func(e *Exchange) { e.Rest.SetTimeout(200 * time.Millisecond) }},
	}
	for _, tt := range tests {
		for _, withID := range []bool{true, false} {
			name := tt.name + "/generated client id"
			if withID {
				name = tt.name + "/own client id"
			}
			t.Run(name, func(t *testing.T) {
				f := adapter.Fixture(t)
				e := f.Open(t, nil)
				ctx := ctxT(t)
				if _, err := e.Instruments(ctx); err != nil { // keep the injected failure for the order
					t.Fatal(err)
				}
				if tt.tweak != nil {
					tt.tweak(e)
				}
				tt.inject(f.Srv)
				req := restingBuy("")
				if withID {
					req.ClientID = "outcome-1"
				}
				_, err := e.PlaceOrder(ctx, req)
				var xe *exchange.Error
				if !errors.As(err, &xe) || !errors.Is(err, exchange.ErrUnknownOutcome) {
					t.Fatalf("PlaceOrder = %v, want ErrUnknownOutcome", err)
				}
				if xe.ClientID == "" || (withID && xe.ClientID != "outcome-1") {
					t.Fatalf("ClientID = %q", xe.ClientID)
				}
				if exchange.Retryable(err) {
					t.Error("an unknown outcome must not be blindly retryable")
				}
				if tt.tweak != nil {
					e.Rest.SetTimeout(defaultRequestTimeout)
				}
				// The id in the error finds the order.
				got, err := e.GetOrder(ctx, exchange.OrderRef{ClientID: xe.ClientID, Symbol: btcusdt})
				if tt.name == "no answer before the timeout" {
					// The fake held the request without acting on it.
					if !errors.Is(err, exchange.ErrNotFound) {
						t.Errorf("GetOrder after a hang = %v, want ErrNotFound", err)
					}
					return
				}
				if err != nil || got.ClientID != xe.ClientID || got.Status != trade.StatusOpen {
					t.Errorf("GetOrder(client id %s) = %+v, %v", xe.ClientID, got, err)
				}
				if n := f.Srv.OrdersPlaced(); n != 1 {
					t.Errorf("orders placed = %d, want 1", n)
				}
			})
		}
	}
}

func TestReadsOnTransportFailureAreUnavailable(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, func(e *Exchange) { e.Rest.SetTimeout(100 * time.Millisecond) })
	f.Srv.HangNext()
	_, err := e.Balances(ctxT(t))
	if !errors.Is(err, exchange.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Balances on a hanging venue = %v, want ErrUnavailable wrapping the deadline", err)
	}
	f.Srv.Close()
	_, err = e.Quotes(ctxT(t), []trade.Symbol{btcusdt})
	if !errors.Is(err, exchange.ErrUnavailable) {
		t.Errorf("Quotes on a closed venue = %v, want ErrUnavailable", err)
	}
}

func TestOrderRefResolution(t *testing.T) {
	_, e, ctx := adapter.Start(t)
	o := venuetest.Place(t, ctx, e, restingBuy("ref-1"))
	if !strings.HasPrefix(o.ID, "BTCUSDT:") {
		t.Fatalf("order id %q is not self-describing", o.ID)
	}
	_, num, _ := strings.Cut(o.ID, ":")

	_, err := e.GetOrder(ctx, exchange.OrderRef{ID: num})
	if !errors.Is(err, exchange.ErrInvalidOrder) || !errors.Is(err, exchange.ErrSymbolNeeded) ||
		!strings.Contains(err.Error(), "binance needs the symbol to find order "+num+": give it, or the id as <SYMBOL>:") {
		t.Errorf("bare id without symbol = %v", err)
	}
	if got, err := e.GetOrder(ctx, exchange.OrderRef{ID: num, Symbol: btcusdt}); err != nil || got.ID != o.ID {
		t.Errorf("bare id with symbol = %+v, %v", got, err)
	}
	if _, err := e.GetOrder(ctx, exchange.OrderRef{ID: o.ID, Symbol: trade.MustSymbol("ETH-USDT")}); !errors.Is(err, exchange.ErrInvalidOrder) {
		t.Errorf("id with a conflicting symbol = %v, want ErrInvalidOrder", err)
	}
	if _, err := e.GetOrder(ctx, exchange.OrderRef{ID: "not-an-id"}); !errors.Is(err, exchange.ErrInvalidOrder) {
		t.Errorf("malformed id = %v, want ErrInvalidOrder", err)
	}

	// A finished order is found by client id only with its symbol.
	if _, err := e.CancelOrder(ctx, exchange.OrderRef{ClientID: "ref-1"}); err != nil {
		t.Fatalf("cancel by client id alone: %v", err)
	}
	_, err = e.GetOrder(ctx, exchange.OrderRef{ClientID: "ref-1"})
	if !errors.Is(err, exchange.ErrNotFound) || !errors.Is(err, exchange.ErrSymbolNeeded) {
		t.Errorf("finished order by client id alone = %v, want ErrNotFound asking for the symbol", err)
	}
	if got, err := e.GetOrder(ctx, exchange.OrderRef{ClientID: "ref-1", Symbol: btcusdt}); err != nil || got.Status != trade.StatusCanceled {
		t.Errorf("finished order by client id and symbol = %+v, %v", got, err)
	}
}

func TestListAllNeedsSymbol(t *testing.T) {
	_, e, ctx := adapter.Start(t)
	_, err := e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListAll})
	if !errors.Is(err, exchange.ErrInvalidOrder) || !errors.Is(err, exchange.ErrSymbolNeeded) {
		t.Errorf("ListAll without symbol = %v", err)
	}
	// Asking only for working statuses is served from open orders.
	if _, err := e.PlaceOrder(ctx, restingBuy("la-1")); err != nil {
		t.Fatal(err)
	}
	got, err := e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListAll, Statuses: []trade.OrderStatus{trade.StatusOpen}})
	if err != nil || len(got) != 1 || got[0].ClientID != "la-1" {
		t.Errorf("ListAll(open only) = %+v, %v", got, err)
	}
	// Since narrows history.
	got, err = e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListAll, Symbol: btcusdt, Since: time.Now().Add(time.Hour)})
	if err != nil || len(got) != 0 {
		t.Errorf("ListAll(since the future) = %+v, %v", got, err)
	}
}

func TestCancelAllWithNothingOpen(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	got, err := e.CancelAll(ctxT(t), btcusdt)
	if err != nil || len(got) != 0 {
		t.Errorf("CancelAll with nothing open = %v, %v", got, err)
	}
	got, err = e.CancelAll(ctxT(t), trade.Symbol{})
	if err != nil || len(got) != 0 {
		t.Errorf("CancelAll(all) with nothing open = %v, %v", got, err)
	}
}

func TestPlacementMapsFills(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	o, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01")})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != trade.StatusFilled || !o.FilledQty.Equal(trade.Dec("0.01")) ||
		!o.AvgFillPrice.Decimal.Equal(trade.Dec("60000.01")) || o.FeeAsset != "BTC" || !o.Fee.Equal(trade.Dec("0.00001")) {
		t.Errorf("market buy = %+v", o)
	}
	if o.ClientID == "" || o.Profile != "test" || o.Exchange != "binance" || o.CreatedAt.IsZero() {
		t.Errorf("market buy metadata = %+v", o)
	}
	free, _ := f.Srv.Balance("BTC")
	if !free.Equal(decimal.RequireFromString("1.00999")) {
		t.Errorf("BTC free = %s, want 1.00999", free)
	}
}

func TestConformance(t *testing.T) {
	venuetest.RunConformance(t, adapter, btcusdt, func(h *exchangetest.Harness) {
		// Binance answers -2010 "Stop price would trigger immediately",
		// and the fake models it.
		h.RejectsCrossedStops = true
	})
}

// TestTraceSigned: at -v a signed call is one debug line with its method,
// path and status, and without the key, secret, signature or signed query.
func TestTraceSigned(t *testing.T) {
	f := adapter.Fixture(t)
	f.CheckSignedTrace(t, "GET", "/api/v3/account",
		[]string{f.Creds.Key, f.Creds.Secret, "signature", "timestamp=", "recvWindow", "query="})
}
