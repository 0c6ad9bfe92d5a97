package watch

import (
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/watch/expr"
)

// BenchmarkWatchQuote is the watch's part of one quote: from the goroutine
// that read it to the watch model (tracker, an --alert, the NDJSON event
// written to a discard), as the Watch*Stream benchmarks run it:
//
//	go test -run '^$' -bench 'WatchQuote' -benchmem ./internal/cmd/watch/
//
// "handoff" is how follow took quotes before, and the baseline: over an
// unbuffered channel to a loop on another goroutine. "direct" is how it
// takes them now: applied on the reading goroutine, under the watcher's
// lock. Run back to back the hand-off is at its cheapest (the loop is
// already awake); on a stream's evenly spaced frames each one also wakes
// a thread, which the Watch*Stream benchmarks' cpu%/core shows.
func BenchmarkWatchQuote(b *testing.B) {
	symbols := make([]trade.Symbol, 0, 100)
	for _, s := range benchSymbols() {
		symbols = append(symbols, trade.MustSymbol(s))
	}
	var quotes []trade.Quote
	at := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	for round := range 2 { // prices move between rounds
		for i, s := range symbols {
			bid := trade.Dec(strconv.Itoa(100+i) + "." + strconv.Itoa(10+round))
			quotes = append(quotes, trade.Quote{Symbol: s, Bid: bid, Ask: bid.Add(trade.Dec("0.02")), Last: bid.Add(trade.Dec("0.01")), Time: at})
		}
	}
	for _, how := range []string{"handoff", "direct"} {
		b.Run(how, func(b *testing.B) {
			w := benchWatcher(b, symbols)
			b.ReportAllocs()
			switch how {
			case "handoff":
				incoming, done := make(chan trade.Quote), make(chan error, 1)
				go func() {
					var err error
					for q := range incoming {
						if err == nil {
							err = w.quote(q)
						}
					}
					done <- err
				}()
				for i := 0; b.Loop(); i++ {
					incoming <- quotes[i%len(quotes)]
				}
				close(incoming)
				if err := <-done; err != nil {
					b.Fatal(err)
				}
			case "direct":
				var mu sync.Mutex
				for i := 0; b.Loop(); i++ {
					mu.Lock()
					err := w.quote(quotes[i%len(quotes)])
					mu.Unlock()
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			if w.updates != b.N {
				b.Fatalf("%d quotes applied, want %d", w.updates, b.N)
			}
		})
	}
}

// benchWatcher is follow's watcher as the stream benchmarks set it up:
// NDJSON to a discard, an alert that never fires.
func benchWatcher(b *testing.B, symbols []trade.Symbol) *watcher {
	b.Helper()
	ios, _, _, _ := iostreams.Test()
	ios.Out = io.Discard
	p, err := render.NewPrinter(ios, "ndjson", "", nil)
	if err != nil {
		b.Fatal(err)
	}
	alert, err := parseExpr("--alert", symbols[0].String()+".bid > 1000000")
	if err != nil {
		b.Fatal(err)
	}
	o := &WatchOptions{IO: ios, Symbols: symbols, Interval: time.Second, StaleAfter: DefaultStaleAfter, Alerts: []*expr.Expr{alert},
		Now: time.Now, Since: time.Since, Logger: func() *slog.Logger { return slog.New(slog.DiscardHandler) }}
	return newWatcher(o, p.PrintEvent, nil, nil, conditionNotifier{})
}
