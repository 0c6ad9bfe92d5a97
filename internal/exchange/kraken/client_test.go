package kraken

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/exchangetest"
	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestNewChecksOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    map[string]any
		wantErr string
		wantURL string
	}{
		{name: "default", opts: nil, wantURL: ProductionURL},
		{name: "docs root with /0", opts: map[string]any{KeyBaseURL: "https://api.kraken.com/0/"}, wantURL: "https://api.kraken.com"},
		{name: "relative url", opts: map[string]any{KeyBaseURL: "api.kraken.com"}, wantErr: "not an absolute URL"},
		{name: "ws url", opts: map[string]any{KeyBaseURL: "wss://ws.kraken.com"}, wantErr: "must use http or https"},
		{name: "tier", opts: map[string]any{KeyRateTier: "gold"}, wantErr: "rate_tier"},
		{name: "negative ttl", opts: map[string]any{KeyInstrumentsTTL: "-1h"}, wantErr: "must not be negative"},
		{name: "bad ttl", opts: map[string]any{KeyInstrumentsTTL: "soon"}, wantErr: "instruments_ttl"},
		{name: "nonce window", opts: map[string]any{KeyNonceWindow: 10000000}, wantURL: ProductionURL},
		{name: "negative nonce window", opts: map[string]any{KeyNonceWindow: -1}, wantErr: "nonce_window"},
		{name: "nonce window not a number", opts: map[string]any{KeyNonceWindow: "10s"}, wantErr: "nonce_window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := venuetest.NewFromOptions(t, New, tt.opts, tt.wantErr)
			if !ok {
				return
			}
			if e.baseURL != tt.wantURL {
				t.Errorf("base URL = %q, want %q", e.baseURL, tt.wantURL)
			}
		})
	}
	v := Venue()
	if v.Name != "kraken" || len(v.Keys) != 7 || v.New == nil {
		t.Errorf("Venue() = %+v", v)
	}
}

func TestPublicCallsNeedNoKeys(t *testing.T) {
	f := adapter.Fixture(t)
	p := f.Params(nil)
	p.Secret = func(context.Context, string) (string, error) {
		t.Error("a public call asked for a secret")
		return "", errors.New("no")
	}
	e, err := New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := e.Quotes(ctxT(t), []trade.Symbol{btcusd, trade.MustSymbol("DOGE-USD"), btcusd})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, q := range qs {
		got = append(got, fmt.Sprintf("%s %s %s %s h24 %s l24 %s v24 %s chg24 %v", q.Symbol, q.Bid, q.Ask, q.Last, q.High24h, q.Low24h, q.Volume24h, q.Change24h))
	}
	// The 24-hour figures are the second of each [today, 24h] pair; REST
	// has no 24-hour change.
	want := []string{"BTC-USD 60000 60000.1 60000 h24 60000.1 l24 60000 v24 250 chg24 <nil>", "DOGE-USD 0.15 0.15001 0.15 h24 0.15001 l24 0.15 v24 250 chg24 <nil>",
		"BTC-USD 60000 60000.1 60000 h24 60000.1 l24 60000 v24 250 chg24 <nil>"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Quotes (-want +got):\n%s", diff)
	}
	if n := f.Srv.Count(pathTicker); n != 1 {
		t.Errorf("Ticker requests = %d, want 1 for all symbols", n)
	}
	if _, err := e.Quotes(ctxT(t), []trade.Symbol{btcusd, trade.MustSymbol("NOPE-USD"), trade.MustSymbol("AAPL")}); !errors.Is(err, exchange.ErrNotFound) ||
		!strings.Contains(err.Error(), "NOPE-USD, AAPL") {
		t.Errorf("Quotes with unknown symbols = %v, want ErrNotFound naming both", err)
	}
	if n := f.Srv.Count(pathTicker); n != 1 {
		t.Errorf("Ticker requests = %d, want no request for unknown symbols", n)
	}
}

func TestCredentialProblemsAreAuthErrors(t *testing.T) {
	f := adapter.Fixture(t)
	other := adapter.NewCreds(t)
	tests := []struct {
		name           string
		key, secret    string
		wantMsg        string
		wantPrivateReq int
	}{
		{name: "no key", key: "", secret: f.Creds.Secret, wantMsg: "has no api_key"},
		{name: "no secret", key: f.Creds.Key, secret: "", wantMsg: "has no api_secret"},
		{name: "secret not base64", key: f.Creds.Key, secret: "not*base64!", wantMsg: "api_secret is not base64"},
		{name: "wrong secret", key: f.Creds.Key, secret: other.Secret, wantMsg: "EAPI:Invalid signature", wantPrivateReq: 1},
		{name: "wrong key", key: other.Key, secret: f.Creds.Secret, wantMsg: "EAPI:Invalid key", wantPrivateReq: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.Srv.Count(pathBalanceEx)
			p := f.Params(nil)
			p.Secret = venuetest.Secrets(tt.key, tt.secret)
			e, err := New(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Balances(ctxT(t))
			if !errors.Is(err, exchange.ErrAuth) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("Balances = %v, want ErrAuth mentioning %q", err, tt.wantMsg)
			}
			for _, secret := range []string{f.Creds.Key, f.Creds.Secret, other.Key, other.Secret, "not*base64!"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains a credential", err)
				}
			}
			if got := f.Srv.Count(pathBalanceEx) - before; got != tt.wantPrivateReq {
				t.Errorf("BalanceEx requests = %d, want %d", got, tt.wantPrivateReq)
			}
		})
	}
}

func TestInvalidNonceIsRetriedOnce(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	f.Srv.ErrorNext(pathBalanceEx, "EAPI:Invalid nonce")
	if _, err := e.Balances(ctxT(t)); err != nil {
		t.Fatalf("Balances after one refused nonce: %v", err)
	}
	if got := f.Srv.Count(pathBalanceEx); got != 2 {
		t.Errorf("BalanceEx requests = %d, want 2", got)
	}
	f.Srv.ErrorNext(pathBalanceEx, "EAPI:Invalid nonce")
	f.Srv.ErrorNext(pathBalanceEx, "EAPI:Invalid nonce")
	_, err := e.Balances(ctxT(t))
	if !errors.Is(err, exchange.ErrAuth) || !strings.Contains(err.Error(), "nonce") {
		t.Fatalf("Balances after two refused nonces = %v, want ErrAuth about the nonce", err)
	}
	if got := f.Srv.Count(pathBalanceEx); got != 4 {
		t.Errorf("BalanceEx requests = %d, want 4 (one retry only)", got)
	}
}

// TestNoncesAcrossExchangeValues runs several Exchange values on one key
// and one data directory with a clock that never moves: only the shared
// nonce state keeps Kraken (the fake) from refusing a nonce.
func TestNoncesAcrossExchangeValues(t *testing.T) {
	f := adapter.Fixture(t)
	clock := frozen(nonceEpoch)
	var es []*Exchange
	for i := 0; i < 3; i++ {
		es = append(es, f.Open(t, nil, func(e *Exchange) { e.Now = clock; e.limiter.max = 1e9 }))
	}
	const rounds = 5
	for r := 0; r < rounds; r++ {
		for i, e := range es {
			if _, err := e.Balances(ctxT(t)); err != nil {
				t.Fatalf("round %d, exchange %d: %v", r, i, err)
			}
		}
	}
	if got, want := f.Srv.Count(pathBalanceEx), rounds*len(es); got != want {
		t.Errorf("BalanceEx requests = %d, want %d (no refused nonce, no retry)", got, want)
	}
	if got, want := f.Srv.LastNonce(), uint64(nonceEpoch.UnixMicro())+rounds*3-1; got != want {
		t.Errorf("last nonce = %d, want %d", got, want)
	}

	// Without the shared state (separate data directories) the same clock
	// makes Kraken refuse the second Exchange's nonces.
	g := adapter.Fixture(t)
	a := g.Open(t, nil, func(e *Exchange) { e.Now = clock })
	g.Data = t.TempDir()
	b := g.Open(t, nil, func(e *Exchange) { e.Now = clock })
	if _, err := a.Balances(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Balances(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Balances(ctxT(t)); !errors.Is(err, exchange.ErrAuth) {
		t.Errorf("Balances from an Exchange with its own nonce state = %v, want the venue's refusal", err)
	}
}

func TestConcurrentCallsOnOneExchange(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, func(e *Exchange) { e.Now = frozen(nonceEpoch); e.limiter.max = 1e9 })
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.Balances(ctxT(t)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := f.Srv.Count(pathBalanceEx); got != n {
		t.Errorf("BalanceEx requests = %d, want %d: none refused, none retried", got, n)
	}
}

// TestNonceWindowLetsSignedCallsOverlap: signed calls go one at a time
// from nonce to answer, so that Kraken sees each key's nonces in order;
// with the key's nonce window declared (nonce_window), several go at once
// and a nonce that arrives late is within the window. Behind a latency,
// the calls' arrival times at the venue tell which happened.
func TestNonceWindowLetsSignedCallsOverlap(t *testing.T) {
	const latency = 150 * time.Millisecond
	tests := []struct {
		name       string
		window     int
		wantRounds int
	}{
		{name: "no window: one at a time", window: 0, wantRounds: 3},
		{name: "a window: together", window: 10_000_000, wantRounds: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := adapter.Fixture(t, fakekraken.WithLatency(latency), fakekraken.WithNonceWindow(uint64(tt.window)))
			e := f.Open(t, map[string]any{KeyNonceWindow: tt.window})
			calls := []func(context.Context) error{
				func(ctx context.Context) error { _, err := e.Balances(ctx); return err },
				func(ctx context.Context) error {
					_, err := e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListOpen})
					return err
				},
				func(ctx context.Context) error { _, err := e.Fills(ctx, exchange.FillFilter{}); return err },
			}
			var wg sync.WaitGroup
			errs := make(chan error, len(calls))
			for _, call := range calls {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := call(ctxT(t)); err != nil {
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			var arrivals []time.Time
			for _, r := range f.Srv.Requests() {
				arrivals = append(arrivals, r.Time)
			}
			slices.SortFunc(arrivals, func(a, b time.Time) int { return a.Compare(b) })
			rounds := 0
			var start time.Time
			for _, at := range arrivals {
				if rounds == 0 || at.Sub(start) >= latency*9/10 {
					rounds++
					start = at
				}
			}
			if len(arrivals) != len(calls) || rounds != tt.wantRounds {
				t.Errorf("%d requests in %d round trips, want %d in %d (none refused, none retried)", len(arrivals), rounds, len(calls), tt.wantRounds)
			}
		})
	}
}

func TestLocallyRefusedOrdersSendNothing(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	limit := func(qty, price string) trade.OrderRequest {
		return trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec(qty), Price: trade.OptDec(price)}
	}
	with := func(r trade.OrderRequest, fn func(*trade.OrderRequest)) trade.OrderRequest { fn(&r); return r }
	tests := []struct {
		name    string
		req     trade.OrderRequest
		wantErr string
	}{
		{"off the tick", limit("0.001", "60000.05"), "not a multiple of the tick size 0.1"},
		{"off the lot step", limit("0.000000001", "60000"), "step size 0.00000001"},
		{"below ordermin", limit("0.00001", "60000"), "below the minimum 0.00005"},
		{"below costmin", limit("0.0001", "1"), "below the minimum 0.5 USD"},
		{"fok", with(limit("0.001", "60000"), func(r *trade.OrderRequest) { r.TimeInForce = trade.FOK }), "fok"},
		{"day", with(limit("0.001", "60000"), func(r *trade.OrderRequest) { r.TimeInForce = trade.Day }), "day"},
		{"cancel_only pair", trade.OrderRequest{Symbol: trade.MustSymbol("LTC-USD"), Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("1")}, "cancel_only"},
		{"bad client id", with(limit("0.001", "60000"), func(r *trade.OrderRequest) { r.ClientID = "has space" }), "client_id"},
		{"zero qty", limit("0", "60000"), "qty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.PlaceOrder(ctxT(t), tt.req)
			if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("PlaceOrder = %v, want ErrInvalidOrder mentioning %q", err, tt.wantErr)
			}
			err = e.ValidateOrder(ctxT(t), tt.req)
			if !errors.Is(err, exchange.ErrInvalidOrder) {
				t.Errorf("ValidateOrder = %v, want ErrInvalidOrder", err)
			}
		})
	}
	if got := f.Srv.Count(pathAddOrder); got != 0 {
		t.Errorf("AddOrder requests = %d, want 0", got)
	}
	_, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: trade.MustSymbol("NOPE-USD"), Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("1")})
	if !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("PlaceOrder(unknown symbol) = %v, want ErrNotFound", err)
	}
}

func TestPlaceOrderAlwaysSendsClientID(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	o, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(o.ClientID, "tctl-") || len(o.ClientID) != 18 {
		t.Errorf("generated client id %q, want tctl- and 13 hex digits", o.ClientID)
	}
	var body string
	for _, r := range f.Srv.Requests() {
		if r.Path == pathAddOrder {
			body = r.Body
		}
	}
	if !strings.Contains(body, "&cl_ord_id="+o.ClientID) {
		t.Errorf("AddOrder body %q does not carry cl_ord_id %s", body, o.ClientID)
	}
	// A market order is read back: the trader is owed its fill.
	d := trade.Dec
	got := []string{string(o.Status), o.FilledQty.String(), o.AvgFillPrice.Decimal.String(), o.FeeAsset, fmt.Sprint(o.Fee.IsPositive())}
	want := []string{"filled", d("0.001").String(), "60000.1", "USD", "true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("market buy (-want +got):\n%s", diff)
	}
}

// TestUnknownOutcomeThenFoundByClientID: the order reaches Kraken but the
// answer does not reach us. The error names the client id, and looking
// that up — also from another Exchange, as another process would — finds
// the order under the id the caller chose.
func TestUnknownOutcomeThenFoundByClientID(t *testing.T) {
	tests := []struct {
		name     string
		inject   func(*fakekraken.Server)
		clientID string
	}{
		{"5xx after accept", func(s *fakekraken.Server) { s.FailNextOrderAfterAccept(http.StatusBadGateway) }, "uo-5xx"},
		{"dropped connection", (*fakekraken.Server).DropNextOrderAfterAccept, "uo-drop"},
		{"internal error answer", func(s *fakekraken.Server) {
			s.Inject(fakekraken.Failure{Path: pathAddOrder, Mode: fakevenue.AfterAccept, Status: http.StatusOK, Body: `{"error":["EGeneral:Internal error"]}`})
		}, "uo-internal"},
		{"undecodable answer", func(s *fakekraken.Server) {
			s.Inject(fakekraken.Failure{Path: pathAddOrder, Mode: fakevenue.AfterAccept, Status: http.StatusOK, Body: `{"error":[],"result":{"txid":`})
		}, "uo-garbled"},
		{"long client id", (*fakekraken.Server).DropNextOrderAfterAccept, "a-client-id-longer-than-eighteen:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t)
			e := f.Open(t, nil)
			tt.inject(f.Srv)
			req := restingBuy(tt.clientID)
			_, err := e.PlaceOrder(ctxT(t), req)
			var xe *exchange.Error
			if !errors.As(err, &xe) || xe.Kind != exchange.ErrUnknownOutcome || xe.ClientID != tt.clientID {
				t.Fatalf("PlaceOrder = %v, want ErrUnknownOutcome with client id %s", err, tt.clientID)
			}
			if n := f.Srv.OrdersPlaced(); n != 1 {
				t.Fatalf("orders placed = %d, want 1", n)
			}
			other := f.Open(t, nil)
			for i, ex := range []*Exchange{e, other} {
				got, err := ex.GetOrder(ctxT(t), exchange.OrderRef{ClientID: tt.clientID})
				if err != nil {
					t.Fatalf("exchange %d: GetOrder(client id): %v", i, err)
				}
				if got.ClientID != tt.clientID || got.Status != trade.StatusOpen || !got.Price.Decimal.Equal(req.Price.Decimal) {
					t.Errorf("exchange %d: found %+v", i, got)
				}
				list, err := ex.ListOrders(ctxT(t), exchange.ListFilter{Scope: exchange.ListOpen})
				if err != nil || len(list) != 1 || list[0].ClientID != tt.clientID {
					t.Errorf("exchange %d: open orders %+v, %v; want one with client id %s", i, list, err, tt.clientID)
				}
			}
		})
	}
}

func TestHangingPlacementIsUnknownOutcome(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	if _, err := e.Instruments(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	f.Srv.Inject(fakekraken.Failure{Path: pathAddOrder, Mode: fakevenue.Hang})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := e.PlaceOrder(ctx, restingBuy("uo-hang"))
	var xe *exchange.Error
	if !errors.As(err, &xe) || xe.Kind != exchange.ErrUnknownOutcome || xe.ClientID != "uo-hang" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("PlaceOrder on a hanging venue = %v, want ErrUnknownOutcome with the client id, caused by the deadline", err)
	}
}

func TestValidateOrderPlacesNothing(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	req := restingBuy("dry-1")
	if err := e.ValidateOrder(ctxT(t), req); err != nil {
		t.Fatal(err)
	}
	last := f.Srv.LastRequest()
	if last.Path != pathAddOrder || !strings.HasSuffix(last.Body, "&cl_ord_id=dry-1&validate=true") {
		t.Errorf("last request %s %q, want AddOrder with validate=true", last.Path, last.Body)
	}
	if n := f.Srv.OrdersPlaced(); n != 0 {
		t.Errorf("orders placed = %d, want 0", n)
	}
	f.Srv.ErrorNext(pathAddOrder, "EOrder:Insufficient funds")
	if err := e.ValidateOrder(ctxT(t), req); !errors.Is(err, exchange.ErrInsufficientFunds) {
		t.Errorf("ValidateOrder refused by the venue = %v, want ErrInsufficientFunds", err)
	}
}

func TestPostOnlyThatWouldTake(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	req := trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.001"), Price: trade.OptDec("60000.1"),
		PostOnly: true, ClientID: "post-1"}
	_, err := e.PlaceOrder(ctxT(t), req)
	if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), "post-only") {
		t.Fatalf("PlaceOrder(post-only at the ask) = %v, want ErrInvalidOrder about post-only", err)
	}
	got, err := e.GetOrder(ctxT(t), exchange.OrderRef{ClientID: "post-1"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != trade.StatusRejected || got.RejectReason != "Post only order" || !got.PostOnly {
		t.Errorf("the canceled post-only order reads back as %s (%q), post-only %v", got.Status, got.RejectReason, got.PostOnly)
	}
	// Below the ask it rests.
	req.Price, req.ClientID = trade.OptDec("59000"), "post-2"
	o, err := e.PlaceOrder(ctxT(t), req)
	if err != nil || o.Status != trade.StatusOpen || !o.PostOnly {
		t.Errorf("post-only below the ask = %+v, %v; want open", o, err)
	}
}

func TestOrderLifecycleStatuses(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	status := func(id string) (trade.Order, string) {
		t.Helper()
		o, err := e.GetOrder(ctx, exchange.OrderRef{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		return o, fmt.Sprintf("%s filled=%s", o.Status, o.FilledQty)
	}

	// Partial fill, then cancel: canceled with what filled.
	a := venuetest.Place(t, ctx, e, restingBuy("life-a"))
	f.Srv.FillPartially(a.ID, trade.Dec("0.0004"))
	if _, got := status(a.ID); got != "partially_filled filled=0.0004" {
		t.Errorf("after a partial fill: %s", got)
	}
	c, err := e.CancelOrder(ctx, exchange.OrderRef{ClientID: "life-a"})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != a.ID || c.Status != trade.StatusCanceled || !c.FilledQty.Equal(trade.Dec("0.0004")) {
		t.Errorf("cancel after a partial fill = %s %s filled %s", c.ID, c.Status, c.FilledQty)
	}

	// Crossed by the market: filled at its limit.
	b := venuetest.Place(t, ctx, e, restingBuy("life-b"))
	f.Srv.SetPrice("XBTUSD", trade.Dec("39999.9"), trade.Dec("40000"), trade.Dec("40000"))
	if o, got := status(b.ID); got != "filled filled=0.001" || !o.AvgFillPrice.Decimal.Equal(trade.Dec("40000")) {
		t.Errorf("after the market crossed: %s at %s", got, o.AvgFillPrice.Decimal)
	}

	// Expired by the venue, and closed with a partial fill (IOC style).
	x := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.001"), Price: trade.OptDec("30000"), ClientID: "life-x"})
	f.Srv.CloseOrder(x.ID, "expired", "")
	if _, got := status(x.ID); got != "expired filled=0" {
		t.Errorf("expired: %s", got)
	}
	y := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.001"), Price: trade.OptDec("30000"), ClientID: "life-y"})
	f.Srv.FillPartially(y.ID, trade.Dec("0.0002"))
	f.Srv.CloseOrder(y.ID, "closed", "")
	if _, got := status(y.ID); got != "canceled filled=0.0002" {
		t.Errorf("closed with a partial fill: %s", got)
	}

	// A stop-limit reads back with its trigger and limit.
	s, err := e.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusd, Side: trade.Sell, Type: trade.StopLimit, Qty: trade.Dec("0.01"),
		StopPrice: trade.OptDec("25000"), Price: trade.OptDec("24900"), TimeInForce: trade.IOC, ClientID: "life-s"})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %s stop=%s limit=%s tif=%s", s.Type, s.Status, s.StopPrice.Decimal, s.Price.Decimal, s.TimeInForce)
	if want := "stop-limit open stop=25000 limit=24900 tif=ioc"; got != want {
		t.Errorf("stop-limit = %s, want %s", got, want)
	}
	if last := f.Srv.Requests()[len(f.Srv.Requests())-1]; last.Path != pathAddOrder ||
		!strings.Contains(last.Body, "ordertype=stop-loss-limit&volume=0.01&price=25000&price2=24900&timeinforce=IOC") {
		t.Errorf("last request %s %q, want the stop-limit AddOrder", last.Path, last.Body)
	}
	// The IOC time in force is known only to the call that placed it.
	if o, _ := status(s.ID); o.TimeInForce != trade.GTC {
		t.Errorf("stop-limit read back tif = %s, want gtc (Kraken does not report it)", o.TimeInForce)
	}
}

func TestListOrdersReadsHistoryPages(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, func(e *Exchange) { e.limiter.max = 1e9 })
	ctx := ctxT(t)
	f.Srv.SetBalance("USD", trade.Dec("10000000"))
	const placed = 70
	for i := 0; i < placed; i++ {
		if _, err := e.PlaceOrder(ctx, restingBuy(fmt.Sprintf("page-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	canceled, err := e.CancelAll(ctx, trade.Symbol{})
	if err != nil || len(canceled) != placed {
		t.Fatalf("CancelAll = %d orders, %v; want %d", len(canceled), err, placed)
	}
	open := venuetest.Place(t, ctx, e, restingBuy("page-open"))
	before := f.Srv.Count(pathClosedOrders)
	all, err := e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListAll})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != placed+1 || all[0].ID != open.ID {
		t.Errorf("ListOrders(all) = %d orders, first %s; want %d, newest (%s) first", len(all), all[0].ID, placed+1, open.ID)
	}
	if got := f.Srv.Count(pathClosedOrders) - before; got != 2 {
		t.Errorf("ClosedOrders pages read = %d, want 2", got)
	}
	before = f.Srv.Count(pathClosedOrders)
	some, err := e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListAll, Limit: 5})
	if err != nil || len(some) != 5 {
		t.Errorf("ListOrders(limit 5) = %d, %v", len(some), err)
	}
	if got := f.Srv.Count(pathClosedOrders) - before; got != 1 {
		t.Errorf("ClosedOrders pages for limit 5 = %d, want 1", got)
	}
	before = f.Srv.Count(pathClosedOrders)
	working, err := e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListAll, Statuses: []trade.OrderStatus{trade.StatusOpen}})
	if err != nil || len(working) != 1 {
		t.Errorf("ListOrders(status open) = %d, %v", len(working), err)
	}
	if got := f.Srv.Count(pathClosedOrders) - before; got != 0 {
		t.Errorf("ClosedOrders pages for working statuses = %d, want 0", got)
	}
}

func TestRateLimitAnswers(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	f.Srv.CounterLimitNext()
	_, err := e.Balances(ctxT(t))
	if d, ok := exchange.RetryAfter(err); !errors.Is(err, exchange.ErrRateLimited) || !ok || d != 3*time.Second {
		t.Fatalf("Balances after EAPI:Rate limit exceeded = %v (retry after %s), want ErrRateLimited after 3s", err, d)
	}

	g := adapter.Fixture(t)
	e = g.Open(t, nil)
	g.Srv.RateLimitNext(30 * time.Second)
	if _, err := e.Balances(ctxT(t)); !errors.Is(err, exchange.ErrRateLimited) {
		t.Fatalf("Balances after EService:Throttled = %v", err)
	}
	sent := g.Srv.Count(pathBalanceEx)
	_, err = e.Balances(ctxT(t))
	if d, _ := exchange.RetryAfter(err); !errors.Is(err, exchange.ErrRateLimited) || d < 28*time.Second || !strings.Contains(err.Error(), "nothing was sent") {
		t.Errorf("Balances while throttled = %v (retry after %s), want a local refusal", err, d)
	}
	if got := g.Srv.Count(pathBalanceEx); got != sent {
		t.Errorf("BalanceEx requests while throttled: %d new, want 0", got-sent)
	}
}

func TestCancelErrors(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	tests := []struct {
		ref  exchange.OrderRef
		want error
	}{
		{exchange.OrderRef{ID: "OAAAAA-BBBBB-CCCCCC"}, exchange.ErrNotFound},
		{exchange.OrderRef{ClientID: "never-placed"}, exchange.ErrNotFound},
		{exchange.OrderRef{ID: "12345"}, exchange.ErrInvalidOrder},
		{exchange.OrderRef{}, exchange.ErrInvalidOrder},
	}
	for _, tt := range tests {
		if _, err := e.CancelOrder(ctxT(t), tt.ref); !errors.Is(err, tt.want) {
			t.Errorf("CancelOrder(%+v) = %v, want %v", tt.ref, err, tt.want)
		}
		if _, err := e.GetOrder(ctxT(t), tt.ref); !errors.Is(err, tt.want) {
			t.Errorf("GetOrder(%+v) = %v, want %v", tt.ref, err, tt.want)
		}
	}
}

func TestClosedOrderFoundByClientIDAndSymbol(t *testing.T) {
	_, e, ctx := adapter.Start(t)
	// The same client id, reused after the first order finished, on two
	// pairs: the symbol picks the right one, without it the newest wins.
	first := venuetest.Place(t, ctx, e, restingBuy("reused"))
	if _, err := e.CancelOrder(ctx, exchange.OrderRef{ID: first.ID}); err != nil {
		t.Fatal(err)
	}
	second := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: ethusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.01"), Price: trade.OptDec("2000"), ClientID: "reused"})
	if _, err := e.CancelOrder(ctx, exchange.OrderRef{ID: second.ID}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for name, ref := range map[string]exchange.OrderRef{
		"btc": {ClientID: "reused", Symbol: btcusd}, "eth": {ClientID: "reused", Symbol: ethusd}, "any": {ClientID: "reused"},
	} {
		o, err := e.GetOrder(ctx, ref)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[name] = o.ID
	}
	if diff := cmp.Diff(map[string]string{"btc": first.ID, "eth": second.ID, "any": second.ID}, got); diff != "" {
		t.Errorf("found (-want +got):\n%s", diff)
	}
}

func TestCancelAllReportsPerSymbol(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	b1, _ := e.PlaceOrder(ctx, restingBuy("ca-1"))
	b2, _ := e.PlaceOrder(ctx, restingBuy("ca-2"))
	eth := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: ethusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.01"), Price: trade.OptDec("2000"), ClientID: "ca-3"})
	got, err := e.CancelAll(ctx, btcusd)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]trade.OrderStatus{}
	for _, o := range got {
		ids[o.ID] = o.Status
	}
	if diff := cmp.Diff(map[string]trade.OrderStatus{b1.ID: trade.StatusCanceled, b2.ID: trade.StatusCanceled}, ids); diff != "" {
		t.Errorf("CancelAll(BTC-USD) (-want +got):\n%s", diff)
	}
	if f.Srv.Count(pathCancelAll) != 0 {
		t.Error("CancelAll with a symbol used Kraken's CancelAll, which has no pair filter")
	}
	if o, err := e.GetOrder(ctx, exchange.OrderRef{ID: eth.ID}); err != nil || o.Status != trade.StatusOpen {
		t.Errorf("ETH-USD order after CancelAll(BTC-USD) = %s, %v", o.Status, err)
	}
	if got, err := e.CancelAll(ctx, btcusd); err != nil || len(got) != 0 {
		t.Errorf("CancelAll with nothing open = %v, %v", got, err)
	}
}

func TestBalancesShowHolds(t *testing.T) {
	_, e, ctx := adapter.Start(t)
	if _, err := e.PlaceOrder(ctx, restingBuy("hold-1")); err != nil {
		t.Fatal(err)
	}
	bs, err := e.Balances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, b := range bs {
		got[b.Asset] = b.Free.String() + "/" + b.Locked.String()
	}
	// 0.001 × 40000 = 40 USD, held with the taker fee (0.26%) on top.
	want := map[string]string{"USD": "99959.896/40.104", "BTC": "1/0", "ETH": "10/0", "SOL": "100/0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("balances free/locked (-want +got):\n%s", diff)
	}
}

// TestSecretsStayOutOfLogsAndErrors runs failing and succeeding calls with
// debug logging on and looks for the key, the secret and any signature in
// everything the adapter said.
func TestSecretsStayOutOfLogsAndErrors(t *testing.T) {
	f := adapter.Fixture(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	p := f.Params(nil)
	p.Logger = slog.New(slog.NewTextHandler(lockedWriter{&logs, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e, err := New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	note := func(err error) {
		if err != nil {
			said = append(said, err.Error())
		}
	}
	f.Srv.ErrorNext(pathBalanceEx, "EAPI:Invalid nonce")
	_, err = e.Balances(ctxT(t))
	note(err)
	f.Srv.FailNextOrderAfterAccept(http.StatusBadGateway)
	_, err = e.PlaceOrder(ctxT(t), restingBuy("s-1"))
	note(err)
	f.Srv.ErrorNext("", "EAPI:Invalid signature")
	_, err = e.Balances(ctxT(t))
	note(err)
	mu.Lock()
	said = append(said, logs.String())
	mu.Unlock()
	all := strings.Join(said, "\n")
	if !strings.Contains(all, "retrying once") {
		t.Errorf("expected the nonce retry to be logged; got %q", all)
	}
	for _, r := range f.Srv.Requests() {
		if r.APISign && strings.Contains(all, "API-Sign") {
			t.Errorf("output mentions API-Sign")
		}
	}
	for _, secret := range []string{f.Creds.Key, f.Creds.Secret} {
		if strings.Contains(all, secret) {
			t.Errorf("a credential appears in errors or logs:\n%s", all)
		}
	}
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func TestConformance(t *testing.T) {
	// Pages of two trades instead of Kraken's 50, so the fill-history
	// property's few fills cross a page boundary.
	venuetest.RunConformance(t, adapter, btcusd, func(h *exchangetest.Harness) {
		h.CandleSlots = 700 // OHLC keeps the latest 720 entries only
	}, fakekraken.WithTradesPageSize(2))
}

// TestTraceSigned: at -v a signed call is one debug line with its method,
// path and status, and without the key, secret, nonce or signed body.
func TestTraceSigned(t *testing.T) {
	f := adapter.Fixture(t)
	f.CheckSignedTrace(t, "POST", pathBalanceEx,
		[]string{f.Creds.Key, f.Creds.Secret, "nonce", "API-Sign", "query="})
}

// TestOneRequestPerPlaceAndCancel: what each placement and cancel sends,
// and what it reports from Kraken's answer. AddOrder answers with a txid
// and CancelOrder with a count, so the order is built from the answer and
// what was asked; only a post-only placement is read back (Kraken may
// cancel it on arrival), and a cancel by client id reads the order back to
// learn its txid.
func TestOneRequestPerPlaceAndCancel(t *testing.T) {
	summary := func(o trade.Order) string {
		return fmt.Sprintf("%t %s %s %s %s qty=%s filled=%s price=%s client=%s", o.ID != "", o.Symbol, o.Side, o.Type, o.Status,
			o.Qty, o.FilledQty, priceText(o.Price), o.ClientID)
	}
	tests := []struct {
		name string
		// act runs against a fresh account; setup's requests are not counted.
		setup func(t *testing.T, e *Exchange) trade.Order
		act   func(t *testing.T, e *Exchange, placed trade.Order) (trade.Order, error)
		want  []string
		// wantOrder is summary of the result.
		wantOrder string
	}{
		{
			name: "limit order",
			act: func(t *testing.T, e *Exchange, _ trade.Order) (trade.Order, error) {
				return e.PlaceOrder(ctxT(t), restingBuy("rt-limit"))
			},
			want:      []string{pathAddOrder},
			wantOrder: "true BTC-USD buy limit open qty=0.001 filled=0 price=40000 client=rt-limit",
		},
		{
			name: "market order: read back for its fill",
			act: func(t *testing.T, e *Exchange, _ trade.Order) (trade.Order, error) {
				return e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001"), ClientID: "rt-market"})
			},
			want:      []string{pathAddOrder, pathQueryOrders},
			wantOrder: "true BTC-USD buy market filled qty=0.001 filled=0.001 price=- client=rt-market",
		},
		{
			name: "IOC limit through the ask: read back, never shown open",
			act: func(t *testing.T, e *Exchange, _ trade.Order) (trade.Order, error) {
				req := restingBuy("rt-ioc-fill")
				req.Price, req.TimeInForce = trade.OptDec("70000"), trade.IOC
				return e.PlaceOrder(ctxT(t), req)
			},
			want:      []string{pathAddOrder, pathQueryOrders},
			wantOrder: "true BTC-USD buy limit filled qty=0.001 filled=0.001 price=70000 client=rt-ioc-fill",
		},
		{
			name: "IOC limit below the ask: read back, never shown open",
			act: func(t *testing.T, e *Exchange, _ trade.Order) (trade.Order, error) {
				req := restingBuy("rt-ioc-none")
				req.TimeInForce = trade.IOC
				return e.PlaceOrder(ctxT(t), req)
			},
			want:      []string{pathAddOrder, pathQueryOrders},
			wantOrder: "true BTC-USD buy limit canceled qty=0.001 filled=0 price=40000 client=rt-ioc-none",
		},
		{
			name: "post-only order: read back",
			act: func(t *testing.T, e *Exchange, _ trade.Order) (trade.Order, error) {
				req := restingBuy("rt-post")
				req.PostOnly = true
				return e.PlaceOrder(ctxT(t), req)
			},
			want:      []string{pathAddOrder, pathQueryOrders},
			wantOrder: "true BTC-USD buy limit open qty=0.001 filled=0 price=40000 client=rt-post",
		},
		{
			name: "cancel by txid: read back for what filled before it",
			setup: func(t *testing.T, e *Exchange) trade.Order {
				return venuetest.Place(t, ctxT(t), e, restingBuy("rt-cancel"))
			},
			act: func(t *testing.T, e *Exchange, placed trade.Order) (trade.Order, error) {
				return e.CancelOrder(ctxT(t), exchange.OrderRef{ID: placed.ID})
			},
			want:      []string{pathCancelOrder, pathQueryOrders},
			wantOrder: "true BTC-USD buy limit canceled qty=0.001 filled=0 price=40000 client=rt-cancel",
		},
		{
			name: "cancel by client id: read back from the closed orders",
			setup: func(t *testing.T, e *Exchange) trade.Order {
				return venuetest.Place(t, ctxT(t), e, restingBuy("rt-cancel-cid"))
			},
			act: func(t *testing.T, e *Exchange, _ trade.Order) (trade.Order, error) {
				return e.CancelOrder(ctxT(t), exchange.OrderRef{ClientID: "rt-cancel-cid"})
			},
			want:      []string{pathCancelOrder, pathClosedOrders},
			wantOrder: "true BTC-USD buy limit canceled qty=0.001 filled=0 price=40000 client=rt-cancel-cid",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t)
			e := f.Open(t, nil)
			// The pair's rules are cached, as after any earlier command.
			if _, err := e.Instruments(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			var placed trade.Order
			if tt.setup != nil {
				placed = tt.setup(t, e)
			}
			before := len(f.Srv.Requests())
			o, err := tt.act(t, e, placed)
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, r := range f.Srv.Requests()[before:] {
				paths = append(paths, r.Path)
			}
			if diff := cmp.Diff(tt.want, paths); diff != "" {
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

func priceText(p decimal.NullDecimal) string {
	if !p.Valid {
		return "-"
	}
	return p.Decimal.String()
}
