package fakebinance

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// SymbolSpec describes one symbol: its filters and its top of book. Empty
// filter values disable that rule, as a "0" does on Binance.
type SymbolSpec struct {
	Symbol, Base, Quote string
	Status              string // TRADING (default), BREAK, HALT …

	MinPrice, MaxPrice, TickSize           string // PRICE_FILTER
	MinQty, MaxQty, StepSize               string // LOT_SIZE
	MarketMinQty, MarketMaxQty, MarketStep string // MARKET_LOT_SIZE
	MinNotional                            string // NOTIONAL, or MIN_NOTIONAL when LegacyMinNotional
	LegacyMinNotional                      bool

	Bid, Ask, Last string
}

// DefaultSymbols are the symbols a new Server lists, with filters copied
// from real Binance exchangeInfo of the same pairs (rounded where the real
// value changes often).
func DefaultSymbols() []SymbolSpec {
	return []SymbolSpec{
		{Symbol: "BTCUSDT", Base: "BTC", Quote: "USDT",
			MinPrice: "0.01", MaxPrice: "1000000", TickSize: "0.01",
			MinQty: "0.00001", MaxQty: "9000", StepSize: "0.00001",
			MarketMinQty: "0", MarketMaxQty: "100", MarketStep: "0",
			MinNotional: "5", Bid: "60000.00", Ask: "60000.01", Last: "60000.00"},
		{Symbol: "ETHUSDT", Base: "ETH", Quote: "USDT",
			MinPrice: "0.01", MaxPrice: "1000000", TickSize: "0.01",
			MinQty: "0.0001", MaxQty: "9000", StepSize: "0.0001",
			MarketMinQty: "0", MarketMaxQty: "2000", MarketStep: "0",
			MinNotional: "5", Bid: "3000.00", Ask: "3000.01", Last: "3000.00"},
		{Symbol: "BNBUSDT", Base: "BNB", Quote: "USDT",
			MinPrice: "0.01", MaxPrice: "100000", TickSize: "0.01",
			MinQty: "0.001", MaxQty: "90000", StepSize: "0.001",
			MinNotional: "5", LegacyMinNotional: true,
			Bid: "600.00", Ask: "600.10", Last: "600.05"},
		{Symbol: "ETHBTC", Base: "ETH", Quote: "BTC",
			MinPrice: "0.00001", MaxPrice: "922327", TickSize: "0.00001",
			MinQty: "0.0001", MaxQty: "100000", StepSize: "0.0001",
			MinNotional: "0.0001", Bid: "0.05000", Ask: "0.05001", Last: "0.05000"},
		{Symbol: "OLDUSDT", Base: "OLD", Quote: "USDT", Status: "BREAK",
			MinPrice: "0.0001", MaxPrice: "1000", TickSize: "0.0001",
			MinQty: "1", MaxQty: "1000000", StepSize: "1",
			MinNotional: "5", Bid: "1", Ask: "1.0001", Last: "1"},
	}
}

type symbol struct {
	spec                          SymbolSpec
	minPrice, maxPrice, tick      decimal.Decimal
	minQty, maxQty, step          decimal.Decimal
	mktMinQty, mktMaxQty, mktStep decimal.Decimal
	minNotional                   decimal.Decimal
	bid, ask, last                decimal.Decimal
}

func dec(s string) decimal.Decimal {
	if s == "" {
		return decimal.Zero
	}
	return decimal.RequireFromString(s)
}

func (s *Server) addSymbol(sp SymbolSpec) {
	if sp.Status == "" {
		sp.Status = "TRADING"
	}
	sym := &symbol{spec: sp,
		minPrice: dec(sp.MinPrice), maxPrice: dec(sp.MaxPrice), tick: dec(sp.TickSize),
		minQty: dec(sp.MinQty), maxQty: dec(sp.MaxQty), step: dec(sp.StepSize),
		mktMinQty: dec(sp.MarketMinQty), mktMaxQty: dec(sp.MarketMaxQty), mktStep: dec(sp.MarketStep),
		minNotional: dec(sp.MinNotional),
		bid:         dec(sp.Bid), ask: dec(sp.Ask), last: dec(sp.Last),
	}
	s.symbols.Put(sp.Symbol, sym)
}

// SetBook moves symbol's best bid and ask. Resting limit orders the new
// book crosses fill at their own price, as a maker would.
func (s *Server) SetBook(symbolName string, bid, ask decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sym, ok := s.symbols.Get(symbolName)
	if !ok {
		return
	}
	sym.bid, sym.ask = bid, ask
	s.nextUpdateID++
	s.fillCrossedLocked(sym)
	close(s.bookChanged)
	s.bookChanged = make(chan struct{})
}

// fx formats like Binance: fixed 8 decimals.
func fx(d decimal.Decimal) string { return d.StringFixed(8) }

func (s *Server) handleTime(p params) response {
	return jsonResponse(map[string]int64{"serverTime": s.now().UnixMilli()})
}

type filterJSON map[string]any

func (sym *symbol) filters() []filterJSON {
	f := []filterJSON{
		{"filterType": "PRICE_FILTER", "minPrice": fx(sym.minPrice), "maxPrice": fx(sym.maxPrice), "tickSize": fx(sym.tick)},
		{"filterType": "LOT_SIZE", "minQty": fx(sym.minQty), "maxQty": fx(sym.maxQty), "stepSize": fx(sym.step)},
		{"filterType": "ICEBERG_PARTS", "limit": 10},
	}
	if sym.spec.MarketMaxQty != "" {
		f = append(f, filterJSON{"filterType": "MARKET_LOT_SIZE", "minQty": fx(sym.mktMinQty), "maxQty": fx(sym.mktMaxQty), "stepSize": fx(sym.mktStep)})
	}
	f = append(f,
		filterJSON{"filterType": "TRAILING_DELTA", "minTrailingAboveDelta": 10, "maxTrailingAboveDelta": 2000, "minTrailingBelowDelta": 10, "maxTrailingBelowDelta": 2000},
		filterJSON{"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "5", "bidMultiplierDown": "0.2", "askMultiplierUp": "5", "askMultiplierDown": "0.2", "avgPriceMins": 5},
	)
	if sym.spec.LegacyMinNotional {
		f = append(f, filterJSON{"filterType": "MIN_NOTIONAL", "minNotional": fx(sym.minNotional), "applyToMarket": true, "avgPriceMins": 5})
	} else {
		f = append(f, filterJSON{"filterType": "NOTIONAL", "minNotional": fx(sym.minNotional), "applyMinToMarket": true, "maxNotional": "9000000.00000000", "applyMaxToMarket": false, "avgPriceMins": 5})
	}
	return append(f, filterJSON{"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200}, filterJSON{"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5})
}

// requestedSymbols resolves the symbol / symbols parameters; nil means all.
func (s *Server) requestedSymbols(p params) ([]*symbol, *apiError) {
	if one := p.get("symbol"); one != "" {
		sym, ok := s.symbols.Get(one)
		if !ok {
			return nil, errInvalidSymbol
		}
		return []*symbol{sym}, nil
	}
	if many := p.get("symbols"); many != "" {
		var names []string
		if err := json.Unmarshal([]byte(many), &names); err != nil || len(names) == 0 {
			return nil, errBody(400, -1100, "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.")
		}
		out := make([]*symbol, 0, len(names))
		for _, n := range names {
			sym, ok := s.symbols.Get(n)
			if !ok {
				return nil, errInvalidSymbol
			}
			out = append(out, sym)
		}
		return out, nil
	}
	return s.symbols.All(), nil
}

func (s *Server) handleExchangeInfo(p params) response {
	syms, e := s.requestedSymbols(p)
	if e != nil {
		return errorResponse(e)
	}
	list := make([]map[string]any, 0, len(syms))
	for _, sym := range syms {
		list = append(list, map[string]any{
			"symbol": sym.spec.Symbol, "status": sym.spec.Status,
			"baseAsset": sym.spec.Base, "baseAssetPrecision": 8,
			"quoteAsset": sym.spec.Quote, "quotePrecision": 8, "quoteAssetPrecision": 8,
			"baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
			"orderTypes":                      []string{"LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"},
			"icebergAllowed":                  true,
			"ocoAllowed":                      true,
			"otoAllowed":                      true,
			"quoteOrderQtyMarketAllowed":      true,
			"allowTrailingStop":               true,
			"cancelReplaceAllowed":            true,
			"isSpotTradingAllowed":            true,
			"isMarginTradingAllowed":          false,
			"filters":                         sym.filters(),
			"permissions":                     []string{},
			"permissionSets":                  [][]string{{"SPOT"}},
			"defaultSelfTradePreventionMode":  "EXPIRE_MAKER",
			"allowedSelfTradePreventionModes": []string{"EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"},
		})
	}
	return jsonResponse(map[string]any{
		"timezone":   "UTC",
		"serverTime": s.now().UnixMilli(),
		"rateLimits": []map[string]any{
			{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": s.weightLimit},
			{"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
			{"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
			{"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
		},
		"exchangeFilters": []any{},
		"symbols":         list,
	})
}

func (s *Server) tickerResponse(p params, one func(*symbol) map[string]string) response {
	syms, e := s.requestedSymbols(p)
	if e != nil {
		return errorResponse(e)
	}
	if p.get("symbol") != "" {
		return jsonResponse(one(syms[0]))
	}
	out := make([]map[string]string, 0, len(syms))
	for _, sym := range syms {
		out = append(out, one(sym))
	}
	return jsonResponse(out)
}

func (s *Server) handleBookTicker(p params) response {
	return s.tickerResponse(p, func(sym *symbol) map[string]string {
		return map[string]string{"symbol": sym.spec.Symbol, "bidPrice": fx(sym.bid), "bidQty": "1.00000000", "askPrice": fx(sym.ask), "askQty": "1.00000000"}
	})
}

func (s *Server) handlePrice(p params) response {
	return s.tickerResponse(p, func(sym *symbol) map[string]string {
		return map[string]string{"symbol": sym.spec.Symbol, "price": fx(sym.last)}
	})
}

// balance is an asset's free and locked amounts.
type balance = fakevenue.Funds

func (s *Server) bal(asset string) *balance {
	b, ok := s.balances[asset]
	if !ok {
		b = &balance{}
		s.balances[asset] = b
	}
	return b
}

func (s *Server) handleAccount(p params) response {
	omitZero := p.get("omitZeroBalances") == "true"
	assets := make([]string, 0, len(s.balances))
	for a := range s.balances {
		assets = append(assets, a)
	}
	sort.Strings(assets)
	list := make([]map[string]string, 0, len(assets))
	for _, a := range assets {
		b := s.balances[a]
		if omitZero && b.Free.IsZero() && b.Held.IsZero() {
			continue
		}
		list = append(list, map[string]string{"asset": a, "free": fx(b.Free), "locked": fx(b.Held)})
	}
	return jsonResponse(map[string]any{
		"makerCommission": 10, "takerCommission": 10, "buyerCommission": 0, "sellerCommission": 0,
		"commissionRates": map[string]string{"maker": "0.00100000", "taker": "0.00100000", "buyer": "0.00000000", "seller": "0.00000000"},
		"canTrade":        true, "canWithdraw": true, "canDeposit": true, "brokered": false,
		"requireSelfTradePrevention": false, "preventSor": false,
		"updateTime":  s.now().UnixMilli(),
		"accountType": "SPOT",
		"balances":    list,
		"permissions": []string{"SPOT"},
		"uid":         354937868,
	})
}

// dayOpenFactor places a symbol's price 24 hours ago 2% below its last
// price, so the 24hr ticker reports a change that agrees with the book.
var dayOpenFactor = decimal.RequireFromString("0.98")

// dayVolume is every symbol's 24-hour base volume.
var dayVolume = decimal.RequireFromString("1234.5")

// ticker24hWeight charges as Binance does: 2 for symbol= and for up to 20
// symbols=, 40 up to 100, 80 beyond or for all.
func ticker24hWeight(p params) int {
	if p.get("symbol") != "" {
		return 2
	}
	var names []string
	if err := json.Unmarshal([]byte(p.get("symbols")), &names); err != nil || len(names) == 0 {
		return 80
	}
	switch {
	case len(names) <= 20:
		return 2
	case len(names) <= 100:
		return 40
	default:
		return 80
	}
}

// handleTicker24h answers GET /api/v3/ticker/24hr in its FULL form (the
// default; MINI leaves out the change, the percent and the last-trade
// fields). The window's open is dayOpenFactor below the last price at
// the symbol's tick; high and low span open, book and last.
func (s *Server) handleTicker24h(p params) response {
	typ := p.get("type")
	if typ != "" && typ != "FULL" && typ != "MINI" {
		return errorResponse(errBody(400, -1100, "Illegal characters found in parameter 'type'; legal range is 'FULL, MINI'."))
	}
	syms, e := s.requestedSymbols(p)
	if e != nil {
		return errorResponse(e)
	}
	now := s.now()
	one := func(sym *symbol) map[string]any {
		open := sym.last.Mul(dayOpenFactor)
		if sym.tick.IsPositive() {
			open = open.Div(sym.tick).Floor().Mul(sym.tick)
		}
		high := decimal.Max(open, sym.last, sym.ask)
		low := decimal.Min(open, sym.last, sym.bid)
		out := map[string]any{
			"symbol": sym.spec.Symbol, "openPrice": fx(open), "highPrice": fx(high), "lowPrice": fx(low),
			"lastPrice": fx(sym.last), "volume": fx(dayVolume), "quoteVolume": fx(dayVolume.Mul(sym.last)),
			"openTime": now.Add(-24 * time.Hour).UnixMilli(), "closeTime": now.UnixMilli(),
			"firstId": 0, "lastId": 999, "count": 1000,
		}
		if typ != "MINI" {
			change := sym.last.Sub(open)
			pct := decimal.Zero
			if open.IsPositive() {
				pct = change.Mul(decimal.NewFromInt(100)).DivRound(open, 3)
			}
			out["priceChange"], out["priceChangePercent"] = fx(change), pct.StringFixed(3)
			out["weightedAvgPrice"], out["prevClosePrice"] = fx(open.Add(sym.last).Div(decimal.NewFromInt(2))), fx(open)
			out["lastQty"], out["bidPrice"], out["bidQty"], out["askPrice"], out["askQty"] = "0.01000000", fx(sym.bid), "1.00000000", fx(sym.ask), "1.00000000"
		}
		return out
	}
	if p.get("symbol") != "" {
		return jsonResponse(one(syms[0]))
	}
	out := make([]map[string]any, 0, len(syms))
	for _, sym := range syms {
		out = append(out, one(sym))
	}
	return jsonResponse(out)
}
