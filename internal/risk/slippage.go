package risk

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// BookDepth is how many levels a side the slippage estimate asks for.
const BookDepth = 50

// Estimate sources.
const (
	// SourceBook: walked the venue's order book (OrderBookReader).
	SourceBook = "book"
	// SourceTopOfBook: only the best bid and ask were known (Quotes); the
	// estimate assumes the whole quantity fills at the top, so it can only
	// understate the slippage of an order larger than the top level.
	SourceTopOfBook = "top-of-book"
)

// Estimate is the expected execution of a market order against the book.
type Estimate struct {
	Symbol trade.Symbol    `json:"symbol"`
	Side   trade.Side      `json:"side"`
	Qty    decimal.Decimal `json:"qty"`
	// Mid is the mid price when the estimate was made.
	Mid decimal.Decimal `json:"mid"`
	// Quote is the top of the book the estimate started from.
	Quote trade.Quote `json:"-"`
	// AvgPrice is the expected average fill price of Fillable.
	AvgPrice decimal.Decimal `json:"avg_price"`
	// WorstPrice is the last level reached.
	WorstPrice decimal.Decimal `json:"worst_price"`
	// Fillable is how much of Qty the visible book fills; less than Qty
	// when the book is too thin.
	Fillable decimal.Decimal `json:"fillable"`
	// SlippagePct is how far AvgPrice is from Mid against the trader, in
	// percent: (avg − mid)/mid·100 for a buy, (mid − avg)/mid·100 for a
	// sell; 8 decimals. The guard compares exactly, without this rounding.
	SlippagePct decimal.Decimal `json:"slippage_pct"`
	Source      string          `json:"source"`
	// Levels is how many levels the estimate walked.
	Levels int `json:"levels"`
}

// Complete reports whether the visible book fills the whole quantity.
func (e Estimate) Complete() bool { return e.Fillable.GreaterThanOrEqual(e.Qty) }

// Describe says where the numbers come from, for messages.
func (e Estimate) Describe() string {
	if e.Source == SourceTopOfBook {
		return "estimated from the top of the book only: the venue shows no depth"
	}
	if e.Levels == 1 {
		return "estimated from the book's first level"
	}
	return fmt.Sprintf("estimated from %d levels of the book", e.Levels)
}

// EstimateFill estimates how a market order of req would fill now: by
// walking the order book where the venue offers one (OrderBookReader),
// else from the top of the book (Quotes). A book the venue marks TopOnly
// is its quote: the estimate is then top-of-book, from the one request.
func EstimateFill(ctx context.Context, ex exchange.Exchange, req trade.OrderRequest) (Estimate, error) {
	if r, ok := ex.(exchange.OrderBookReader); ok {
		book, err := r.OrderBook(ctx, req.Symbol, BookDepth)
		if err != nil {
			return Estimate{}, fmt.Errorf("order book %s: %w", req.Symbol, err)
		}
		if book.TopOnly {
			return EstimateFromQuote(book.Quote(), req.Side, req.Qty)
		}
		return EstimateFromBook(book, req.Side, req.Qty)
	}
	qs, err := ex.Quotes(ctx, []trade.Symbol{req.Symbol})
	if err != nil {
		return Estimate{}, fmt.Errorf("quote %s: %w", req.Symbol, err)
	}
	if len(qs) != 1 {
		return Estimate{}, fmt.Errorf("quote %s: the venue returned %d quotes", req.Symbol, len(qs))
	}
	return EstimateFromQuote(qs[0], req.Side, req.Qty)
}

// EstimateFromBook walks book's opposite side for qty.
func EstimateFromBook(book trade.Book, side trade.Side, qty decimal.Decimal) (Estimate, error) {
	mid := book.Quote().Mid()
	if !mid.IsPositive() {
		return Estimate{}, fmt.Errorf("the %s book has no bid and ask to measure slippage from", book.Symbol)
	}
	e := Estimate{Symbol: book.Symbol, Side: side, Qty: qty, Mid: mid, Quote: book.Quote(), Source: SourceBook}
	left, value := qty, decimal.Zero
	for _, l := range book.Side(side) {
		if !left.IsPositive() {
			break
		}
		take := decimal.Min(left, l.Qty)
		if !take.IsPositive() {
			continue
		}
		value = value.Add(take.Mul(l.Price))
		left = left.Sub(take)
		e.Fillable = e.Fillable.Add(take)
		e.WorstPrice = l.Price
		e.Levels++
	}
	if !e.Fillable.IsPositive() {
		return Estimate{}, fmt.Errorf("the %s book has no %s to fill a %s", book.Symbol, opposite(side), side)
	}
	e.AvgPrice = value.DivRound(e.Fillable, 16)
	e.SlippagePct = slippagePct(side, mid, e.AvgPrice)
	return e, nil
}

// EstimateFromQuote is the top-of-book estimate: the whole quantity at the
// ask (buy) or bid (sell).
func EstimateFromQuote(q trade.Quote, side trade.Side, qty decimal.Decimal) (Estimate, error) {
	mid := q.Mid()
	top := q.Ask
	if side == trade.Sell {
		top = q.Bid
	}
	if !mid.IsPositive() || !top.IsPositive() {
		return Estimate{}, fmt.Errorf("the %s quote has no %s to measure slippage from", q.Symbol, opposite(side))
	}
	return Estimate{
		Symbol: q.Symbol, Side: side, Qty: qty, Mid: mid, Quote: q,
		AvgPrice: top, WorstPrice: top, Fillable: qty,
		SlippagePct: slippagePct(side, mid, top),
		Source:      SourceTopOfBook, Levels: 1,
	}, nil
}

func opposite(side trade.Side) string {
	if side == trade.Sell {
		return "bids"
	}
	return "asks"
}

func slippagePct(side trade.Side, mid, avg decimal.Decimal) decimal.Decimal {
	diff := avg.Sub(mid)
	if side == trade.Sell {
		diff = mid.Sub(avg)
	}
	return diff.Mul(decimal.NewFromInt(100)).DivRound(mid, 8)
}

// beyond reports exactly whether est's slippage exceeds tolerancePct:
// (avg − mid)·100 > tolerance·mid for a buy, the mirror for a sell.
func beyond(est Estimate, tolerancePct decimal.Decimal) bool {
	diff := est.AvgPrice.Sub(est.Mid)
	if est.Side == trade.Sell {
		diff = est.Mid.Sub(est.AvgPrice)
	}
	return diff.Mul(decimal.NewFromInt(100)).GreaterThan(tolerancePct.Mul(est.Mid))
}

// pctBeyond shows a slippage p that exceeds the tolerance tol with the
// fewest decimals (at least two) that still show it exceeding: truncated,
// never rounded up, so 0.0108 % against 0.01 % reads "0.0107", not an
// apparently equal "0.01".
func pctBeyond(p, tol decimal.Decimal) string {
	for d := int32(2); d <= 8; d++ {
		if t := p.Truncate(d); t.GreaterThan(tol) {
			return t.StringFixed(d)
		}
	}
	return p.String()
}

// SlippageError is the slippage guard's refusal; it matches
// ErrRefused.
type SlippageError struct {
	Profile   string
	Estimate  Estimate
	Tolerance decimal.Decimal // percent
}

func (e *SlippageError) Error() string {
	est := e.Estimate
	if !est.Complete() {
		return fmt.Sprintf("slippage guard: the visible book (%d levels) fills only %s of %s %s; the price beyond it is unknown (mid %s, tolerance %s%%) (profile %q)",
			est.Levels, est.Fillable, est.Qty, est.Symbol, fmtPrice(est.Mid), e.Tolerance, e.Profile)
	}
	verb, dir := "buying", "above"
	if est.Side == trade.Sell {
		verb, dir = "selling", "below"
	}
	return fmt.Sprintf("slippage guard: %s %s %s would fill at about %s on average, %s%% %s the mid %s, beyond the tolerance of %s%% (%s) (profile %q)",
		verb, est.Qty, est.Symbol, fmtPrice(est.AvgPrice), pctBeyond(est.SlippagePct, e.Tolerance), dir, fmtPrice(est.Mid), e.Tolerance, est.Describe(), e.Profile)
}

// Unwrap makes errors.Is(err, ErrRefused) true.
func (e *SlippageError) Unwrap() error { return ErrRefused }

// fmtPrice shows a computed price with at most 8 decimals: an average over
// levels has as many as the division gives.
func fmtPrice(p decimal.Decimal) string {
	r := p.Round(8)
	if r.Round(2).Equal(r) {
		return r.StringFixed(2)
	}
	return r.String()
}

// CheckSlippage refuses est when the book cannot fill it or its
// slippage is beyond tolerancePct (percent). A zero tolerance means no
// guard.
func CheckSlippage(est Estimate, tolerancePct decimal.Decimal, profile string) error {
	if !tolerancePct.IsPositive() {
		return nil
	}
	if !est.Complete() || beyond(est, tolerancePct) {
		return &SlippageError{Profile: profile, Estimate: est, Tolerance: tolerancePct}
	}
	return nil
}

// Tolerance is the slippage tolerance in force: the command's when given,
// else the profile's max_slippage_pct; zero means none.
func Tolerance(flag decimal.NullDecimal, s config.Safety) decimal.Decimal {
	if flag.Valid {
		return flag.Decimal
	}
	return s.MaxSlippagePct
}

// ErrBadTolerance is returned (wrapped) by ParseTolerance.
var ErrBadTolerance = errors.New("not a slippage tolerance")

// ParseTolerance reads a slippage tolerance: a percentage above 0 and
// below 100, with or without a trailing "%".
func ParseTolerance(s string) (decimal.Decimal, error) {
	t := s
	if n := len(t); n > 0 && t[n-1] == '%' {
		t = t[:n-1]
	}
	d, err := trade.ParseDecimal(t)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%w: %v", ErrBadTolerance, err)
	}
	if !d.IsPositive() || d.GreaterThanOrEqual(decimal.NewFromInt(100)) {
		return decimal.Zero, fmt.Errorf("%w: must be a percentage above 0 and below 100, got %s", ErrBadTolerance, s)
	}
	return d, nil
}

// ErrMarketableLimit is returned (wrapped) by MarketableLimit when the
// tolerance price breaks the instrument's rules: nothing was sent.
var ErrMarketableLimit = errors.New("no valid marketable limit")

// ErrNotMarket is returned by MarketableLimit for an order that is not a
// market order.
var ErrNotMarket = errors.New("only a market order can become a marketable limit")

// MarketableLimit turns a market order into a limit IOC at the tolerance
// price, so the venue itself refuses to fill beyond the bound: a buy at
// mid·(1 + pct/100) rounded down to the tick, a sell at mid·(1 − pct/100)
// rounded up, both inside the tolerance. Whatever the book cannot fill
// within that price is canceled by the venue (IOC) rather than filled
// worse. The result has passed the instrument's rules.
func MarketableLimit(req trade.OrderRequest, tolerancePct decimal.Decimal, q trade.Quote, in trade.Instrument) (trade.OrderRequest, error) {
	if req.Type != trade.Market {
		return req, ErrNotMarket
	}
	if !tolerancePct.IsPositive() || tolerancePct.GreaterThanOrEqual(decimal.NewFromInt(100)) {
		return req, fmt.Errorf("marketable limit: tolerance %s%% must be above 0 and below 100", tolerancePct)
	}
	mid := q.Mid()
	if !mid.IsPositive() {
		return req, fmt.Errorf("marketable limit: no mid price for %s", req.Symbol)
	}
	frac := tolerancePct.Shift(-2)
	one := decimal.NewFromInt(1)
	var price decimal.Decimal
	if req.Side == trade.Buy {
		price = mid.Mul(one.Add(frac))
		if in.TickSize.IsPositive() {
			price = trade.FloorTo(price, in.TickSize)
		}
	} else {
		price = mid.Mul(one.Sub(frac))
		if in.TickSize.IsPositive() {
			price = ceilTo(price, in.TickSize)
		}
	}
	if !price.IsPositive() {
		return req, fmt.Errorf("marketable limit: tolerance %s%% leaves no positive price for %s", tolerancePct, req.Symbol)
	}
	out := req
	out.Type = trade.Limit
	out.TimeInForce = trade.IOC
	out.Price = decimal.NewNullDecimal(price)
	out.StopPrice = decimal.NullDecimal{}
	out.PostOnly = false
	checked, err := in.Conform(out, trade.RoundReject, decimal.Zero)
	if err != nil {
		return req, fmt.Errorf("%w at %s: %w", ErrMarketableLimit, price, err)
	}
	return checked, nil
}

// ceilTo rounds v up to a multiple of unit (unit > 0, v > 0).
func ceilTo(v, unit decimal.Decimal) decimal.Decimal {
	f := trade.FloorTo(v, unit)
	if f.Equal(v) {
		return f
	}
	return f.Add(unit)
}
