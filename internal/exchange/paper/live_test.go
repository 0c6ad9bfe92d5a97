package paper

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/alpaca"
	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/coinbase"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/kraken"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/trade"
)

// The venues the factory wires in, as the tests see them.
func allSources() Option {
	return WithPriceSources(binance.Venue(), coinbase.Venue(), kraken.Venue(), alpaca.Venue())
}

var btcusdt = trade.Symbol{Base: "BTC", Quote: "USDT"}

// logBuffer collects the exchange's log lines for tests that look for a
// warning.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// live is a paper account priced by a fake binance.
type live struct {
	e     *Exchange
	srv   *fakebinance.Server
	clock *clock
	log   *logBuffer
	p     exchange.Params
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// binanceParams are a paper profile priced by srv, plus opts.
func binanceParams(t testing.TB, srv *fakebinance.Server, c *clock, log *logBuffer, opts map[string]any) exchange.Params {
	t.Helper()
	all := map[string]any{
		KeyPriceSource:        "binance",
		KeyPriceSourceURL:     srv.URL(),
		KeyPriceSourceOptions: map[string]any{"ws_url": srv.WSURL()},
	}
	for k, v := range opts {
		all[k] = v
	}
	p := testParams(t, c, all)
	p.HTTPClient = srv.Client()
	p.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return p
}

func newLive(t testing.TB, opts map[string]any) *live {
	t.Helper()
	srv := fakebinance.New("k-"+randomHex(t, 8), "s-"+randomHex(t, 8))
	t.Cleanup(srv.Close)
	l := &live{srv: srv, clock: newClock(t0), log: &logBuffer{}}
	l.p = binanceParams(t, srv, l.clock, l.log, opts)
	l.e = l.open(t)
	return l
}

func (l *live) open(t testing.TB) *Exchange {
	t.Helper()
	e, err := New(context.Background(), l.p, allSources())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// setBook moves the fake venue's BTCUSDT top of book.
func (l *live) setBook(bid, ask string) { l.srv.SetBook("BTCUSDT", dec(bid), dec(ask)) }

// stored reads an order straight from the database, so that reading it
// checks nothing against the market.
func stored(t testing.TB, e *Exchange, id string) *orderRow {
	t.Helper()
	o, err := scanOrder(e.db.QueryRow("SELECT "+orderColumns+" FROM orders WHERE id = ?", id))
	if err != nil {
		t.Fatalf("order %s: %v", id, err)
	}
	return o
}

func limitOn(sym trade.Symbol, side trade.Side, qty, price string) trade.OrderRequest {
	return limit(sym, side, qty, dec(price), trade.GTC)
}

func stopReq(sym trade.Symbol, side trade.Side, qty, stop, price string) trade.OrderRequest {
	r := trade.OrderRequest{Symbol: sym, Side: side, Type: trade.Stop, Qty: dec(qty), StopPrice: decimal.NewNullDecimal(dec(stop))}
	if price != "" {
		r.Type, r.Price, r.TimeInForce = trade.StopLimit, decimal.NewNullDecimal(dec(price)), trade.GTC
	}
	return r
}

func TestLiveOptions(t *testing.T) {
	srv := fakebinance.New("k", "s")
	defer srv.Close()
	tests := []struct {
		name    string
		opts    map[string]any
		sources []Option
		wantErr string
	}{
		{"unknown venue", map[string]any{KeyPriceSource: "nasdaq"}, []Option{allSources()}, `"nasdaq" is not a venue the paper exchange can take prices from (known: alpaca, binance, coinbase, kraken)`},
		{"no venues wired", map[string]any{KeyPriceSource: "binance"}, nil, "known: none in this build"},
		{"url without a source", map[string]any{KeyPriceSourceURL: srv.URL()}, []Option{allSources()}, "set price_source too"},
		{"options without a source", map[string]any{KeyPriceSourceOptions: map[string]any{"ws_url": srv.WSURL()}}, []Option{allSources()}, "set price_source too"},
		{"seed with a source", map[string]any{KeyPriceSource: "binance", KeySeed: 7}, []Option{allSources()}, "seed applies to simulated prices only"},
		{"option the venue does not read", map[string]any{KeyPriceSource: "kraken", KeyPriceSourceOptions: map[string]any{"recv_window": 5000}}, []Option{allSources()}, `kraken reads no key "recv_window"`},
		{"options not a map", map[string]any{KeyPriceSource: "binance", KeyPriceSourceOptions: "ws_url=x"}, []Option{allSources()}, "must be a map"},
		{"base url twice", map[string]any{KeyPriceSource: "binance", KeyPriceSourceURL: srv.URL(), KeyPriceSourceOptions: map[string]any{"base_url": srv.URL()}}, []Option{allSources()}, "set twice"},
		{"bad url", map[string]any{KeyPriceSource: "binance", KeyPriceSourceURL: "not a url"}, []Option{allSources()}, "price source binance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testParams(t, newClock(t0), tt.opts)
			e, err := New(context.Background(), p, tt.sources...)
			if err == nil {
				e.Close()
				t.Fatalf("New succeeded, want an error mentioning %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New = %q, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestLiveVenueWiresSources(t *testing.T) {
	srv := fakebinance.New("k", "s")
	defer srv.Close()
	reg := exchange.NewRegistry(Venue(allSources()))
	p := binanceParams(t, srv, newClock(t0), &logBuffer{}, nil)
	for _, k := range []string{KeyPriceSource, KeyPriceSourceURL, KeyPriceSourceOptions} {
		if !reg.AllowsKey(Name, k) {
			t.Errorf("the paper venue does not list key %s", k)
		}
	}
	ex, err := reg.Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	pe, ok := ex.(*Exchange)
	if !ok || pe.PriceSource() != "binance" || pe.Name() != Name || pe.Market() != nil {
		t.Fatalf("opened %T, price source %q", ex, pe.PriceSource())
	}
}

// The instruments are the source venue's own, so are the symbols an
// order names; the default account holds the venue's usual quote asset.
func TestLiveInstrumentsAndStartingBalance(t *testing.T) {
	l := newLive(t, nil)
	got, err := l.e.Instruments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	direct, err := binance.New(context.Background(), exchange.Params{Profile: "direct", Options: map[string]any{"base_url": l.srv.URL()}, HTTPClient: l.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	want, err := direct.Instruments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
		t.Errorf("instruments (-binance +paper):\n%s", diff)
	}
	if _, err := exchange.FindInstrument(context.Background(), l.e, btc); !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("the simulated BTC-USD on a binance-priced account: %v, want ErrNotFound", err)
	}
	wantBalances(t, l.e, map[string][2]decimal.Decimal{"USDT": {dec("100000"), decimal.Zero}})

	place(t, l.e, market(btcusdt, trade.Buy, "0.01"))
	if err := l.e.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantBalances(t, l.e, map[string][2]decimal.Decimal{"USDT": {dec("100000"), decimal.Zero}})

	configured := newLive(t, map[string]any{KeyStartingBalances: "USDT=500,BTC=1"})
	wantBalances(t, configured.e, map[string][2]decimal.Decimal{"USDT": {dec("500"), decimal.Zero}, "BTC": {dec("1"), decimal.Zero}})
}

func TestMostCommonQuote(t *testing.T) {
	in := func(quote string) trade.Instrument { return trade.Instrument{QuoteAsset: quote} }
	tests := []struct {
		name string
		ins  []trade.Instrument
		want string
	}{
		{"majority", []trade.Instrument{in("USDT"), in("BTC"), in("USDT")}, "USDT"},
		{"tie goes to the first name", []trade.Instrument{in("USD"), in("EUR")}, "EUR"},
		{"stocks", []trade.Instrument{in("USD"), in("")}, "USD"},
		{"nothing to go by", nil, "USD"},
	}
	for _, tt := range tests {
		if got := mostCommonQuote(tt.ins); got != tt.want {
			t.Errorf("%s: mostCommonQuote = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// A market buy fills at the venue's ask and moves the paper account, never
// the venue's.
func TestLiveMarketOrdersFillAtTheTouch(t *testing.T) {
	l := newLive(t, nil)
	buy := place(t, l.e, market(btcusdt, trade.Buy, "0.01"))
	if buy.Status != trade.StatusFilled || !buy.AvgFillPrice.Decimal.Equal(dec("60000.01")) || !buy.Fee.Equal(dec("0.6000001")) || buy.FeeAsset != "USDT" {
		t.Errorf("market buy = %s at %s, fee %s %s; want filled at the ask 60000.01, fee 0.6000001 USDT", buy.Status, buy.AvgFillPrice.Decimal, buy.Fee, buy.FeeAsset)
	}
	wantBalances(t, l.e, map[string][2]decimal.Decimal{
		"USDT": {dec("99399.3998999"), decimal.Zero},
		"BTC":  {dec("0.01"), decimal.Zero},
	})
	l.setBook("61000", "61000.5")
	sell := place(t, l.e, market(btcusdt, trade.Sell, "0.004"))
	if !sell.AvgFillPrice.Decimal.Equal(dec("61000")) {
		t.Errorf("market sell filled at %s, want the bid 61000", sell.AvgFillPrice.Decimal)
	}
	fs := fills(t, l.e, exchange.FillFilter{})
	if len(fs) != 2 || fs[0].Liquidity != trade.Taker || !fs[0].Time.Equal(t0) {
		t.Errorf("fills %+v: want two taker fills at the clock's time", fs)
	}
	if free, locked := l.srv.Balance("USDT"); !free.Equal(dec("100000")) || !locked.IsZero() || l.srv.OrdersPlaced() != 0 {
		t.Errorf("the venue's account changed: USDT %s/%s, %d orders placed", free, locked, l.srv.OrdersPlaced())
	}
	checkBooks(t, l.e)

	// Everything else the engine checks still holds.
	_, err := l.e.PlaceOrder(context.Background(), market(btcusdt, trade.Sell, "1"))
	wantKind(t, err, exchange.ErrInsufficientFunds, "BTC")
	_, err = l.e.PlaceOrder(context.Background(), limitOn(btcusdt, trade.Buy, "0.001", "61000.5"))
	if err != nil {
		t.Fatal(err)
	}
	post := limitOn(btcusdt, trade.Buy, "0.001", "61000.5")
	post.PostOnly = true
	_, err = l.e.PlaceOrder(context.Background(), post)
	wantKind(t, err, exchange.ErrInvalidOrder, "post-only")
	_, err = l.e.PlaceOrder(context.Background(), limitOn(btcusdt, trade.Buy, "0.001", "50000.001"))
	wantKind(t, err, exchange.ErrInvalidOrder, "tick size 0.01")
	_, err = l.e.PlaceOrder(context.Background(), market(trade.Symbol{Base: "DOGE", Quote: "USDT"}, trade.Buy, "1"))
	wantKind(t, err, exchange.ErrNotFound, "DOGE-USDT", "binance")
}

func TestLiveIOCAndFOK(t *testing.T) {
	tests := []struct {
		name       string
		tif        trade.TimeInForce
		price      string
		wantStatus trade.OrderStatus
		wantFilled string
	}{
		{"IOC through the ask fills at the ask", trade.IOC, "60001", trade.StatusFilled, "0.01"},
		{"IOC below the ask expires", trade.IOC, "59000", trade.StatusExpired, "0"},
		{"FOK through the ask fills", trade.FOK, "60000.01", trade.StatusFilled, "0.01"},
		{"FOK below the ask expires", trade.FOK, "60000", trade.StatusExpired, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLive(t, nil)
			o := place(t, l.e, limit(btcusdt, trade.Buy, "0.01", dec(tt.price), tt.tif))
			if o.Status != tt.wantStatus || !o.FilledQty.Equal(dec(tt.wantFilled)) {
				t.Errorf("%s limit %s = %s with %s filled, want %s with %s", tt.tif, tt.price, o.Status, o.FilledQty, tt.wantStatus, tt.wantFilled)
			}
			if o.FilledQty.IsPositive() && !o.AvgFillPrice.Decimal.Equal(dec("60000.01")) {
				t.Errorf("filled at %s, want the ask", o.AvgFillPrice.Decimal)
			}
			checkBooks(t, l.e)
		})
	}
}

// A resting limit fills, as maker at its own price, when a call observes
// the venue's price across it.
func TestLiveRestingLimitFillsWhenObserved(t *testing.T) {
	l := newLive(t, nil)
	o := place(t, l.e, limitOn(btcusdt, trade.Buy, "0.01", "59000"))
	if o.Status != trade.StatusOpen {
		t.Fatalf("limit below the ask: %s, want open", o.Status)
	}
	wantBalances(t, l.e, map[string][2]decimal.Decimal{"USDT": {dec("99409.41"), dec("590.59")}})

	l.setBook("58990", "58995")
	l.clock.Add(time.Minute)
	got := get(t, l.e, o.ID)
	if got.Status != trade.StatusFilled || !got.AvgFillPrice.Decimal.Equal(dec("59000")) || !got.Fee.Equal(dec("0.59")) {
		t.Errorf("after the ask fell to 58995: %s at %s fee %s, want filled at 59000 with fee 0.59", got.Status, got.AvgFillPrice.Decimal, got.Fee)
	}
	fs := fills(t, l.e, exchange.FillFilter{})
	if len(fs) != 1 || fs[0].Liquidity != trade.Maker || !fs[0].Time.Equal(t0.Add(time.Minute)) {
		t.Errorf("fills %+v: want one maker fill at the time it was observed", fs)
	}
	wantBalances(t, l.e, map[string][2]decimal.Decimal{"USDT": {dec("99409.41"), decimal.Zero}, "BTC": {dec("0.01"), decimal.Zero}})
	checkBooks(t, l.e)
}

// No history: a crossing that came and went while nothing ran is not seen.
func TestLiveCrossingNobodySawDoesNotFill(t *testing.T) {
	l := newLive(t, nil)
	o := place(t, l.e, limitOn(btcusdt, trade.Buy, "0.01", "59000"))
	l.setBook("58990", "58995")
	l.setBook("60000", "60000.01")
	if got := get(t, l.e, o.ID); got.Status != trade.StatusOpen {
		t.Errorf("a limit crossed and left while nothing ran: %s, want open", got.Status)
	}
	checkBooks(t, l.e)
}

// Every call that uses the account checks the resting orders first, and
// so does asking for a quote.
func TestLiveEveryCallChecks(t *testing.T) {
	ctx := context.Background()
	eth := trade.Symbol{Base: "ETH", Quote: "USDT"}
	// other is a working order on another symbol, for the calls that need
	// an order to act on.
	calls := map[string]func(l *live, other string) error{
		"Balances": func(l *live, _ string) error { _, err := l.e.Balances(ctx); return err },
		"ListOrders": func(l *live, _ string) error {
			_, err := l.e.ListOrders(ctx, exchange.ListFilter{Symbol: eth})
			return err
		},
		"GetOrder": func(l *live, other string) error {
			_, err := l.e.GetOrder(ctx, exchange.OrderRef{ID: other})
			return err
		},
		"CancelOrder": func(l *live, other string) error {
			_, err := l.e.CancelOrder(ctx, exchange.OrderRef{ID: other})
			return err
		},
		"Fills":     func(l *live, _ string) error { _, err := l.e.Fills(ctx, exchange.FillFilter{}); return err },
		"Positions": func(l *live, _ string) error { _, err := l.e.Positions(ctx); return err },
		"CancelAll": func(l *live, _ string) error { _, err := l.e.CancelAll(ctx, eth); return err },
		"Quotes":    func(l *live, _ string) error { _, err := l.e.Quotes(ctx, []trade.Symbol{eth}); return err },
		"PlaceOrder": func(l *live, _ string) error {
			_, err := l.e.PlaceOrder(ctx, market(eth, trade.Buy, "0.01"))
			return err
		},
		"ValidateOrder is a dry run": func(l *live, _ string) error {
			return l.e.ValidateOrder(ctx, market(eth, trade.Buy, "0.01"))
		},
		"another process": func(l *live, _ string) error {
			other, err := New(ctx, l.p, allSources())
			if err != nil {
				return err
			}
			defer other.Close()
			_, err = other.ListOrders(ctx, exchange.ListFilter{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			l := newLive(t, nil)
			o := place(t, l.e, limitOn(btcusdt, trade.Buy, "0.01", "59000"))
			other := place(t, l.e, limitOn(eth, trade.Buy, "0.01", "2000"))
			l.setBook("58990", "58995")
			if st := stored(t, l.e, o.ID).status; st != trade.StatusOpen {
				t.Fatalf("filled before any call: %s", st)
			}
			if err := call(l, other.ID); err != nil {
				t.Fatal(err)
			}
			want := trade.StatusFilled
			if strings.HasPrefix(name, "ValidateOrder") {
				want = trade.StatusOpen
			}
			if st := stored(t, l.e, o.ID).status; st != want {
				t.Errorf("after %s the crossed limit is %s, want %s", name, st, want)
			}
			checkBooks(t, l.e)
		})
	}
}

// Stops trigger on the observed touch and become market (or limit) orders
// against it; a stop-limit whose limit the touch has passed rests, and
// fills at its limit later.
func TestLiveStops(t *testing.T) {
	l := newLive(t, map[string]any{KeyStartingBalances: map[string]any{"USDT": 100000, "BTC": 1}})
	sellStop := place(t, l.e, stopReq(btcusdt, trade.Sell, "0.5", "59000", ""))
	buyStopLimit := place(t, l.e, stopReq(btcusdt, trade.Buy, "0.1", "61000", "61500"))
	resting := place(t, l.e, stopReq(btcusdt, trade.Buy, "0.1", "61000", "61000.5"))
	for _, o := range []trade.Order{sellStop, buyStopLimit, resting} {
		if o.Status != trade.StatusOpen {
			t.Fatalf("stop %s placed %s, want open (untriggered)", o.ID, o.Status)
		}
	}
	checkBooks(t, l.e)

	// The bid reaches the sell stop: it sells at the bid, as taker.
	l.setBook("58999", "59000.5")
	if _, err := l.e.Balances(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := stored(t, l.e, sellStop.ID)
	if got.status != trade.StatusFilled || !got.filledValue.Equal(dec("29499.5")) || !got.triggered {
		t.Errorf("sell stop after the bid fell to 58999: %s, value %s; want filled at 58999", got.status, got.filledValue)
	}
	for _, id := range []string{buyStopLimit.ID, resting.ID} {
		if o := stored(t, l.e, id); o.triggered || o.status != trade.StatusOpen {
			t.Errorf("buy stop %s moved on a falling market: %s triggered=%v", id, o.status, o.triggered)
		}
	}

	// The ask reaches both buy stops: one takes the ask within its limit,
	// the other's limit is below the ask, so it rests.
	l.setBook("61001", "61002")
	if _, err := l.e.ListOrders(context.Background(), exchange.ListFilter{}); err != nil {
		t.Fatal(err)
	}
	if o := stored(t, l.e, buyStopLimit.ID); o.status != trade.StatusFilled || !o.filledValue.Equal(dec("6100.2")) {
		t.Errorf("buy stop-limit 61000/61500 at ask 61002: %s value %s, want filled at 61002", o.status, o.filledValue)
	}
	r := stored(t, l.e, resting.ID)
	if r.status != trade.StatusOpen || !r.triggered || !r.reserved.Equal(dec("0.1").Mul(dec("61000.5")).Mul(dec("1.001"))) {
		t.Errorf("buy stop-limit 61000/61000.5 at ask 61002: %s triggered=%v reserved %s, want resting at its limit", r.status, r.triggered, r.reserved)
	}
	checkBooks(t, l.e)

	// Back down through the limit: it fills at its own price, as maker.
	l.setBook("60000", "60000.01")
	o := get(t, l.e, resting.ID)
	if o.Status != trade.StatusFilled || !o.AvgFillPrice.Decimal.Equal(dec("61000.5")) {
		t.Errorf("triggered stop-limit once the ask fell below its limit: %s at %s, want filled at 61000.5", o.Status, o.AvgFillPrice.Decimal)
	}
	fs := fills(t, l.e, exchange.FillFilter{Limit: 1})
	if len(fs) != 1 || fs[0].Liquidity != trade.Maker {
		t.Errorf("last fill %+v, want maker", fs)
	}
	checkBooks(t, l.e)
}

// A stop already through the market on arrival is refused, as the venue
// itself refuses it ("Stop price would trigger immediately").
func TestLiveStopThroughTheMarket(t *testing.T) {
	l := newLive(t, nil)
	_, err := l.e.PlaceOrder(context.Background(), stopReq(btcusdt, trade.Buy, "0.01", "59000", ""))
	wantKind(t, err, exchange.ErrInvalidOrder, "would trigger immediately", "best ask 60000.01, stop 59000")
	noOrders(t, l.e)
}

// unreachable is a live account whose venue has gone away: it was opened
// (and traded) while the venue was up.
func unreachable(t *testing.T) (*live, trade.Order) {
	t.Helper()
	l := newLive(t, nil)
	o := place(t, l.e, limitOn(btcusdt, trade.Buy, "0.01", "59000"))
	l.srv.Close()
	// The venue's rules are cached for an hour: past that, nothing is
	// known without the network.
	l.clock.Add(2 * time.Hour)
	return l, o
}

// Without the venue no price is invented: whatever needs one fails with
// ErrUnavailable naming the venue and its address.
func TestLiveUnreachableNeedsPrices(t *testing.T) {
	ctx := context.Background()
	l, _ := unreachable(t)
	reason := "takes its prices from binance (" + l.srv.URL() + "), which cannot be reached"
	calls := map[string]func() error{
		"Quotes":        func() error { _, err := l.e.Quotes(ctx, []trade.Symbol{btcusdt}); return err },
		"Instruments":   func() error { _, err := l.e.Instruments(ctx); return err },
		"OrderBook":     func() error { _, err := l.e.OrderBook(ctx, btcusdt, 5); return err },
		"PlaceOrder":    func() error { _, err := l.e.PlaceOrder(ctx, market(btcusdt, trade.Buy, "0.01")); return err },
		"ValidateOrder": func() error { return l.e.ValidateOrder(ctx, market(btcusdt, trade.Buy, "0.01")) },
		// Another process opens the account offline; resetting it needs
		// the venue's quote asset.
		"Reset": func() error { return l.open(t).Reset(ctx) },
		"StreamQuotes": func() error {
			return l.e.StreamQuotes(ctx, []trade.Symbol{btcusdt}, func(trade.Quote) error { return nil })
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantKind(t, call(), exchange.ErrUnavailable, reason)
		})
	}
	all, err := l.e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListAll})
	if err != nil || len(all) != 1 {
		t.Errorf("after the refusals: %d orders (%v), want the one placed before", len(all), err)
	}
	// An order that is invalid on its face says so without the network.
	_, err = l.e.PlaceOrder(ctx, market(btcusdt, trade.Buy, "0"))
	wantKind(t, err, exchange.ErrInvalidOrder)
}

// The account stays readable and cancelable offline; the resting orders
// were not checked, and a warning says so.
func TestLiveUnreachableAccountStaysReadable(t *testing.T) {
	ctx := context.Background()
	l, o := unreachable(t)
	if _, err := l.e.Balances(ctx); err != nil {
		t.Fatalf("Balances offline: %v", err)
	}
	if !strings.Contains(l.log.String(), "resting orders were not checked against the market") || !strings.Contains(l.log.String(), "cannot be reached") {
		t.Errorf("no warning logged; log:\n%s", l.log)
	}
	if got := get(t, l.e, o.ID); got.Status != trade.StatusOpen {
		t.Errorf("offline GetOrder: %s", got.Status)
	}
	if _, err := l.e.Positions(ctx); err != nil {
		t.Errorf("Positions offline: %v", err)
	}
	if _, err := l.e.Fills(ctx, exchange.FillFilter{}); err != nil {
		t.Errorf("Fills offline: %v", err)
	}
	// Another process opens the existing account without the network.
	other := l.open(t)
	c, err := other.CancelOrder(ctx, exchange.OrderRef{ID: o.ID})
	if err != nil || c.Status != trade.StatusCanceled {
		t.Fatalf("cancel offline = %s, %v", c.Status, err)
	}
	wantBalances(t, l.e, map[string][2]decimal.Decimal{"USDT": {dec("100000"), decimal.Zero}})
}

// A new account's default balance needs the venue; a configured one does
// not.
func TestLiveNewAccountOffline(t *testing.T) {
	srv := fakebinance.New("k", "s")
	srv.Close()
	p := binanceParams(t, srv, newClock(t0), &logBuffer{}, nil)
	_, err := New(context.Background(), p, allSources())
	wantKind(t, err, exchange.ErrUnavailable, "cannot be reached", "starting_balances")

	p = binanceParams(t, srv, newClock(t0), &logBuffer{}, map[string]any{KeyStartingBalances: "USDT=1000"})
	e, err := New(context.Background(), p, allSources())
	if err != nil {
		t.Fatalf("New with starting_balances offline: %v", err)
	}
	defer e.Close()
	wantBalances(t, e, map[string][2]decimal.Decimal{"USDT": {dec("1000"), decimal.Zero}})
}

// DAY orders expire at their cut-off even when no price can be read.
func TestLiveDayExpiryOffline(t *testing.T) {
	l := newLive(t, nil)
	o := place(t, l.e, limit(btcusdt, trade.Buy, "0.01", dec("59000"), trade.Day))
	l.srv.Close()
	l.clock.Set(time.Date(2026, 3, 3, 0, 0, 5, 0, time.UTC))
	got := get(t, l.e, o.ID)
	if got.Status != trade.StatusExpired || !got.UpdatedAt.Equal(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("DAY order after midnight offline: %s at %v, want expired at 00:00", got.Status, got.UpdatedAt)
	}
	wantBalances(t, l.e, map[string][2]decimal.Decimal{"USDT": {dec("100000"), decimal.Zero}})
}

// The venue's stream reaches the engine: a quote that crosses a resting
// limit has filled it before the caller sees the quote.
func TestLiveStreamChecksEveryQuote(t *testing.T) {
	l := newLive(t, nil)
	o := place(t, l.e, limitOn(btcusdt, trade.Buy, "0.01", "59000"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	moved := false
	var crossed trade.Quote
	err := l.e.StreamQuotes(ctx, []trade.Symbol{btcusdt}, func(q trade.Quote) error {
		if !moved {
			moved = true
			l.setBook("58990", "58995")
			return nil
		}
		if q.Ask.LessThanOrEqual(dec("59000")) {
			crossed = q
			if st := stored(t, l.e, o.ID).status; st != trade.StatusFilled {
				t.Errorf("quote %s/%s reached the caller with the crossed limit %s", q.Bid, q.Ask, st)
			}
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("StreamQuotes = %v, want the callback's error", err)
	}
	if crossed.Symbol != btcusdt {
		t.Errorf("crossing quote %+v", crossed)
	}
	if l.srv.StreamConnections() == 0 {
		t.Error("the quotes did not come from the venue's stream")
	}
	checkBooks(t, l.e)
}

var errStop = errors.New("stop")

// openWith opens a paper account with every price source wired in.
func openWith(t testing.TB, p exchange.Params) *Exchange {
	t.Helper()
	e, err := New(context.Background(), p, allSources())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// A source without a stream is polled every tick_interval, with the same
// checks.
func TestLiveStreamPollsOtherVenues(t *testing.T) {
	srv := fakekraken.New("k", base64.StdEncoding.EncodeToString([]byte("secret")))
	defer srv.Close()
	p := testParams(t, newClock(t0), map[string]any{KeyPriceSource: "kraken", KeyPriceSourceURL: srv.URL(), KeyTickInterval: "10ms"})
	p.HTTPClient = srv.Client()
	e := openWith(t, p)
	btcusd := trade.Symbol{Base: "BTC", Quote: "USD"}
	o := place(t, e, limitOn(btcusd, trade.Buy, "0.01", "59000"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n := 0
	err := e.StreamQuotes(ctx, []trade.Symbol{btcusd}, func(q trade.Quote) error {
		n++
		if n == 1 {
			srv.SetPrice("XBTUSD", dec("58990"), dec("58995"), dec("58990"))
			return nil
		}
		if q.Ask.LessThanOrEqual(dec("59000")) {
			if st := stored(t, e, o.ID).status; st != trade.StatusFilled {
				t.Errorf("polled quote %s/%s reached the caller with the crossed limit %s", q.Bid, q.Ask, st)
			}
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("StreamQuotes = %v after %d quotes, want the callback's error", err, n)
	}
	checkBooks(t, e)
}

// Each venue prices a paper account the same way: its instruments, its
// touch for market orders, its quote moving resting orders, and a starting
// balance in its usual quote asset.
func TestLiveSources(t *testing.T) {
	type venue struct {
		opts   map[string]any
		client *http.Client
		secret func(context.Context, string) (string, error)
		move   func(bid, ask string)
	}
	tests := []struct {
		name      string
		start     func(t *testing.T) venue
		sym       trade.Symbol
		qty, ask  string
		below     string // a limit price below the bid
		moveBid   string // a touch across it
		moveAsk   string
		wantAsset string
	}{
		{
			name: "coinbase",
			start: func(t *testing.T) venue {
				key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				srv := fakecoinbase.New("organizations/x/apiKeys/y", &key.PublicKey)
				t.Cleanup(srv.Close)
				return venue{opts: map[string]any{KeyPriceSourceURL: srv.URL()}, client: srv.Client(),
					move: func(bid, ask string) { srv.SetBook("BTC-USD", dec(bid), dec(ask), decimal.Zero) }}
			},
			sym: trade.Symbol{Base: "BTC", Quote: "USD"}, qty: "0.01", ask: "60000.01",
			below: "59000", moveBid: "58990", moveAsk: "58995", wantAsset: "USD",
		},
		{
			name: "kraken",
			start: func(t *testing.T) venue {
				srv := fakekraken.New("k", base64.StdEncoding.EncodeToString([]byte("secret")))
				t.Cleanup(srv.Close)
				return venue{opts: map[string]any{KeyPriceSourceURL: srv.URL()}, client: srv.Client(),
					move: func(bid, ask string) { srv.SetPrice("XBTUSD", dec(bid), dec(ask), dec(bid)) }}
			},
			sym: trade.Symbol{Base: "BTC", Quote: "USD"}, qty: "0.01", ask: "60000.1",
			below: "59000", moveBid: "58990", moveAsk: "58995", wantAsset: "USD",
		},
		{
			name: "alpaca",
			start: func(t *testing.T) venue {
				key, secret := "PK"+randomHex(t, 8), randomHex(t, 16)
				srv := fakealpaca.New(key, secret)
				t.Cleanup(srv.Close)
				return venue{
					opts:   map[string]any{KeyPriceSourceURL: srv.URL(), KeyPriceSourceOptions: map[string]any{"data_url": srv.DataURL()}},
					client: srv.Client(),
					secret: func(_ context.Context, name string) (string, error) {
						return map[string]string{"api_key": key, "api_secret": secret}[name], nil
					},
					move: func(bid, ask string) { srv.SetQuote("AAPL", dec(bid), dec(ask)) },
				}
			},
			sym: trade.Symbol{Base: "AAPL"}, qty: "2", ask: "190.02",
			below: "180", moveBid: "179", moveAsk: "179.5", wantAsset: "USD",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			v := tt.start(t)
			v.opts[KeyPriceSource] = tt.name
			p := testParams(t, newClock(t0), v.opts)
			p.HTTPClient, p.Secret = v.client, v.secret
			e := openWith(t, p)
			wantBalances(t, e, map[string][2]decimal.Decimal{tt.wantAsset: {dec("100000"), decimal.Zero}})
			if _, err := exchange.FindInstrument(ctx, e, tt.sym); err != nil {
				t.Fatalf("instrument %s: %v", tt.sym, err)
			}
			qs, err := e.Quotes(ctx, []trade.Symbol{tt.sym})
			if err != nil || !qs[0].Ask.Equal(dec(tt.ask)) {
				t.Fatalf("Quotes = %+v, %v; want the venue's ask %s", qs, err, tt.ask)
			}
			m := place(t, e, market(tt.sym, trade.Buy, tt.qty))
			if m.Status != trade.StatusFilled || !m.AvgFillPrice.Decimal.Equal(dec(tt.ask)) {
				t.Errorf("market buy: %s at %s, want filled at the ask %s", m.Status, m.AvgFillPrice.Decimal, tt.ask)
			}
			r := place(t, e, limitOn(tt.sym, trade.Buy, tt.qty, tt.below))
			if r.Status != trade.StatusOpen {
				t.Fatalf("limit below the bid: %s", r.Status)
			}
			v.move(tt.moveBid, tt.moveAsk)
			if got := get(t, e, r.ID); got.Status != trade.StatusFilled || !got.AvgFillPrice.Decimal.Equal(dec(tt.below)) {
				t.Errorf("after the touch moved to %s/%s: %s at %s, want filled at %s", tt.moveBid, tt.moveAsk, got.Status, got.AvgFillPrice.Decimal, tt.below)
			}
			checkBooks(t, e)
		})
	}
}

// Alpaca serves market data only with keys: without them the failure says
// so rather than "unreachable".
func TestLiveSourceNeedsCredentials(t *testing.T) {
	srv := fakealpaca.New("PK"+randomHex(t, 8), randomHex(t, 16))
	defer srv.Close()
	p := testParams(t, newClock(t0), map[string]any{KeyPriceSource: "alpaca", KeyPriceSourceURL: srv.URL(),
		KeyPriceSourceOptions: map[string]any{"data_url": srv.DataURL()}, KeyStartingBalances: "USD=1000"})
	p.HTTPClient = srv.Client()
	e := openWith(t, p)
	_, err := e.Quotes(context.Background(), []trade.Symbol{{Base: "AAPL"}})
	wantKind(t, err, exchange.ErrAuth, "takes its prices from alpaca", "credentials")
}

// deepSource is a price source that shows depth: binance's adapter on the
// fake, with a fixed order book in place of the fake's own.
type deepSource struct {
	exchange.Exchange
	book trade.Book
}

func (d *deepSource) OrderBook(_ context.Context, sym trade.Symbol, depth int) (trade.Book, error) {
	b := d.book
	b.Symbol = sym
	return b, nil
}

func TestLiveDepth(t *testing.T) {
	srv := fakebinance.New("k", "s")
	defer srv.Close()
	book := trade.Book{
		Bids: []trade.BookLevel{{Price: dec("60000"), Qty: dec("0.5")}},
		Asks: []trade.BookLevel{{Price: dec("60000.01"), Qty: dec("1")}, {Price: dec("60001"), Qty: dec("0.3")}, {Price: dec("60002"), Qty: decimal.Zero}},
	}
	deep := exchange.Venue{Name: "deep", Keys: binance.Venue().Keys, New: func(ctx context.Context, p exchange.Params) (exchange.Exchange, error) {
		ex, err := binance.New(ctx, p)
		return &deepSource{Exchange: ex, book: book}, err
	}}
	p := binanceParams(t, srv, newClock(t0), &logBuffer{}, map[string]any{KeyPriceSource: "deep"})
	e, err := New(context.Background(), p, WithPriceSources(deep))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	o := place(t, e, market(btcusdt, trade.Buy, "1.5"))
	if o.Status != trade.StatusExpired || !o.FilledQty.Equal(dec("1.3")) {
		t.Errorf("market buy of 1.5 against 1.3 of asks: %s with %s filled, want expired with 1.3", o.Status, o.FilledQty)
	}
	if fs := fills(t, e, exchange.FillFilter{}); len(fs) != 2 {
		t.Errorf("fills %+v, want one per level taken", fs)
	}
	got, err := e.OrderBook(context.Background(), btcusdt, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := trade.Book{Symbol: btcusdt, Bids: book.Bids, Asks: book.Asks[:1]}
	if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
		t.Errorf("OrderBook (-want +got):\n%s", diff)
	}
	checkBooks(t, e)
}

// touchSource is a price source without depth: binance's adapter with its
// OrderBook hidden.
type touchSource struct{ exchange.Exchange }

// Without depth the book is the quote's touch, as deep as the instrument
// allows: what market orders fill against.
func TestLiveTouchBook(t *testing.T) {
	srv := fakebinance.New("k", "s")
	defer srv.Close()
	touch := exchange.Venue{Name: "touch", Keys: binance.Venue().Keys, New: func(ctx context.Context, p exchange.Params) (exchange.Exchange, error) {
		ex, err := binance.New(ctx, p)
		return touchSource{ex}, err
	}}
	p := binanceParams(t, srv, newClock(t0), &logBuffer{}, map[string]any{KeyPriceSource: "touch"})
	e, err := New(context.Background(), p, WithPriceSources(touch))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	l := struct{ e *Exchange }{e}
	got, err := l.e.OrderBook(context.Background(), btcusdt, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := trade.Book{Symbol: btcusdt, Time: t0,
		Bids: []trade.BookLevel{{Price: dec("60000"), Qty: dec("9000")}},
		Asks: []trade.BookLevel{{Price: dec("60000.01"), Qty: dec("9000")}}}
	if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
		t.Errorf("OrderBook (-want +got):\n%s", diff)
	}
	_, err = l.e.OrderBook(context.Background(), trade.Symbol{Base: "NOPE", Quote: "USDT"}, 1)
	wantKind(t, err, exchange.ErrNotFound, "NOPE-USDT")
}

// A venue that asks to slow down says so, with its wait.
func TestLiveRateLimited(t *testing.T) {
	l := newLive(t, nil)
	l.srv.RateLimitNext(7 * time.Second)
	_, err := l.e.Quotes(context.Background(), []trade.Symbol{btcusdt})
	wantKind(t, err, exchange.ErrRateLimited, "takes its prices from binance", "slow down")
	if d, ok := exchange.RetryAfter(err); !ok || d < 6*time.Second || d > 8*time.Second {
		t.Errorf("RetryAfter = %s, %v; want about 7s", d, ok)
	}
}

// An account that traded on simulated prices and is then priced by a
// venue keeps its balances, and its orders on symbols the venue does not
// list stay as they were, cancelable.
func TestLiveSwitchingSourceKeepsTheAccount(t *testing.T) {
	ctx := context.Background()
	c := newClock(t0)
	simParams := testParams(t, c, nil)
	simEx := open(t, simParams)
	rest := place(t, simEx, limit(btc, trade.Buy, "0.01", dec("50000"), trade.GTC))
	simEx.Close()

	srv := fakebinance.New("k", "s")
	defer srv.Close()
	log := &logBuffer{}
	p := binanceParams(t, srv, c, log, nil)
	p.DataDir = simParams.DataDir
	e := openWith(t, p)
	c.Add(time.Hour)
	if got := get(t, e, rest.ID); got.Status != trade.StatusOpen {
		t.Errorf("the simulated market's order under a binance price source: %s, want open", got.Status)
	}
	wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("99499.5"), dec("500.5")}})
	if _, err := e.Quotes(ctx, []trade.Symbol{btcusdt}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CancelOrder(ctx, exchange.OrderRef{ID: rest.ID}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "WARN") {
		t.Errorf("warnings logged:\n%s", log)
	}
}
