package binance

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

// TestTraceSigned: at -v a signed call is one debug line with its method,
// path and status, and without the key, secret, signature or signed query.
func TestTraceSigned(t *testing.T) {
	f := newFixture(t)
	balances := func(e *Exchange) error { _, err := e.Balances(ctxT(t)); return err }
	log := venuetest.Trace(t, New, f.params(nil), balances)
	venuetest.CheckTrace(t, log,
		[]string{"level=DEBUG", "venue=binance", "method=GET", "path=/api/v3/account", "status=200", "attempt=1"},
		[]string{f.Creds.Key, f.Creds.Secret, "signature", "timestamp=", "recvWindow", "query="})
}
