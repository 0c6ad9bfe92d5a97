package book

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// streamPace is the least time between two refreshes of a streamed book:
// a busy book changes many times a second, and neither a person nor a
// pipe reader needs more than ten redraws of it.
const streamPace = 100 * time.Millisecond

// feed hands `book --watch` one book after another: pushed by the venue
// where it streams its book (exchange.BookStreamer), else read over REST
// every --interval. A stream that ends with an error falls back to
// reading, said once on the log.
type feed struct {
	poll     func(context.Context) (View, error)
	view     func(trade.Book) View
	interval time.Duration
	log      func() *slog.Logger

	streaming bool          // guarded by mu once the stream runs
	fresh     chan struct{} // a newer book than the last one handed out
	done      chan error    // the stream's end
	mu        sync.Mutex
	latest    trade.Book
}

// newFeed starts the venue's book stream when it has one; it runs until
// ctx ends.
func newFeed(ctx context.Context, ex exchange.Exchange, o *BookOptions, poll func(context.Context) (View, error),
	view func(trade.Book) View, log func() *slog.Logger) *feed {
	f := &feed{poll: poll, view: view, interval: o.Interval, log: log}
	bs, ok := ex.(exchange.BookStreamer)
	if !ok {
		return f
	}
	f.streaming = true
	f.fresh, f.done = make(chan struct{}, 1), make(chan error, 1)
	go func() {
		f.done <- bs.StreamBook(ctx, o.Symbol, o.Depth, func(b trade.Book) error {
			f.mu.Lock()
			f.latest = b
			f.mu.Unlock()
			select {
			case f.fresh <- struct{}{}:
			default:
			}
			return nil
		})
	}()
	return f
}

// next is the next book: the newest the stream has pushed since the last
// call (waiting for one), or a fresh read.
func (f *feed) next(ctx context.Context) (View, error) {
	if !f.isStreaming() {
		return f.poll(ctx)
	}
	select {
	case <-f.fresh:
		f.mu.Lock()
		b := f.latest
		f.mu.Unlock()
		return f.view(b), nil
	case err := <-f.done:
		if ctx.Err() != nil {
			return View{}, ctx.Err()
		}
		f.mu.Lock()
		f.streaming = false
		f.mu.Unlock()
		if err == nil {
			err = errors.New("the stream ended")
		}
		f.log().Warn("the order book stream stopped; reading the book every --interval instead", "err", err)
		return f.poll(ctx)
	case <-ctx.Done():
		return View{}, ctx.Err()
	}
}

// pause is how long to wait before asking for the next book.
func (f *feed) pause() time.Duration {
	if f.isStreaming() {
		return streamPace
	}
	return f.interval
}

// isStreaming says the books come from the venue's stream.
func (f *feed) isStreaming() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.streaming
}
