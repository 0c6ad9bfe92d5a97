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

// adapter opens the Kraken adapter against fakekraken, REST and
// WebSocket; its cancels poll fast and its quote stream reconnects and
// polls fast. The fixture's data directory holds the client ids it keeps.
var adapter = venuetest.Adapter[*fakekraken.Server, *Exchange, fakekraken.Option]{
	Venue: venueName,
	New:   New,
	NewCreds: func(t testing.TB) venuetest.Creds {
		// The secret is base64, as Kraken shows private keys.
		return venuetest.Creds{Key: "test-key-" + venuetest.RandHex(t, 16), Secret: base64.StdEncoding.EncodeToString(venuetest.RandBytes(t, 64))}
	},
	NewFake: func(c venuetest.Creds, opts ...fakekraken.Option) *fakekraken.Server {
		return fakekraken.New(c.Key, c.Secret, opts...)
	},
	Options: func(srv *fakekraken.Server) map[string]any {
		return map[string]any{KeyBaseURL: srv.URL(), KeyWSURL: srv.WSURL(), KeyWSAuthURL: srv.WSAuthURL()}
	},
	Fast: []func(*Exchange){func(e *Exchange) {
		e.cancelPoll = 10 * time.Millisecond
		e.wsTiming.BackoffMin, e.wsTiming.BackoffMax = 10*time.Millisecond, 50*time.Millisecond
		e.wsTiming.PollInterval = 20 * time.Millisecond
	}},
}

type fixture = venuetest.Fixture[*fakekraken.Server, *Exchange]

func ctxT(t *testing.T) context.Context { return venuetest.Context(t) }

var (
	btcusd = trade.MustSymbol("BTC-USD")
	ethusd = trade.MustSymbol("ETH-USD")
)

// restingBuy is a BTC-USD limit buy well below the fake's bid of 60000.
func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusd, clientID) }
