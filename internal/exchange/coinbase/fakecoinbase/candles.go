package fakecoinbase

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// candleGranularities are the public candles endpoint's granularities
// (get-public-product-candles: FOUR_HOUR is listed only on the
// authenticated endpoint).
var candleGranularities = map[string]time.Duration{
	"ONE_MINUTE": time.Minute, "FIVE_MINUTE": 5 * time.Minute, "FIFTEEN_MINUTE": 15 * time.Minute,
	"THIRTY_MINUTE": 30 * time.Minute, "ONE_HOUR": time.Hour, "TWO_HOUR": 2 * time.Hour,
	"SIX_HOUR": 6 * time.Hour, "ONE_DAY": 24 * time.Hour,
}

// maxCandles is the most buckets one candles request may cover.
const maxCandles = 350

// handleProductBook answers GET /market/product_book: the pricebook of
// product_id with limit levels a side, plus last, mid_market and spread.
func (s *Server) handleProductBook(r *http.Request, _ []byte) response {
	q := r.URL.Query()
	if resp, ok := checkQuery(q, "product_id", "limit", "aggregation_price_increment"); !ok {
		return resp
	}
	p, found := s.products.Get(q.Get("product_id"))
	if !found {
		return notFound("product not found")
	}
	limit := fakevenue.BookLevels
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return invalidArgument("limit must be a positive integer")
		}
		limit = n
	}
	bids, asks := fakevenue.Ladder(p.bid, p.ask, p.priceInc, p.baseInc, limit)
	levels := func(ls []fakevenue.Level) []map[string]string {
		out := make([]map[string]string, len(ls))
		for i, l := range ls {
			out[i] = map[string]string{"price": fx(l.Price), "size": fx(l.Qty)}
		}
		return out
	}
	mid := p.bid.Add(p.ask).Div(dec("2"))
	return ok(map[string]any{
		"pricebook": map[string]any{"product_id": p.spec.ID, "bids": levels(bids), "asks": levels(asks), "time": s.now().Format(time.RFC3339Nano)},
		"last":      fx(p.last), "mid_market": fx(mid), "spread_absolute": fx(p.ask.Sub(p.bid)),
		"spread_bps": fx(p.ask.Sub(p.bid).Div(mid).Mul(dec("10000")).Round(4)),
	})
}

// handleCandles answers GET /market/products/{id}/candles: the buckets
// starting in [start, end] (Unix seconds, both required), newest first; a
// range of more than 350 buckets is refused, as Coinbase does.
func (s *Server) handleCandles(r *http.Request, _ []byte) response {
	id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, Prefix+"/market/products/"), "/candles")
	q := r.URL.Query()
	if resp, ok := checkQuery(q, "start", "end", "granularity", "limit"); !ok {
		return resp
	}
	p, found := s.products.Get(id)
	if !found {
		return notFound("product not found")
	}
	width, known := candleGranularities[q.Get("granularity")]
	if !known {
		return invalidArgument("granularity is not supported: " + strconv.Quote(q.Get("granularity")))
	}
	start, err1 := strconv.ParseInt(q.Get("start"), 10, 64)
	end, err2 := strconv.ParseInt(q.Get("end"), 10, 64)
	if err1 != nil || err2 != nil || end < start {
		return invalidArgument("start and end are required Unix timestamps, start before end")
	}
	limit := maxCandles
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxCandles {
			return invalidArgument("limit must be between 1 and 350")
		}
		limit = n
	}
	from, to := time.Unix(start, 0), time.Unix(end, 0)
	if to.Sub(from)/width >= maxCandles {
		return invalidArgument("number of candles requested should be less than 350")
	}
	bars := fakevenue.Bars(p.spec.ID, p.last, p.priceInc, p.baseInc, width, from, to.Add(time.Nanosecond), s.now())
	if len(bars) > limit {
		bars = bars[len(bars)-limit:]
	}
	out := make([]map[string]string, 0, len(bars))
	for i := len(bars) - 1; i >= 0; i-- {
		b := bars[i]
		out = append(out, map[string]string{"start": strconv.FormatInt(b.Time.Unix(), 10), "low": fx(b.Low), "high": fx(b.High),
			"open": fx(b.Open), "close": fx(b.Close), "volume": fx(b.Volume)})
	}
	return ok(map[string]any{"candles": out})
}
