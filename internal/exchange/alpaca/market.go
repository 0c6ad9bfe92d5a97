package alpaca

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// Market data answers carry JSON numbers, not strings. json.Number keeps
// their text so no float ever touches a price.
type quoteWire struct {
	T  string      `json:"t"`
	BP json.Number `json:"bp"`
	AP json.Number `json:"ap"`
}

type tradeWire struct {
	T string      `json:"t"`
	P json.Number `json:"p"`
}

type latestQuotesWire struct {
	Quotes map[string]quoteWire `json:"quotes"`
}

type latestTradesWire struct {
	Trades map[string]tradeWire `json:"trades"`
}

// parseNumber reads a market-data number. Go-encoded floats use exponents
// for very small values (1e-05), so exponents are allowed here, within
// bounds that keep a hostile "1e999999999" from blowing up later.
func parseNumber(field string, n json.Number) (decimal.Decimal, error) {
	s := strings.TrimSpace(string(n))
	if s == "" {
		return decimal.Zero, nil
	}
	if len(s) > 64 {
		return decimal.Zero, fmt.Errorf("%s: number too long", field)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%s: %w", field, err)
	}
	if exp := d.Exponent(); exp > 30 || exp < -40 {
		return decimal.Zero, fmt.Errorf("%s: %q is out of range", field, s)
	}
	if d.IsNegative() {
		return decimal.Zero, fmt.Errorf("%s: negative price %s", field, s)
	}
	return d, nil
}

// marketPaths are the latest-quote and latest-trade endpoints of one
// asset class on the data API.
type marketPaths struct {
	quotes, trades string
	feed           bool // stocks choose a feed; crypto has one
}

var (
	stockPaths  = marketPaths{quotes: "/v2/stocks/quotes/latest", trades: "/v2/stocks/trades/latest", feed: true}
	cryptoPaths = marketPaths{quotes: "/v1beta3/crypto/us/latest/quotes", trades: "/v1beta3/crypto/us/latest/trades"}
)

// latest fetches quotes and last trades for venue symbols of one class.
func (e *Exchange) latest(ctx context.Context, paths marketPaths, vss []string) (latestQuotesWire, latestTradesWire, error) {
	q := url.Values{"symbols": {strings.Join(vss, ",")}}
	if paths.feed {
		q.Set("feed", e.feed)
	}
	var lq latestQuotesWire
	var lt latestTradesWire
	// The quotes and the trades are independent requests: sent together
	// they cost one round trip of wall time.
	tradesErr := make(chan error, 1)
	go func() {
		tradesErr <- e.do(ctx, call{host: dataHost, method: http.MethodGet, path: paths.trades, query: q, lookup: true}, &lt)
	}()
	qerr := e.do(ctx, call{host: dataHost, method: http.MethodGet, path: paths.quotes, query: q, lookup: true}, &lq)
	terr := <-tradesErr
	if qerr != nil {
		return lq, lt, qerr
	}
	return lq, lt, terr
}

// mapQuote builds a quote from the latest quote and, when there is one,
// the latest trade (Last stays zero without a trade).
func mapQuote(sym trade.Symbol, qw quoteWire, tw *tradeWire, now time.Time) (trade.Quote, error) {
	bid, err := parseNumber("bp", qw.BP)
	if err != nil {
		return trade.Quote{}, err
	}
	ask, err := parseNumber("ap", qw.AP)
	if err != nil {
		return trade.Quote{}, err
	}
	q := trade.Quote{Symbol: sym, Bid: bid, Ask: ask, Time: now.UTC()}
	if t, err := venueorder.Time("t", qw.T); err != nil {
		return trade.Quote{}, err
	} else if !t.IsZero() {
		q.Time = t
	}
	if tw != nil {
		if q.Last, err = parseNumber("p", tw.P); err != nil {
			return trade.Quote{}, err
		}
	}
	return q, nil
}

// Quotes implements exchange.Exchange from the market data API: one
// latest-quotes and one latest-trades call per asset class asked for.
// Pairs are crypto, bare tickers stocks (quoted from the profile's feed).
func (e *Exchange) Quotes(ctx context.Context, symbols []trade.Symbol) ([]trade.Quote, error) {
	if len(symbols) == 0 {
		return nil, nil
	}
	var stocks, crypto []string
	seen := map[trade.Symbol]bool{}
	for _, s := range symbols {
		if seen[s] {
			continue
		}
		seen[s] = true
		if s.IsPair() {
			crypto = append(crypto, venueSymbol(s))
		} else {
			stocks = append(stocks, venueSymbol(s))
		}
	}
	got := map[trade.Symbol]trade.Quote{}
	for _, class := range []struct {
		paths marketPaths
		vss   []string
	}{{stockPaths, stocks}, {cryptoPaths, crypto}} {
		if len(class.vss) == 0 {
			continue
		}
		lq, lt, err := e.latest(ctx, class.paths, class.vss)
		if err != nil {
			return nil, fmt.Errorf("quotes: %w", err)
		}
		now := e.Now()
		for _, vs := range class.vss {
			qw, ok := lq.Quotes[vs]
			if !ok {
				continue
			}
			sym, err := trade.ParseSymbol(vs)
			if err != nil {
				continue
			}
			var tw *tradeWire
			if t, ok := lt.Trades[vs]; ok {
				tw = &t
			}
			q, err := mapQuote(sym, qw, tw, now)
			if err != nil {
				return nil, fmt.Errorf("quotes: %w", decodeFailure("latest quote "+vs, err, false, ""))
			}
			got[sym] = q
		}
	}
	out := make([]trade.Quote, 0, len(symbols))
	var missing []string
	for _, s := range symbols {
		q, ok := got[s]
		if !ok {
			if !seen[s] {
				continue
			}
			seen[s] = false // name each missing symbol once
			missing = append(missing, s.String())
			continue
		}
		out = append(out, q)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("quotes: %w", &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName,
			Message: "no quote for " + strings.Join(missing, ", ") + " (unknown symbol?)"})
	}
	return out, nil
}
