package binance

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/exchangetest"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func TestConformance(t *testing.T) {
	venuetest.RunConformance(t, btcusdt, func(t *testing.T) (exchange.Exchange, *fakebinance.Server) {
		f := newFixture(t)
		return f.Open(t, nil), f.Srv
	}, func(h *exchangetest.Harness) {
		// Binance answers -2010 "Stop price would trigger immediately",
		// and the fake models it.
		h.RejectsCrossedStops = true
	})
}
