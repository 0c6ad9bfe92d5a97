// Package orderplan is the one pipeline an order takes before it is sent:
//
//  1. the client id is chosen, once (the caller's, one derived from an
//     idempotency key, or a fresh random one);
//  2. checks that need nothing remote run first: the journal (a re-run of
//     an order already placed is reported, not judged again) and the
//     refusal of a live order nobody can confirm;
//  3. a quote-sized order is refused up front on a venue that does not
//     take one (exchange.QuoteSizer), and a trailing stop on one that does
//     not take its trail (exchange.Trailer); the instrument is looked up once, a
//     quote fetched only when a check needs one, a quantity given as a
//     share of a balance worked out with one balance request, and the
//     request conformed to the instrument's rules once; a bracket or an
//     OCO is refused up front on a venue that does not place one natively
//     (exchange.Bracketer, exchange.OCOPlacer);
//  4. the slippage guard and the risk limits decide, and their refusals
//     and overrides go to the journal.
//
// What is left to the command: the confirmation itself (it owns the
// terminal and the deadline around it), the placement (internal/placement)
// and printing. Orders an earlier process left pending are settled once,
// by the placement, under the profile's lock; a pending order that is at
// the venue already counts in the venue's open orders and fills that the
// limits read. Errors are typed and free of flag names; the command words
// them.
package orderplan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/confirm"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/placement"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/trade"
)

// ErrUnknownSymbol is returned (wrapped, with exchange.ErrNotFound) for a
// symbol the venue does not list: nothing was sent.
var ErrUnknownSymbol = errors.New("unknown symbol")

// RulesError is a request that breaks the instrument's rules (tick, step,
// minimum and maximum quantity, minimum value): nothing was sent.
type RulesError struct{ Err error }

func (e *RulesError) Error() string { return e.Err.Error() }
func (e *RulesError) Unwrap() error { return e.Err }

// Deps are what planning works with.
type Deps struct {
	Exchange exchange.Exchange
	Profile  string
	Safety   config.Safety
	// Journal opens the journal; an error leaves the plan without the
	// journal's answers (re-runs, realised P&L), never fails it.
	Journal func() (*journal.Journal, error)
	Now     func() time.Time
	Logger  *slog.Logger
	// Confirm is how the order would be confirmed: the plan refuses up
	// front what confirm.Order would refuse for want of a terminal.
	Confirm confirm.Options
	// Refused, when set, hears of every refusal by the risk limits or the
	// slippage guard of a real run (not a dry run), after the journal: a
	// command turns it into a risk_refused notification. It must not
	// block; the refusal is returned as an error all the same.
	Refused func(Refusal)
}

// Refusal is an order the risk limits or the slippage guard refused.
type Refusal struct {
	Profile string
	Request trade.OrderRequest
	// Limits are the limits broken (max_slippage_pct for the guard).
	Limits []string
	Err    error
}

// Input is the order as the person asked for it.
type Input struct {
	// Request is the order; with QtyShare set its Qty is zero until the
	// plan works it out.
	Request trade.OrderRequest
	// QtyShare sizes the order as a share of a free balance (1: all of
	// it): the base asset for a sell, the quote asset for a buy, divided
	// by the order's price (its limit or stop price, else the ask).
	QtyShare       decimal.NullDecimal
	Round          trade.RoundMode
	IdempotencyKey string
	Overrides      []string
	MaxSlippage    decimal.NullDecimal
	// DryRun plans without journaling and without the confirmation's
	// refusal: nothing will be sent.
	DryRun bool
}

// Plan is an order ready for confirmation and placement.
type Plan struct {
	// Request is what to send: conformed, and turned into a limit IOC by
	// the slippage guard where it did; its ClientID is final.
	Request trade.OrderRequest
	// FreshClientID says the client id was generated now.
	FreshClientID bool
	// Rerun says the journal already holds this client id's order: the
	// placement reports it, and the limits and confirmation are skipped
	// (they would count the order against itself).
	Rerun      bool
	Simulated  bool
	Instrument trade.Instrument
	// Quote is the quote fetched for the checks (zero: none was needed).
	Quote    trade.Quote
	Decision risk.Decision
	// Sizing says how a share of a balance became the order's quantity
	// (nil: the quantity was given).
	Sizing *Sizing
	// QuoteSizing says how a quote amount became the order's base
	// quantity, on a venue that takes no quote-sized order
	// (exchange.ClientQuoteSizer); nil otherwise.
	QuoteSizing *QuoteSizing
}

// Sizing is how Input.QtyShare became a quantity: Share of the Free
// balance of Asset, divided by Price for a buy, rounded down to the step.
type Sizing struct {
	Share decimal.Decimal `json:"share"`
	Asset string          `json:"asset"`
	Free  decimal.Decimal `json:"free"`
	// Price is what a buy's quote balance was divided by (zero for a sell).
	Price decimal.Decimal `json:"price"`
	Qty   decimal.Decimal `json:"qty"`
}

// QuoteSizeError refuses a quote-sized order on a venue that does not take
// one on that side natively; nothing was sent.
type QuoteSizeError struct {
	Venue string
	Side  trade.Side
}

func (e *QuoteSizeError) Error() string {
	return fmt.Sprintf("%s does not take quote-sized %s orders", e.Venue, e.Side)
}

// ErrSlippageQuoteSized refuses a quote-sized order under the slippage
// guard: the guard bounds a market order by sending it as a limit IOC, and
// no venue takes a limit price with a quote amount.
var ErrSlippageQuoteSized = errors.New("the slippage guard cannot bound a quote-sized order: venues take no limit price with a quote amount")

// Make runs the pipeline up to the confirmation.
func Make(ctx context.Context, d Deps, in Input) (Plan, error) {
	ex := d.Exchange
	p := Plan{Request: in.Request, Simulated: exchange.IsSimulated(ex)}
	switch {
	case in.IdempotencyKey != "":
		p.Request.ClientID = placement.ClientIDFor(d.Profile, in.IdempotencyKey)
	case p.Request.ClientID == "":
		p.Request.ClientID, p.FreshClientID = placement.NewClientID(), true
	}
	var earlier journal.Intent
	if !p.FreshClientID {
		earlier, p.Rerun = knownIntent(ctx, d, p.Request.ClientID)
	}
	if !p.Rerun && !in.DryRun && confirm.NeedsYes(d.Confirm, p.Simulated) {
		return p, &confirm.NeedsYesError{Profile: d.Profile, Exchange: ex.Name()}
	}
	quoteToBase := false
	if p.Request.QuoteSized() {
		switch {
		case exchange.CanQuoteSize(ex, p.Request.Side):
			if !p.Rerun && risk.Tolerance(in.MaxSlippage, d.Safety).IsPositive() && !slices.Contains(in.Overrides, config.SafetyMaxSlippagePct) {
				return p, ErrSlippageQuoteSized
			}
		case exchange.CanSizeQuoteClientSide(ex, p.Request.Side):
			// Sized below from the quote: what goes out is a plain
			// base-quantity market order, which every check (the slippage
			// guard included) treats as such.
			quoteToBase = true
		default:
			return p, &QuoteSizeError{Venue: ex.Name(), Side: p.Request.Side}
		}
	}
	if err := checkExpiry(ex, p.Request); err != nil {
		return p, err
	}
	if err := checkLinked(ex, p.Request); err != nil {
		return p, err
	}
	if !exchange.CanTrail(ex, p.Request) {
		return p, trailRefusal(ex, p.Request)
	}
	share := in.QtyShare.Valid
	if (share || quoteToBase) && p.Rerun {
		// A re-run reports the order the first run sized; balances and
		// prices have moved since, so the size is not worked out again.
		p.Request.Qty, p.Request.QuoteQty, share, quoteToBase = earlier.Request.Qty, earlier.Request.QuoteQty, false, false
	}
	inst, err := exchange.FindInstrument(ctx, ex, p.Request.Symbol)
	if err != nil {
		if errors.Is(err, exchange.ErrNotFound) {
			// The same nearest symbols `tradectl quote` names; the rules
			// were just read, so the hint costs no request.
			hint := exchange.UnknownSymbolHint(ctx, ex, []trade.Symbol{p.Request.Symbol})
			if hint != "" {
				hint = "; " + hint
			}
			return p, fmt.Errorf("%w %s on %s: %w%s", ErrUnknownSymbol, p.Request.Symbol, ex.Name(), exchange.ErrNotFound, hint)
		}
		return p, err
	}
	p.Instrument = inst
	priced := p.Request.Price.Valid || p.Request.StopPrice.Valid
	shareNeedsQuote := share && p.Request.Side == trade.Buy && !priced
	if !p.Rerun && (shareNeedsQuote || quoteToBase || NeedsQuote(p.Request, d.Safety, in.MaxSlippage, confirm.NeedsPrompt(d.Confirm, p.Simulated))) {
		qs, err := ex.Quotes(ctx, []trade.Symbol{p.Request.Symbol})
		if err != nil {
			return p, fmt.Errorf("quote %s: %w", p.Request.Symbol, err)
		}
		if len(qs) == 1 {
			p.Quote = qs[0]
		}
	}
	if share {
		sized, err := sizeFromBalance(ctx, ex, inst, p.Request, in.QtyShare.Decimal, p.Quote)
		if err != nil {
			return p, err
		}
		p.Request.Qty, p.Sizing = sized.Qty, &sized
	}
	if quoteToBase {
		sized, err := sizeFromQuote(ex.Name(), inst, p.Request, p.Quote)
		if err != nil {
			return p, err
		}
		p.Request.Qty, p.Request.QuoteQty, p.QuoteSizing = sized.Qty, decimal.NullDecimal{}, &sized
	}
	conformed, err := inst.Conform(p.Request, in.Round, p.Quote.Mid())
	if err != nil {
		return p, &RulesError{Err: err}
	}
	p.Request = conformed
	if p.Rerun {
		return p, nil
	}
	p.Decision, err = evaluate(ctx, d, in, p)
	if err != nil {
		return p, err
	}
	p.Request = p.Decision.Request
	return p, nil
}

// NeedsQuote reports whether a check needs the current quote: a market
// order valued against max_order_notional or guarded against slippage, or
// the value estimate of a confirmation screen (prompt). Limit orders carry
// their own value, and the price band fetches its mid itself, only when
// set. Without a quote the order goes straight out.
//
// A trailing stop has no price of its own either: it is valued at the
// current quote, as a market order.
//
// A quote-sized order states its value, so max_order_notional and the
// confirmation screen need no quote for it (max_order_qty fetches one
// itself, when set).
func NeedsQuote(req trade.OrderRequest, sf config.Safety, maxSlippage decimal.NullDecimal, prompt bool) bool {
	if req.Type != trade.Market && !req.Trailing() || req.QuoteSized() {
		return false
	}
	return sf.MaxOrderNotional.IsPositive() || risk.Tolerance(maxSlippage, sf).IsPositive() || prompt
}

// evaluate runs the slippage guard and the limits; a real run journals
// their refusals and overrides.
func evaluate(ctx context.Context, d Deps, in Input, p Plan) (risk.Decision, error) {
	// The journal's fills are the fallback measure of today's loss, for
	// venues that cannot list their own.
	var realised func(context.Context, time.Time) (map[string]decimal.Decimal, error)
	if j, err := d.Journal(); err == nil {
		realised = func(ctx context.Context, since time.Time) (map[string]decimal.Decimal, error) {
			return j.RealizedPnL(ctx, d.Profile, since)
		}
	}
	dec, err := risk.Evaluate(ctx, risk.Pretrade{
		Profile:     d.Profile,
		Exchange:    d.Exchange,
		Instrument:  p.Instrument,
		Request:     p.Request,
		Safety:      d.Safety,
		Overrides:   in.Overrides,
		MaxSlippage: in.MaxSlippage,
		// A simulated exchange fills market orders against the very book
		// the estimate walked, so the estimate is exact there; a live
		// venue enforces the bound itself when sent a limit IOC at the
		// tolerance price.
		MarketableLimit: !p.Simulated,
		DailyLoss:       risk.DailyLossSource(d.Exchange, d.Now, p.Instrument, realised),
		Quote:           p.Quote,
	})
	if !in.DryRun {
		journalRisk(ctx, d, dec, err)
		if d.Refused != nil {
			if limits := refusedLimits(err); limits != nil {
				d.Refused(Refusal{Profile: d.Profile, Request: p.Request, Limits: limits, Err: err})
			}
		}
	}
	return dec, err
}

// refusedLimits names the limits behind a refusal; nil when err is no
// refusal (a failure to check is not one).
func refusedLimits(err error) []string {
	var (
		refused *risk.RefusedError
		slipped *risk.SlippageError
	)
	switch {
	case errors.As(err, &refused):
		return refused.Limits()
	case errors.As(err, &slipped):
		return []string{config.SafetyMaxSlippagePct}
	}
	return nil
}

// journalRisk records what the limits refused and which were overridden.
// The journal is the audit trail: a failure to write it is logged, but
// does not change the outcome.
func journalRisk(ctx context.Context, d Deps, dec risk.Decision, evalErr error) {
	j, err := d.Journal()
	if err != nil {
		d.log().Warn("the journal could not record the risk checks", "err", err)
		return
	}
	ctx = context.WithoutCancel(ctx)
	var (
		refused *risk.RefusedError
		slipped *risk.SlippageError
	)
	switch {
	case errors.As(evalErr, &refused):
		for _, b := range refused.Breaches {
			err = errors.Join(err, j.RecordRefusal(ctx, d.Profile, b.Limit, b.Message))
		}
	case errors.As(evalErr, &slipped):
		err = j.RecordRefusal(ctx, d.Profile, config.SafetyMaxSlippagePct, slipped.Error())
	}
	for _, ov := range dec.Report.Overridden {
		detail := ov.Breach
		switch {
		case detail == "" && ov.Note != "":
			detail = ov.Note
		case detail == "":
			detail = "the order was within the limit"
		}
		err = errors.Join(err, j.RecordOverride(ctx, d.Profile, ov.Limit, detail))
	}
	if err != nil {
		d.log().Warn("the journal could not record the risk checks", "err", err)
	}
}

// knownIntent returns the journal's placed or pending intent for
// clientID, if it holds one.
func knownIntent(ctx context.Context, d Deps, clientID string) (journal.Intent, bool) {
	j, err := d.Journal()
	if err != nil {
		return journal.Intent{}, false
	}
	in, ok, err := j.Intent(ctx, d.Profile, clientID)
	return in, err == nil && ok && (in.Status == journal.Placed || in.Status == journal.Pending)
}

func (d Deps) log() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// EstimatedValue is the order's value for a confirmation screen: the
// decision's estimate, else for a market order qty × the side of the
// quote it takes from.
func (p Plan) EstimatedValue() decimal.Decimal {
	if v := p.Decision.Value; v.IsPositive() {
		return v
	}
	r := p.Request
	if r.QuoteSized() {
		return r.QuoteQty.Decimal
	}
	if r.Type != trade.Market && !r.Trailing() {
		return decimal.Zero
	}
	price := p.Quote.Ask
	if r.Side == trade.Sell {
		price = p.Quote.Bid
	}
	if !price.IsPositive() {
		price = p.Quote.Last
	}
	return r.Qty.Mul(price)
}
