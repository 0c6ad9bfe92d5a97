package binance

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/exchangetest"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func TestConformance(t *testing.T) {
	venuetest.RunConformance(t, adapter, btcusdt, func(h *exchangetest.Harness) {
		// Binance answers -2010 "Stop price would trigger immediately",
		// and the fake models it.
		h.RejectsCrossedStops = true
	})
}

// TestTraceSigned: at -v a signed call is one debug line with its method,
// path and status, and without the key, secret, signature or signed query.
func TestTraceSigned(t *testing.T) {
	f := newFixture(t)
	f.CheckSignedTrace(t, "GET", "/api/v3/account",
		[]string{f.Creds.Key, f.Creds.Secret, "signature", "timestamp=", "recvWindow", "query="})
}
