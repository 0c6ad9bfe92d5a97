package kraken

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuebook"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// balanceExWire is one BalanceEx entry. hold_trade is what open orders
// hold; credit lines are ignored (spot accounts have none).
type balanceExWire struct {
	Balance   string `json:"balance"`
	HoldTrade string `json:"hold_trade"`
}

// mapBalances turns BalanceEx into balances: free = balance - hold_trade,
// locked = hold_trade, under canonical asset names, zero totals left out.
func mapBalances(res map[string]balanceExWire) ([]trade.Balance, error) {
	type sum struct{ total, held decimal.Decimal }
	byAsset := map[string]*sum{}
	for id, w := range res {
		total, err := venueorder.Decimal(id+" balance", w.Balance)
		if err != nil {
			return nil, err
		}
		held, err := venueorder.Decimal(id+" hold_trade", w.HoldTrade)
		if err != nil {
			return nil, err
		}
		name := canonicalAsset(id)
		if name == "" {
			continue
		}
		s := byAsset[name]
		if s == nil {
			s = &sum{}
			byAsset[name] = s
		}
		s.total, s.held = s.total.Add(total), s.held.Add(held)
	}
	out := make([]trade.Balance, 0, len(byAsset))
	for name, s := range byAsset {
		if s.total.IsZero() && s.held.IsZero() {
			continue
		}
		out = append(out, trade.NewBalance(name, s.total.Sub(s.held), s.held))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Asset < out[j].Asset })
	return out, nil
}

// Balances implements exchange.Exchange with BalanceEx, which, unlike
// Balance, says how much open orders hold.
func (e *Exchange) Balances(ctx context.Context) ([]trade.Balance, error) {
	var res map[string]balanceExWire
	c := call{path: pathBalanceEx, private: true, cost: costQuery}
	if err := e.do(ctx, c, &res); err != nil {
		return nil, fmt.Errorf("balances: %w", err)
	}
	bs, err := mapBalances(res)
	if err != nil {
		return nil, fmt.Errorf("balances: %w", decodeFailure(c, err))
	}
	return bs, nil
}

// tickerWire is one Ticker entry: a ask, b bid ([price, whole lot volume,
// lot volume]), c last trade ([price, lot volume]); v volume, h high and
// l low are [today, last 24 hours]. (o is today's opening price, not the
// price 24 hours ago, so REST gives no 24-hour change.)
type tickerWire struct {
	A []string `json:"a"`
	B []string `json:"b"`
	C []string `json:"c"`
	V []string `json:"v"`
	H []string `json:"h"`
	L []string `json:"l"`
}

// rolling is the last-24-hours element of a [today, last 24 hours] pair.
func rolling(xs []string) string {
	if len(xs) < 2 {
		return ""
	}
	return xs[1]
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

func (w tickerWire) quote(sym trade.Symbol) (trade.Quote, error) {
	ask, err := venueorder.Decimal("ask", first(w.A))
	if err != nil {
		return trade.Quote{}, err
	}
	bid, err := venueorder.Decimal("bid", first(w.B))
	if err != nil {
		return trade.Quote{}, err
	}
	last, err := venueorder.Decimal("last", first(w.C))
	if err != nil {
		return trade.Quote{}, err
	}
	q := trade.Quote{Symbol: sym, Bid: bid, Ask: ask, Last: last}
	if err := venuebook.Figures(venuebook.Unsigned("h", rolling(w.H), &q.High24h), venuebook.Unsigned("l", rolling(w.L), &q.Low24h),
		venuebook.Unsigned("v", rolling(w.V), &q.Volume24h)); err != nil {
		return trade.Quote{}, err
	}
	return q, nil
}

// Quotes implements exchange.Exchange with one Ticker call for all
// symbols. Symbols are checked against AssetPairs first: Kraken answers
// an unknown pair with one error for the whole request, without naming it.
func (e *Exchange) Quotes(ctx context.Context, symbols []trade.Symbol) ([]trade.Quote, error) {
	if len(symbols) == 0 {
		return nil, nil
	}
	rules := make([]pairRules, len(symbols))
	var ids, unknown []string
	seen := map[string]bool{}
	for i, s := range symbols {
		r, err := e.rulesFor(ctx, s)
		if err != nil {
			if !isNotFound(err) {
				return nil, fmt.Errorf("quotes: %w", err)
			}
			unknown = append(unknown, s.String())
			continue
		}
		rules[i] = r
		if !seen[r.ID] {
			seen[r.ID] = true
			ids = append(ids, r.ID)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("quotes: %w", &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName,
			Message: "unknown symbol " + strings.Join(unknown, ", ")})
	}
	var res map[string]tickerWire
	c := call{path: pathTicker, params: newForm().add("pair", strings.Join(ids, ","))}
	if err := e.do(ctx, c, &res); err != nil {
		return nil, fmt.Errorf("quotes: %w", err)
	}
	now := e.Now().UTC()
	out := make([]trade.Quote, 0, len(symbols))
	for i, s := range symbols {
		w, ok := res[rules[i].ID]
		if !ok {
			// Kraken answers with the pair's id; an altname key would be a
			// change on its side worth tolerating.
			w, ok = res[rules[i].AltName]
		}
		if !ok {
			return nil, fmt.Errorf("quotes: %w", &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Message: "no quote for " + s.String()})
		}
		q, err := w.quote(s)
		if err != nil {
			return nil, fmt.Errorf("quotes: %w", decodeFailure(c, fmt.Errorf("%s: %w", s, err)))
		}
		q.Time = now
		if q.Has24h() {
			st := trade.JSONTime(now)
			q.StatsTime = &st
		}
		out = append(out, q)
	}
	return out, nil
}

func isNotFound(err error) bool { return errors.Is(err, exchange.ErrNotFound) }
