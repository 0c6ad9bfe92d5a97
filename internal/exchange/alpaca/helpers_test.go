package alpaca

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// testCreds are generated per test so no fixture ever holds a key.
type testCreds struct{ key, secret string }

func newCreds(t *testing.T) testCreds {
	return testCreds{key: "PKTEST" + venuetest.RandHex(t, 10), secret: venuetest.RandHex(t, 22)}
}

func (c testCreds) secretFunc() func(context.Context, string) (string, error) {
	return venuetest.Secrets(c.key, c.secret)
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
	return venuetest.Params(venueName, f.srv, f.creds.secretFunc(), f.cache, map[string]any{KeyBaseURL: f.srv.URL(), KeyDataURL: f.srv.DataURL()}, extra)
}

// open builds an Exchange against the fake; tweak adjusts internals that
// profiles do not expose.
func (f *fixture) open(t *testing.T, extra map[string]any, tweak ...func(*Exchange)) *Exchange {
	t.Helper()
	fast := func(e *Exchange) { e.cancelPoll = 5 * time.Millisecond }
	return venuetest.Open(t, New, f.params(extra), append([]func(*Exchange){fast}, tweak...)...)
}

func ctxT(t *testing.T) context.Context { return venuetest.Context(t) }

var (
	btcusd = trade.MustSymbol("BTC-USD")
	ethusd = trade.MustSymbol("ETH-USD")
	aapl   = trade.MustSymbol("AAPL")
	msft   = trade.MustSymbol("MSFT")
)

func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusd, clientID) }

// decEqual compares decimals by value in cmp.Diff.
var decEqual = venuetest.DecEqual
