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

// newCreds makes credentials per test, so no fixture ever holds a key.
func newCreds(t *testing.T) venuetest.Creds {
	return venuetest.Creds{Key: "test-key-" + venuetest.RandHex(t, 16), Secret: "test-secret-" + venuetest.RandHex(t, 16)}
}

type fixture struct {
	venuetest.Fixture[*fakebinance.Server]
}

func newFixture(t *testing.T, opts ...fakebinance.Option) *fixture {
	t.Helper()
	c := newCreds(t)
	return &fixture{venuetest.NewFixture(t, c, fakebinance.New(c.Key, c.Secret, opts...))}
}

// params returns Params pointing at the fake, with extra options merged.
func (f *fixture) params(extra map[string]any) exchange.Params {
	return f.Params(venueName, map[string]any{KeyBaseURL: f.Srv.URL(), KeyWSURL: f.Srv.WSURL()}, extra)
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

// start opens an Exchange on a new fake with the default options, and a
// context bounded by the test.
func start(t *testing.T) (*fixture, *Exchange, context.Context) {
	t.Helper()
	f := newFixture(t)
	return f, f.open(t, nil), ctxT(t)
}

var btcusdt = trade.MustSymbol("BTC-USDT")

func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusdt, clientID) }
