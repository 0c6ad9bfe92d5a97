package coinbase

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/trade"
)

// testKey is a CDP key generated per test, so no fixture ever holds one.
type testKey struct {
	name string
	key  *ecdsa.PrivateKey
	pem  string // SEC1 "EC PRIVATE KEY", as Coinbase issues it
}

func newKey(t testing.TB) testKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	return testKey{
		name: "organizations/test-org/apiKeys/" + hex.EncodeToString(id),
		key:  k,
		pem:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})),
	}
}

func (k testKey) secretFunc() func(context.Context, string) (string, error) {
	return func(_ context.Context, name string) (string, error) {
		switch name {
		case "api_key":
			return k.name, nil
		case "api_secret":
			return k.pem, nil
		}
		return "", nil
	}
}

type fixture struct {
	srv   *fakecoinbase.Server
	key   testKey
	cache string
}

func newFixture(t *testing.T, opts ...fakecoinbase.Option) *fixture {
	t.Helper()
	k := newKey(t)
	srv := fakecoinbase.New(k.name, &k.key.PublicKey, opts...)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, key: k, cache: t.TempDir()}
}

// params returns Params pointing at the fake, with extra options merged.
func (f *fixture) params(extra map[string]any) exchange.Params {
	opts := map[string]any{KeyBaseURL: f.srv.URL()}
	for k, v := range extra {
		opts[k] = v
	}
	return exchange.Params{
		Profile:    "test",
		Exchange:   "coinbase",
		Options:    opts,
		Secret:     f.key.secretFunc(),
		CacheDir:   f.cache,
		HTTPClient: f.srv.Client(),
	}
}

// fastBuckets lifts the client-side rate limits, which the limiter's own
// tests cover, so suites do not wait on them.
func fastBuckets(e *Exchange) {
	e.private = newBucket(100000, e.now, venuehttp.Sleep)
	e.public = newBucket(100000, e.now, venuehttp.Sleep)
}

// open builds an Exchange against the fake; tweak adjusts internals that
// profiles do not expose.
func (f *fixture) open(t *testing.T, extra map[string]any, tweak ...func(*Exchange)) *Exchange {
	t.Helper()
	e, err := New(context.Background(), f.params(extra))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
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

var btcusd = trade.MustSymbol("BTC-USD")

func restingBuy(clientID string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: trade.Dec("0.001"), Price: trade.OptDec("40000"), ClientID: clientID}
}
