package binance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/rulecache"
	"github.com/tradectl/tradectl/internal/trade"
)

// symbolRules is what the adapter keeps of one exchangeInfo symbol.
type symbolRules struct {
	VenueSymbol string          `json:"venue_symbol"`
	Base        string          `json:"base"`
	Quote       string          `json:"quote"`
	Status      string          `json:"status"`
	TickSize    decimal.Decimal `json:"tick_size"`
	MinPrice    decimal.Decimal `json:"min_price"`
	MaxPrice    decimal.Decimal `json:"max_price"`
	StepSize    decimal.Decimal `json:"step_size"`
	MinQty      decimal.Decimal `json:"min_qty"`
	MaxQty      decimal.Decimal `json:"max_qty"`
	MinNotional decimal.Decimal `json:"min_notional"`
	// MARKET_LOT_SIZE, when the symbol has one.
	HasMarketLot bool            `json:"has_market_lot,omitempty"`
	MarketStep   decimal.Decimal `json:"market_step"`
	MarketMinQty decimal.Decimal `json:"market_min_qty"`
	MarketMaxQty decimal.Decimal `json:"market_max_qty"`
}

func (r symbolRules) symbol() trade.Symbol { return trade.Symbol{Base: r.Base, Quote: r.Quote} }

func (r symbolRules) trading() bool { return r.Status == "TRADING" }

// instrument is the LOT_SIZE view every order type shares.
func (r symbolRules) instrument() trade.Instrument {
	return trade.Instrument{
		Symbol: r.symbol(), BaseAsset: r.Base, QuoteAsset: r.Quote,
		TickSize: r.TickSize, StepSize: r.StepSize, MinQty: r.MinQty, MaxQty: r.MaxQty,
		MinNotional: r.MinNotional, VenueSymbol: r.VenueSymbol, Status: r.status(),
	}
}

// status maps exchangeInfo's status: TRADING trades; HALT, BREAK,
// END_OF_DAY, PRE_TRADING, POST_TRADING and AUCTION_MATCH take no new
// orders through the REST API.
func (r symbolRules) status() string {
	if r.trading() {
		return trade.StatusTrading
	}
	return trade.StatusHalted
}

// marketInstrument tightens the LOT_SIZE view with MARKET_LOT_SIZE, which
// Binance applies to market orders on top of LOT_SIZE.
func (r symbolRules) marketInstrument() trade.Instrument {
	in := r.instrument()
	if !r.HasMarketLot {
		return in
	}
	if r.MarketStep.GreaterThan(in.StepSize) {
		in.StepSize = r.MarketStep
	}
	if r.MarketMinQty.GreaterThan(in.MinQty) {
		in.MinQty = r.MarketMinQty
	}
	if r.MarketMaxQty.IsPositive() && (!in.MaxQty.IsPositive() || r.MarketMaxQty.LessThan(in.MaxQty)) {
		in.MaxQty = r.MarketMaxQty
	}
	return in
}

// ruleSet is the decoded exchangeInfo, also the on-disk cache format.
type ruleSet struct {
	rulecache.Stamp
	WeightLimit int           `json:"weight_limit"`
	Symbols     []symbolRules `json:"symbols"`

	byVenue map[string]int
}

const cacheVersion = 1

// Empty implements rulecache.Rules.
func (rs *ruleSet) Empty() bool { return len(rs.Symbols) == 0 }

// Index implements rulecache.Rules: symbols by their venue name.
func (rs *ruleSet) Index() {
	rs.byVenue = rulecache.IndexBy(rs.Symbols, func(s symbolRules) string { return s.VenueSymbol })
}

func (rs *ruleSet) lookup(venueSymbol string) (symbolRules, bool) {
	return rulecache.Find(rs.Symbols, rs.byVenue, venueSymbol)
}

// exchangeInfo is the part of /api/v3/exchangeInfo the adapter reads.
type exchangeInfo struct {
	RateLimits []struct {
		RateLimitType string `json:"rateLimitType"`
		Interval      string `json:"interval"`
		IntervalNum   int    `json:"intervalNum"`
		Limit         int    `json:"limit"`
	} `json:"rateLimits"`
	Symbols []struct {
		Symbol     string            `json:"symbol"`
		Status     string            `json:"status"`
		BaseAsset  string            `json:"baseAsset"`
		QuoteAsset string            `json:"quoteAsset"`
		Filters    []json.RawMessage `json:"filters"`
	} `json:"symbols"`
}

type filter struct {
	FilterType  string `json:"filterType"`
	MinPrice    string `json:"minPrice"`
	MaxPrice    string `json:"maxPrice"`
	TickSize    string `json:"tickSize"`
	MinQty      string `json:"minQty"`
	MaxQty      string `json:"maxQty"`
	StepSize    string `json:"stepSize"`
	MinNotional string `json:"minNotional"`
}

// parseExchangeInfo decodes exchangeInfo into rules. Symbols whose assets
// tradectl cannot name (odd characters) are skipped rather than failing
// the whole list; a malformed filter value fails, since trading on a
// misread tick would be worse than not trading.
func parseExchangeInfo(body []byte) (*ruleSet, error) {
	var info exchangeInfo
	if err := json.Unmarshal(body, &info); err != nil {
		return nil, fmt.Errorf("decode exchangeInfo: %w", err)
	}
	rs := &ruleSet{Stamp: rulecache.Stamp{Version: cacheVersion}}
	for _, rl := range info.RateLimits {
		if rl.RateLimitType == "REQUEST_WEIGHT" && rl.Interval == "MINUTE" && rl.IntervalNum == 1 && rl.Limit > 0 {
			rs.WeightLimit = rl.Limit
		}
	}
	for _, s := range info.Symbols {
		if s.Symbol == "" || s.BaseAsset == "" || s.QuoteAsset == "" {
			continue
		}
		if _, err := trade.ParseSymbol(s.BaseAsset + "-" + s.QuoteAsset); err != nil {
			continue
		}
		r := symbolRules{VenueSymbol: s.Symbol, Base: s.BaseAsset, Quote: s.QuoteAsset, Status: s.Status}
		for _, raw := range s.Filters {
			var f filter
			if err := json.Unmarshal(raw, &f); err != nil {
				return nil, fmt.Errorf("decode exchangeInfo: %s filter: %w", s.Symbol, err)
			}
			var err error
			switch f.FilterType {
			case "PRICE_FILTER":
				err = decodeAll(s.Symbol, f.FilterType, []*decimal.Decimal{&r.MinPrice, &r.MaxPrice, &r.TickSize}, f.MinPrice, f.MaxPrice, f.TickSize)
			case "LOT_SIZE":
				err = decodeAll(s.Symbol, f.FilterType, []*decimal.Decimal{&r.MinQty, &r.MaxQty, &r.StepSize}, f.MinQty, f.MaxQty, f.StepSize)
			case "MARKET_LOT_SIZE":
				r.HasMarketLot = true
				err = decodeAll(s.Symbol, f.FilterType, []*decimal.Decimal{&r.MarketMinQty, &r.MarketMaxQty, &r.MarketStep}, f.MinQty, f.MaxQty, f.StepSize)
			case "NOTIONAL", "MIN_NOTIONAL":
				// Both carry minNotional; a symbol has one or the other.
				var mn decimal.Decimal
				if err = decodeAll(s.Symbol, f.FilterType, []*decimal.Decimal{&mn}, f.MinNotional); err == nil && mn.GreaterThan(r.MinNotional) {
					r.MinNotional = mn
				}
			}
			if err != nil {
				return nil, err
			}
		}
		rs.Symbols = append(rs.Symbols, r)
	}
	rs.Index()
	return rs, nil
}

func decodeAll(symbol, filterType string, dst []*decimal.Decimal, values ...string) error {
	for i, v := range values {
		if v == "" {
			*dst[i] = decimal.Zero
			continue
		}
		d, err := trade.ParseDecimal(v)
		if err != nil || d.IsNegative() {
			return fmt.Errorf("decode exchangeInfo: %s %s: bad value %q", symbol, filterType, v)
		}
		*dst[i] = d
	}
	return nil
}

// ruleSet returns current instrument rules (see internal/exchange/rulecache).
func (e *Exchange) ruleSet(ctx context.Context) (*ruleSet, error) {
	rs, err := e.rules.Get(ctx)
	if err != nil {
		return nil, err
	}
	if rs.WeightLimit > 0 {
		e.limiter.setLimit(rs.WeightLimit)
	}
	return rs, nil
}

func (e *Exchange) fetchRules(ctx context.Context) (*ruleSet, error) {
	var raw json.RawMessage
	if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/exchangeInfo", weight: 20}, &raw); err != nil {
		return nil, err
	}
	rs, err := parseExchangeInfo(raw)
	if err != nil {
		return nil, rulecache.Unreadable(venueName, err)
	}
	return rs, nil
}

// Instruments implements exchange.Exchange: the symbols Binance currently
// trades (status TRADING).
func (e *Exchange) Instruments(ctx context.Context) ([]trade.Instrument, error) {
	rs, err := e.ruleSet(ctx)
	if err != nil {
		return nil, err
	}
	return rulecache.Instruments(rs.Symbols, symbolRules.trading, symbolRules.instrument), nil
}

// AllInstruments implements exchange.AllInstrumentLister: every symbol
// exchangeInfo lists, halted ones included.
func (e *Exchange) AllInstruments(ctx context.Context) ([]trade.Instrument, error) {
	rs, err := e.ruleSet(ctx)
	if err != nil {
		return nil, err
	}
	return rulecache.Instruments(rs.Symbols, func(symbolRules) bool { return true }, symbolRules.instrument), nil
}

// venueSymbol is Binance's name for sym: base and quote run together.
func venueSymbol(sym trade.Symbol) (string, error) {
	if !sym.IsPair() {
		return "", &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName,
			Message: fmt.Sprintf("unknown symbol %s: Binance Spot symbols are pairs such as BTC-USDT", sym)}
	}
	return sym.Base + sym.Quote, nil
}

// venueSymbols names symbols as Binance does, each once and in the order
// given, with the way back from a venue symbol to the caller's.
func venueSymbols(symbols []trade.Symbol) (vss []string, bySymbol map[string]trade.Symbol, err error) {
	bySymbol = map[string]trade.Symbol{}
	for _, s := range symbols {
		vs, err := venueSymbol(s)
		if err != nil {
			return nil, nil, err
		}
		if _, seen := bySymbol[vs]; !seen {
			bySymbol[vs] = s
			vss = append(vss, vs)
		}
	}
	return vss, bySymbol, nil
}

// rulesFor returns the rules of sym or ErrNotFound.
func (e *Exchange) rulesFor(ctx context.Context, sym trade.Symbol) (symbolRules, error) {
	vs, err := venueSymbol(sym)
	if err != nil {
		return symbolRules{}, err
	}
	rs, err := e.ruleSet(ctx)
	if err != nil {
		return symbolRules{}, err
	}
	r, ok := rs.lookup(vs)
	if !ok || r.symbol() != sym {
		return symbolRules{}, exchange.UnknownSymbol(venueName, sym)
	}
	return r, nil
}

// knownQuotes splits venue symbols missing from exchangeInfo (delisted
// pairs in old orders); longest suffix first so FDUSD beats USD.
var knownQuotes = []string{"FDUSD", "USDT", "USDC", "TUSD", "BUSD", "EUR", "TRY", "BRL", "BTC", "ETH", "BNB", "JPY", "USD"}

// symbolOf turns a venue symbol back into a trade.Symbol, preferring the
// caller's hint, then exchangeInfo, then a quote-suffix guess.
func (e *Exchange) symbolOf(ctx context.Context, vs string, hint trade.Symbol) (trade.Symbol, error) {
	if hint.IsPair() && hint.Base+hint.Quote == vs {
		return hint, nil
	}
	rs, err := e.ruleSet(ctx)
	if err != nil {
		return trade.Symbol{}, err
	}
	if r, ok := rs.lookup(vs); ok {
		return r.symbol(), nil
	}
	for _, q := range knownQuotes {
		if base, ok := strings.CutSuffix(vs, q); ok && base != "" {
			return trade.Symbol{Base: base, Quote: q}, nil
		}
	}
	return trade.Symbol{}, &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Message: "unknown symbol " + vs}
}
