package alpaca

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/trade"
)

// testCreds are generated per test so no fixture ever holds a key.
type testCreds struct{ key, secret string }

func newCreds(t *testing.T) testCreds {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return testCreds{key: "PKTEST" + hex.EncodeToString(b[:10]), secret: hex.EncodeToString(b[10:])}
}

func (c testCreds) secretFunc() func(context.Context, string) (string, error) {
	return func(_ context.Context, name string) (string, error) {
		switch name {
		case "api_key":
			return c.key, nil
		case "api_secret":
			return c.secret, nil
		}
		return "", nil
	}
}

type fixture struct {
	srv   *fakealpaca.Server
	creds testCreds
	cache string
}

func newFixture(t *testing.T, opts ...fakealpaca.Option) *fixture {
	t.Helper()
	c := newCreds(t)
	srv := fakealpaca.New(c.key, c.secret, opts...)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, creds: c, cache: t.TempDir()}
}

// params returns Params pointing at the fake, with extra options merged.
func (f *fixture) params(extra map[string]any) exchange.Params {
	opts := map[string]any{KeyBaseURL: f.srv.URL(), KeyDataURL: f.srv.DataURL()}
	for k, v := range extra {
		opts[k] = v
	}
	return exchange.Params{
		Profile:    "test",
		Exchange:   "alpaca",
		Options:    opts,
		Secret:     f.creds.secretFunc(),
		CacheDir:   f.cache,
		HTTPClient: f.srv.Client(),
	}
}

// open builds an Exchange against the fake; tweak adjusts internals that
// profiles do not expose.
func (f *fixture) open(t *testing.T, extra map[string]any, tweak ...func(*Exchange)) *Exchange {
	t.Helper()
	e, err := New(context.Background(), f.params(extra))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.cancelPoll = 5 * time.Millisecond
	for _, fn := range tweak {
		fn(e)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var (
	btcusd = trade.MustSymbol("BTC-USD")
	ethusd = trade.MustSymbol("ETH-USD")
	aapl   = trade.MustSymbol("AAPL")
	msft   = trade.MustSymbol("MSFT")
)

func restingBuy(clientID string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: trade.Dec("0.001"), Price: trade.OptDec("40000"), ClientID: clientID}
}

// decEqual compares decimals by value in cmp.Diff.
var decEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
