package binance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
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
	return testCreds{key: "test-key-" + hex.EncodeToString(b[:16]), secret: "test-secret-" + hex.EncodeToString(b[16:])}
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
	srv   *fakebinance.Server
	creds testCreds
	cache string
}

func newFixture(t *testing.T, opts ...fakebinance.Option) *fixture {
	t.Helper()
	c := newCreds(t)
	srv := fakebinance.New(c.key, c.secret, opts...)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, creds: c, cache: t.TempDir()}
}

// params returns Params pointing at the fake, with extra options merged.
func (f *fixture) params(extra map[string]any) exchange.Params {
	opts := map[string]any{KeyBaseURL: f.srv.URL(), KeyWSURL: f.srv.WSURL()}
	for k, v := range extra {
		opts[k] = v
	}
	return exchange.Params{
		Profile:    "test",
		Exchange:   "binance",
		Options:    opts,
		Secret:     f.creds.secretFunc(),
		CacheDir:   f.cache,
		HTTPClient: f.srv.Client(),
	}
}

// open builds an Exchange against the fake; tweak adjusts internals
// (timeouts, backoff) that profiles do not expose.
func (f *fixture) open(t *testing.T, extra map[string]any, tweak ...func(*Exchange)) *Exchange {
	t.Helper()
	e, err := New(context.Background(), f.params(extra))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.wsBackoffMin, e.wsBackoffMax = 10*time.Millisecond, 50*time.Millisecond
	e.pollInterval = 20 * time.Millisecond
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

var btcusdt = trade.MustSymbol("BTC-USDT")

func restingBuy(clientID string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: trade.Dec("0.001"), Price: trade.OptDec("40000"), ClientID: clientID}
}
