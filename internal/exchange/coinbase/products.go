package coinbase

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

// productWire is the part of a product object the adapter reads.
type productWire struct {
	ProductID       string `json:"product_id"`
	Price           string `json:"price"`
	BaseIncrement   string `json:"base_increment"`
	QuoteIncrement  string `json:"quote_increment"`
	PriceIncrement  string `json:"price_increment"`
	BaseMinSize     string `json:"base_min_size"`
	BaseMaxSize     string `json:"base_max_size"`
	QuoteMinSize    string `json:"quote_min_size"`
	Status          string `json:"status"`
	TradingDisabled bool   `json:"trading_disabled"`
	IsDisabled      bool   `json:"is_disabled"`
	CancelOnly      bool   `json:"cancel_only"`
	LimitOnly       bool   `json:"limit_only"`
	PostOnly        bool   `json:"post_only"`
	ViewOnly        bool   `json:"view_only"`
	ProductType     string `json:"product_type"`
}

type productsWire struct {
	Products []productWire `json:"products"`
}

// productRules is what the adapter keeps of one product; also the cache
// format.
type productRules struct {
	ProductID   string          `json:"product_id"`
	Base        string          `json:"base"`
	Quote       string          `json:"quote"`
	TickSize    decimal.Decimal `json:"tick_size"`
	StepSize    decimal.Decimal `json:"step_size"`
	MinQty      decimal.Decimal `json:"min_qty"`
	MaxQty      decimal.Decimal `json:"max_qty"`
	MinNotional decimal.Decimal `json:"min_notional"`
	// Why the product cannot take new orders, "" when it can.
	Halted    string `json:"halted,omitempty"`
	LimitOnly bool   `json:"limit_only,omitempty"`
	PostOnly  bool   `json:"post_only,omitempty"`
}

func (r productRules) symbol() trade.Symbol { return trade.Symbol{Base: r.Base, Quote: r.Quote} }

func (r productRules) instrument() trade.Instrument {
	return trade.Instrument{
		Symbol: r.symbol(), BaseAsset: r.Base, QuoteAsset: r.Quote,
		TickSize: r.TickSize, StepSize: r.StepSize, MinQty: r.MinQty, MaxQty: r.MaxQty,
		MinNotional: r.MinNotional, VenueSymbol: r.ProductID, Status: r.status(),
	}
}

// haltedCancelOnly is the Halted reason of a product in cancel-only mode.
const haltedCancelOnly = "the product is in cancel-only mode"

// status maps the product's flags: a halt reason first (cancel-only is
// its own state), then the order-type restrictions.
func (r productRules) status() string {
	switch {
	case r.Halted == haltedCancelOnly:
		return trade.StatusCancelOnly
	case r.Halted != "":
		return trade.StatusHalted
	case r.PostOnly:
		return trade.StatusPostOnly
	case r.LimitOnly:
		return trade.StatusLimitOnly
	}
	return trade.StatusTrading
}

// ruleSet is the decoded product list, also the on-disk cache format.
type ruleSet struct {
	rulecache.Stamp
	Products []productRules `json:"products"`

	byID map[string]int
}

const cacheVersion = 1

// Empty implements rulecache.Rules.
func (rs *ruleSet) Empty() bool { return len(rs.Products) == 0 }

// Index implements rulecache.Rules: products by their id.
func (rs *ruleSet) Index() {
	rs.byID = rulecache.IndexBy(rs.Products, func(p productRules) string { return p.ProductID })
}

func (rs *ruleSet) lookup(productID string) (productRules, bool) {
	return rulecache.Find(rs.Products, rs.byID, productID)
}

// parseProducts decodes a product list. Products tradectl cannot name
// (futures ids such as BIT-31JAN25-CDE, odd characters) and non-spot
// products are skipped; a malformed increment fails the whole list, since
// trading on a misread tick would be worse than not trading.
func parseProducts(body []byte) (*ruleSet, error) {
	var w productsWire
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("decode products: %w", err)
	}
	rs := &ruleSet{Stamp: rulecache.Stamp{Version: cacheVersion}}
	for _, p := range w.Products {
		if p.ProductType != "" && !strings.EqualFold(p.ProductType, "SPOT") {
			continue
		}
		sym, err := trade.ParseSymbol(p.ProductID)
		if err != nil || !sym.IsPair() || sym.String() != p.ProductID {
			continue
		}
		r := productRules{ProductID: p.ProductID, Base: sym.Base, Quote: sym.Quote, LimitOnly: p.LimitOnly, PostOnly: p.PostOnly}
		tick := p.PriceIncrement
		if tick == "" {
			tick = p.QuoteIncrement
		}
		for _, f := range []struct {
			name, v string
			dst     *decimal.Decimal
		}{
			{"price_increment", tick, &r.TickSize},
			{"base_increment", p.BaseIncrement, &r.StepSize},
			{"base_min_size", p.BaseMinSize, &r.MinQty},
			{"base_max_size", p.BaseMaxSize, &r.MaxQty},
			{"quote_min_size", p.QuoteMinSize, &r.MinNotional},
		} {
			if f.v == "" {
				continue
			}
			d, err := trade.ParseDecimal(f.v)
			if err != nil || d.IsNegative() {
				return nil, fmt.Errorf("decode products: %s %s: bad value %q", p.ProductID, f.name, f.v)
			}
			*f.dst = d
		}
		switch {
		case p.TradingDisabled || p.IsDisabled:
			r.Halted = "trading is disabled"
		case p.CancelOnly:
			r.Halted = haltedCancelOnly
		case p.ViewOnly:
			r.Halted = "the product is view-only"
		case p.Status != "" && !strings.EqualFold(p.Status, "online"):
			r.Halted = "status " + p.Status
		}
		rs.Products = append(rs.Products, r)
	}
	rs.Index()
	return rs, nil
}

// ruleSet returns current rules (see internal/exchange/rulecache).
func (e *Exchange) ruleSet(ctx context.Context) (*ruleSet, error) {
	return e.rules.Get(ctx)
}

// fetchRules reads the public product list: it needs no key, so order
// checks and instrument lists work before credentials are resolved.
func (e *Exchange) fetchRules(ctx context.Context) (*ruleSet, error) {
	var raw json.RawMessage
	c := call{method: http.MethodGet, path: "/market/products", query: url.Values{"product_type": {"SPOT"}}}
	if err := e.do(ctx, c, &raw); err != nil {
		return nil, err
	}
	rs, err := parseProducts(raw)
	if err != nil {
		return nil, rulecache.Unreadable(venueName, err)
	}
	return rs, nil
}

// Instruments implements exchange.Exchange: the spot products that take
// new orders.
func (e *Exchange) Instruments(ctx context.Context) ([]trade.Instrument, error) {
	rs, err := e.ruleSet(ctx)
	if err != nil {
		return nil, fmt.Errorf("instruments: %w", err)
	}
	open := func(p productRules) bool { return p.Halted == "" }
	return rulecache.Instruments(rs.Products, open, productRules.instrument), nil
}

// AllInstruments implements exchange.AllInstrumentLister: every spot
// product, halted and cancel-only ones included.
func (e *Exchange) AllInstruments(ctx context.Context) ([]trade.Instrument, error) {
	rs, err := e.ruleSet(ctx)
	if err != nil {
		return nil, fmt.Errorf("instruments: %w", err)
	}
	return rulecache.Instruments(rs.Products, func(productRules) bool { return true }, productRules.instrument), nil
}

// productID is Coinbase's name for sym: product ids are already the
// canonical "BTC-USD".
func productID(sym trade.Symbol) (string, error) {
	if !sym.IsPair() {
		return "", &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName,
			Message: fmt.Sprintf("unknown symbol %s: Coinbase products are pairs such as BTC-USD", sym)}
	}
	return sym.String(), nil
}

// rulesFor returns the rules of sym or ErrNotFound.
func (e *Exchange) rulesFor(ctx context.Context, sym trade.Symbol) (productRules, error) {
	id, err := productID(sym)
	if err != nil {
		return productRules{}, err
	}
	rs, err := e.ruleSet(ctx)
	if err != nil {
		return productRules{}, err
	}
	r, ok := rs.lookup(id)
	if !ok {
		return productRules{}, exchange.UnknownSymbol(venueName, sym)
	}
	return r, nil
}

// symbolOf turns a product id from an order or account back into a symbol.
func symbolOf(id string) (trade.Symbol, error) {
	sym, err := trade.ParseSymbol(id)
	if err != nil || !sym.IsPair() {
		return trade.Symbol{}, fmt.Errorf("product id %q is not a BASE-QUOTE pair", id)
	}
	return sym, nil
}
