package alpaca

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// newCreds makes credentials per test, so no fixture ever holds a key.
func newCreds(t *testing.T) venuetest.Creds {
	return venuetest.Creds{Key: "PKTEST" + venuetest.RandHex(t, 10), Secret: venuetest.RandHex(t, 22)}
}

// adapter opens the Alpaca adapter against fakealpaca's two hosts; its
// cancels poll fast.
var adapter = venuetest.Adapter[*fakealpaca.Server, *Exchange]{
	Venue: venueName,
	New:   New,
	Options: func(srv *fakealpaca.Server) map[string]any {
		return map[string]any{KeyBaseURL: srv.URL(), KeyDataURL: srv.DataURL()}
	},
	Fast: []func(*Exchange){func(e *Exchange) { e.cancelPoll = 5 * time.Millisecond }},
}

type fixture = venuetest.Fixture[*fakealpaca.Server, *Exchange]

func newFixture(t *testing.T, opts ...fakealpaca.Option) *fixture {
	t.Helper()
	c := newCreds(t)
	return venuetest.NewFixture(t, adapter, c, fakealpaca.New(c.Key, c.Secret, opts...))
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
	aapl   = trade.MustSymbol("AAPL")
	msft   = trade.MustSymbol("MSFT")
)

func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusd, clientID) }

// decEqual compares decimals by value in cmp.Diff.
var decEqual = venuetest.DecEqual
