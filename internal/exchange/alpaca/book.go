package alpaca

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuebook"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

var (
	_ exchange.OrderBookReader = (*Exchange)(nil)
	_ exchange.CandleReader    = (*Exchange)(nil)
)

// Market data paths and limits (see the package documentation).
const (
	pathCryptoOrderbooks = "/v1beta3/crypto/us/latest/orderbooks"
	pathCryptoBars       = "/v1beta3/crypto/us/bars"
	pathStockBars        = "/v2/stocks/bars"
	barsMax              = 10000
)

// levelWire is one order book level: price and size as JSON numbers.
type levelWire struct {
	P json.Number `json:"p"`
	S json.Number `json:"s"`
}

type orderbookWire struct {
	T string      `json:"t"`
	B []levelWire `json:"b"`
	A []levelWire `json:"a"`
}

type latestOrderbooksWire struct {
	Orderbooks map[string]orderbookWire `json:"orderbooks"`
}

// orderbookLevels reads {p, s} levels: JSON numbers, read as every Alpaca
// market-data number is (parseNumber).
var orderbookLevels = venuebook.Levels[levelWire]{
	Level:  func(l levelWire) (string, string, error) { return string(l.P), string(l.S), nil },
	Number: marketNumber,
}

// marketNumber is parseNumber for numbers venuebook hands over as text.
func marketNumber(field, text string) (decimal.Decimal, error) {
	return parseNumber(field, json.Number(text))
}

// mapOrderbook reads one latest order book; its time is the venue's.
func mapOrderbook(sym trade.Symbol, w orderbookWire, depth int, now time.Time) (trade.Book, error) {
	if t, err := venueorder.Time("t", w.T); err != nil {
		return trade.Book{}, err
	} else if !t.IsZero() {
		now = t
	}
	return orderbookLevels.Book(sym, now, depth, w.B, w.A)
}

// stockQuoteWire is a latest stock quote with its sizes.
type stockQuoteWire struct {
	T  string      `json:"t"`
	BP json.Number `json:"bp"`
	BS json.Number `json:"bs"`
	AP json.Number `json:"ap"`
	AS json.Number `json:"as"`
}

// mapStockQuoteBook is the one-level book of a latest stock quote: Alpaca
// publishes no stock depth. A side quoted at zero is left empty.
func mapStockQuoteBook(sym trade.Symbol, w stockQuoteWire, now time.Time) (trade.Book, error) {
	var bids, asks []levelWire
	if n, err := parseNumber("bp", w.BP); err != nil {
		return trade.Book{}, err
	} else if n.IsPositive() {
		bids = []levelWire{{P: w.BP, S: w.BS}}
	}
	if n, err := parseNumber("ap", w.AP); err != nil {
		return trade.Book{}, err
	} else if n.IsPositive() {
		asks = []levelWire{{P: w.AP, S: w.AS}}
	}
	b, err := mapOrderbook(sym, orderbookWire{T: w.T, B: bids, A: asks}, 1, now)
	b.TopOnly = err == nil
	return b, err
}

// OrderBook implements exchange.OrderBookReader: for a crypto pair the
// latest order book (one request; Alpaca sends the whole book, cut here to
// depth), for a stock the one level of its latest quote (one request, on
// the profile's feed).
func (e *Exchange) OrderBook(ctx context.Context, sym trade.Symbol, depth int) (trade.Book, error) {
	if _, err := e.ruleFor(ctx, sym); err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", err)
	}
	vs := venueSymbol(sym)
	q := url.Values{"symbols": {vs}}
	notFound := &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Message: "no order book for " + sym.String()}
	if !sym.IsPair() {
		q.Set("feed", e.feed)
		var w struct {
			Quotes map[string]stockQuoteWire `json:"quotes"`
		}
		c := call{host: dataHost, method: http.MethodGet, path: stockPaths.quotes, query: q, lookup: true}
		if err := e.do(ctx, c, &w); err != nil {
			return trade.Book{}, fmt.Errorf("order book: %w", err)
		}
		qw, ok := w.Quotes[vs]
		if !ok {
			return trade.Book{}, fmt.Errorf("order book: %w", notFound)
		}
		b, err := mapStockQuoteBook(sym, qw, e.Now().UTC())
		if err != nil {
			return trade.Book{}, fmt.Errorf("order book: %w", decodeFailure("latest quote "+vs, err, false, ""))
		}
		return b, nil
	}
	var w latestOrderbooksWire
	c := call{host: dataHost, method: http.MethodGet, path: pathCryptoOrderbooks, query: q, lookup: true}
	if err := e.do(ctx, c, &w); err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", err)
	}
	ow, ok := w.Orderbooks[vs]
	if !ok {
		return trade.Book{}, fmt.Errorf("order book: %w", notFound)
	}
	b, err := mapOrderbook(sym, ow, depth, e.Now().UTC())
	if err != nil {
		return trade.Book{}, fmt.Errorf("order book: %w", decodeFailure("latest order book "+vs, err, false, ""))
	}
	return b, nil
}

// timeframes maps tradectl's intervals onto Alpaca's bar timeframes: all
// are served.
var timeframes = map[trade.Interval]string{
	trade.Interval1m: "1Min", trade.Interval5m: "5Min", trade.Interval15m: "15Min",
	trade.Interval1h: "1Hour", trade.Interval4h: "4Hour", trade.Interval1d: "1Day",
}

// CandleIntervals implements exchange.CandleReader.
func (e *Exchange) CandleIntervals(trade.Symbol) []trade.Interval {
	return venuebook.Intervals(timeframes)
}

type barWire struct {
	T string      `json:"t"`
	O json.Number `json:"o"`
	H json.Number `json:"h"`
	L json.Number `json:"l"`
	C json.Number `json:"c"`
	V json.Number `json:"v"`
}

type barsWire struct {
	Bars          map[string][]barWire `json:"bars"`
	NextPageToken *string              `json:"next_page_token"`
}

// mapBars reads the bars of one symbol from a bars page.
func mapBars(sym trade.Symbol, in []barWire) ([]trade.Candle, error) {
	return venuebook.Rows("bar", in, func(bw barWire) (trade.Candle, error) {
		t, err := venueorder.Time("t", bw.T)
		if err != nil || t.IsZero() {
			return trade.Candle{}, fmt.Errorf("time %q: %v", bw.T, err)
		}
		return venuebook.Candle(sym, t, [5]string{string(bw.O), string(bw.H), string(bw.L), string(bw.C), string(bw.V)}, marketNumber)
	})
}

// maxBarPages bounds how many next_page_token pages one window may take,
// so a venue that keeps answering tokens cannot hold a read forever.
const maxBarPages = 100

// Candles implements exchange.CandleReader with the historical bars
// endpoints (crypto: v1beta3/crypto/us/bars; stocks: v2/stocks/bars on the
// profile's feed), start and end inclusive, up to 10000 bars a page,
// following next_page_token when Alpaca pages sooner.
func (e *Exchange) Candles(ctx context.Context, sym trade.Symbol, r trade.CandleRange) ([]trade.Candle, error) {
	tf, err := venuebook.Interval(venueName, timeframes, r)
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	if _, err := e.ruleFor(ctx, sym); err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	vs := venueSymbol(sym)
	path := pathCryptoBars
	if !sym.IsPair() {
		path = pathStockBars
	}
	out, err := exchange.PageCandles(ctx, r, barsMax, func(ctx context.Context, from, to time.Time, n int) ([]trade.Candle, error) {
		q := url.Values{"symbols": {vs}, "timeframe": {tf}, "start": {from.UTC().Format(time.RFC3339)},
			"end": {to.Add(-time.Second).UTC().Format(time.RFC3339)}, "limit": {strconv.Itoa(n)}, "sort": {"asc"}}
		if !sym.IsPair() {
			q.Set("feed", e.feed)
			q.Set("adjustment", "raw")
		}
		var got []trade.Candle
		for page := 0; ; page++ {
			if page == maxBarPages {
				return nil, decodeFailure("bars "+vs, fmt.Errorf("more than %d pages for one window", maxBarPages), false, "")
			}
			var w barsWire
			c := call{host: dataHost, method: http.MethodGet, path: path, query: q, lookup: true}
			if err := e.do(ctx, c, &w); err != nil {
				return nil, err
			}
			cs, err := mapBars(sym, w.Bars[vs])
			if err != nil {
				return nil, decodeFailure("bars "+vs, err, false, "")
			}
			got = append(got, cs...)
			if w.NextPageToken == nil || *w.NextPageToken == "" || len(got) >= n {
				return got, nil
			}
			q = cloneValues(q)
			q.Set("page_token", *w.NextPageToken)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	return out, nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
