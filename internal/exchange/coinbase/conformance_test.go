package coinbase

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func TestConformance(t *testing.T) {
	venuetest.RunConformance(t, adapter, btcusd, nil)
}

// TestTraceSigned: at -v a signed call is one debug line with its method,
// path and status, and without the key, its token or the query.
func TestTraceSigned(t *testing.T) {
	f := newFixture(t)
	f.CheckSignedTrace(t, "GET", apiPrefix+"/accounts",
		[]string{f.Creds.Key, "PRIVATE KEY", "eyJ", "Bearer", "query="}, fastBuckets)
}
