package kraken

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/trade"
)

// testCreds are generated per test so no fixture ever holds a key. The
// secret is base64, as Kraken shows private keys.
type testCreds struct{ key, secret string }

func newCreds(t *testing.T) testCreds {
	t.Helper()
	k := make([]byte, 16)
	s := make([]byte, 64)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	if _, err := rand.Read(s); err != nil {
		t.Fatal(err)
	}
	return testCreds{key: "test-key-" + hex.EncodeToString(k), secret: base64.StdEncoding.EncodeToString(s)}
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
	srv   *fakekraken.Server
	creds testCreds
	cache string
	data  string
}

func newFixture(t *testing.T, opts ...fakekraken.Option) *fixture {
	t.Helper()
	c := newCreds(t)
	srv := fakekraken.New(c.key, c.secret, opts...)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, creds: c, cache: t.TempDir(), data: t.TempDir()}
}

// params returns Params pointing at the fake, with extra options merged.
func (f *fixture) params(extra map[string]any) exchange.Params {
	opts := map[string]any{KeyBaseURL: f.srv.URL()}
	for k, v := range extra {
		opts[k] = v
	}
	return exchange.Params{
		Profile:    "test",
		Exchange:   venueName,
		Options:    opts,
		Secret:     f.creds.secretFunc(),
		DataDir:    f.data,
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
	e.cancelPoll = 10 * time.Millisecond
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
)

// restingBuy is a BTC-USD limit buy well below the fake's bid of 60000.
func restingBuy(clientID string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: trade.Dec("0.001"), Price: trade.OptDec("40000"), ClientID: clientID}
}
