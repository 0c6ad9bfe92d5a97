package risk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// Pretrade is everything Evaluate needs to decide on one order.
type Pretrade struct {
	Profile    string
	Exchange   exchange.Exchange
	Instrument trade.Instrument
	// Request is the order after the instrument's rules (rounding).
	Request trade.OrderRequest
	Safety  config.Safety
	// Overrides are the limits lifted for this command (ParseOverrides).
	Overrides []string
	// MaxSlippage is the command's slippage tolerance; unset means the profile's
	// max_slippage_pct, and no guard when that is unset too.
	MaxSlippage decimal.NullDecimal
	// MarketableLimit sends a guarded market order as a limit IOC at the
	// tolerance price, so the venue itself enforces the bound. Set it for
	// venues that take IOC limit orders and whose book tradectl cannot
	// see in full.
	MarketableLimit bool
	// DailyLoss measures today's realised loss (DailyLossSource).
	DailyLoss func(ctx context.Context) (decimal.Decimal, error)
	// Quote is a quote the caller already fetched (zero: none); the
	// limits use it rather than asking again.
	Quote trade.Quote
}

// Decision is what Evaluate allows.
type Decision struct {
	// Request is what to send: Pretrade.Request, or the marketable limit
	// it became.
	Request trade.OrderRequest `json:"request"`
	// Converted says the market order became a limit IOC.
	Converted bool `json:"converted,omitempty"`
	// Tolerance is the slippage tolerance in force (percent; zero: none).
	Tolerance decimal.Decimal `json:"tolerance_pct"`
	// Estimate is the slippage estimate, when one was made.
	Estimate *Estimate `json:"estimate,omitempty"`
	// Value is the order's estimated value in Currency (zero: unknown).
	Value    decimal.Decimal `json:"value"`
	Currency string          `json:"currency"`
	Report   Report          `json:"report"`
}

// ErrSlippageNotMarket is returned for a slippage tolerance on an order
// that is not a market order.
var ErrSlippageNotMarket = errors.New("a slippage tolerance applies to market orders only: a limit order's price is already its bound")

// Evaluate runs the slippage guard and the risk limits on one order, in
// that order, so the limits judge the order that will really be sent (a
// market order turned into a limit IOC is valued at its limit). It returns
// a *SlippageError or *RefusedError when the order must not be sent (exit
// 5), ErrSlippageNotMarket for a tolerance on another order type, or the
// Decision.
func Evaluate(ctx context.Context, p Pretrade) (Decision, error) {
	req := p.Request
	d := Decision{Request: req, Currency: currency(Input{Request: req, Instrument: p.Instrument})}
	if p.MaxSlippage.Valid && req.Type != trade.Market {
		return d, ErrSlippageNotMarket
	}
	d.Tolerance = Tolerance(p.MaxSlippage, p.Safety)
	guard := d.Tolerance.IsPositive() && req.Type == trade.Market && !slices.Contains(p.Overrides, config.SafetyMaxSlippagePct)
	if guard {
		est, err := EstimateFill(ctx, p.Exchange, req)
		if err != nil {
			return d, fmt.Errorf("slippage guard (profile %q): %w", p.Profile, err)
		}
		d.Estimate = &est
		if err := CheckSlippage(est, d.Tolerance, p.Profile); err != nil {
			return d, err
		}
		if p.MarketableLimit {
			lim, err := MarketableLimit(req, d.Tolerance, est.Quote, p.Instrument)
			if err != nil {
				return d, err
			}
			d.Request, d.Converted = lim, true
		}
	}
	in := Input{
		Profile: p.Profile, Exchange: p.Exchange, Request: d.Request, Instrument: p.Instrument,
		Safety: p.Safety, DailyLoss: p.DailyLoss, Overrides: p.Overrides,
	}
	if d.Estimate != nil {
		in.Quote = d.Estimate.Quote
	} else {
		in.Quote = p.Quote
	}
	rep, err := Check(ctx, in)
	d.Report = rep
	if err != nil {
		return d, err
	}
	d.Value = estimatedValue(d)
	return d, nil
}

// estimatedValue is qty × the best known price: the limit, the stop, or
// the slippage estimate's average fill.
func estimatedValue(d Decision) decimal.Decimal {
	r := d.Request
	switch {
	case r.QuoteSized():
		return r.QuoteQty.Decimal
	case r.Price.Valid:
		return r.Qty.Mul(r.Price.Decimal)
	case r.StopPrice.Valid:
		return r.Qty.Mul(r.StopPrice.Decimal)
	case d.Estimate != nil && d.Estimate.Complete():
		return r.Qty.Mul(d.Estimate.AvgPrice)
	}
	return decimal.Zero
}

// DailyLossSource picks how today's realised loss is measured for an
// order on in: from the venue's own fills when it lists them (complete,
// whoever placed the orders; on venues that list fills per symbol, the
// order's symbol only), else from realised — the journal's record of the
// fills tradectl has seen (journal.RealizedPnL bound to the profile) —
// else nil, which makes a max_daily_loss limit refuse: it cannot be
// checked.
//
// realised reports P&L by currency with "" for tickers (AAPL), as the
// journal does.
func DailyLossSource(ex exchange.Exchange, now func() time.Time, in trade.Instrument,
	realised func(ctx context.Context, since time.Time) (map[string]decimal.Decimal, error)) func(context.Context) (decimal.Decimal, error) {
	cur := in.QuoteAsset
	if cur == "" {
		cur = in.Symbol.Quote
	}
	if fl, ok := ex.(exchange.FillLister); ok {
		return FillsDailyLoss{Fills: fl, Now: now, Currency: cur, Symbols: []trade.Symbol{in.Symbol}}.Loss
	}
	if realised == nil {
		return nil
	}
	key := in.Symbol.Quote // "" for a ticker, as the journal keys it
	return RealisedDailyLoss(realised, now, key)
}

// RealisedDailyLoss adapts a source of realised P&L by currency since a
// time to Input.DailyLoss: the sum over currencies of today's (UTC)
// realised P&L, as a loss (zero when in profit).
func RealisedDailyLoss(realised func(ctx context.Context, since time.Time) (map[string]decimal.Decimal, error),
	now func() time.Time, currencies ...string) func(context.Context) (decimal.Decimal, error) {
	if now == nil {
		now = time.Now
	}
	return func(ctx context.Context) (decimal.Decimal, error) {
		t := now().UTC()
		start := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		byCur, err := realised(ctx, start)
		if err != nil {
			return decimal.Zero, err
		}
		sum := decimal.Zero
		for _, c := range currencies {
			sum = sum.Add(byCur[c])
		}
		if sum.IsNegative() {
			return sum.Neg(), nil
		}
		return decimal.Zero, nil
	}
}
