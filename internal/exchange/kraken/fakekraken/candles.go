package fakekraken

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// ohlcEntries is how many entries OHLC returns at most, and how far back
// it reaches: "Returns up to 720 of the most recent entries (older data
// cannot be retrieved, regardless of the value of since)".
const ohlcEntries = 720

// ohlcIntervals are OHLC's intervals, in minutes.
var ohlcIntervals = map[int]bool{1: true, 5: true, 15: true, 30: true, 60: true, 240: true, 1440: true, 10080: true, 21600: true}

func (p *pair) lotStep() decimal.Decimal { return decimal.New(1, -p.spec.LotDecimals) }

// handleDepth answers GET /0/public/Depth: count levels a side (1..500,
// default 100), each [price, volume, timestamp], under the pair's id.
func (s *Server) handleDepth(q params) (any, string) {
	p, ok := s.pairLocked(strings.TrimSpace(q.get("pair")))
	if !ok {
		return nil, "EQuery:Unknown asset pair"
	}
	count := 100
	if v := q.get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return nil, "EGeneral:Invalid arguments:count"
		}
		count = n
	}
	bids, asks := fakevenue.Ladder(p.bid, p.ask, p.tick, p.lotStep(), count)
	ts := s.clock().Unix()
	rows := func(ls []fakevenue.Level) [][]any {
		out := make([][]any, len(ls))
		for i, l := range ls {
			out[i] = []any{fx(l.Price, p.spec.PairDecimals), fx(l.Qty, 3), ts}
		}
		return out
	}
	return map[string]any{p.spec.ID: map[string]any{"asks": rows(asks), "bids": rows(bids)}}, ""
}

// handleOHLC answers GET /0/public/OHLC: the entries after since (Unix
// seconds), at most the latest 720 of the interval (minutes, default 1),
// each [time, open, high, low, close, vwap, volume, count], and "last".
func (s *Server) handleOHLC(q params) (any, string) {
	p, ok := s.pairLocked(strings.TrimSpace(q.get("pair")))
	if !ok {
		return nil, "EQuery:Unknown asset pair"
	}
	minutes := 1
	if v := q.get("interval"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || !ohlcIntervals[n] {
			return nil, "EGeneral:Invalid arguments:interval"
		}
		minutes = n
	}
	width := time.Duration(minutes) * time.Minute
	now := s.clock()
	from := now.Truncate(width).Add(-(ohlcEntries - 1) * width)
	if v := q.get("since"); v != "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, "EGeneral:Invalid arguments:since"
		}
		if since := time.Unix(sec+1, 0); since.After(from) {
			from = since
		}
	}
	bars := fakevenue.Bars(p.spec.ID, p.last, p.tick, p.lotStep(), width, from, now.Add(time.Nanosecond), now)
	d := p.spec.PairDecimals
	rows := make([][]any, len(bars))
	var last int64
	for i, b := range bars {
		vwap := b.Open.Add(b.Close).Div(decimal.NewFromInt(2))
		rows[i] = []any{b.Time.Unix(), fx(b.Open, d), fx(b.High, d), fx(b.Low, d), fx(b.Close, d), fx(vwap, d+1), fx(b.Volume, 8), 1 + i}
		last = b.Time.Unix()
	}
	return map[string]any{p.spec.ID: rows, "last": last}, ""
}
