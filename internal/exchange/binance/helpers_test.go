package binance

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// testCreds are generated per test so no fixture ever holds a key.
type testCreds struct{ key, secret string }

func newCreds(t *testing.T) testCreds {
	return testCreds{key: "test-key-" + venuetest.RandHex(t, 16), secret: "test-secret-" + venuetest.RandHex(t, 16)}
}

func (c testCreds) secretFunc() func(context.Context, string) (string, error) {
	return venuetest.Secrets(c.key, c.secret)
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
	return venuetest.Params(venueName, f.srv, f.creds.secretFunc(), f.cache, map[string]any{KeyBaseURL: f.srv.URL(), KeyWSURL: f.srv.WSURL()}, extra)
}

// open builds an Exchange against the fake; tweak adjusts internals
// (timeouts, backoff) that profiles do not expose.
func (f *fixture) open(t *testing.T, extra map[string]any, tweak ...func(*Exchange)) *Exchange {
	t.Helper()
	fast := func(e *Exchange) {
		e.wsBackoffMin, e.wsBackoffMax = 10*time.Millisecond, 50*time.Millisecond
		e.pollInterval = 20 * time.Millisecond
	}
	return venuetest.Open(t, New, f.params(extra), append([]func(*Exchange){fast}, tweak...)...)
}

func ctxT(t *testing.T) context.Context { return venuetest.Context(t) }

var btcusdt = trade.MustSymbol("BTC-USDT")

func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusdt, clientID) }
