package binance

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// adapter opens the Binance adapter against fakebinance, REST and
// streams; it reconnects and polls fast.
var adapter = venuetest.Adapter[*fakebinance.Server, *Exchange, fakebinance.Option]{
	Venue: venueName,
	New:   New,
	NewCreds: func(t testing.TB) venuetest.Creds {
		return venuetest.Creds{Key: "test-key-" + venuetest.RandHex(t, 16), Secret: "test-secret-" + venuetest.RandHex(t, 16)}
	},
	NewFake: func(c venuetest.Creds, opts ...fakebinance.Option) *fakebinance.Server {
		return fakebinance.New(c.Key, c.Secret, opts...)
	},
	Options: func(srv *fakebinance.Server) map[string]any {
		return map[string]any{KeyBaseURL: srv.URL(), KeyWSURL: srv.WSURL(), KeyWSAPIURL: srv.WSAPIURL()}
	},
	Fast: []func(*Exchange){func(e *Exchange) {
		e.wsBackoffMin, e.wsBackoffMax = 10*time.Millisecond, 50*time.Millisecond
		e.pollInterval = 20 * time.Millisecond
	}},
}

func ctxT(t *testing.T) context.Context { return venuetest.Context(t) }

var btcusdt = trade.MustSymbol("BTC-USDT")

func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusdt, clientID) }
