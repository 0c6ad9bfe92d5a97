package kraken

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// newCreds makes credentials per test, so no fixture ever holds a key.
// The secret is base64, as Kraken shows private keys.
func newCreds(t *testing.T) venuetest.Creds {
	return venuetest.Creds{Key: "test-key-" + venuetest.RandHex(t, 16), Secret: base64.StdEncoding.EncodeToString(venuetest.RandBytes(t, 64))}
}

// adapter opens the Kraken adapter against fakekraken; its cancels poll
// fast. The fixture's data directory holds the client ids it keeps.
var adapter = venuetest.Adapter[*fakekraken.Server, *Exchange]{
	Venue:   venueName,
	New:     New,
	Options: func(srv *fakekraken.Server) map[string]any { return map[string]any{KeyBaseURL: srv.URL()} },
	Fast:    []func(*Exchange){func(e *Exchange) { e.cancelPoll = 10 * time.Millisecond }},
}

type fixture = venuetest.Fixture[*fakekraken.Server, *Exchange]

func newFixture(t *testing.T, opts ...fakekraken.Option) *fixture {
	t.Helper()
	c := newCreds(t)
	return venuetest.NewFixture(t, adapter, c, fakekraken.New(c.Key, c.Secret, opts...))
}

func ctxT(t *testing.T) context.Context { return venuetest.Context(t) }

// start opens an Exchange on a new fake with the default options, and a
// context bounded by the test.
func start(t *testing.T) (*fixture, *Exchange, context.Context) {
	t.Helper()
	f := newFixture(t)
	return f, f.Open(t, nil), ctxT(t)
}

var (
	btcusd = trade.MustSymbol("BTC-USD")
	ethusd = trade.MustSymbol("ETH-USD")
)

// restingBuy is a BTC-USD limit buy well below the fake's bid of 60000.
func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusd, clientID) }
