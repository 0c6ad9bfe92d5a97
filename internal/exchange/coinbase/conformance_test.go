package coinbase

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func TestConformance(t *testing.T) {
	venuetest.RunConformance(t, btcusd, func(t *testing.T) (exchange.Exchange, *fakecoinbase.Server) {
		f := newFixture(t)
		return f.Open(t, nil), f.Srv
	}, nil)
}
