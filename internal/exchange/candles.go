package exchange

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/trade"
)

// CandleReader is implemented by venues that serve OHLCV candles.
type CandleReader interface {
	// CandleIntervals lists the intervals the venue serves for sym, so a
	// caller can refuse another before anything is sent.
	CandleIntervals(sym trade.Symbol) []trade.Interval
	// Candles returns the candles of r, oldest first, without duplicates,
	// each opening in [r.Since, r.Until), at most r.Limit (the first ones
	// from r.Since). A venue pages through its own per-request limit. An
	// interval the venue does not offer is an error wrapping
	// ErrInvalidOrder, returned before any request; an unknown symbol
	// wraps ErrNotFound.
	Candles(ctx context.Context, sym trade.Symbol, r trade.CandleRange) ([]trade.Candle, error)
}

// OffersInterval reports whether cr serves iv for sym.
func OffersInterval(cr CandleReader, sym trade.Symbol, iv trade.Interval) bool {
	return slices.Contains(cr.CandleIntervals(sym), iv)
}

// CandlePage reads one page: the candles opening in [from, to), at most n
// of them. It may return candles outside the window or out of order;
// PageCandles keeps only the right ones.
type CandlePage func(ctx context.Context, from, to time.Time, n int) ([]trade.Candle, error)

// PageCandles reads r in windows of at most pageMax candle slots, one page
// per window, so a range costs ceil(slots/pageMax) requests whatever gaps
// the venue's history has: a window is sized in slots, not in candles
// received. Candles are checked (Candle.Validate), deduplicated by open
// time and kept in ascending order; reading stops at r.Limit.
func PageCandles(ctx context.Context, r trade.CandleRange, pageMax int, page CandlePage) ([]trade.Candle, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if pageMax < 1 {
		return nil, fmt.Errorf("candles: page size %d", pageMax)
	}
	width := r.Interval.Duration()
	var out []trade.Candle
	from := r.First()
	for from.Before(r.Until) && len(out) < r.Limit {
		n := min(pageMax, r.Limit-len(out))
		to := from.Add(time.Duration(n) * width)
		if to.After(r.Until) {
			to = r.Until
		}
		got, err := page(ctx, from, to, n)
		if err != nil {
			return nil, err
		}
		slices.SortFunc(got, func(a, b trade.Candle) int { return a.Time.Compare(b.Time) })
		for _, c := range got {
			if c.Time.Before(from) || !c.Time.Before(to) || !r.Contains(c.Time) {
				continue
			}
			if len(out) > 0 && !c.Time.After(out[len(out)-1].Time) {
				continue
			}
			if err := c.Validate(); err != nil {
				return nil, fmt.Errorf("candle: %w", err)
			}
			out = append(out, c)
			if len(out) == r.Limit {
				break
			}
		}
		from = to
	}
	return out, nil
}

// UnsupportedInterval is the error for an interval a venue does not serve.
func UnsupportedInterval(venue string, iv trade.Interval, offered []trade.Interval) error {
	names := make([]string, len(offered))
	for i, o := range offered {
		names[i] = string(o)
	}
	return &Error{Kind: ErrInvalidOrder, Venue: venue,
		Message: fmt.Sprintf("%s does not serve %s candles; it offers %s", venue, iv, strings.Join(names, ", "))}
}
