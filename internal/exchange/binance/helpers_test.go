package binance

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// newCreds makes credentials per test, so no fixture ever holds a key.
func newCreds(t *testing.T) venuetest.Creds {
	return venuetest.Creds{Key: "test-key-" + venuetest.RandHex(t, 16), Secret: "test-secret-" + venuetest.RandHex(t, 16)}
}

// adapter opens the Binance adapter against fakebinance, REST and
// streams; it reconnects and polls fast.
var adapter = venuetest.Adapter[*fakebinance.Server, *Exchange]{
	Venue: venueName,
	New:   New,
	Options: func(srv *fakebinance.Server) map[string]any {
		return map[string]any{KeyBaseURL: srv.URL(), KeyWSURL: srv.WSURL()}
	},
	Fast: []func(*Exchange){func(e *Exchange) {
		e.wsBackoffMin, e.wsBackoffMax = 10*time.Millisecond, 50*time.Millisecond
		e.pollInterval = 20 * time.Millisecond
	}},
}

type fixture = venuetest.Fixture[*fakebinance.Server, *Exchange]

func newFixture(t *testing.T, opts ...fakebinance.Option) *fixture {
	t.Helper()
	c := newCreds(t)
	return venuetest.NewFixture(t, adapter, c, fakebinance.New(c.Key, c.Secret, opts...))
}

func ctxT(t *testing.T) context.Context { return venuetest.Context(t) }

// start opens an Exchange on a new fake with the default options, and a
// context bounded by the test.
func start(t *testing.T) (*fixture, *Exchange, context.Context) {
	t.Helper()
	f := newFixture(t)
	return f, f.Open(t, nil), ctxT(t)
}

var btcusdt = trade.MustSymbol("BTC-USDT")

func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusdt, clientID) }
