package kraken

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func TestConformance(t *testing.T) {
	venuetest.RunConformance(t, adapter, btcusd, nil)
}

// TestTraceSigned: at -v a signed call is one debug line with its method,
// path and status, and without the key, secret, nonce or signed body.
func TestTraceSigned(t *testing.T) {
	f := newFixture(t)
	f.CheckSignedTrace(t, "POST", pathBalanceEx,
		[]string{f.Creds.Key, f.Creds.Secret, "nonce", "API-Sign", "query="})
}
