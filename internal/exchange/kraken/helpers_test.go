package kraken

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// testCreds are generated per test so no fixture ever holds a key. The
// secret is base64, as Kraken shows private keys.
type testCreds struct{ key, secret string }

func newCreds(t *testing.T) testCreds {
	return testCreds{key: "test-key-" + venuetest.RandHex(t, 16), secret: base64.StdEncoding.EncodeToString(venuetest.RandBytes(t, 64))}
}

func (c testCreds) secretFunc() func(context.Context, string) (string, error) {
	return venuetest.Secrets(c.key, c.secret)
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
	p := venuetest.Params(venueName, f.srv, f.creds.secretFunc(), f.cache, map[string]any{KeyBaseURL: f.srv.URL()}, extra)
	p.DataDir = f.data
	return p
}

// open builds an Exchange against the fake; tweak adjusts internals that
// profiles do not expose.
func (f *fixture) open(t *testing.T, extra map[string]any, tweak ...func(*Exchange)) *Exchange {
	t.Helper()
	fast := func(e *Exchange) { e.cancelPoll = 10 * time.Millisecond }
	return venuetest.Open(t, New, f.params(extra), append([]func(*Exchange){fast}, tweak...)...)
}

func ctxT(t *testing.T) context.Context { return venuetest.Context(t) }

var (
	btcusd = trade.MustSymbol("BTC-USD")
	ethusd = trade.MustSymbol("ETH-USD")
)

// restingBuy is a BTC-USD limit buy well below the fake's bid of 60000.
func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusd, clientID) }
