package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestQuoteDayStatsRoundTrips: on Binance and Coinbase `quote` asks for
// the 24-hour figures together with the quote, so they cost one more
// request and no more round trips; the other venues send what they did.
// Behind a latency, requests sent together are counted as one round trip.
func TestQuoteDayStatsRoundTrips(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a latency per round trip")
	}
	const latency = 250 * time.Millisecond
	want := map[string][]string{
		"binance":  {paperBook, paperPrice, "GET /api/v3/ticker/24hr"},
		"coinbase": {coinbaseBook, coinbaseProducts, "GET /api/v3/brokerage/market/products/BTC-USD"},
	}
	for venue, wantRequests := range want {
		t.Run(venue, func(t *testing.T) {
			t.Parallel()
			h := newVenueHome(t, venue, latency)
			h.warm(t)
			r := h.mustRun(t, h.expand("quote {sym} -o json", ""))
			if diff := cmp.Diff(wantRequests, genericPaths(r.requests), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if r.rounds != 1 {
				t.Errorf("%d round trips for %v, want 1", r.rounds, r.requests)
			}
		})
	}
}
