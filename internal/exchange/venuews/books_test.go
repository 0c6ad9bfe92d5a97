package venuews

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/trade"
)

// bookFeed builds a BookFeed on srv reading the test wire format: a quote
// message is a one-level book.
func bookFeed(srv *testServer) BookFeed {
	f := feed(srv, nil)
	return BookFeed{
		Endpoint: Endpoint{Venue: f.Venue, URL: f.URL}, Subscribe: f.Subscribe, Timing: f.Timing,
		NewDecoder: func() BookDecoder {
			quotes := f.NewDecoder()
			return func(msg []byte) ([]trade.Book, error) {
				qs, err := quotes(msg)
				var out []trade.Book
				for _, q := range qs {
					out = append(out, trade.Book{Symbol: q.Symbol,
						Bids: []trade.BookLevel{{Price: q.Bid, Qty: trade.Dec("1")}},
						Asks: []trade.BookLevel{{Price: q.Ask, Qty: trade.Dec("1")}}})
				}
				return out, err
			}
		},
	}
}

func TestStreamBooksResubscribesAfterGap(t *testing.T) {
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		if n == 1 {
			// A book, then a gap: what follows on this connection must
			// never be delivered.
			send(ctx, c, quoteMsg("BTC-USD", "1", "2"), `{"gap":true}`, quoteMsg("BTC-USD", "99", "100"))
			hold(ctx)
			return
		}
		send(ctx, c, quoteMsg("BTC-USD", "5", "6"))
		hold(ctx)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var bids []string
	err := StreamBooks(ctx, bookFeed(srv), func(b trade.Book) error {
		bids = append(bids, b.Bids[0].Price.String())
		if len(bids) == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamBooks = %v, want context.Canceled", err)
	}
	if diff := cmp.Diff([]string{"1", "5"}, bids); diff != "" {
		t.Errorf("best bids (-want +got):\n%s", diff)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("connections = %d, want 2", n)
	}
}

func TestStreamBooksGivesUp(t *testing.T) {
	// Refused connections: after FailuresBeforePoll of them StreamBooks
	// returns, so the caller can read over REST; it never polls itself.
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) { hold(ctx) })
	srv.refuse.Store(true)
	f := bookFeed(srv)
	var slept atomic.Int64
	f.Sleep = func(ctx context.Context, d time.Duration) error { slept.Add(1); return ctx.Err() }
	err := StreamBooks(context.Background(), f, func(trade.Book) error { t.Error("a book from a refused stream"); return nil })
	if err == nil || !strings.Contains(err.Error(), "3 times in a row") {
		t.Errorf("StreamBooks = %v, want it to give up after 3 failures", err)
	}
	if n := slept.Load(); n != 2 {
		t.Errorf("backoff waits = %d, want 2 (between the 3 attempts)", n)
	}

	f.URL = ""
	if err := StreamBooks(context.Background(), f, func(trade.Book) error { return nil }); err == nil {
		t.Error("StreamBooks without a URL = nil, want an error")
	}
}
