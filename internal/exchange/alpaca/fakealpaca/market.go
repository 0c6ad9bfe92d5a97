package fakealpaca

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// AssetSpec describes one asset of the fake. Increments apply to crypto;
// stocks follow Alpaca's prose rules (whole cents at or above $1,
// fractional quantities on fractionable assets).
type AssetSpec struct {
	Symbol            string // "AAPL" or "BTC/USD"
	Class             string // "us_equity" or "crypto"
	Exchange          string
	Name              string
	Tradable          bool
	Fractionable      bool
	MinOrderSize      string
	MinTradeIncrement string
	PriceIncrement    string
	Bid, Ask, Last    string
}

// DefaultAssets is a modest universe: three fractionable stocks, two
// crypto pairs and one stock that is no longer tradable.
func DefaultAssets() []AssetSpec {
	stock := func(sym, name, bid, ask, last string) AssetSpec {
		return AssetSpec{Symbol: sym, Class: "us_equity", Exchange: "NASDAQ", Name: name, Tradable: true, Fractionable: true, Bid: bid, Ask: ask, Last: last}
	}
	return []AssetSpec{
		stock("AAPL", "Apple Inc. Common Stock", "189.98", "190.02", "190"),
		stock("MSFT", "Microsoft Corporation Common Stock", "414.9", "415.1", "415"),
		stock("TSLA", "Tesla, Inc. Common Stock", "249.9", "250.1", "250"),
		{Symbol: "BTC/USD", Class: "crypto", Exchange: "CRYPTO", Name: "Bitcoin / US Dollar", Tradable: true, Fractionable: true,
			MinOrderSize: "0.0001", MinTradeIncrement: "0.000000001", PriceIncrement: "1", Bid: "60000", Ask: "60010", Last: "60005"},
		{Symbol: "ETH/USD", Class: "crypto", Exchange: "CRYPTO", Name: "Ethereum / US Dollar", Tradable: true, Fractionable: true,
			MinOrderSize: "0.001", MinTradeIncrement: "0.000000001", PriceIncrement: "0.1", Bid: "3000", Ask: "3000.5", Last: "3000.2"},
		{Symbol: "OLD", Class: "us_equity", Exchange: "NYSE", Name: "Delisted Corp", Tradable: false, Bid: "1", Ask: "1.01", Last: "1"},
	}
}

type asset struct {
	spec                        AssetSpec
	id                          string
	minOrder, minIncr, priceInc decimal.Decimal
	bid, ask, last              decimal.Decimal
	quoteTime                   time.Time
}

func (a *asset) crypto() bool { return a.spec.Class == "crypto" }

// positionSymbol is Alpaca's name for a position in the asset: crypto
// drops the slash.
func (a *asset) positionSymbol() string { return strings.ReplaceAll(a.spec.Symbol, "/", "") }

func dec(s string) decimal.Decimal {
	if s == "" {
		return decimal.Zero
	}
	return decimal.RequireFromString(s)
}

func (s *Server) addAsset(sp AssetSpec) {
	a := &asset{spec: sp, id: fakevenue.NewUUID(), minOrder: dec(sp.MinOrderSize), minIncr: dec(sp.MinTradeIncrement), priceInc: dec(sp.PriceIncrement),
		bid: dec(sp.Bid), ask: dec(sp.Ask), last: dec(sp.Last), quoteTime: s.clock().UTC()}
	s.assets.Put(sp.Symbol, a)
}

// SetQuote moves an asset's book (and its last price to the mid); working
// orders that become marketable fill before the next request is served.
func (s *Server) SetQuote(symbol string, bid, ask decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.assets.Get(symbol)
	if !ok {
		panic("fakealpaca: SetQuote of unknown asset " + symbol)
	}
	a.bid, a.ask = bid, ask
	a.last = bid.Add(ask).Div(decimal.NewFromInt(2))
	a.quoteTime = s.now()
}

func (a *asset) wire() map[string]any {
	m := map[string]any{
		"id": a.id, "class": a.spec.Class, "exchange": a.spec.Exchange, "symbol": a.spec.Symbol, "name": a.spec.Name,
		"status": "active", "tradable": a.spec.Tradable, "marginable": !a.crypto(), "shortable": false,
		"easy_to_borrow": false, "fractionable": a.spec.Fractionable, "attributes": []string{},
	}
	if a.crypto() {
		m["maintenance_margin_requirement"] = 100
		m["min_order_size"] = a.spec.MinOrderSize
		m["min_trade_increment"] = a.spec.MinTradeIncrement
		m["price_increment"] = a.spec.PriceIncrement
	} else {
		m["maintenance_margin_requirement"] = 30
	}
	return m
}

func (s *Server) handleAssets(r *http.Request, _ []byte, _ string) response {
	q := r.URL.Query()
	status, class := q.Get("status"), q.Get("asset_class")
	out := []map[string]any{}
	for _, a := range s.assets.All() {
		if status != "" && status != "active" {
			continue
		}
		if class != "" && class != a.spec.Class {
			continue
		}
		out = append(out, a.wire())
	}
	return jsonResponse(http.StatusOK, out)
}

// position is a long holding built from fills.
type position struct {
	asset *asset
	qty   decimal.Decimal
	avg   decimal.Decimal
}

func fx(d decimal.Decimal) string { return d.String() }

// reservedLocked is the buying power open buy orders hold.
func (s *Server) reservedLocked() decimal.Decimal {
	sum := decimal.Zero
	for _, o := range s.orders {
		if o.working() {
			sum = sum.Add(o.reserved)
		}
	}
	return sum
}

// heldQtyLocked is the quantity of an asset that open sell orders hold.
func (s *Server) heldQtyLocked(a *asset) decimal.Decimal {
	sum := decimal.Zero
	for _, o := range s.orders {
		// A linked stop-loss shares the quantity of its take-profit.
		if o.working() && o.side == "sell" && o.asset == a && !(o.parent != nil && o.stop.Valid) {
			sum = sum.Add(o.qty.Sub(o.filled))
		}
	}
	return sum
}

func (s *Server) buyingPowerLocked() decimal.Decimal { return s.cash.Sub(s.reservedLocked()) }

// Cash returns the account's cash.
func (s *Server) Cash() decimal.Decimal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cash
}

// BuyingPower returns cash less what open buy orders hold (the fake is a
// cash account: multiplier 1).
func (s *Server) BuyingPower() decimal.Decimal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buyingPowerLocked()
}

// Position returns the quantity and average entry price held of an asset
// ("AAPL", "BTC/USD").
func (s *Server) Position(symbol string) (qty, avgEntry decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.positions[symbol]; ok {
		return p.qty, p.avg
	}
	return decimal.Zero, decimal.Zero
}

// SetBalance makes asset's available amount free, whatever open orders
// hold: for "USD" the buying power, for a stock ticker or a crypto base
// asset ("BTC") the position's qty_available (a new position is valued at
// the current mid).
func (s *Server) SetBalance(assetName string, free decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if assetName == "USD" {
		s.cash = free.Add(s.reservedLocked())
		return
	}
	for _, a := range s.assets.All() {
		sym := a.spec.Symbol
		base, _, _ := strings.Cut(sym, "/")
		if base != assetName || (a.crypto() && !strings.HasSuffix(sym, "/USD")) {
			continue
		}
		qty := free.Add(s.heldQtyLocked(a))
		p, ok := s.positions[sym]
		if !ok {
			p = &position{asset: a, avg: a.bid.Add(a.ask).Div(decimal.NewFromInt(2))}
			s.positions[sym] = p
		}
		p.qty = qty
		if !qty.IsPositive() {
			delete(s.positions, sym)
		}
		return
	}
	panic("fakealpaca: SetBalance of unknown asset " + assetName)
}

func (s *Server) handleAccount(*http.Request, []byte, string) response {
	long := decimal.Zero
	for _, p := range s.positions {
		long = long.Add(p.qty.Mul(p.asset.last))
	}
	bp := s.buyingPowerLocked()
	equity := s.cash.Add(long)
	return jsonResponse(http.StatusOK, map[string]any{
		"id": s.accountID, "account_number": "PA3FAKE00001", "status": "ACTIVE", "crypto_status": "ACTIVE", "currency": "USD",
		"cash": fx(s.cash), "buying_power": fx(bp), "regt_buying_power": fx(bp), "daytrading_buying_power": "0",
		"effective_buying_power": fx(bp), "non_marginable_buying_power": fx(bp), "accrued_fees": "0",
		"portfolio_value": fx(equity), "equity": fx(equity), "last_equity": fx(equity),
		"long_market_value": fx(long), "short_market_value": "0", "position_market_value": fx(long),
		"initial_margin": "0", "maintenance_margin": "0", "multiplier": "1", "pattern_day_trader": false,
		"trading_blocked": false, "transfers_blocked": false, "account_blocked": false, "shorting_enabled": false,
		"trade_suspended_by_user": false, "daytrade_count": 0, "created_at": "2024-01-02T15:04:05.123456Z",
	})
}

func (s *Server) handlePositions(*http.Request, []byte, string) response {
	syms := make([]string, 0, len(s.positions))
	for sym := range s.positions {
		syms = append(syms, sym)
	}
	sort.Strings(syms)
	out := []map[string]any{}
	for _, sym := range syms {
		p := s.positions[sym]
		a := p.asset
		mv := p.qty.Mul(a.last)
		cost := p.qty.Mul(p.avg)
		out = append(out, map[string]any{
			"asset_id": a.id, "symbol": a.positionSymbol(), "exchange": a.spec.Exchange, "asset_class": a.spec.Class,
			"asset_marginable": !a.crypto(), "qty": fx(p.qty), "qty_available": fx(p.qty.Sub(s.heldQtyLocked(a))),
			"avg_entry_price": fx(p.avg), "side": "long", "market_value": fx(mv), "cost_basis": fx(cost),
			"unrealized_pl": fx(mv.Sub(cost)), "current_price": fx(a.last), "lastday_price": fx(a.last), "change_today": "0",
		})
	}
	return jsonResponse(http.StatusOK, out)
}

// Market data.

var (
	stockSymbol  = regexp.MustCompile(`^[A-Z][A-Z0-9.]{0,15}$`)
	cryptoSymbol = regexp.MustCompile(`^[A-Z]+/[A-Z]+$`)
)

// num writes a decimal as a JSON number, as the data API does.
func num(d decimal.Decimal) json.Number { return json.Number(d.String()) }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// dataSymbols validates symbols= and returns the known assets of class.
func (s *Server) dataSymbols(r *http.Request, crypto bool) ([]*asset, *apiError) {
	q := r.URL.Query()
	if !crypto {
		switch f := q.Get("feed"); f {
		case "", "iex", "sip":
		default:
			return nil, errBody(http.StatusBadRequest, 0, "invalid feed: %s", f)
		}
	}
	raw := q.Get("symbols")
	if raw == "" {
		return nil, errBody(http.StatusBadRequest, 0, "missing symbols")
	}
	var out []*asset
	for _, sym := range strings.Split(raw, ",") {
		if crypto && !cryptoSymbol.MatchString(sym) {
			return nil, errBody(http.StatusBadRequest, 0, "invalid symbol: %s does not match ^[A-Z]+/[A-Z]+$", sym)
		}
		if !crypto && !stockSymbol.MatchString(sym) {
			return nil, errBody(http.StatusBadRequest, 0, "invalid symbol: %s", sym)
		}
		// Unknown but well-formed symbols are simply absent from the answer.
		if a, ok := s.assets.Get(sym); ok && a.crypto() == crypto {
			out = append(out, a)
		}
	}
	return out, nil
}

// dataError is the data API's error body: a message, code only sometimes.
func dataError(e *apiError) response {
	if e.Code == 0 {
		return jsonResponse(e.status, map[string]string{"message": e.Message})
	}
	return errorResponse(e)
}

func (s *Server) latestQuotes(r *http.Request, crypto bool) response {
	as, e := s.dataSymbols(r, crypto)
	if e != nil {
		return dataError(e)
	}
	quotes := map[string]map[string]any{}
	for _, a := range as {
		q := map[string]any{"t": stamp(a.quoteTime), "bp": num(a.bid), "bs": num(decimal.NewFromInt(2)), "ap": num(a.ask), "as": num(decimal.NewFromInt(1))}
		if !crypto {
			q["bx"], q["ax"], q["c"], q["z"] = "V", "V", []string{"R"}, "C"
		}
		quotes[a.spec.Symbol] = q
	}
	return jsonResponse(http.StatusOK, map[string]any{"quotes": quotes})
}

func (s *Server) latestTrades(r *http.Request, crypto bool) response {
	as, e := s.dataSymbols(r, crypto)
	if e != nil {
		return dataError(e)
	}
	trades := map[string]map[string]any{}
	for i, a := range as {
		t := map[string]any{"t": stamp(a.quoteTime), "p": num(a.last), "s": num(decimal.NewFromInt(100)), "i": 1000 + i}
		if crypto {
			t["tks"] = "B"
		} else {
			t["x"], t["c"], t["z"] = "V", []string{"@"}, "C"
		}
		trades[a.spec.Symbol] = t
	}
	return jsonResponse(http.StatusOK, map[string]any{"trades": trades})
}

func (s *Server) handleStockQuotes(r *http.Request, _ []byte, _ string) response {
	return s.latestQuotes(r, false)
}

func (s *Server) handleStockTrades(r *http.Request, _ []byte, _ string) response {
	return s.latestTrades(r, false)
}

func (s *Server) handleCryptoQuotes(r *http.Request, _ []byte, _ string) response {
	return s.latestQuotes(r, true)
}

func (s *Server) handleCryptoTrades(r *http.Request, _ []byte, _ string) response {
	return s.latestTrades(r, true)
}
