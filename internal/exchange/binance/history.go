package binance

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.FillHistorian = (*Exchange)(nil)

const (
	pathMyTrades = "/api/v3/myTrades"
	// weightMyTrades is myTrades' request weight.
	weightMyTrades = 20
	// myTradesPage is Binance's largest myTrades page ("Default 500; max
	// 1000").
	myTradesPage = 1000
	// maxTradeWindow is the widest startTime..endTime myTrades accepts.
	maxTradeWindow = 24 * time.Hour
)

// FillScope implements exchange.FillHistorian: Binance keeps executions
// per symbol.
func (e *Exchange) FillScope() exchange.FillScope { return exchange.FillsPerSymbol }

// FillHistory implements exchange.FillHistorian: one page of q.Symbol's
// executions in ascending trade id (and so time) order, read from a trade
// id on (fromId). Where the read starts:
//
//   - Cursor: the trade id the page before ended after;
//   - AfterID: the id after it;
//   - Since: the first trade at or after Since, found by firstTradeFrom;
//   - none: the symbol's first trade (fromId 0).
//
// A full page may have more after it (Next is the id after its last
// trade); a short page, or one that reaches Until, is the last.
func (e *Exchange) FillHistory(ctx context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	page, err := e.fillHistory(ctx, q)
	if err != nil {
		return exchange.FillPage{}, fmt.Errorf("fill history of %s: %w", q.Symbol, err)
	}
	return page, nil
}

func (e *Exchange) fillHistory(ctx context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	if q.Symbol.IsZero() {
		return exchange.FillPage{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
			Message: "binance keeps executions per symbol: a fill history read needs one"}
	}
	vs, err := venueSymbol(q.Symbol)
	if err != nil {
		return exchange.FillPage{}, err
	}
	limit := q.Limit
	if limit <= 0 || limit > myTradesPage {
		limit = myTradesPage
	}
	if !q.Until.IsZero() && !q.Since.IsZero() && !q.Since.Before(q.Until) {
		return exchange.FillPage{}, nil
	}
	var from int64
	switch {
	case q.Cursor != "":
		if from, err = strconv.ParseInt(q.Cursor, 10, 64); err != nil || from < 0 {
			return exchange.FillPage{}, badCursor(q.Cursor)
		}
	case q.AfterID != "":
		after, err := strconv.ParseInt(q.AfterID, 10, 64)
		if err != nil || after < 0 {
			return exchange.FillPage{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
				Message: fmt.Sprintf("fill id %q is not a Binance trade id", q.AfterID)}
		}
		from = after + 1
	case !q.Since.IsZero():
		first, ok, err := e.firstTradeFrom(ctx, vs, q.Symbol, q.Since, q.Until)
		if err != nil || !ok {
			return exchange.FillPage{}, err
		}
		from = first
	}
	ws, err := e.myTrades(ctx, newQuery().add("symbol", vs).add("fromId", strconv.FormatInt(from, 10)).add("limit", strconv.Itoa(limit)))
	if err != nil {
		return exchange.FillPage{}, err
	}
	var page exchange.FillPage
	last, reachedUntil := from-1, false
	for _, w := range ws {
		f, err := mapFill(w, q.Symbol)
		if err != nil {
			return exchange.FillPage{}, decodeFailure("GET "+pathMyTrades, err, false, "")
		}
		last = max(last, w.ID)
		switch {
		case !q.Until.IsZero() && !f.Time.Before(q.Until):
			// Ids ascend with time: nothing after this is in range.
			reachedUntil = true
		case !q.Since.IsZero() && f.Time.Before(q.Since):
		default:
			page.Fills = append(page.Fills, f)
		}
	}
	if len(ws) >= limit && !reachedUntil {
		page.Next = strconv.FormatInt(last+1, 10)
	}
	return page, nil
}

func badCursor(c string) error {
	return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
		Message: fmt.Sprintf("%q is not a Binance fill history cursor", c)}
}

// firstTradeFrom finds the id of the symbol's first trade at or after
// since (and before until, when set); ok is false when there is none.
// myTrades cannot page by time beyond one day (startTime..endTime spans at
// most 24 hours), so:
//
//  1. one request for the 24 hours from since (startTime and endTime,
//     limit 1) answers at once when the account traded in that day;
//  2. otherwise the most recent trade (no time, limit 1) says whether
//     there is anything after since at all;
//  3. and if there is, a binary search over fromId (limit 1: the first
//     trade with an id at least fromId) finds the first trade at or after
//     since, since trade ids ascend with time: at most about 64 requests,
//     about 33 for today's largest Binance trade ids.
func (e *Exchange) firstTradeFrom(ctx context.Context, vs string, sym trade.Symbol, since, until time.Time) (int64, bool, error) {
	end := since.Add(maxTradeWindow - time.Millisecond)
	if !until.IsZero() && until.Before(end) {
		end = until.Add(-time.Millisecond)
	}
	first, err := e.oneTrade(ctx, sym, newQuery().add("symbol", vs).
		add("startTime", strconv.FormatInt(since.UnixMilli(), 10)).
		add("endTime", strconv.FormatInt(end.UnixMilli(), 10)))
	if err != nil || first != nil {
		return idOf(first), first != nil, err
	}
	latest, err := e.oneTrade(ctx, sym, newQuery().add("symbol", vs))
	if err != nil || latest == nil || latest.Time.Before(since) {
		return 0, false, err
	}
	// The trade sought is best or has an id in [lo, hi); every trade with
	// an id below lo is before since, and none is in [hi, best).
	best := latest
	lo, hi := int64(0), idOf(latest)
	for lo < hi {
		mid := lo + (hi-lo)/2
		t, err := e.oneTrade(ctx, sym, newQuery().add("symbol", vs).add("fromId", strconv.FormatInt(mid, 10)))
		if err != nil {
			return 0, false, err
		}
		switch {
		case t == nil:
			// best has an id of at least mid; the venue lost a trade it
			// listed a moment ago.
			return 0, false, decodeFailure("GET "+pathMyTrades, fmt.Errorf("no trade from id %d on, though trade %s was listed", mid, best.ID), false, "")
		case t.Time.Before(since):
			lo = idOf(t) + 1
		default:
			best, hi = t, mid
		}
	}
	if !until.IsZero() && !best.Time.Before(until) {
		return 0, false, nil
	}
	return idOf(best), true, nil
}

// oneTrade reads the first trade q's window holds (limit 1), nil when it
// holds none.
func (e *Exchange) oneTrade(ctx context.Context, sym trade.Symbol, q *query) (*trade.Fill, error) {
	ws, err := e.myTrades(ctx, q.add("limit", "1"))
	if err != nil || len(ws) == 0 {
		return nil, err
	}
	f, err := mapFill(ws[0], sym)
	if err != nil {
		return nil, decodeFailure("GET "+pathMyTrades, err, false, "")
	}
	return &f, nil
}

func idOf(f *trade.Fill) int64 {
	if f == nil {
		return 0
	}
	id, _ := strconv.ParseInt(f.ID, 10, 64) // mapFill formatted it
	return id
}

// myTrades sends one signed myTrades request, weight 20 through the
// weight limiter.
func (e *Exchange) myTrades(ctx context.Context, q *query) ([]tradeWire, error) {
	var ws []tradeWire
	err := e.do(ctx, call{method: http.MethodGet, path: pathMyTrades, params: q, signed: true, weight: weightMyTrades}, &ws)
	return ws, err
}
