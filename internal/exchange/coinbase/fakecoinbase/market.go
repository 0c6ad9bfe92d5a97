package fakecoinbase

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// ProductSpec describes one product: its increments and sizes as Coinbase
// publishes them, and the book the fake starts with.
type ProductSpec struct {
	ID             string // "BTC-USD"
	BaseIncrement  string
	QuoteIncrement string // also price_increment
	BaseMinSize    string
	BaseMaxSize    string
	QuoteMinSize   string // minimum order value ("min market funds")
	QuoteMaxSize   string
	Bid, Ask, Last string
	// Status flags; a product with TradingDisabled refuses new orders.
	TradingDisabled bool
	LimitOnly       bool
	PostOnly        bool
}

// WithProducts lists more products after the default ones (load tests
// watch many).
func WithProducts(specs ...ProductSpec) Option {
	return func(s *Server) {
		for _, sp := range specs {
			s.addProduct(sp)
		}
	}
}

// DefaultProducts are BTC-USD, ETH-USD, SOL-USD and ETH-BTC with
// Coinbase's increments, and OLD-USD, whose trading is disabled.
func DefaultProducts() []ProductSpec {
	return []ProductSpec{
		{ID: "BTC-USD", BaseIncrement: "0.00000001", QuoteIncrement: "0.01", BaseMinSize: "0.00000001", BaseMaxSize: "3400",
			QuoteMinSize: "1", QuoteMaxSize: "150000000", Bid: "60000", Ask: "60000.01", Last: "60000"},
		{ID: "ETH-USD", BaseIncrement: "0.00000001", QuoteIncrement: "0.01", BaseMinSize: "0.00000001", BaseMaxSize: "42000",
			QuoteMinSize: "1", QuoteMaxSize: "150000000", Bid: "3000", Ask: "3000.01", Last: "3000"},
		{ID: "SOL-USD", BaseIncrement: "0.001", QuoteIncrement: "0.01", BaseMinSize: "0.001", BaseMaxSize: "100000",
			QuoteMinSize: "1", QuoteMaxSize: "50000000", Bid: "150", Ask: "150.01", Last: "150"},
		{ID: "ETH-BTC", BaseIncrement: "0.00000001", QuoteIncrement: "0.00001", BaseMinSize: "0.00000001", BaseMaxSize: "2400",
			QuoteMinSize: "0.000016", QuoteMaxSize: "60", Bid: "0.05", Ask: "0.05001", Last: "0.05"},
		{ID: "OLD-USD", BaseIncrement: "0.01", QuoteIncrement: "0.0001", BaseMinSize: "1", BaseMaxSize: "1000000",
			QuoteMinSize: "1", QuoteMaxSize: "1000000", Bid: "1", Ask: "1.01", Last: "1", TradingDisabled: true},
	}
}

type product struct {
	spec                                ProductSpec
	base, quote                         string
	baseInc, priceInc, baseMin, baseMax decimal.Decimal
	quoteMin                            decimal.Decimal
	bid, ask, last                      decimal.Decimal
	lastTime                            time.Time
	tradeSeq                            int64
}

func dec(s string) decimal.Decimal {
	if s == "" {
		return decimal.Zero
	}
	return decimal.RequireFromString(s)
}

func (s *Server) addProduct(sp ProductSpec) {
	base, quote, _ := strings.Cut(sp.ID, "-")
	p := &product{spec: sp, base: base, quote: quote,
		baseInc: dec(sp.BaseIncrement), priceInc: dec(sp.QuoteIncrement), baseMin: dec(sp.BaseMinSize), baseMax: dec(sp.BaseMaxSize),
		quoteMin: dec(sp.QuoteMinSize), bid: dec(sp.Bid), ask: dec(sp.Ask), last: dec(sp.Last), lastTime: time.Now().UTC(), tradeSeq: 1000}
	s.products.Put(sp.ID, p)
}

// account is a currency's wallet: Free is Coinbase's available balance,
// Held its hold.
type account struct {
	fakevenue.Funds
	uuid     string
	currency string
}

// acct returns the account of currency, opening it when needed.
func (s *Server) acct(currency string) *account {
	a, ok := s.accounts[currency]
	if !ok {
		a = &account{uuid: fakevenue.NewUUID(), currency: currency}
		s.accounts[currency] = a
	}
	return a
}

// SetBalance sets currency's available balance; holds stay as they are.
func (s *Server) SetBalance(currency string, available decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acct(currency).Free = available
}

// SetBook moves a product's best bid and ask and its last price (zero
// leaves last as it is). Resting limit orders the new book crosses fill at
// their own price, and stop orders whose stop the last price reaches
// trigger.
func (s *Server) SetBook(productID string, bid, ask, last decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products.Get(productID)
	if !ok {
		return
	}
	p.bid, p.ask = bid, ask
	if last.IsPositive() {
		p.last, p.lastTime = last, s.now()
	}
	s.matchLocked(p)
}

func fx(d decimal.Decimal) string { return d.String() }

// dayOpenFactor places a product's price 24 hours ago 2% below its last
// price, so price_percentage_change_24h agrees with the prices served.
var dayOpenFactor = decimal.RequireFromString("0.98")

// dayChangePct is the 24-hour change in percent against that open, to 16
// places as Coinbase writes it ("-2.6170468018115006").
func (p *product) dayChangePct() decimal.Decimal {
	open := p.last.Mul(dayOpenFactor)
	if !open.IsPositive() {
		return decimal.Zero
	}
	return p.last.Sub(open).Mul(decimal.NewFromInt(100)).DivRound(open, 16)
}

func (p *product) json() map[string]any {
	status := "online"
	if p.spec.TradingDisabled {
		status = "delisted"
	}
	return map[string]any{
		"product_id": p.spec.ID, "price": fx(p.last), "price_percentage_change_24h": fx(p.dayChangePct()), "volume_24h": "1000",
		"volume_percentage_change_24h": "0", "base_increment": p.spec.BaseIncrement, "quote_increment": p.spec.QuoteIncrement,
		"quote_min_size": p.spec.QuoteMinSize, "quote_max_size": p.spec.QuoteMaxSize, "base_min_size": p.spec.BaseMinSize,
		"base_max_size": p.spec.BaseMaxSize, "base_name": p.base, "quote_name": p.quote, "watched": false,
		"is_disabled": false, "new": false, "status": status, "cancel_only": false, "limit_only": p.spec.LimitOnly,
		"post_only": p.spec.PostOnly, "trading_disabled": p.spec.TradingDisabled, "auction_mode": false,
		"product_type": "SPOT", "quote_currency_id": p.quote, "base_currency_id": p.base,
		"mid_market_price": fx(p.bid.Add(p.ask).Div(decimal.NewFromInt(2))), "alias": "", "alias_to": []string{},
		"base_display_symbol": p.base, "quote_display_symbol": p.quote, "view_only": false,
		"price_increment": p.spec.QuoteIncrement, "display_name": p.spec.ID, "product_venue": "CBE",
	}
}

// checkQuery refuses parameters the endpoint does not define, as the
// gateway does; it catches renamed parameters such as product_id.
func checkQuery(q url.Values, allowed ...string) (response, bool) {
	for k := range q {
		known := false
		for _, a := range allowed {
			known = known || a == k
		}
		if !known {
			return invalidArgument("unknown query parameter " + strconv.Quote(k)), false
		}
	}
	return response{}, true
}

func (s *Server) handleProducts(r *http.Request, _ []byte) response {
	q := r.URL.Query()
	if resp, ok := checkQuery(q, "limit", "offset", "product_type", "product_ids", "contract_expiry_type", "expiring_contract_status", "get_all_products", "get_tradability_status"); !ok {
		return resp
	}
	if pt := q.Get("product_type"); pt != "" && pt != "SPOT" && pt != "FUTURE" {
		return invalidArgument("invalid product_type " + strconv.Quote(pt))
	}
	want := map[string]bool{}
	for _, id := range q["product_ids"] {
		want[id] = true
	}
	out := []map[string]any{}
	if q.Get("product_type") != "FUTURE" {
		for _, p := range s.products.All() {
			if len(want) == 0 || want[p.spec.ID] {
				out = append(out, p.json())
			}
		}
	}
	return ok(map[string]any{"products": out, "num_products": len(out)})
}

func (s *Server) handleProduct(r *http.Request, _ []byte) response {
	id := strings.TrimPrefix(r.URL.Path, Prefix+"/market/products/")
	p, found := s.products.Get(id)
	if !found {
		return notFound("product not found")
	}
	return ok(p.json())
}

func (s *Server) handleTicker(r *http.Request, _ []byte) response {
	id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, Prefix+"/market/products/"), "/ticker")
	q := r.URL.Query()
	if resp, ok := checkQuery(q, "limit", "start", "end"); !ok {
		return resp
	}
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil || n < 1 {
		return invalidArgument("limit is required")
	}
	p, found := s.products.Get(id)
	if !found {
		return notFound("product not found")
	}
	trade := map[string]any{"trade_id": strconv.FormatInt(p.tradeSeq, 10), "product_id": id, "price": fx(p.last), "size": "0.01",
		"time": p.lastTime.Format(time.RFC3339Nano), "side": "BUY", "bid": "", "ask": "", "exchange": "coinbase"}
	return ok(map[string]any{"trades": []any{trade}, "best_bid": fx(p.bid), "best_ask": fx(p.ask)})
}

func (p *product) pricebook(now time.Time) map[string]any {
	return map[string]any{
		"product_id": p.spec.ID,
		"bids":       []any{map[string]string{"price": fx(p.bid), "size": "1.5"}},
		"asks":       []any{map[string]string{"price": fx(p.ask), "size": "1.5"}},
		"time":       now.Format(time.RFC3339Nano),
	}
}

func (s *Server) handleBestBidAsk(r *http.Request, _ []byte) response {
	q := r.URL.Query()
	if resp, ok := checkQuery(q, "product_ids"); !ok {
		return resp
	}
	books := []any{}
	ids := q["product_ids"]
	if len(ids) == 0 {
		ids = s.products.Names()
	}
	for _, id := range ids {
		// Unknown products are left out of the answer.
		if p, found := s.products.Get(id); found {
			books = append(books, p.pricebook(s.now()))
		}
	}
	return ok(map[string]any{"pricebooks": books})
}

// page reads limit and cursor (an offset) for a list of n items.
func page(q url.Values, n, def, max int) (start, end int, next string, resp response, good bool) {
	limit := def
	if v := q.Get("limit"); v != "" {
		l, err := strconv.Atoi(v)
		if err != nil || l < 1 {
			return 0, 0, "", invalidArgument("invalid limit " + strconv.Quote(v)), false
		}
		limit = l
	}
	limit = min(limit, max)
	if c := q.Get("cursor"); c != "" {
		off, err := strconv.Atoi(c)
		if err != nil || off < 0 {
			return 0, 0, "", invalidArgument("invalid cursor"), false
		}
		start = min(off, n)
	}
	end = min(start+limit, n)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next, response{}, true
}

func money(d decimal.Decimal, currency string) map[string]string {
	return map[string]string{"value": fx(d), "currency": currency}
}

func (s *Server) handleAccounts(r *http.Request, _ []byte) response {
	q := r.URL.Query()
	if resp, ok := checkQuery(q, "limit", "cursor", "retail_portfolio_id"); !ok {
		return resp
	}
	if v := q.Get("limit"); v != "" {
		if l, err := strconv.Atoi(v); err == nil && l > 250 {
			return invalidArgument("limit must be at most 250")
		}
	}
	names := make([]string, 0, len(s.accounts))
	for c := range s.accounts {
		names = append(names, c)
	}
	sort.Strings(names)
	start, end, next, resp, good := page(q, len(names), 49, s.pageMax)
	if !good {
		return resp
	}
	out := []any{}
	for _, c := range names[start:end] {
		a := s.accounts[c]
		typ := "ACCOUNT_TYPE_CRYPTO"
		if c == "USD" || c == "EUR" || c == "GBP" {
			typ = "ACCOUNT_TYPE_FIAT"
		}
		out = append(out, map[string]any{
			"uuid": a.uuid, "name": c + " Wallet", "currency": c, "available_balance": money(a.Free, c),
			"default": true, "active": true, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
			"deleted_at": nil, "type": typ, "ready": true, "hold": money(a.Held, c), "retail_portfolio_id": "default",
		})
	}
	return ok(map[string]any{"accounts": out, "has_next": next != "", "cursor": next, "size": len(out)})
}
