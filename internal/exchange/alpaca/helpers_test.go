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

// newCreds makes credentials per test, so no fixture ever holds a key.
func newCreds(t *testing.T) venuetest.Creds {
	return venuetest.Creds{Key: "PKTEST" + venuetest.RandHex(t, 10), Secret: venuetest.RandHex(t, 22)}
}

type fixture struct {
	venuetest.Fixture[*fakealpaca.Server]
}

func newFixture(t *testing.T, opts ...fakealpaca.Option) *fixture {
	t.Helper()
	c := newCreds(t)
	return &fixture{venuetest.NewFixture(t, c, fakealpaca.New(c.Key, c.Secret, opts...))}
}

// params returns Params pointing at the fake, with extra options merged.
func (f *fixture) params(extra map[string]any) exchange.Params {
	return f.Params(venueName, map[string]any{KeyBaseURL: f.Srv.URL(), KeyDataURL: f.Srv.DataURL()}, extra)
}

// open builds an Exchange against the fake; tweak adjusts internals that
// profiles do not expose.
func (f *fixture) open(t *testing.T, extra map[string]any, tweak ...func(*Exchange)) *Exchange {
	t.Helper()
	fast := func(e *Exchange) { e.cancelPoll = 5 * time.Millisecond }
	return venuetest.Open(t, New, f.params(extra), append([]func(*Exchange){fast}, tweak...)...)
}

func ctxT(t *testing.T) context.Context { return venuetest.Context(t) }

// start opens an Exchange on a new fake with the default options, and a
// context bounded by the test.
func start(t *testing.T) (*fixture, *Exchange, context.Context) {
	t.Helper()
	f := newFixture(t)
	return f, f.open(t, nil), ctxT(t)
}

var (
	btcusd = trade.MustSymbol("BTC-USD")
	ethusd = trade.MustSymbol("ETH-USD")
	aapl   = trade.MustSymbol("AAPL")
	msft   = trade.MustSymbol("MSFT")
)

func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusd, clientID) }

// decEqual compares decimals by value in cmp.Diff.
var decEqual = venuetest.DecEqual
