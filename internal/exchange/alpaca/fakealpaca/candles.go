package fakealpaca

import (
	"net/http"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// barTimeframes are the timeframes the fake serves, in Alpaca's spelling
// ([1-59]Min, [1-23]Hour, 1Day, …; the fake knows the common ones).
var barTimeframes = map[string]time.Duration{
	"1Min": time.Minute, "5Min": 5 * time.Minute, "15Min": 15 * time.Minute, "30Min": 30 * time.Minute,
	"1Hour": time.Hour, "4Hour": 4 * time.Hour, "1Day": 24 * time.Hour,
}

// maxBarsLimit is the largest limit a bars request takes.
const maxBarsLimit = 10000

// WithBarsPageSize makes the bars endpoints answer at most n bars a page
// whatever limit was asked, continuing with next_page_token, so a test can
// make a read page with the token.
func WithBarsPageSize(n int) Option { return func(s *Server) { s.barsPage = n } }

// handleCryptoOrderbooks answers GET /v1beta3/crypto/us/latest/orderbooks:
// the full book of each symbol, levels {p, s} as JSON numbers.
func (s *Server) handleCryptoOrderbooks(r *http.Request, _ []byte, _ string) response {
	as, e := s.dataSymbols(r, true)
	if e != nil {
		return dataError(e)
	}
	books := map[string]map[string]any{}
	for _, a := range as {
		bids, asks := fakevenue.Ladder(a.bid, a.ask, a.priceInc, a.minIncr, fakevenue.BookLevels)
		levels := func(ls []fakevenue.Level) []map[string]any {
			out := make([]map[string]any, len(ls))
			for i, l := range ls {
				out[i] = map[string]any{"p": num(l.Price), "s": num(l.Qty)}
			}
			return out
		}
		books[a.spec.Symbol] = map[string]any{"t": stamp(a.quoteTime), "b": levels(bids), "a": levels(asks)}
	}
	return jsonResponse(http.StatusOK, map[string]any{"orderbooks": books})
}

func (s *Server) handleCryptoBars(r *http.Request, _ []byte, _ string) response {
	return s.bars(r, true)
}
func (s *Server) handleStockBars(r *http.Request, _ []byte, _ string) response {
	return s.bars(r, false)
}

// bars answers the historical bars endpoints: the bars of each symbol
// starting in [start, end] (RFC 3339, both inclusive), ascending, limit
// (default 1000, max 10000) across the answer, then next_page_token (the
// page's offset, opaque to clients) while more remain.
func (s *Server) bars(r *http.Request, crypto bool) response {
	as, e := s.dataSymbols(r, crypto)
	if e != nil {
		return dataError(e)
	}
	q := r.URL.Query()
	width, ok := barTimeframes[q.Get("timeframe")]
	if !ok {
		return dataError(errBody(http.StatusBadRequest, 0, "invalid timeframe"))
	}
	limit := 1000
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxBarsLimit {
			return dataError(errBody(http.StatusBadRequest, 0, "invalid limit: must be between 1 and 10000"))
		}
		limit = n
	}
	if s.barsPage > 0 {
		limit = min(limit, s.barsPage)
	}
	now := s.now()
	start, end := now.Truncate(24*time.Hour), now
	for name, dst := range map[string]*time.Time{"start": &start, "end": &end} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return dataError(errBody(http.StatusBadRequest, 0, "invalid %s: %s", name, v))
			}
			*dst = t
		}
	}
	offset := 0
	if v := q.Get("page_token"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return dataError(errBody(http.StatusBadRequest, 0, "invalid page_token"))
		}
		offset = n
	}
	type row struct {
		sym string
		bar fakevenue.Bar
	}
	var all []row
	for _, a := range as {
		step := a.minIncr
		if !crypto {
			step = decimal.NewFromInt(1)
		}
		tick := a.priceInc
		if !crypto {
			tick = decimal.New(1, -2)
		}
		for _, b := range fakevenue.Bars(a.spec.Symbol, a.last, tick, step, width, start, end.Add(time.Nanosecond), now) {
			all = append(all, row{a.spec.Symbol, b})
		}
	}
	out := map[string][]map[string]any{}
	var next any
	if offset < len(all) {
		page := all[offset:]
		if len(page) > limit {
			page = page[:limit]
			next = strconv.Itoa(offset + limit)
		}
		for _, r := range page {
			b := r.bar
			out[r.sym] = append(out[r.sym], map[string]any{"t": stamp(b.Time), "o": num(b.Open), "h": num(b.High), "l": num(b.Low),
				"c": num(b.Close), "v": num(b.Volume), "n": 1, "vw": num(b.Open.Add(b.Close).Div(decimal.NewFromInt(2)))})
		}
	}
	return jsonResponse(http.StatusOK, map[string]any{"bars": out, "next_page_token": next})
}
