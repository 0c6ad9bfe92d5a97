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

// newCreds makes credentials per test, so no fixture ever holds a key.
// The secret is base64, as Kraken shows private keys.
func newCreds(t *testing.T) venuetest.Creds {
	return venuetest.Creds{Key: "test-key-" + venuetest.RandHex(t, 16), Secret: base64.StdEncoding.EncodeToString(venuetest.RandBytes(t, 64))}
}

type fixture struct {
	venuetest.Fixture[*fakekraken.Server]
	data string // the profile's data directory, where client ids are kept
}

func newFixture(t *testing.T, opts ...fakekraken.Option) *fixture {
	t.Helper()
	c := newCreds(t)
	return &fixture{venuetest.NewFixture(t, c, fakekraken.New(c.Key, c.Secret, opts...)), t.TempDir()}
}

// params returns Params pointing at the fake, with extra options merged.
func (f *fixture) params(extra map[string]any) exchange.Params {
	p := f.Params(venueName, map[string]any{KeyBaseURL: f.Srv.URL()}, extra)
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
)

// restingBuy is a BTC-USD limit buy well below the fake's bid of 60000.
func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusd, clientID) }
