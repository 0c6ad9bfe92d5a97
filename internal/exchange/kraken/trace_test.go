package kraken

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

// TestTraceSigned: at -v a signed call is one debug line with its method,
// path and status, and without the key, secret, nonce or signed body.
func TestTraceSigned(t *testing.T) {
	f := newFixture(t)
	venuetest.CheckSignedTrace(t, New, f.Params(nil), "POST", pathBalanceEx,
		[]string{f.Creds.Key, f.Creds.Secret, "nonce", "API-Sign", "query="})
}
