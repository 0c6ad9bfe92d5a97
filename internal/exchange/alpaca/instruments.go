package alpaca

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/rulecache"
	"github.com/tradectl/tradectl/internal/trade"
)

// Asset classes as Alpaca names them.
const (
	classEquity = "us_equity"
	classCrypto = "crypto"
)

// Stock rules Alpaca states in prose rather than per asset ([AL-docs]
// orders.md: no sub-penny prices at or above $1; fractional orders from
// $1; fractional quantities to 9 decimals).
var (
	stockTick         = decimal.New(1, -2)
	fractionalStep    = decimal.New(1, -9)
	fractionalMinimum = decimal.NewFromInt(1)
)

// assetWire is one entry of GET /v2/assets.
type assetWire struct {
	ID                string `json:"id"`
	Class             string `json:"class"`
	Exchange          string `json:"exchange"`
	Symbol            string `json:"symbol"`
	Status            string `json:"status"`
	Tradable          bool   `json:"tradable"`
	Fractionable      bool   `json:"fractionable"`
	MinOrderSize      string `json:"min_order_size"`
	MinTradeIncrement string `json:"min_trade_increment"`
	PriceIncrement    string `json:"price_increment"`
}

// assetRule is what the adapter keeps of one asset; also the cache format.
type assetRule struct {
	VenueSymbol  string          `json:"venue_symbol"`
	Class        string          `json:"class"`
	Base         string          `json:"base"`
	Quote        string          `json:"quote,omitempty"` // crypto only
	Tradable     bool            `json:"tradable"`
	Fractionable bool            `json:"fractionable,omitempty"`
	TickSize     decimal.Decimal `json:"tick_size"`
	StepSize     decimal.Decimal `json:"step_size"`
	MinQty       decimal.Decimal `json:"min_qty"`
	MinNotional  decimal.Decimal `json:"min_notional"`
}

func (r assetRule) crypto() bool { return r.Class == classCrypto }

func (r assetRule) symbol() trade.Symbol { return trade.Symbol{Base: r.Base, Quote: r.Quote} }

// instrument is the domain view. A stock is quoted in USD though its
// symbol is a bare ticker, so dashboards can value it.
func (r assetRule) instrument() trade.Instrument {
	quote := r.Quote
	if !r.crypto() {
		quote = "USD"
	}
	return trade.Instrument{
		Symbol: r.symbol(), BaseAsset: r.Base, QuoteAsset: quote,
		TickSize: r.TickSize, StepSize: r.StepSize, MinQty: r.MinQty, MinNotional: r.MinNotional,
		VenueSymbol: r.VenueSymbol, Status: r.status(),
	}
}

// status: the asset list holds active assets only, so an asset either
// trades or is not tradable for this account.
func (r assetRule) status() string {
	if r.Tradable {
		return trade.StatusTrading
	}
	return trade.StatusHalted
}

// assetSet is the decoded asset list, also the on-disk cache format.
type assetSet struct {
	rulecache.Stamp
	Assets []assetRule `json:"assets"`

	bySymbol  map[trade.Symbol]int
	byCompact map[string]int // crypto without the slash ("BTCUSD"), as positions name it
}

const cacheVersion = 1

// Empty implements rulecache.Rules.
func (as *assetSet) Empty() bool { return len(as.Assets) == 0 }

// Index implements rulecache.Rules.
func (as *assetSet) Index() { as.index() }

func (as *assetSet) index() {
	as.bySymbol = make(map[trade.Symbol]int, len(as.Assets))
	as.byCompact = map[string]int{}
	for i, a := range as.Assets {
		as.bySymbol[a.symbol()] = i
		if a.crypto() {
			as.byCompact[a.Base+a.Quote] = i
		}
	}
}

func (as *assetSet) lookup(sym trade.Symbol) (assetRule, bool) {
	return rulecache.Find(as.Assets, as.bySymbol, sym)
}

// parseAssets decodes GET /v2/assets. Assets tradectl cannot name, or
// whose crypto increments do not parse, are left out: such a symbol is
// then unknown, which is safer than trading on a misread tick.
func parseAssets(body []byte) (*assetSet, error) {
	var ws []assetWire
	if err := json.Unmarshal(body, &ws); err != nil {
		return nil, fmt.Errorf("decode assets: %w", err)
	}
	as := &assetSet{Stamp: rulecache.Stamp{Version: cacheVersion}}
	for _, w := range ws {
		if r, ok := assetFromWire(w); ok {
			as.Assets = append(as.Assets, r)
		}
	}
	as.index()
	return as, nil
}

func assetFromWire(w assetWire) (assetRule, bool) {
	if w.Status != "" && w.Status != "active" {
		return assetRule{}, false
	}
	r := assetRule{VenueSymbol: w.Symbol, Class: w.Class, Tradable: w.Tradable, Fractionable: w.Fractionable}
	switch w.Class {
	case classEquity:
		if strings.ContainsAny(w.Symbol, "/-_") {
			return assetRule{}, false
		}
		sym, err := trade.ParseSymbol(w.Symbol)
		if err != nil || sym.IsPair() || sym.Base != w.Symbol {
			return assetRule{}, false
		}
		r.Base = sym.Base
		r.TickSize = stockTick
		if w.Fractionable {
			r.StepSize, r.MinNotional = fractionalStep, fractionalMinimum
		} else {
			r.StepSize, r.MinQty = decimal.NewFromInt(1), decimal.NewFromInt(1)
		}
	case classCrypto:
		base, quote, ok := strings.Cut(w.Symbol, "/")
		if !ok {
			return assetRule{}, false
		}
		sym, err := trade.ParseSymbol(w.Symbol)
		if err != nil || sym.Base != base || sym.Quote != quote {
			return assetRule{}, false
		}
		r.Base, r.Quote = sym.Base, sym.Quote
		for _, f := range []struct {
			src string
			dst *decimal.Decimal
		}{{w.PriceIncrement, &r.TickSize}, {w.MinTradeIncrement, &r.StepSize}, {w.MinOrderSize, &r.MinQty}} {
			d, err := trade.ParseDecimal(f.src)
			if err != nil || !d.IsPositive() {
				return assetRule{}, false
			}
			*f.dst = d
		}
	default:
		// Options and other classes are beyond tradectl's domain.
		return assetRule{}, false
	}
	return r, true
}

// assetSet returns current rules (see internal/exchange/rulecache).
func (e *Exchange) assetSet(ctx context.Context) (*assetSet, error) {
	return e.rules.Get(ctx)
}

func (e *Exchange) fetchAssets(ctx context.Context) (*assetSet, error) {
	var raw json.RawMessage
	q := url.Values{"status": {"active"}}
	if err := e.do(ctx, call{method: http.MethodGet, path: "/v2/assets", query: q}, &raw); err != nil {
		return nil, fmt.Errorf("instruments: %w", err)
	}
	as, err := parseAssets(raw)
	if err != nil {
		return nil, rulecache.Unreadable(venueName, err)
	}
	return as, nil
}

// Instruments implements exchange.Exchange: the assets Alpaca currently
// lets this account trade.
func (e *Exchange) Instruments(ctx context.Context) ([]trade.Instrument, error) {
	as, err := e.assetSet(ctx)
	if err != nil {
		return nil, err
	}
	tradable := func(a assetRule) bool { return a.Tradable }
	return rulecache.Instruments(as.Assets, tradable, assetRule.instrument), nil
}

// AllInstruments implements exchange.AllInstrumentLister: every active
// asset, those this account may not trade included.
func (e *Exchange) AllInstruments(ctx context.Context) ([]trade.Instrument, error) {
	as, err := e.assetSet(ctx)
	if err != nil {
		return nil, err
	}
	return rulecache.Instruments(as.Assets, func(assetRule) bool { return true }, assetRule.instrument), nil
}

// ruleFor returns the rules of sym or ErrNotFound.
func (e *Exchange) ruleFor(ctx context.Context, sym trade.Symbol) (assetRule, error) {
	as, err := e.assetSet(ctx)
	if err != nil {
		return assetRule{}, err
	}
	r, ok := as.lookup(sym)
	if !ok {
		return assetRule{}, exchange.UnknownSymbol(venueName, sym)
	}
	return r, nil
}

// venueSymbol is Alpaca's name for sym: "AAPL", or "BTC/USD" for a pair.
func venueSymbol(sym trade.Symbol) string {
	if sym.IsPair() {
		return sym.Base + "/" + sym.Quote
	}
	return sym.Base
}

// knownQuotes split crypto symbols Alpaca writes without the slash
// ("BTCUSD" in positions) when the asset list does not know them; longest
// first so USDT beats USD.
var knownQuotes = []string{"USDT", "USDC", "USD", "BTC"}

// symbolFromVenue reads Alpaca's symbol of an order or position. Crypto
// positions drop the slash; the asset list, when at hand, resolves them.
func symbolFromVenue(s, class string, as *assetSet) (trade.Symbol, error) {
	if strings.Contains(s, "/") || class != classCrypto {
		sym, err := trade.ParseSymbol(s)
		if err != nil {
			return trade.Symbol{}, err
		}
		if class == classCrypto && !sym.IsPair() || class == classEquity && sym.IsPair() {
			return trade.Symbol{}, fmt.Errorf("symbol %q does not fit asset class %q", s, class)
		}
		return sym, nil
	}
	if as != nil {
		if i, ok := as.byCompact[s]; ok {
			return as.Assets[i].symbol(), nil
		}
	}
	for _, q := range knownQuotes {
		if base, ok := strings.CutSuffix(s, q); ok && base != "" {
			return trade.ParseSymbol(base + "-" + q)
		}
	}
	return trade.Symbol{}, fmt.Errorf("cannot read crypto symbol %q", s)
}
