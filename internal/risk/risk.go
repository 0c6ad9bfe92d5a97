// Package risk enforces a profile's pre-trade limits before an order is
// sent (and in a dry run): max_order_notional, max_order_qty,
// max_open_orders, allowed_symbols, price_band_pct and max_daily_loss
// (Check), and guards market orders against slippage (EstimateFill,
// CheckSlippage, MarketableLimit).
//
// A refusal is an error that matches ErrRefused (the command exits 5) and
// names the limit and the values, e.g.
//
//	risk limit max_order_notional: order value 12000.00 USD exceeds 10000 (profile "live")
//
// Limits named as overrides are lifted for one command; Check
// still evaluates them where it can and reports in Report.Overridden what
// they would have said, so the journal can record the override.
//
// Check fails closed: when a limit is set but cannot be evaluated (no
// quote for the band, the venue cannot list today's fills), the order is
// refused or the error returned; it is never waved through.
package risk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// LimitNames lists every limit an override may name, sorted: the
// profile's safety keys except confirm, which is not a limit.
func LimitNames() []string {
	return []string{
		config.SafetyAllowedSymbols,
		config.SafetyMaxDailyLoss,
		config.SafetyMaxOpenOrders,
		config.SafetyMaxOrderNotional,
		config.SafetyMaxOrderQty,
		config.SafetyMaxSlippagePct,
		config.SafetyPriceBandPct,
	}
}

// ErrRefused marks a refusal by a limit or the slippage guard: tradectl
// refused on the venue's behalf and nothing was sent.
var ErrRefused = errors.New("refused")

// ErrBadOverride is returned (wrapped) by ParseOverrides for a name that
// is not a limit.
var ErrBadOverride = errors.New("unknown limit")

// ParseOverrides checks override values (each may also be a
// comma-separated list) and returns the distinct names, sorted. An unknown
// name is an error matching ErrBadOverride that lists the known ones: a
// typo must not leave a limit in force that the user believes lifted, nor
// the reverse.
func ParseOverrides(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			if !slices.Contains(LimitNames(), name) {
				return nil, fmt.Errorf("%q: %w (known: %s)", name, ErrBadOverride, strings.Join(LimitNames(), ", "))
			}
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// Input is one order to check.
type Input struct {
	// Profile names the account in messages.
	Profile string
	// Exchange answers the open-orders count and, when Quote is zero, the
	// quote.
	Exchange exchange.Exchange
	// Request is the order as it will be sent: after rounding, and after
	// the slippage guard turned it into a limit IOC if it did.
	Request trade.OrderRequest
	// Instrument gives the quote currency and the decimals of money in
	// messages; a zero Instrument falls back to the symbol's quote asset.
	Instrument trade.Instrument
	Safety     config.Safety
	// Quote is the current quote when the caller has one; zero means Check
	// fetches it, only if a limit needs it.
	Quote trade.Quote
	// DailyLoss measures today's realised loss in the order's quote
	// currency (a positive number; zero when flat or in profit). nil while
	// max_daily_loss is set refuses the order: the limit cannot be checked.
	DailyLoss func(ctx context.Context) (decimal.Decimal, error)
	// Overrides are the limits lifted for this command (ParseOverrides).
	Overrides []string
}

// Report says what Check did.
type Report struct {
	// Passed lists the limits in force that the order is within.
	Passed []string `json:"passed"`
	// Overridden lists every limit named as an override.
	Overridden []Override `json:"overridden,omitempty"`
}

// Override is one lifted limit, for the journal.
type Override struct {
	Limit string `json:"limit"`
	// InForce says whether the profile sets the limit at all.
	InForce bool `json:"in_force"`
	// Breach is the refusal the limit would have given, "" when the order
	// was within it. Note explains when it could not be evaluated.
	Breach string `json:"breach,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Breach is one limit an order breaks.
type Breach struct {
	Limit   string
	Message string // "order value 12000.00 USD exceeds 10000"
}

// RefusedError is a refusal by one or more limits. It matches ErrRefused
// with errors.Is.
type RefusedError struct {
	Profile  string
	Breaches []Breach
}

func (e *RefusedError) Error() string {
	parts := make([]string, len(e.Breaches))
	for i, b := range e.Breaches {
		parts[i] = "risk limit " + b.Limit + ": " + b.Message
	}
	return strings.Join(parts, "; ") + fmt.Sprintf(" (profile %q)", e.Profile)
}

// Unwrap makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Unwrap() error { return ErrRefused }

// Limits returns the names of the limits broken.
func (e *RefusedError) Limits() []string {
	out := make([]string, len(e.Breaches))
	for i, b := range e.Breaches {
		out[i] = b.Limit
	}
	return out
}

// limit is one check: set says whether the profile sets it, eval returns
// the breach message ("" when within the limit) or an error when the
// limit could not be evaluated.
type limit struct {
	name string
	set  bool
	eval func(ctx context.Context, s *state) (string, error)
}

// state carries what the checks share, fetched at most once.
type state struct {
	in       Input
	quote    trade.Quote
	quoteErr error
	fetched  bool
}

func (s *state) currentQuote(ctx context.Context) (trade.Quote, error) {
	if s.fetched {
		return s.quote, s.quoteErr
	}
	s.fetched = true
	if !s.in.Quote.Symbol.IsZero() || s.in.Quote.Bid.IsPositive() || s.in.Quote.Ask.IsPositive() || s.in.Quote.Last.IsPositive() {
		s.quote = s.in.Quote
		return s.quote, nil
	}
	if s.in.Exchange == nil {
		s.quoteErr = errors.New("no exchange to quote from")
		return s.quote, s.quoteErr
	}
	qs, err := s.in.Exchange.Quotes(ctx, []trade.Symbol{s.in.Request.Symbol})
	switch {
	case err != nil:
		s.quoteErr = fmt.Errorf("quote %s: %w", s.in.Request.Symbol, err)
	case len(qs) != 1:
		s.quoteErr = fmt.Errorf("quote %s: the venue returned %d quotes", s.in.Request.Symbol, len(qs))
	default:
		s.quote = qs[0]
	}
	return s.quote, s.quoteErr
}

// Check enforces the profile's limits on one order. It returns a
// *RefusedError listing every limit in force that the order breaks, an
// error when a limit in force could not be evaluated, or nil and a Report
// of what passed and what was overridden.
func Check(ctx context.Context, in Input) (Report, error) {
	s := &state{in: in}
	sf := in.Safety
	limits := []limit{
		{config.SafetyAllowedSymbols, len(sf.AllowedSymbols) > 0, checkAllowedSymbols},
		{config.SafetyMaxOrderQty, sf.MaxOrderQty.IsPositive(), checkMaxQty},
		{config.SafetyMaxOrderNotional, sf.MaxOrderNotional.IsPositive(), checkNotional},
		{config.SafetyPriceBandPct, sf.PriceBandPct.IsPositive(), checkPriceBand},
		{config.SafetyMaxOpenOrders, sf.MaxOpenOrders > 0, checkOpenOrders},
		{config.SafetyMaxDailyLoss, sf.MaxDailyLoss.IsPositive(), checkDailyLoss},
	}
	var rep Report
	var breaches []Breach
	for _, l := range limits {
		overridden := slices.Contains(in.Overrides, l.name)
		if !l.set {
			if overridden {
				rep.Overridden = append(rep.Overridden, Override{Limit: l.name, Note: "not set for this profile"})
			}
			continue
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		msg, err := l.eval(ctx, s)
		if overridden {
			o := Override{Limit: l.name, InForce: true, Breach: msg}
			if err != nil {
				o.Note = "not evaluated: " + err.Error()
			}
			rep.Overridden = append(rep.Overridden, o)
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("risk limit %s (profile %q): %w", l.name, in.Profile, err)
		}
		if msg != "" {
			breaches = append(breaches, Breach{Limit: l.name, Message: msg})
			continue
		}
		rep.Passed = append(rep.Passed, l.name)
	}
	// max_slippage_pct is enforced by the slippage guard, not here; an
	// override of it is still reported so the journal sees every override.
	if slices.Contains(in.Overrides, config.SafetyMaxSlippagePct) {
		rep.Overridden = append(rep.Overridden, Override{Limit: config.SafetyMaxSlippagePct, InForce: sf.MaxSlippagePct.IsPositive(),
			Note: "the slippage guard is skipped"})
	}
	if len(breaches) > 0 {
		return rep, &RefusedError{Profile: in.Profile, Breaches: breaches}
	}
	return rep, nil
}

func checkAllowedSymbols(_ context.Context, s *state) (string, error) {
	sf := s.in.Safety
	if sf.SymbolAllowed(s.in.Request.Symbol) {
		return "", nil
	}
	names := make([]string, len(sf.AllowedSymbols))
	for i, sym := range sf.AllowedSymbols {
		names[i] = sym.String()
	}
	return fmt.Sprintf("%s is not one of the allowed symbols %s", s.in.Request.Symbol, strings.Join(names, ", ")), nil
}

func checkMaxQty(ctx context.Context, s *state) (string, error) {
	max := s.in.Safety.MaxOrderQty
	if r := s.in.Request; r.QuoteSized() {
		// The venue works the quantity out as it fills; the quote amount
		// at the side of the book it takes from is the honest estimate.
		price, how, err := referencePrice(ctx, s)
		if err != nil {
			return "", err
		}
		if q := r.QuoteQty.Decimal.DivRound(price, 16); q.GreaterThan(max) {
			return fmt.Sprintf("quantity of about %s (%s%s) exceeds %s", q.Round(8), r.QuoteQty.Decimal, how, max), nil
		}
		return "", nil
	}
	if q := s.in.Request.Qty; q.GreaterThan(max) {
		return fmt.Sprintf("quantity %s exceeds %s", q, max), nil
	}
	return "", nil
}

func checkNotional(ctx context.Context, s *state) (string, error) {
	max := s.in.Safety.MaxOrderNotional
	if r := s.in.Request; r.QuoteSized() {
		// A quote-sized order states its value: no price is needed.
		if v := r.QuoteQty.Decimal; v.GreaterThan(max) {
			return fmt.Sprintf("order value %s exceeds %s (the quote amount)", money(v, s.in), max), nil
		}
		return "", nil
	}
	price, how, err := referencePrice(ctx, s)
	if err != nil {
		return "", err
	}
	value := s.in.Request.Qty.Mul(price)
	if value.LessThanOrEqual(max) {
		return "", nil
	}
	return fmt.Sprintf("order value %s exceeds %s (%s × %s%s)",
		money(value, s.in), max, s.in.Request.Qty, price, how), nil
}

// referencePrice is what one unit of the order is worth: its limit price,
// the stop price of a stop order (the price it turns into a market order
// at), and for a market order the side of the book it takes from — the
// ask for a buy, the bid for a sell — as the cheapest honest estimate.
func referencePrice(ctx context.Context, s *state) (decimal.Decimal, string, error) {
	r := s.in.Request
	switch {
	case r.Price.Valid:
		return r.Price.Decimal, "", nil
	case r.StopPrice.Valid:
		return r.StopPrice.Decimal, " at the stop price", nil
	}
	q, err := s.currentQuote(ctx)
	if err != nil {
		return decimal.Zero, "", err
	}
	p, how := q.Ask, " at the ask"
	if r.Side == trade.Sell {
		p, how = q.Bid, " at the bid"
	}
	if !p.IsPositive() {
		p, how = q.Last, " at the last price"
	}
	if !p.IsPositive() {
		return decimal.Zero, "", fmt.Errorf("no price for %s to value the order at", r.Symbol)
	}
	return p, how, nil
}

// checkPriceBand measures a limit order's price against the current mid,
// and a stop-limit's price against its stop price: the stop-limit turns
// into a limit order when the market reaches its stop, so that is the
// price its limit will be compared with. Market and stop orders carry no
// price of their own and are out of scope.
func checkPriceBand(ctx context.Context, s *state) (string, error) {
	r := s.in.Request
	if !r.Price.Valid {
		return "", nil
	}
	var ref decimal.Decimal
	refName := "mid"
	if r.Type == trade.StopLimit && r.StopPrice.Valid {
		ref, refName = r.StopPrice.Decimal, "stop price"
	} else {
		q, err := s.currentQuote(ctx)
		if err != nil {
			return "", err
		}
		ref = q.Mid()
	}
	if !ref.IsPositive() {
		return "", fmt.Errorf("no current mid price for %s to measure the band against", r.Symbol)
	}
	band := s.in.Safety.PriceBandPct
	dev := r.Price.Decimal.Sub(ref).Abs()
	// Exact comparison, dev/ref·100 > band, without dividing.
	if dev.Mul(decimal.NewFromInt(100)).LessThanOrEqual(band.Mul(ref)) {
		return "", nil
	}
	dir := "above"
	if r.Price.Decimal.LessThan(ref) {
		dir = "below"
	}
	pct := dev.Mul(decimal.NewFromInt(100)).DivRound(ref, 2)
	return fmt.Sprintf("limit price %s is %s%% %s the %s %s, outside the band of %s%%",
		r.Price.Decimal, pct.StringFixed(2), dir, refName, priceText(ref, s.in), band), nil
}

// checkOpenOrders counts the account's working orders. Only an order that
// can rest adds to them: market, IOC and FOK orders end at once and are
// never refused by this limit.
func checkOpenOrders(ctx context.Context, s *state) (string, error) {
	r := s.in.Request
	if r.Type == trade.Market || r.EffectiveTIF() == trade.IOC || r.EffectiveTIF() == trade.FOK {
		return "", nil
	}
	if s.in.Exchange == nil {
		return "", errors.New("no exchange to count open orders on")
	}
	open, err := s.in.Exchange.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListOpen})
	if err != nil {
		return "", fmt.Errorf("count open orders: %w", err)
	}
	max := s.in.Safety.MaxOpenOrders
	if len(open) < max {
		return "", nil
	}
	return fmt.Sprintf("%d orders are already open, at most %d allowed", len(open), max), nil
}

func checkDailyLoss(ctx context.Context, s *state) (string, error) {
	max := s.in.Safety.MaxDailyLoss
	if s.in.DailyLoss == nil {
		return "today's realised loss cannot be measured on this venue, so the limit " + max.String() + " cannot be checked", nil
	}
	loss, err := s.in.DailyLoss(ctx)
	if err != nil {
		return "", fmt.Errorf("measure today's realised loss: %w", err)
	}
	if loss.LessThan(max) {
		return "", nil
	}
	return fmt.Sprintf("today's realised loss %s has reached the limit %s", money(loss, s.in), max), nil
}

// currency is the order's quote currency, "" when unknown.
func currency(in Input) string {
	if in.Instrument.QuoteAsset != "" {
		return in.Instrument.QuoteAsset
	}
	return in.Request.Symbol.Quote
}

// moneyDigits is how many decimals money is shown with: the tick's, and
// at least cents.
func moneyDigits(in Input) int32 {
	d := int32(2)
	if t := in.Instrument.TickSize; t.IsPositive() && -t.Exponent() > d {
		d = -t.Exponent()
	}
	return d
}

// money formats an amount with its currency: "12000.00 USD".
func money(v decimal.Decimal, in Input) string {
	s := v.StringFixed(moneyDigits(in))
	if c := currency(in); c != "" {
		s += " " + c
	}
	return s
}

// priceText formats a computed price (a mid can have one decimal more
// than the tick) at the money precision.
func priceText(v decimal.Decimal, in Input) string {
	return v.Round(moneyDigits(in)).StringFixed(moneyDigits(in))
}
