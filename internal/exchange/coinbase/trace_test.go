package coinbase

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

// TestTraceSigned: at -v a signed call is one debug line with its method,
// path and status, and without the key, its token or the query.
func TestTraceSigned(t *testing.T) {
	f := newFixture(t)
	balances := func(e *Exchange) error { _, err := e.Balances(ctxT(t)); return err }
	log := venuetest.Trace(t, New, f.params(nil), balances, fastBuckets)
	venuetest.CheckTrace(t, log,
		[]string{"level=DEBUG", "venue=coinbase", "method=GET", "path=" + apiPrefix + "/accounts", "status=200", "attempt=1"},
		[]string{f.key.name, "PRIVATE KEY", "eyJ", "Bearer", "query="})
}
