package alpaca

import (
	"context"
	"fmt"
	"net/http"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// accountWire is the part of GET /v2/account the adapter reads.
type accountWire struct {
	Currency                 string `json:"currency"`
	Cash                     string `json:"cash"`
	BuyingPower              string `json:"buying_power"`
	NonMarginableBuyingPower string `json:"non_marginable_buying_power"`
}

// positionWire is one entry of GET /v2/positions.
type positionWire struct {
	Symbol        string `json:"symbol"`
	AssetClass    string `json:"asset_class"`
	Qty           string `json:"qty"`
	QtyAvailable  string `json:"qty_available"`
	AvgEntryPrice string `json:"avg_entry_price"`
	Side          string `json:"side"`
}

// cashBalance derives the account currency's balance. Alpaca reports cash
// and buying power, not free and locked: total is cash; free is the
// buying power that cash alone backs (non_marginable_buying_power, else
// buying_power), clamped to [0, cash]; locked is the rest — on a cash
// account, what open buy orders hold. Margin beyond cash is not free
// money and is never shown as such. Negative cash (a margin loan) is all
// free and nothing locked.
func cashBalance(a accountWire) (trade.Balance, error) {
	cash, err := venueorder.Decimal("cash", a.Cash)
	if err != nil {
		return trade.Balance{}, err
	}
	bpText := a.NonMarginableBuyingPower
	if bpText == "" {
		bpText = a.BuyingPower
	}
	bp, err := venueorder.Decimal("buying_power", bpText)
	if err != nil {
		return trade.Balance{}, err
	}
	currency := a.Currency
	if currency == "" {
		currency = "USD"
	}
	if !cash.IsPositive() {
		return trade.NewBalance(currency, cash, decimal.Zero), nil
	}
	free := decimal.Min(decimal.Max(bp, decimal.Zero), cash)
	return trade.NewBalance(currency, free, cash.Sub(free)), nil
}

// position is a decoded position with its balance view.
type position struct {
	trade.Position
	available decimal.Decimal
}

func mapPosition(w positionWire, as *assetSet) (position, error) {
	sym, err := symbolFromVenue(w.Symbol, w.AssetClass, as)
	if err != nil {
		return position{}, err
	}
	qty, err := venueorder.Decimal("qty", w.Qty)
	if err != nil {
		return position{}, err
	}
	avail := qty
	if w.QtyAvailable != "" {
		if avail, err = venueorder.Decimal("qty_available", w.QtyAvailable); err != nil {
			return position{}, err
		}
	}
	avg, err := venueorder.Decimal("avg_entry_price", w.AvgEntryPrice)
	if err != nil {
		return position{}, err
	}
	if avg.IsNegative() {
		return position{}, fmt.Errorf("%s: negative avg_entry_price %s", w.Symbol, avg)
	}
	// Alpaca reports short quantities as negative already; trust a
	// "short" side over an unsigned quantity.
	if w.Side == "short" && qty.IsPositive() {
		qty, avail = qty.Neg(), avail.Neg()
	}
	return position{Position: trade.Position{Symbol: sym, Qty: qty, AvgCost: avg}, available: avail}, nil
}

// balance is the position seen as a holding of its base asset: free is
// qty_available, locked what open sell orders hold. A short is a negative
// holding, all of it "free".
func (p position) balance() trade.Balance {
	if !p.Qty.IsPositive() {
		return trade.NewBalance(p.Symbol.Base, p.Qty, decimal.Zero)
	}
	free := decimal.Min(decimal.Max(p.available, decimal.Zero), p.Qty)
	return trade.NewBalance(p.Symbol.Base, free, p.Qty.Sub(free))
}

func (e *Exchange) account(ctx context.Context) (accountWire, error) {
	var a accountWire
	if err := e.do(ctx, call{method: http.MethodGet, path: "/v2/account"}, &a); err != nil {
		return a, err
	}
	return a, nil
}

func (e *Exchange) positions(ctx context.Context) ([]position, error) {
	var ws []positionWire
	if err := e.do(ctx, call{method: http.MethodGet, path: "/v2/positions"}, &ws); err != nil {
		return nil, err
	}
	var as *assetSet
	for _, w := range ws {
		if w.AssetClass == classCrypto {
			// Crypto positions are "BTCUSD": the asset list names the
			// pair; without it the quote-suffix guess stands in.
			as, _ = e.assetSet(ctx)
			break
		}
	}
	out := make([]position, 0, len(ws))
	for _, w := range ws {
		p, err := mapPosition(w, as)
		if err != nil {
			return nil, decodeFailure("GET /v2/positions", err, false, "")
		}
		out = append(out, p)
	}
	return out, nil
}

// Balances implements exchange.Exchange: the account currency from
// /v2/account, plus every position as a balance of its asset (AAPL, BTC),
// as a spot venue would show holdings. Balances of the same asset add up.
func (e *Exchange) Balances(ctx context.Context) ([]trade.Balance, error) {
	// Cash and holdings are two resources at Alpaca; asked together they
	// cost one round trip of wall time, not two.
	type held struct {
		ps  []position
		err error
	}
	heldc := make(chan held, 1)
	go func() {
		ps, err := e.positions(ctx)
		heldc <- held{ps, err}
	}()
	a, err := e.account(ctx)
	h := <-heldc
	if err != nil {
		return nil, fmt.Errorf("balances: %w", err)
	}
	cash, err := cashBalance(a)
	if err != nil {
		return nil, fmt.Errorf("balances: %w", decodeFailure("GET /v2/account", err, false, ""))
	}
	ps, err := h.ps, h.err
	if err != nil {
		return nil, fmt.Errorf("balances: %w", err)
	}
	byAsset := map[string]trade.Balance{}
	add := func(b trade.Balance) {
		if old, ok := byAsset[b.Asset]; ok {
			b = trade.NewBalance(b.Asset, old.Free.Add(b.Free), old.Locked.Add(b.Locked))
		}
		byAsset[b.Asset] = b
	}
	add(cash)
	for _, p := range ps {
		add(p.balance())
	}
	out := make([]trade.Balance, 0, len(byAsset))
	for _, b := range byAsset {
		if !b.Total.IsZero() {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Asset < out[j].Asset })
	return out, nil
}

// Positions implements exchange.PositionLister with qty and
// avg_entry_price from /v2/positions.
func (e *Exchange) Positions(ctx context.Context) ([]trade.Position, error) {
	ps, err := e.positions(ctx)
	if err != nil {
		return nil, fmt.Errorf("positions: %w", err)
	}
	out := make([]trade.Position, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Position)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Symbol.String() < out[j].Symbol.String() })
	return out, nil
}
