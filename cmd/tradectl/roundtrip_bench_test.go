package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchLatency is what every request waits at the fake venue, as a venue
// across a network would: one round trip.
const benchLatency = 50 * time.Millisecond

// benchCommand is one command timed warm at each venue.
type benchCommand struct {
	name string
	// setup runs untimed before each run (an order to get or cancel);
	// {id} is the id of the order it printed.
	setup string
	// args is the command; {n} is a number new to each run (a fresh
	// client id or key), the same in setup and args.
	args string
}

var benchCommands = []benchCommand{
	{name: "market", args: "order create --yes {sym} --side buy --qty {qty}"},
	{name: "limit", args: "order create --yes {sym} --side buy --qty {qty} --price {price}"},
	{name: "client-id-new", args: "order create --yes {sym} --side buy --qty {qty} --price {price} --client-id rt-{n}"},
	{name: "client-id-placed", setup: "order create --yes {sym} --side buy --qty {qty} --price {price} --client-id rt-{n}",
		args: "order create --yes {sym} --side buy --qty {qty} --price {price} --client-id rt-{n}"},
	{name: "key-new", args: "order create --yes {sym} --side buy --qty {qty} --price {price} --idempotency-key rt-{n}"},
	{name: "key-placed", setup: "order create --yes {sym} --side buy --qty {qty} --price {price} --idempotency-key rt-{n}",
		args: "order create --yes {sym} --side buy --qty {qty} --price {price} --idempotency-key rt-{n}"},
	{name: "get", setup: "order create --yes {sym} --side buy --qty {qty} --price {price}", args: "order get {id}"},
	{name: "cancel", setup: "order create --yes {sym} --side buy --qty {qty} --price {price}", args: "order cancel {id}"},
	{name: "balance", args: "balance"},
	{name: "dashboard", args: "dashboard"},
}

// BenchmarkRequestsPerCommand runs each command warm (instrument rules
// cached, journal and dashboard hints in place, as after any earlier
// command) against each venue's fake behind 50 ms per request, and
// reports per run the requests sent (requests/op), the round trips they
// took (round-trips/op: requests sent together count once, told apart by
// when they reached the venue) and the wall time in round trips (wall/RTT,
// where one RTT is the 50 ms; the rest is local work). The targets
// are one round trip per command (wall/RTT near 1; the dashboard ≤ 1.2);
// TestRequestsPerCommand pins the requests and says why some venues need
// two. Re-run with:
//
//	go test -run '^$' -bench RequestsPerCommand -benchtime 5x ./cmd/tradectl
func BenchmarkRequestsPerCommand(b *testing.B) {
	for _, venue := range venueNames {
		b.Run(venue, func(b *testing.B) {
			h := newVenueHome(b, venue, benchLatency)
			h.warm(b)
			n := 0
			for _, c := range benchCommands {
				b.Run(c.name, func(b *testing.B) {
					var requests, trips int
					var wall time.Duration
					for range b.N {
						b.StopTimer()
						n++
						args := strings.ReplaceAll(c.args, "{n}", fmt.Sprint(n))
						id := ""
						if c.setup != "" {
							r := h.mustRun(b, h.expand(strings.ReplaceAll(c.setup, "{n}", fmt.Sprint(n)), ""))
							id = orderID(b, r)
						}
						args = h.expand(args, id)
						b.StartTimer()
						r := h.mustRun(b, args)
						requests += len(r.requests)
						trips += r.rounds
						wall += r.wall
					}
					b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
					b.ReportMetric(float64(trips)/float64(b.N), "round-trips/op")
					b.ReportMetric(float64(wall)/float64(benchLatency)/float64(b.N), "wall/RTT")
				})
			}
		})
	}
}
