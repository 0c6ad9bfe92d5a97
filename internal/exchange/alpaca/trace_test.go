package alpaca

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

// TestTraceSigned: at -v a call is one debug line with its method, path
// and status, and without the key id or secret its headers carry.
func TestTraceSigned(t *testing.T) {
	f := newFixture(t)
	balances := func(e *Exchange) error { _, err := e.Balances(ctxT(t)); return err }
	log := venuetest.Trace(t, New, f.params(nil), balances)
	venuetest.CheckTrace(t, log,
		[]string{"level=DEBUG", "venue=alpaca", "method=GET", "path=/v2/account", "status=200", "attempt=1"},
		[]string{f.Creds.Key, f.Creds.Secret, "APCA"})
}
