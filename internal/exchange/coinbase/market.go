package coinbase

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// pageSize is what list calls ask for per page; maxPages bounds any
// pagination loop against a cursor that never ends.
const (
	accountsPageSize = 250
	maxPages         = 100
)

type moneyWire struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

type accountsWire struct {
	Accounts []struct {
		UUID             string    `json:"uuid"`
		Currency         string    `json:"currency"`
		AvailableBalance moneyWire `json:"available_balance"`
		Hold             moneyWire `json:"hold"`
	} `json:"accounts"`
	HasNext bool   `json:"has_next"`
	Cursor  string `json:"cursor"`
}

// addAccounts folds one page of accounts into per-currency totals: a
// currency can have several accounts (one per portfolio).
func addAccounts(w accountsWire, free, locked map[string]decimal.Decimal) error {
	for _, a := range w.Accounts {
		if a.Currency == "" {
			continue
		}
		f, err := venueorder.Decimal(a.Currency+" available_balance", a.AvailableBalance.Value)
		if err != nil {
			return err
		}
		h, err := venueorder.Decimal(a.Currency+" hold", a.Hold.Value)
		if err != nil {
			return err
		}
		free[a.Currency] = free[a.Currency].Add(f)
		locked[a.Currency] = locked[a.Currency].Add(h)
	}
	return nil
}

// Balances implements exchange.Exchange: available_balance is free, hold
// is locked, over every page of accounts.
func (e *Exchange) Balances(ctx context.Context) ([]trade.Balance, error) {
	free, locked := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	cursor := ""
	for page := 0; ; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("balances: %w", &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName,
				Message: fmt.Sprintf("accounts did not end after %d pages", maxPages)})
		}
		q := url.Values{"limit": {strconv.Itoa(accountsPageSize)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var w accountsWire
		if err := e.do(ctx, call{method: http.MethodGet, path: "/accounts", query: q, private: true}, &w); err != nil {
			return nil, fmt.Errorf("balances: %w", err)
		}
		if err := addAccounts(w, free, locked); err != nil {
			return nil, fmt.Errorf("balances: %w", decodeFailure("GET "+apiPrefix+"/accounts", err, false, ""))
		}
		if !w.HasNext || w.Cursor == "" || w.Cursor == cursor {
			break
		}
		cursor = w.Cursor
	}
	out := make([]trade.Balance, 0, len(free))
	for asset, f := range free {
		b := trade.NewBalance(asset, f, locked[asset])
		if !b.Total.IsZero() {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Asset < out[j].Asset })
	return out, nil
}

type priceLevel struct {
	Price string `json:"price"`
	Size  string `json:"size"`
}

type bestBidAskWire struct {
	Pricebooks []struct {
		ProductID string       `json:"product_id"`
		Bids      []priceLevel `json:"bids"`
		Asks      []priceLevel `json:"asks"`
		Time      string       `json:"time"`
	} `json:"pricebooks"`
}

type tickerWire struct {
	Trades []struct {
		Price string `json:"price"`
		Time  string `json:"time"`
	} `json:"trades"`
	BestBid string `json:"best_bid"`
	BestAsk string `json:"best_ask"`
}

func topOf(levels []priceLevel, field string) (decimal.Decimal, error) {
	if len(levels) == 0 {
		return decimal.Zero, nil
	}
	return venueorder.Decimal(field, levels[0].Price)
}

func parseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// bookQuotes reads bid and ask of every id in one best_bid_ask call and
// the last trade price from the product list (private, one call).
func (e *Exchange) bookQuotes(ctx context.Context, ids []string) (map[string]trade.Quote, error) {
	var book bestBidAskWire
	var prods productsWire
	// The book and the last prices are independent requests: sent
	// together they cost one round trip of wall time.
	prodsErr := make(chan error, 1)
	go func() {
		prodsErr <- e.do(ctx, call{method: http.MethodGet, path: "/products", query: url.Values{"product_ids": ids}, private: true}, &prods)
	}()
	bookErr := e.do(ctx, call{method: http.MethodGet, path: "/best_bid_ask", query: url.Values{"product_ids": ids}, private: true}, &book)
	if err := <-prodsErr; bookErr == nil && err != nil {
		return nil, err
	}
	if bookErr != nil {
		return nil, bookErr
	}
	now := e.Now().UTC()
	out := make(map[string]trade.Quote, len(ids))
	for _, pb := range book.Pricebooks {
		sym, err := symbolOf(pb.ProductID)
		if err != nil {
			continue
		}
		bid, err1 := topOf(pb.Bids, "bids")
		ask, err2 := topOf(pb.Asks, "asks")
		if err := errors.Join(err1, err2); err != nil {
			return nil, decodeFailure("GET "+apiPrefix+"/best_bid_ask", err, false, "")
		}
		q := trade.Quote{Symbol: sym, Bid: bid, Ask: ask, Time: now}
		if t, ok := parseTime(pb.Time); ok {
			q.Time = t
		}
		out[pb.ProductID] = q
	}
	for _, p := range prods.Products {
		q, ok := out[p.ProductID]
		if !ok {
			continue
		}
		last, err := venueorder.Decimal("price", p.Price)
		if err != nil {
			return nil, decodeFailure("GET "+apiPrefix+"/products", err, false, "")
		}
		q.Last = last
		out[p.ProductID] = q
	}
	return out, nil
}

// tickerQuote reads one product's public ticker: best bid and ask plus
// the latest trade, without credentials.
func (e *Exchange) tickerQuote(ctx context.Context, sym trade.Symbol) (trade.Quote, error) {
	id := sym.String()
	var w tickerWire
	c := call{method: http.MethodGet, path: "/market/products/" + url.PathEscape(id) + "/ticker", query: url.Values{"limit": {"1"}}}
	if err := e.do(ctx, c, &w); err != nil {
		return trade.Quote{}, err
	}
	q := trade.Quote{Symbol: sym, Time: e.Now().UTC()}
	var fs venueorder.Fields
	q.Bid = fs.Decimal("best_bid", w.BestBid)
	q.Ask = fs.Decimal("best_ask", w.BestAsk)
	if len(w.Trades) > 0 {
		q.Last = fs.Decimal("trades[0].price", w.Trades[0].Price)
		if t, ok := parseTime(w.Trades[0].Time); ok {
			q.Time = t
		}
	}
	if err := fs.Err(); err != nil {
		return trade.Quote{}, decodeFailure(c.String(), err, false, "")
	}
	return q, nil
}

// useBook decides how Quotes reads prices: best_bid_ask (one private call
// for every symbol) when the profile has a usable key, else the public
// ticker (one call per symbol) — also in the sandbox, which mocks no market
// data. A key that cannot be read is reported by the first private call,
// not by a quote. The answer is kept, so a polling watch does not resolve
// secrets (which may run a command) on every tick.
func (e *Exchange) useBook(ctx context.Context) (bool, error) {
	if e.sandbox {
		return false, nil
	}
	e.quoteMu.Lock()
	decided, book := e.quoteModeSet, e.quoteBook
	e.quoteMu.Unlock()
	if decided {
		return book, nil
	}
	creds, err := e.credentialsFor(ctx)
	if err != nil && ctx.Err() != nil {
		return false, fmt.Errorf("coinbase: credentials: %w", ctx.Err())
	}
	if err != nil && !errors.Is(err, errNoCredentials) {
		e.Log.Debug("coinbase: quoting from public tickers: the key cannot be used", "profile", e.Profile, "err", err)
	}
	book = err == nil && creds != nil
	e.quoteMu.Lock()
	e.quoteModeSet, e.quoteBook = true, book
	e.quoteMu.Unlock()
	return book, nil
}

// Quotes implements exchange.Exchange.
func (e *Exchange) Quotes(ctx context.Context, symbols []trade.Symbol) ([]trade.Quote, error) {
	if len(symbols) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("quotes: %w", err)
	}
	var ids []string
	seen := map[string]bool{}
	for _, s := range symbols {
		// The cached product list names unknown symbols before any price
		// request is made.
		if _, err := e.rulesFor(ctx, s); err != nil {
			return nil, fmt.Errorf("quotes: %w", err)
		}
		if id := s.String(); !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	book, err := e.useBook(ctx)
	if err != nil {
		return nil, fmt.Errorf("quotes: %w", err)
	}
	got := map[string]trade.Quote{}
	if book {
		if got, err = e.bookQuotes(ctx, ids); err != nil {
			return nil, fmt.Errorf("quotes: %w", err)
		}
	} else {
		for _, s := range symbols {
			if _, done := got[s.String()]; done {
				continue
			}
			q, err := e.tickerQuote(ctx, s)
			if err != nil {
				return nil, fmt.Errorf("quotes: %s: %w", s, err)
			}
			got[s.String()] = q
		}
	}
	out := make([]trade.Quote, 0, len(symbols))
	for _, s := range symbols {
		q, ok := got[s.String()]
		if !ok {
			return nil, fmt.Errorf("quotes: %w", &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Message: "no quote for " + s.String()})
		}
		out = append(out, q)
	}
	return out, nil
}
