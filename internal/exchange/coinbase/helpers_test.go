package coinbase

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// testKey is a CDP key generated per test, so no fixture ever holds one.
type testKey struct {
	name string
	key  *ecdsa.PrivateKey
	pem  string // SEC1 "EC PRIVATE KEY", as Coinbase issues it
}

func newKey(t testing.TB) testKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{
		name: "organizations/test-org/apiKeys/" + venuetest.RandHex(t, 8),
		key:  k,
		pem:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})),
	}
}

// creds are the key's name and PEM, as a profile's secrets hold them.
func (k testKey) creds() venuetest.Creds { return venuetest.Creds{Key: k.name, Secret: k.pem} }

// adapter opens the Coinbase adapter against fakecoinbase, REST and
// WebSocket, with the adapter's own rate limits (tests that do not want
// them add fastBuckets).
// The credentials are a CDP key's name and PEM; the fake trusts its
// public half.
var adapter = venuetest.Adapter[*fakecoinbase.Server, *Exchange, fakecoinbase.Option]{
	Venue:    venueName,
	New:      New,
	NewCreds: func(t testing.TB) venuetest.Creds { return newKey(t).creds() },
	NewFake: func(c venuetest.Creds, opts ...fakecoinbase.Option) *fakecoinbase.Server {
		k, err := parsePrivateKey(c.Secret)
		if err != nil {
			panic("a generated key does not parse: " + err.Error())
		}
		return fakecoinbase.New(c.Key, &k.PublicKey, opts...)
	},
	Options: func(srv *fakecoinbase.Server) map[string]any {
		return map[string]any{KeyBaseURL: srv.URL(), KeyWSURL: srv.WSURL(), KeyWSUserURL: srv.WSUserURL()}
	},
	// The quote stream reconnects and polls fast.
	Fast: []func(*Exchange){func(e *Exchange) {
		e.wsTiming.BackoffMin, e.wsTiming.BackoffMax = 10*time.Millisecond, 50*time.Millisecond
		e.wsTiming.PollInterval = 20 * time.Millisecond
	}},
}

// fastBuckets lifts the client-side rate limits, which the limiter's own
// tests cover, so suites do not wait on them.
func fastBuckets(e *Exchange) {
	e.private = newBucket(100000, e.Now, venuehttp.Sleep)
	e.public = newBucket(100000, e.Now, venuehttp.Sleep)
}

func ctxT(t *testing.T) context.Context { return venuetest.Context(t) }

var btcusd = trade.MustSymbol("BTC-USD")

func restingBuy(clientID string) trade.OrderRequest { return venuetest.RestingBuy(btcusd, clientID) }
