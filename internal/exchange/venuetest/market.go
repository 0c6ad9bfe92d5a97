package venuetest

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/trade"
)

// GuardRequests measures what the slippage guard costs a venue: the
// requests of the top-of-book read it made before the venue offered depth
// (Quotes of the symbol) and of what it makes now (risk.EstimateFill,
// which walks the book when the venue is an exchange.OrderBookReader).
// count returns how many requests the fake has received. The instrument
// rules are read first, as an order's plan does before the guard runs, so
// neither side pays for them.
func GuardRequests(t testing.TB, ctx context.Context, ex exchange.Exchange, sym trade.Symbol, count func() int) (quotes, guard int) {
	t.Helper()
	if _, err := exchange.FindInstrument(ctx, ex, sym); err != nil {
		t.Fatalf("instrument %s: %v", sym, err)
	}
	n0 := count()
	if _, err := ex.Quotes(ctx, []trade.Symbol{sym}); err != nil {
		t.Fatalf("Quotes(%s): %v", sym, err)
	}
	n1 := count()
	req := trade.OrderRequest{Symbol: sym, Side: trade.Buy, Type: trade.Market, Qty: decimal.New(1, -3)}
	est, err := risk.EstimateFill(ctx, ex, req)
	if err != nil {
		t.Fatalf("EstimateFill(%s): %v", sym, err)
	}
	if _, deep := ex.(exchange.OrderBookReader); deep && est.Source != risk.SourceBook {
		t.Logf("the guard estimated from %q: the venue shows no depth for %s", est.Source, sym)
	}
	return n1 - n0, count() - n1
}

// CheckGuardNoDearer fails the test when the guard costs more requests
// than its old top-of-book read did, and logs both counts.
func CheckGuardNoDearer(t testing.TB, venue string, quotes, guard int) {
	t.Helper()
	t.Logf("%s slippage guard: %d request(s) with top of book only, %d walking the book", venue, quotes, guard)
	if guard > quotes {
		t.Errorf("%s: the slippage guard now costs %d requests, was %d with Quotes", venue, guard, quotes)
	}
}

// PagingRange is a range of 1m candles that needs pages to read: slots
// candles ending ten minutes before now.
func PagingRange(now time.Time, slots int) trade.CandleRange {
	until := trade.Interval1m.Floor(now).Add(-10 * time.Minute)
	return trade.CandleRange{Interval: trade.Interval1m, Since: until.Add(-time.Duration(slots) * time.Minute), Until: until, Limit: trade.MaxCandles}
}
