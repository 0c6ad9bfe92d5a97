package kraken

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
)

var _ exchange.FillHistorian = (*Exchange)(nil)

// FillScope implements exchange.FillHistorian: one TradesHistory read
// covers every pair of the account.
func (e *Exchange) FillScope() exchange.FillScope { return exchange.FillsPerAccount }

// FillHistory implements exchange.FillHistorian with TradesHistory: one
// page (Kraken's 50 trades; Limit is ignored), newest first, by offset
// (ofs) into the trades that match start and end.
//
// A read's first page fixes its end, carried in the cursor with the next
// offset: Until when set, otherwise the newest trade of the first page.
// Later pages then count offsets in the same list of trades, so trades
// made during the read shift nothing (at worst one made within the same
// second as the newest shifts the offsets by one, repeating a trade, never
// skipping one). Since becomes start, which Kraken treats as exclusive
// (start is a second earlier); the range itself is applied here, as is
// the symbol, since TradesHistory has no pair filter.
func (e *Exchange) FillHistory(ctx context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	page, err := e.fillHistory(ctx, q)
	if err != nil {
		return exchange.FillPage{}, fmt.Errorf("fill history: %w", err)
	}
	return page, nil
}

// tradesCursor is where a TradesHistory read continues: the offset of its
// next page and the end (unix seconds, inclusive) its first page fixed.
type tradesCursor struct {
	ofs int
	end int64
}

func (c tradesCursor) String() string {
	return strconv.Itoa(c.ofs) + "@" + strconv.FormatInt(c.end, 10)
}

func parseTradesCursor(s string) (tradesCursor, error) {
	ofs, end, ok := strings.Cut(s, "@")
	var c tradesCursor
	var err1, err2 error
	c.ofs, err1 = strconv.Atoi(ofs)
	c.end, err2 = strconv.ParseInt(end, 10, 64)
	if !ok || err1 != nil || err2 != nil || c.ofs <= 0 || c.end <= 0 {
		return tradesCursor{}, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
			Message: fmt.Sprintf("%q is not a Kraken fill history cursor", s)}
	}
	return c, nil
}

// ceilUnix is t in whole unix seconds, rounded up: an inclusive end that
// keeps every trade at or before t.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

func (e *Exchange) fillHistory(ctx context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	var cur tradesCursor
	if q.Cursor != "" {
		var err error
		if cur, err = parseTradesCursor(q.Cursor); err != nil {
			return exchange.FillPage{}, err
		}
	} else if !q.Until.IsZero() {
		cur.end = ceilUnix(q.Until)
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return exchange.FillPage{}, nil
	}
	p := newForm().add("type", "all")
	if !q.Since.IsZero() {
		p.add("start", strconv.FormatInt(q.Since.Unix()-1, 10))
	}
	if cur.end > 0 {
		p.add("end", strconv.FormatInt(cur.end, 10))
	}
	if cur.ofs > 0 {
		p.add("ofs", strconv.Itoa(cur.ofs))
	}
	c := call{path: pathTradesHistory, params: p, private: true, cost: costHistory}
	var res tradesHistoryResult
	if err := e.do(ctx, c, &res); err != nil {
		return exchange.FillPage{}, err
	}
	if res.Trades == nil || res.Count == nil {
		// Without both, a page could not say whether more follow.
		return exchange.FillPage{}, decodeFailure(c, fmt.Errorf("answer without trades or count"))
	}
	var page exchange.FillPage
	var newest time.Time
	for id, w := range res.Trades {
		fill, err := e.mapFill(ctx, id, w)
		if err != nil {
			return exchange.FillPage{}, decodeFailure(c, err)
		}
		if fill.Time.After(newest) {
			newest = fill.Time
		}
		if (q.Symbol.IsZero() || fill.Symbol == q.Symbol) &&
			(q.Since.IsZero() || !fill.Time.Before(q.Since)) && (q.Until.IsZero() || fill.Time.Before(q.Until)) {
			page.Fills = append(page.Fills, fill)
		}
	}
	// The answer is a JSON object, whose order Go does not keep.
	venueorder.NewestFillsFirst(page.Fills)
	if next := cur.ofs + len(res.Trades); len(res.Trades) > 0 && next < *res.Count {
		if cur.end == 0 {
			cur.end = ceilUnix(newest)
		}
		cur.ofs = next
		page.Next = cur.String()
	}
	return page, nil
}
