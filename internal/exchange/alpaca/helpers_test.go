package alpaca

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// adapter opens the Alpaca adapter against fakealpaca's two hosts; its
// cancels poll fast.
var adapter = venuetest.Adapter[*fakealpaca.Server, *Exchange, fakealpaca.Option]{
	Venue: venueName,
	New:   New,
	NewCreds: func(t testing.TB) venuetest.Creds {
		return venuetest.Creds{Key: "PKTEST" + venuetest.RandHex(t, 10), Secret: venuetest.RandHex(t, 22)}
	},
	NewFake: func(c venuetest.Creds, opts ...fakealpaca.Option) *fakealpaca.Server {
		return fakealpaca.New(c.Key, c.Secret, opts...)
	},
	Options: func(srv *fakealpaca.Server) map[string]any {
		return map[string]any{KeyBaseURL: srv.URL(), KeyDataURL: srv.DataURL(), KeyStreamURL: srv.StreamURL()}
	},
	Fast: []func(*Exchange){func(e *Exchange) {
		e.cancelPoll = 5 * time.Millisecond
		e.streamTiming.BackoffMin, e.streamTiming.BackoffMax = 10*time.Millisecond, 50*time.Millisecond
	}},
}

func ctxT(t *testing.T) context.Context { return venuetest.Context(t) }

var (
	btcusd = trade.MustSymbol("BTC-USD")
	ethusd = trade.MustSymbol("ETH-USD")
	aapl   = trade.MustSymbol("AAPL")
	msft   = trade.MustSymbol("MSFT")
)

func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusd, clientID) }
