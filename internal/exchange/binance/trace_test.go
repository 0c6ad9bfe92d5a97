package binance

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

// TestTraceSigned: at -v a signed call is one debug line with its method,
// path and status, and without the key, secret, signature or signed query.
func TestTraceSigned(t *testing.T) {
	f := newFixture(t)
	venuetest.CheckSignedTrace(t, New, f.Params(nil), "GET", "/api/v3/account",
		[]string{f.Creds.Key, f.Creds.Secret, "signature", "timestamp=", "recvWindow", "query="})
}
