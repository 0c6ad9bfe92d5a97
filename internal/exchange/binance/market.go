package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

type accountWire struct {
	Balances []struct {
		Asset  string `json:"asset"`
		Free   string `json:"free"`
		Locked string `json:"locked"`
	} `json:"balances"`
}

func mapBalances(a accountWire) ([]trade.Balance, error) {
	out := make([]trade.Balance, 0, len(a.Balances))
	for _, b := range a.Balances {
		free, err := venueorder.Decimal(b.Asset+" free", b.Free)
		if err != nil {
			return nil, err
		}
		locked, err := venueorder.Decimal(b.Asset+" locked", b.Locked)
		if err != nil {
			return nil, err
		}
		bal := trade.NewBalance(b.Asset, free, locked)
		if !bal.Total.IsZero() {
			out = append(out, bal)
		}
	}
	return out, nil
}

// Balances implements exchange.Exchange.
func (e *Exchange) Balances(ctx context.Context) ([]trade.Balance, error) {
	var a accountWire
	q := newQuery().add("omitZeroBalances", "true")
	if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/account", params: q, signed: true, weight: 20}, &a); err != nil {
		return nil, fmt.Errorf("balances: %w", err)
	}
	bs, err := mapBalances(a)
	if err != nil {
		return nil, fmt.Errorf("balances: %w", decodeFailure("GET /api/v3/account", err, false, ""))
	}
	return bs, nil
}

type bookTickerWire struct {
	Symbol   string `json:"symbol"`
	BidPrice string `json:"bidPrice"`
	AskPrice string `json:"askPrice"`
}

type priceWire struct {
	Symbol string `json:"symbol"`
	Price  string `json:"price"`
}

// decodeOneOrMany reads Binance's ticker answers: an object for symbol=,
// an array for symbols=.
func decodeOneOrMany[T any](raw json.RawMessage) ([]T, error) {
	trimmed := strings.TrimSpace(string(raw))
	if strings.HasPrefix(trimmed, "[") {
		var many []T
		err := json.Unmarshal(raw, &many)
		return many, err
	}
	var one T
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	return []T{one}, nil
}

// symbolsParam names one symbol with symbol= (weight 2) or several with
// symbols=["A","B"] (weight 4).
func symbolsParam(vss []string) (*query, int) {
	if len(vss) == 1 {
		return newQuery().add("symbol", vss[0]), 2
	}
	b, _ := json.Marshal(vss)
	return newQuery().add("symbols", string(b)), 4
}

// tickers fetches the book and last price of distinct venue symbols. An
// unknown symbol is reported by name.
func (e *Exchange) tickers(ctx context.Context, vss []string, bySymbol map[string]trade.Symbol) (map[string]trade.Quote, error) {
	q, weight := symbolsParam(vss)
	// The book and the last price are independent reads: ask for both at
	// once so a quote costs one round trip, not two.
	var rawBook, rawPrice json.RawMessage
	var priceErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		priceErr = e.do(ctx, call{method: http.MethodGet, path: "/api/v3/ticker/price", params: q, weight: weight}, &rawPrice)
	}()
	err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/ticker/bookTicker", params: q, weight: weight}, &rawBook)
	<-done
	if err == nil {
		err = priceErr
	}
	if err != nil {
		if errors.Is(err, exchange.ErrNotFound) {
			return nil, e.unknownSymbols(ctx, vss, bySymbol, err)
		}
		return nil, err
	}
	books, err := decodeOneOrMany[bookTickerWire](rawBook)
	if err != nil {
		return nil, decodeFailure("GET /api/v3/ticker/bookTicker", err, false, "")
	}
	prices, err := decodeOneOrMany[priceWire](rawPrice)
	if err != nil {
		return nil, decodeFailure("GET /api/v3/ticker/price", err, false, "")
	}
	now := e.Now().UTC()
	out := make(map[string]trade.Quote, len(books))
	for _, b := range books {
		sym, ok := bySymbol[b.Symbol]
		if !ok {
			continue
		}
		bid, err1 := venueorder.Decimal("bidPrice", b.BidPrice)
		ask, err2 := venueorder.Decimal("askPrice", b.AskPrice)
		if err := errors.Join(err1, err2); err != nil {
			return nil, decodeFailure("GET /api/v3/ticker/bookTicker", err, false, "")
		}
		out[b.Symbol] = trade.Quote{Symbol: sym, Bid: bid, Ask: ask, Time: now}
	}
	for _, p := range prices {
		q, ok := out[p.Symbol]
		if !ok {
			continue
		}
		last, err := venueorder.Decimal("price", p.Price)
		if err != nil {
			return nil, decodeFailure("GET /api/v3/ticker/price", err, false, "")
		}
		q.Last = last
		out[p.Symbol] = q
	}
	return out, nil
}

// unknownSymbols turns Binance's bare "Invalid symbol." into a message
// naming the culprits, using exchangeInfo when more than one was asked.
func (e *Exchange) unknownSymbols(ctx context.Context, vss []string, bySymbol map[string]trade.Symbol, cause error) error {
	var names []string
	if len(vss) == 1 {
		names = []string{bySymbol[vss[0]].String()}
	} else if rs, err := e.ruleSet(ctx); err == nil {
		for _, vs := range vss {
			if _, ok := rs.lookup(vs); !ok {
				names = append(names, bySymbol[vs].String())
			}
		}
	}
	if len(names) == 0 {
		return cause
	}
	return &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Code: "-1121",
		Message: "unknown symbol " + strings.Join(names, ", "), Err: cause}
}

// Quotes implements exchange.Exchange with one bookTicker and one
// ticker/price call for all symbols.
func (e *Exchange) Quotes(ctx context.Context, symbols []trade.Symbol) ([]trade.Quote, error) {
	if len(symbols) == 0 {
		return nil, nil
	}
	vss, bySymbol, err := venueSymbols(symbols)
	if err != nil {
		return nil, fmt.Errorf("quotes: %w", err)
	}
	got, err := e.tickers(ctx, vss, bySymbol)
	if err != nil {
		return nil, fmt.Errorf("quotes: %w", err)
	}
	out := make([]trade.Quote, 0, len(symbols))
	for _, s := range symbols {
		q, ok := got[s.Base+s.Quote]
		if !ok {
			return nil, fmt.Errorf("quotes: %w", &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Message: "no quote for " + s.String()})
		}
		out = append(out, q)
	}
	return out, nil
}

// lastPrices seeds streaming quotes with a last price; errors are
// tolerated (the miniTicker stream fills it in within a second).
func (e *Exchange) lastPrices(ctx context.Context, vss []string) map[string]decimal.Decimal {
	q, weight := symbolsParam(vss)
	var raw json.RawMessage
	out := map[string]decimal.Decimal{}
	if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/ticker/price", params: q, weight: weight}, &raw); err != nil {
		return out
	}
	prices, err := decodeOneOrMany[priceWire](raw)
	if err != nil {
		return out
	}
	for _, p := range prices {
		if d, err := venueorder.Decimal("price", p.Price); err == nil {
			out[p.Symbol] = d
		}
	}
	return out
}
