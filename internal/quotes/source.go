// Package quotes feeds a stream of quotes from any exchange: pushed where
// the venue streams, polled where it does not.
package quotes

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// ErrStop ends a Follow early without an error; fn returns it.
var ErrStop = errors.New("stop following quotes")

// MinPollInterval keeps polling well inside every supported venue's public
// rate limits even for a long watch.
const MinPollInterval = 200 * time.Millisecond

// Follow calls fn with quotes for symbols until ctx is done or fn returns
// an error. It streams when ex implements exchange.QuoteStreamer and polls
// Quotes every interval otherwise; a transient polling failure (rate limit,
// unavailable) waits — the venue's Retry-After when given — and tries again.
// It returns nil when fn returned ErrStop, ctx.Err() when ctx ended.
func Follow(ctx context.Context, ex exchange.Exchange, symbols []trade.Symbol, interval time.Duration, log *slog.Logger, fn func(trade.Quote) error) error {
	var err error
	if s, ok := ex.(exchange.QuoteStreamer); ok {
		err = s.StreamQuotes(ctx, symbols, fn)
	} else {
		err = poll(ctx, ex, symbols, max(interval, MinPollInterval), log, fn)
	}
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

func poll(ctx context.Context, ex exchange.Exchange, symbols []trade.Symbol, interval time.Duration, log *slog.Logger, fn func(trade.Quote) error) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		wait := interval
		qs, err := ex.Quotes(ctx, symbols)
		switch {
		case err == nil:
			failures = 0
			for _, q := range qs {
				if err := fn(q); err != nil {
					return err
				}
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case exchange.Retryable(err) && failures < 10:
			failures++
			if d, ok := exchange.RetryAfter(err); ok && d > wait {
				wait = d
			} else {
				wait = interval << min(failures, 5)
			}
			if log != nil {
				log.Warn("quote poll failed; retrying", slog.Any("error", err), slog.Duration("wait", wait))
			}
		default:
			return err
		}
		timer.Reset(wait)
	}
}
