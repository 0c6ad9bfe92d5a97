package kraken

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

// TestTraceSigned: at -v a signed call is one debug line with its method,
// path and status, and without the key, secret, nonce or signed body.
func TestTraceSigned(t *testing.T) {
	f := newFixture(t)
	log, logger := venuetest.NewLog()
	p := f.params(nil)
	p.Logger = logger
	e := venuetest.Open(t, New, p)
	if _, err := e.Balances(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	venuetest.CheckTrace(t, log.String(),
		[]string{"level=DEBUG", "venue=kraken", "method=POST", "path=" + pathBalanceEx, "status=200", "attempt=1"},
		[]string{f.creds.key, f.creds.secret, "nonce", "API-Sign", "query="})
}
