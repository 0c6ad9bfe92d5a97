// Package exchange defines the interface every venue adapter and the paper
// exchange implement, the optional capabilities some of them add, the typed
// errors they return and the registry that maps a profile's exchange name to
// its constructor.
package exchange

import (
	"context"
	"time"

	"github.com/tradectl/tradectl/internal/trade"
)

// Exchange is one account on one venue.
type Exchange interface {
	// Name is the registry name of the venue ("paper", "binance", …).
	Name() string
	// PlaceOrder sends a validated request. The request's ClientID, when set,
	// must reach the venue so the order can be found again by it.
	PlaceOrder(ctx context.Context, req trade.OrderRequest) (trade.Order, error)
	// GetOrder finds one order by id or client id.
	GetOrder(ctx context.Context, ref OrderRef) (trade.Order, error)
	// CancelOrder cancels one working order and returns it as it now stands.
	CancelOrder(ctx context.Context, ref OrderRef) (trade.Order, error)
	// CancelAll cancels every working order, or those of one symbol when
	// symbol is not zero, and returns the orders it canceled.
	CancelAll(ctx context.Context, symbol trade.Symbol) ([]trade.Order, error)
	// ListOrders lists orders, newest first.
	ListOrders(ctx context.Context, f ListFilter) ([]trade.Order, error)
	// Balances lists the account's assets with a non-zero total.
	Balances(ctx context.Context) ([]trade.Balance, error)
	// Quotes returns one quote per symbol, in the order asked. An unknown
	// symbol is an error wrapping ErrNotFound.
	Quotes(ctx context.Context, symbols []trade.Symbol) ([]trade.Quote, error)
	// Instruments lists the tradable symbols and their rules.
	Instruments(ctx context.Context) ([]trade.Instrument, error)
	// Close releases files and connections.
	Close() error
}

// OrderRef names an order by its venue id or by its client id. Symbol is a
// hint for venues that need it to look an order up (Binance).
type OrderRef struct {
	ID       string
	ClientID string
	Symbol   trade.Symbol
}

func (r OrderRef) String() string {
	if r.ID != "" {
		return r.ID
	}
	return "client id " + r.ClientID
}

// ListScope chooses between working orders and the whole history.
type ListScope int

const (
	// ListOpen is working orders only (open and partially filled).
	ListOpen ListScope = iota
	// ListAll is working and finished orders.
	ListAll
)

// ListFilter narrows ListOrders. Zero values mean "no restriction";
// Limit 0 means the venue's default page.
type ListFilter struct {
	Scope    ListScope
	Statuses []trade.OrderStatus
	Symbol   trade.Symbol
	Since    time.Time
	Limit    int
}

// Match reports whether o passes the filter's status, symbol and since rules.
// Adapters use it to apply what their venue cannot filter on.
func (f ListFilter) Match(o trade.Order) bool {
	if f.Scope == ListOpen && !o.Status.Working() {
		return false
	}
	if len(f.Statuses) > 0 {
		ok := false
		for _, s := range f.Statuses {
			if s == o.Status {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if !f.Symbol.IsZero() && f.Symbol != o.Symbol {
		return false
	}
	if !f.Since.IsZero() && o.CreatedAt.Before(f.Since) {
		return false
	}
	return true
}

// Apply filters orders with Match and cuts the result to Limit.
func (f ListFilter) Apply(orders []trade.Order) []trade.Order {
	out := make([]trade.Order, 0, len(orders))
	for _, o := range orders {
		if f.Match(o) {
			out = append(out, o)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out
}

// PositionLister is implemented by venues that report positions (Alpaca,
// paper).
type PositionLister interface {
	Positions(ctx context.Context) ([]trade.Position, error)
}

// FillLister is implemented by venues that can list executions; the
// dashboard computes realised P&L and average cost from them.
type FillLister interface {
	Fills(ctx context.Context, f FillFilter) ([]trade.Fill, error)
}

// FillFilter narrows Fills. Zero values mean "no restriction".
type FillFilter struct {
	Symbol trade.Symbol
	Since  time.Time
	// Until is the end of the range (exclusive); zero means now.
	Until time.Time
	Limit int
}

// QuoteStreamer is implemented by venues that push quotes. StreamQuotes
// calls fn for every update until ctx is done, fn returns an error or the
// stream fails for good; it returns ctx.Err() after a cancel, fn's error, or
// the stream's error. It must not call fn after it returns.
type QuoteStreamer interface {
	StreamQuotes(ctx context.Context, symbols []trade.Symbol, fn func(trade.Quote) error) error
}

// OrderValidator is implemented by venues that can check an order without
// placing it (Binance order/test, Kraken validate, Coinbase preview).
// --dry-run uses it when present.
type OrderValidator interface {
	ValidateOrder(ctx context.Context, req trade.OrderRequest) error
}

// OrderSymbolNeeder is implemented by venues that find an order only
// together with its symbol (Binance: by client id, or by a bare numeric
// id); without it they search the open orders first, a request more, or
// refuse. NeedsOrderSymbol reports whether ref lacks a symbol the venue
// needs, so a command can supply one (from the journal) or refuse before
// any request.
type OrderSymbolNeeder interface {
	NeedsOrderSymbol(ref OrderRef) bool
}

// QuoteSizer is implemented by venues that take market orders sized in the
// quote asset (trade.OrderRequest.QuoteQty) natively: Binance
// quoteOrderQty, Coinbase quote_size, Alpaca notional, and the paper
// exchange. QuoteSized says whether the venue takes one on side; a venue
// without the capability is never sent one, and tradectl does not emulate
// it by working out a base quantity behind the trader's back.
type QuoteSizer interface {
	QuoteSized(side trade.Side) bool
}

// CanQuoteSize reports whether ex takes a quote-sized market order on side.
func CanQuoteSize(ex Exchange, side trade.Side) bool {
	q, ok := ex.(QuoteSizer)
	return ok && q.QuoteSized(side)
}

// ClientQuoteSizer is implemented by venues that take no quote-sized
// order on side but whose adapter says so plainly and lets tradectl size
// one openly: the order plan converts the quote amount into a base
// quantity at the current ask (a buy) or bid (a sell), rounded down to
// the step, and sends that. The dry run shows the conversion (quote_sizing)
// and so do the confirmation and the command's note; the venue receives
// only the base quantity. Kraken is one: its AddOrder reference lists a
// viqc flag but says nothing of what it does.
type ClientQuoteSizer interface {
	SizesQuoteClientSide(side trade.Side) bool
}

// CanSizeQuoteClientSide reports whether tradectl may size a quote-sized
// market order on side for ex (ClientQuoteSizer).
func CanSizeQuoteClientSide(ex Exchange, side trade.Side) bool {
	q, ok := ex.(ClientQuoteSizer)
	return ok && q.SizesQuoteClientSide(side)
}

// Simulator is implemented by exchanges that trade no real money (the paper
// exchange). Callers ask IsSimulated rather than comparing venue names, so a
// second simulated venue, or a venue's own testnet, needs no new name checks.
type Simulator interface {
	Simulated() bool
}

// IsSimulated reports whether ex trades no real money.
func IsSimulated(ex Exchange) bool {
	s, ok := ex.(Simulator)
	return ok && s.Simulated()
}

// Diagnoser is implemented by venues that can check their own setup for
// `tradectl doctor`: credentials that sign correctly, key permissions, clock
// skew. Each check is named and reported on its own; a failing check is a
// finding, not an error of Diagnose itself.
type Diagnoser interface {
	Diagnose(ctx context.Context) []Check
}

// Check is one finding of a Diagnoser.
type Check struct {
	// Name is short and stable ("clock skew", "key permissions").
	Name string `json:"name"`
	// Status is CheckOK, CheckWarn or CheckFail.
	Status CheckStatus `json:"status"`
	// Detail says what was found, in words a trader can act on. It never
	// carries a secret, a signature or a signed query.
	Detail string `json:"detail"`
}

// CheckStatus grades a Check.
type CheckStatus string

// The grades of a Check.
const (
	CheckOK   CheckStatus = "ok"
	CheckWarn CheckStatus = "warn"
	CheckFail CheckStatus = "fail"
)

// FindInstrument returns the rules for sym, or an error wrapping
// ErrNotFound that names the nearest symbols the venue lists.
func FindInstrument(ctx context.Context, ex Exchange, sym trade.Symbol) (trade.Instrument, error) {
	all, err := ex.Instruments(ctx)
	if err != nil {
		return trade.Instrument{}, err
	}
	for _, in := range all {
		if in.Symbol == sym {
			return in, nil
		}
	}
	return trade.Instrument{}, &Error{Kind: ErrNotFound, Venue: ex.Name(), Message: unknownSymbolMessage(ex.Name(), sym, all)}
}
