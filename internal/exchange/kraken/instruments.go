package kraken

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/rulecache"
	"github.com/tradectl/tradectl/internal/trade"
)

// pairRules is what the adapter keeps of one AssetPairs entry.
type pairRules struct {
	ID       string          `json:"id"`      // XXBTZUSD: the key AssetPairs and Ticker answer with
	AltName  string          `json:"altname"` // XBTUSD: what order descriptions say
	Base     string          `json:"base"`    // canonical, BTC
	Quote    string          `json:"quote"`   // canonical, USD
	Status   string          `json:"status"`  // online, cancel_only, post_only, limit_only, reduce_only
	TickSize decimal.Decimal `json:"tick_size"`
	LotStep  decimal.Decimal `json:"lot_step"` // 10^-lot_decimals
	OrderMin decimal.Decimal `json:"ordermin"`
	CostMin  decimal.Decimal `json:"costmin"`
}

func (r pairRules) symbol() trade.Symbol { return trade.Symbol{Base: r.Base, Quote: r.Quote} }

// tradable reports whether new orders may be placed at all (some statuses
// restrict them further; prepare checks those).
func (r pairRules) tradable() bool {
	switch r.Status {
	case "", "online", "post_only", "limit_only":
		return true
	}
	return false
}

func (r pairRules) instrument() trade.Instrument {
	return trade.Instrument{
		Symbol: r.symbol(), BaseAsset: r.Base, QuoteAsset: r.Quote,
		TickSize: r.TickSize, StepSize: r.LotStep, MinQty: r.OrderMin,
		MinNotional: r.CostMin, VenueSymbol: r.ID, Status: r.status(),
	}
}

// status maps AssetPairs' status, which is already close to tradectl's
// vocabulary; a status Kraken adds later reads as halted until mapped.
func (r pairRules) status() string {
	switch r.Status {
	case "", "online":
		return trade.StatusTrading
	case "post_only":
		return trade.StatusPostOnly
	case "limit_only":
		return trade.StatusLimitOnly
	case "reduce_only":
		return trade.StatusReduceOnly
	case "cancel_only":
		return trade.StatusCancelOnly
	}
	return trade.StatusHalted
}

// ruleSet is the decoded AssetPairs, also the on-disk cache format.
type ruleSet struct {
	rulecache.Stamp
	Pairs []pairRules `json:"pairs"`

	bySymbol map[trade.Symbol]int
	byName   map[string]int // id and altname
}

const cacheVersion = 1

// Empty implements rulecache.Rules.
func (rs *ruleSet) Empty() bool { return len(rs.Pairs) == 0 }

// Index implements rulecache.Rules.
func (rs *ruleSet) Index() { rs.index() }

func (rs *ruleSet) index() {
	rs.bySymbol = make(map[trade.Symbol]int, len(rs.Pairs))
	rs.byName = make(map[string]int, 2*len(rs.Pairs))
	for i, p := range rs.Pairs {
		// Two pairs can share a canonical symbol only through odd listings;
		// the first (sorted by id) wins, deterministically.
		if _, dup := rs.bySymbol[p.symbol()]; !dup {
			rs.bySymbol[p.symbol()] = i
		}
		rs.byName[p.ID] = i
		if p.AltName != "" {
			rs.byName[p.AltName] = i
		}
	}
}

func (rs *ruleSet) forSymbol(sym trade.Symbol) (pairRules, bool) {
	return rulecache.Find(rs.Pairs, rs.bySymbol, sym)
}

func (rs *ruleSet) forName(name string) (pairRules, bool) {
	return rulecache.Find(rs.Pairs, rs.byName, name)
}

// assetPairWire is the part of an AssetPairs entry the adapter reads.
type assetPairWire struct {
	AltName      string `json:"altname"`
	WSName       string `json:"wsname"`
	AClassBase   string `json:"aclass_base"`
	Base         string `json:"base"`
	AClassQuote  string `json:"aclass_quote"`
	Quote        string `json:"quote"`
	PairDecimals *int   `json:"pair_decimals"`
	LotDecimals  *int   `json:"lot_decimals"`
	OrderMin     string `json:"ordermin"`
	CostMin      string `json:"costmin"`
	TickSize     string `json:"tick_size"`
	Status       string `json:"status"`
}

// parseAssetPairs decodes AssetPairs' result into rules. Pairs tradectl
// cannot name (dark-pool ".d" pairs, non-currency classes, odd
// characters) are skipped; a malformed rule on a pair it can name fails
// the whole answer, since trading on a misread tick would be worse than
// not trading.
func parseAssetPairs(result []byte) (*ruleSet, error) {
	var raw map[string]assetPairWire
	if err := json.Unmarshal(result, &raw); err != nil {
		return nil, fmt.Errorf("decode AssetPairs: %w", err)
	}
	rs := &ruleSet{Stamp: rulecache.Stamp{Version: cacheVersion}}
	for id, w := range raw {
		if id == "" || strings.Contains(id, ".") || strings.HasSuffix(w.AltName, ".d") {
			continue
		}
		if (w.AClassBase != "" && w.AClassBase != "currency") || (w.AClassQuote != "" && w.AClassQuote != "currency") {
			continue
		}
		sym, ok := pairSymbol(id, w)
		if !ok {
			continue
		}
		r := pairRules{ID: id, AltName: w.AltName, Base: sym.Base, Quote: sym.Quote, Status: w.Status}
		var err error
		if r.TickSize, err = ruleDec(id, "tick_size", w.TickSize); err != nil {
			return nil, err
		}
		if !r.TickSize.IsPositive() && w.PairDecimals != nil && *w.PairDecimals >= 0 && *w.PairDecimals <= 18 {
			// Older answers have no tick_size; the price precision is the tick.
			r.TickSize = decimal.New(1, -int32(*w.PairDecimals))
		}
		if w.LotDecimals != nil {
			if *w.LotDecimals < 0 || *w.LotDecimals > 18 {
				return nil, fmt.Errorf("decode AssetPairs: %s: bad lot_decimals %d", id, *w.LotDecimals)
			}
			r.LotStep = decimal.New(1, -int32(*w.LotDecimals))
		}
		if r.OrderMin, err = ruleDec(id, "ordermin", w.OrderMin); err != nil {
			return nil, err
		}
		if r.CostMin, err = ruleDec(id, "costmin", w.CostMin); err != nil {
			return nil, err
		}
		rs.Pairs = append(rs.Pairs, r)
	}
	sort.Slice(rs.Pairs, func(i, j int) bool { return rs.Pairs[i].ID < rs.Pairs[j].ID })
	rs.index()
	return rs, nil
}

// pairSymbol names a pair: from wsname ("XBT/USD") when present, which
// carries both altnames, else from the base and quote asset ids.
func pairSymbol(id string, w assetPairWire) (trade.Symbol, bool) {
	var base, quote string
	if b, q, ok := strings.Cut(w.WSName, "/"); ok && b != "" && q != "" {
		base, quote = canonicalAsset(b), canonicalAsset(q)
	} else if w.Base != "" && w.Quote != "" {
		base, quote = canonicalAsset(w.Base), canonicalAsset(w.Quote)
	} else if sym, ok := guessPair(id); ok {
		return sym, true
	} else {
		return trade.Symbol{}, false
	}
	sym, err := trade.ParseSymbol(base + "-" + quote)
	if err != nil {
		return trade.Symbol{}, false
	}
	return sym, true
}

func ruleDec(id, field, v string) (decimal.Decimal, error) {
	if v == "" {
		return decimal.Zero, nil
	}
	d, err := trade.ParseDecimal(v)
	if err != nil || d.IsNegative() {
		return decimal.Zero, fmt.Errorf("decode AssetPairs: %s: bad %s %q", id, field, v)
	}
	return d, nil
}

// ruleSet returns current rules (see internal/exchange/rulecache).
func (e *Exchange) ruleSet(ctx context.Context) (*ruleSet, error) {
	return e.rules.Get(ctx)
}

const (
	pathAssetPairs = "/0/public/AssetPairs"
	pathTicker     = "/0/public/Ticker"
)

func (e *Exchange) fetchRules(ctx context.Context) (*ruleSet, error) {
	var raw json.RawMessage
	if err := e.do(ctx, call{path: pathAssetPairs}, &raw); err != nil {
		return nil, err
	}
	rs, err := parseAssetPairs(raw)
	if err != nil {
		return nil, rulecache.Unreadable(venueName, err)
	}
	if len(rs.Pairs) == 0 {
		return nil, &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Message: "AssetPairs listed no pairs"}
	}
	return rs, nil
}

// Instruments implements exchange.Exchange: the pairs that accept new
// orders (status online, post_only or limit_only).
func (e *Exchange) Instruments(ctx context.Context) ([]trade.Instrument, error) {
	rs, err := e.ruleSet(ctx)
	if err != nil {
		return nil, fmt.Errorf("instruments: %w", err)
	}
	return rulecache.Instruments(rs.Pairs, pairRules.tradable, pairRules.instrument), nil
}

// AllInstruments implements exchange.AllInstrumentLister: every pair
// AssetPairs lists, cancel-only and reduce-only ones included.
func (e *Exchange) AllInstruments(ctx context.Context) ([]trade.Instrument, error) {
	rs, err := e.ruleSet(ctx)
	if err != nil {
		return nil, fmt.Errorf("instruments: %w", err)
	}
	return rulecache.Instruments(rs.Pairs, func(pairRules) bool { return true }, pairRules.instrument), nil
}

// rulesFor returns the rules of sym or ErrNotFound.
func (e *Exchange) rulesFor(ctx context.Context, sym trade.Symbol) (pairRules, error) {
	if !sym.IsPair() {
		return pairRules{}, &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName,
			Message: fmt.Sprintf("unknown symbol %s: Kraken Spot symbols are pairs such as BTC-USD", sym)}
	}
	rs, err := e.ruleSet(ctx)
	if err != nil {
		return pairRules{}, err
	}
	r, ok := rs.forSymbol(sym)
	if !ok {
		return pairRules{}, exchange.UnknownSymbol(venueName, sym)
	}
	return r, nil
}

// symbolOf names a pair as order descriptions give it (altname, sometimes
// the id): from AssetPairs when it lists the pair, else by splitting the
// name (delisted pairs in old orders).
func (e *Exchange) symbolOf(ctx context.Context, name string) (trade.Symbol, error) {
	if rs, err := e.ruleSet(ctx); err == nil {
		if r, ok := rs.forName(name); ok {
			return r.symbol(), nil
		}
	} else if ctx.Err() != nil {
		return trade.Symbol{}, err
	}
	if sym, ok := guessPair(name); ok {
		return sym, nil
	}
	return trade.Symbol{}, fmt.Errorf("unknown pair %q", name)
}
