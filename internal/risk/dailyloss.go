package risk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/pnl"
	"github.com/tradectl/tradectl/internal/trade"
)

// FillsDailyLoss measures today's realised loss from the venue's fills,
// with the average-cost method of package pnl: the realised P&L of all
// fills up to now minus that of the fills before today's start (00:00
// UTC). Taking the difference, rather than replaying today's fills alone,
// closes positions opened before today at their real average cost.
//
// Only positions priced in Currency count: a pair whose quote asset it is,
// or a ticker (AAPL) whose fills charge their fee in it — one limit in one
// currency, never a sum of dollars and bitcoins.
type FillsDailyLoss struct {
	Fills exchange.FillLister
	// Now is the clock; today is its UTC date.
	Now func() time.Time
	// Currency is the order's quote currency (Instrument.QuoteAsset).
	Currency string
	// Symbols are asked one by one when the venue lists fills per symbol
	// only (Binance answers a listing without a symbol with
	// ErrInvalidOrder). Pass the order's symbol: on such a venue the loss
	// is then today's loss on that symbol alone.
	Symbols []trade.Symbol
}

// Loss implements Input.DailyLoss: today's realised loss as a positive
// amount, zero when flat or in profit.
func (d FillsDailyLoss) Loss(ctx context.Context) (decimal.Decimal, error) {
	if d.Fills == nil {
		return decimal.Zero, errors.New("the venue cannot list fills")
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	t := now().UTC()
	start := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)

	fills, err := d.Fills.Fills(ctx, exchange.FillFilter{})
	if errors.Is(err, exchange.ErrInvalidOrder) && len(d.Symbols) > 0 {
		fills = nil
		for _, sym := range d.Symbols {
			fs, err := d.Fills.Fills(ctx, exchange.FillFilter{Symbol: sym})
			if err != nil {
				return decimal.Zero, fmt.Errorf("fills of %s: %w", sym, err)
			}
			fills = append(fills, fs...)
		}
	} else if err != nil {
		return decimal.Zero, fmt.Errorf("fills: %w", err)
	}
	return RealisedLoss(fills, start, d.Currency)
}

// RealisedLoss is the realised loss in currency of the fills since start,
// measured against the positions the earlier fills built (see
// FillsDailyLoss). A profit is a zero loss.
func RealisedLoss(fills []trade.Fill, start time.Time, currency string) (decimal.Decimal, error) {
	var before []trade.Fill
	tickerCurrency := map[trade.Symbol]string{}
	for _, f := range fills {
		if f.Time.Before(start) {
			before = append(before, f)
		}
		if !f.Symbol.IsPair() && f.FeeAsset != "" {
			tickerCurrency[f.Symbol] = f.FeeAsset
		}
	}
	counts := func(sym trade.Symbol) bool {
		if sym.IsPair() {
			return strings.EqualFold(sym.Quote, currency)
		}
		return strings.EqualFold(tickerCurrency[sym], currency)
	}
	realised := func(fs []trade.Fill) (decimal.Decimal, error) {
		ps, err := pnl.FromFills("", fs)
		if err != nil {
			return decimal.Zero, err
		}
		sum := decimal.Zero
		for _, p := range ps {
			if counts(p.Symbol) {
				sum = sum.Add(p.RealizedPnL)
			}
		}
		return sum, nil
	}
	all, err := realised(fills)
	if err != nil {
		return decimal.Zero, fmt.Errorf("realised P&L: %w", err)
	}
	earlier, err := realised(before)
	if err != nil {
		return decimal.Zero, fmt.Errorf("realised P&L: %w", err)
	}
	today := all.Sub(earlier)
	if today.IsNegative() {
		return today.Neg(), nil
	}
	return decimal.Zero, nil
}
