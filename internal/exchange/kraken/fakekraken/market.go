package fakekraken

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// AssetSpec is one asset: Kraken's id (XXBT, ZUSD, SOL), its altname (XBT,
// USD, SOL) and how many decimals balances are shown with.
type AssetSpec struct {
	ID       string
	AltName  string
	Decimals int32
}

// DefaultAssets are the assets of DefaultPairs.
func DefaultAssets() []AssetSpec {
	return []AssetSpec{
		{ID: "XXBT", AltName: "XBT", Decimals: 10},
		{ID: "XETH", AltName: "ETH", Decimals: 10},
		{ID: "ZUSD", AltName: "USD", Decimals: 4},
		{ID: "SOL", AltName: "SOL", Decimals: 10},
		{ID: "XXDG", AltName: "XDG", Decimals: 8},
		{ID: "XLTC", AltName: "LTC", Decimals: 10},
	}
}

// PairSpec is one pair as AssetPairs describes it, plus its book.
type PairSpec struct {
	ID, AltName, WSName string
	Base, Quote         string // asset ids
	PairDecimals        int32
	LotDecimals         int32
	CostDecimals        int32
	OrderMin            string
	CostMin             string
	TickSize            string
	Status              string // online, cancel_only, post_only, limit_only
	Bid, Ask, Last      string
}

// WithPairs lists more pairs, and the assets they trade, after the
// default ones (load tests watch many).
func WithPairs(assets []AssetSpec, pairs ...PairSpec) Option {
	return func(s *Server) {
		for _, a := range assets {
			if _, ok := s.assets[a.ID]; !ok {
				s.assets[a.ID] = &asset{spec: a}
			}
		}
		for _, p := range pairs {
			s.addPair(p)
		}
	}
}

// DefaultPairs are BTC, ETH, SOL, DOGE and LTC against USD plus ETH
// against BTC, with rules like Kraken's (LTC/USD is in cancel_only mode,
// to test refusals).
func DefaultPairs() []PairSpec {
	return []PairSpec{
		{ID: "XXBTZUSD", AltName: "XBTUSD", WSName: "XBT/USD", Base: "XXBT", Quote: "ZUSD", PairDecimals: 1, LotDecimals: 8, CostDecimals: 5,
			OrderMin: "0.00005", CostMin: "0.5", TickSize: "0.1", Status: "online", Bid: "60000.0", Ask: "60000.1", Last: "60000.0"},
		{ID: "XETHZUSD", AltName: "ETHUSD", WSName: "ETH/USD", Base: "XETH", Quote: "ZUSD", PairDecimals: 2, LotDecimals: 8, CostDecimals: 5,
			OrderMin: "0.002", CostMin: "0.5", TickSize: "0.01", Status: "online", Bid: "3000.00", Ask: "3000.01", Last: "3000.00"},
		{ID: "SOLUSD", AltName: "SOLUSD", WSName: "SOL/USD", Base: "SOL", Quote: "ZUSD", PairDecimals: 2, LotDecimals: 8, CostDecimals: 5,
			OrderMin: "0.02", CostMin: "0.5", TickSize: "0.01", Status: "online", Bid: "150.00", Ask: "150.01", Last: "150.00"},
		{ID: "XXDGZUSD", AltName: "XDGUSD", WSName: "XDG/USD", Base: "XXDG", Quote: "ZUSD", PairDecimals: 7, LotDecimals: 8, CostDecimals: 5,
			OrderMin: "13", CostMin: "0.5", TickSize: "0.0000001", Status: "online", Bid: "0.1500000", Ask: "0.1500100", Last: "0.1500000"},
		{ID: "XETHXXBT", AltName: "ETHXBT", WSName: "ETH/XBT", Base: "XETH", Quote: "XXBT", PairDecimals: 5, LotDecimals: 8, CostDecimals: 6,
			OrderMin: "0.002", CostMin: "0.00002", TickSize: "0.00001", Status: "online", Bid: "0.05000", Ask: "0.05001", Last: "0.05000"},
		{ID: "XLTCZUSD", AltName: "LTCUSD", WSName: "LTC/USD", Base: "XLTC", Quote: "ZUSD", PairDecimals: 2, LotDecimals: 8, CostDecimals: 5,
			OrderMin: "0.05", CostMin: "0.5", TickSize: "0.01", Status: "cancel_only", Bid: "80.00", Ask: "80.01", Last: "80.00"},
	}
}

// asset is an asset and the account's balance of it; Kraken's "balance"
// is the Funds' Total, its hold_trade the Held.
type asset struct {
	spec AssetSpec
	fakevenue.Funds
}

type pair struct {
	spec                    PairSpec
	tick, orderMin, costMin decimal.Decimal
	bid, ask, last          decimal.Decimal
}

func (s *Server) addPair(sp PairSpec) {
	p := &pair{spec: sp, tick: decimal.RequireFromString(sp.TickSize), orderMin: decimal.RequireFromString(sp.OrderMin),
		costMin: decimal.RequireFromString(sp.CostMin), bid: decimal.RequireFromString(sp.Bid),
		ask: decimal.RequireFromString(sp.Ask), last: decimal.RequireFromString(sp.Last)}
	s.pairs.Put(sp.ID, p)
}

// pairLocked finds a pair by id or altname.
func (s *Server) pairLocked(name string) (*pair, bool) {
	if p, ok := s.pairs.Get(name); ok {
		return p, true
	}
	for _, p := range s.pairs.All() {
		if p.spec.AltName == name {
			return p, true
		}
	}
	return nil, false
}

// canonical are the names other venues use for Kraken's XBT and XDG, so
// tests may fund "BTC" as well as "XBT" or "XXBT".
var canonical = map[string]string{"BTC": "XBT", "DOGE": "XDG"}

// assetLocked finds an asset by id, altname or common name (BTC), and
// creates an unknown one so a test can fund anything.
func (s *Server) assetLocked(name string) *asset {
	if a, ok := s.assets[name]; ok {
		return a
	}
	alt := name
	if k, ok := canonical[name]; ok {
		alt = k
	}
	for _, a := range s.assets {
		if a.spec.AltName == alt {
			return a
		}
	}
	a := &asset{spec: AssetSpec{ID: name, AltName: name, Decimals: 8}}
	s.assets[name] = a
	return a
}

func (s *Server) pairAssetsLocked(p *pair) (*asset, *asset) {
	return s.assetLocked(p.spec.Base), s.assetLocked(p.spec.Quote)
}

// SetBalance sets asset's free balance (id, altname or BTC/DOGE); what
// open orders hold stays held.
func (s *Server) SetBalance(asset string, free decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.assetLocked(asset)
	a.Free = free
}

// Balance returns asset's free and held amounts.
func (s *Server) Balance(asset string) (free, held decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.assetLocked(asset)
	return a.Free, a.Held
}

// SetPrice moves a pair's book (by id or altname) and then fills resting
// limit orders it crosses, at their limit price, and triggers stops the
// last price reaches.
func (s *Server) SetPrice(pairName string, bid, ask, last decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pairLocked(pairName)
	if !ok {
		panic("fakekraken: unknown pair " + pairName)
	}
	p.bid, p.ask, p.last = bid, ask, last
	s.matchLocked(p)
}

func fx(d decimal.Decimal, places int32) string { return d.StringFixed(places) }

func (s *Server) pairJSON(p *pair) map[string]any {
	sp := p.spec
	return map[string]any{
		"altname": sp.AltName, "wsname": sp.WSName, "aclass_base": "currency", "base": sp.Base,
		"aclass_quote": "currency", "quote": sp.Quote, "lot": "unit", "cost_decimals": sp.CostDecimals,
		"pair_decimals": sp.PairDecimals, "lot_decimals": sp.LotDecimals, "lot_multiplier": 1,
		"leverage_buy": []int{}, "leverage_sell": []int{},
		"fees":                [][]any{{0, 0.26}, {50000, 0.24}, {100000, 0.22}},
		"fees_maker":          [][]any{{0, 0.16}, {50000, 0.14}, {100000, 0.12}},
		"fee_volume_currency": "ZUSD", "margin_call": 80, "margin_stop": 40,
		"ordermin": sp.OrderMin, "costmin": sp.CostMin, "tick_size": sp.TickSize, "status": sp.Status,
	}
}

func (s *Server) handleAssetPairs(q params) (any, string) {
	out := map[string]any{}
	if names := q.get("pair"); names != "" {
		for _, n := range strings.Split(names, ",") {
			p, ok := s.pairLocked(strings.TrimSpace(n))
			if !ok {
				return nil, "EQuery:Unknown asset pair"
			}
			out[p.spec.ID] = s.pairJSON(p)
		}
		return out, ""
	}
	for _, p := range s.pairs.All() {
		out[p.spec.ID] = s.pairJSON(p)
	}
	return out, ""
}

func (s *Server) handleTicker(q params) (any, string) {
	names := q.get("pair")
	if names == "" {
		return nil, "EGeneral:Invalid arguments:pair"
	}
	out := map[string]any{}
	for _, n := range strings.Split(names, ",") {
		p, ok := s.pairLocked(strings.TrimSpace(n))
		if !ok {
			return nil, "EQuery:Unknown asset pair"
		}
		d := p.spec.PairDecimals
		out[p.spec.ID] = map[string]any{
			"a": []string{fx(p.ask, d), "1", "1.000"},
			"b": []string{fx(p.bid, d), "1", "1.000"},
			"c": []string{fx(p.last, d), "0.01000000"},
			"v": []string{"100.00000000", "250.00000000"},
			"p": []string{fx(p.last, d), fx(p.last, d)},
			"t": []int{1000, 2500},
			"l": []string{fx(p.bid, d), fx(p.bid, d)},
			"h": []string{fx(p.ask, d), fx(p.ask, d)},
			"o": fx(p.last, d),
		}
	}
	return out, ""
}

func (s *Server) handleBalance(params) (any, string) {
	out := map[string]string{}
	for id, a := range s.assets {
		if !a.Total().IsZero() || !a.Held.IsZero() {
			out[id] = fx(a.Total(), a.spec.Decimals)
		}
	}
	return out, ""
}

func (s *Server) handleBalanceEx(params) (any, string) {
	out := map[string]any{}
	for id, a := range s.assets {
		if !a.Total().IsZero() || !a.Held.IsZero() {
			out[id] = map[string]string{"balance": fx(a.Total(), a.spec.Decimals), "hold_trade": fx(a.Held, a.spec.Decimals)}
		}
	}
	return out, ""
}
