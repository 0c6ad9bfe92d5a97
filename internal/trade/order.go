package trade

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// MaxClientIDLen is the longest client order id tradectl accepts: the
// strictest length the supported venues share (Binance allows 36).
const MaxClientIDLen = 36

// OrderRequest is what a trader asks for. Price and StopPrice are unset
// (Valid=false) when the order type does not take them.
//
// An order is sized by exactly one of Qty (base asset) and QuoteQty (quote
// asset to spend or receive, market orders only). A quote-sized order
// leaves Qty zero: the venue decides the base quantity as it fills.
type OrderRequest struct {
	Symbol      Symbol              `json:"symbol"`
	Side        Side                `json:"side"`
	Type        OrderType           `json:"type"`
	TimeInForce TimeInForce         `json:"time_in_force"`
	Qty         decimal.Decimal     `json:"qty"`
	QuoteQty    decimal.NullDecimal `json:"quote_qty"`
	Price       decimal.NullDecimal `json:"price"`
	StopPrice   decimal.NullDecimal `json:"stop_price"`
	PostOnly    bool                `json:"post_only"`
	ClientID    string              `json:"client_id"`
	// ExpiresAt, when set, makes a resting order good till that time
	// (--cancel-after); see expiry.go.
	ExpiresAt *JSONTime `json:"expires_at,omitempty"`
	// Exits, when set, links a take-profit and a stop-loss to the order
	// (a bracket) or makes it an OCO pair of exits (bracket.go).
	Exits *Exits `json:"exits,omitempty"`
	// TrailPct and TrailAmount are a trailing stop's trail (exactly one,
	// on TrailingStop orders only): percent of the best price, or an
	// amount in the quote asset.
	TrailPct    decimal.NullDecimal `json:"trail_pct,omitzero"`
	TrailAmount decimal.NullDecimal `json:"trail_amount,omitzero"`
}

// ValidationError says which field of a request is wrong and why.
type ValidationError struct {
	Field   string
	Message string
	// OffGrid says the value is off the instrument's tick or step: a
	// rounding mode (RoundDown, RoundNearest) would have fitted it.
	OffGrid bool
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Validate checks the request on its own, without instrument rules or I/O.
// A zero TimeInForce is read as gtc (day for market orders is not implied).
func (r OrderRequest) Validate() error {
	if err := r.ValidateUnsized(); err != nil {
		return err
	}
	if r.QuoteQty.Valid {
		if !r.QuoteQty.Decimal.IsPositive() {
			return invalid("quote_qty", "must be greater than 0, got %s", r.QuoteQty.Decimal)
		}
		return nil
	}
	if !r.Qty.IsPositive() {
		return invalid("qty", "must be greater than 0, got %s", r.Qty)
	}
	return nil
}

// QuoteSized reports whether the order is sized in the quote asset.
func (r OrderRequest) QuoteSized() bool { return r.QuoteQty.Valid }

// ValidateUnsized is Validate without the size itself: for an order whose
// quantity is still to be worked out (a share of a balance), it checks
// everything else, and that a quote size, if any, is alone and on a
// market order.
func (r OrderRequest) ValidateUnsized() error {
	if r.Symbol.IsZero() {
		return invalid("symbol", "is required")
	}
	if r.Side != Buy && r.Side != Sell {
		return invalid("side", "must be buy or sell, got %q", r.Side)
	}
	switch r.Type {
	case Market, Limit, Stop, StopLimit:
	case TrailingStop:
	default:
		return invalid("type", "must be one of market, limit, stop, stop-limit, trailing-stop, got %q", r.Type)
	}
	if err := r.validateTrail(); err != nil {
		return err
	}
	switch r.TimeInForce {
	case "", GTC, IOC, FOK, Day:
	default:
		return invalid("time_in_force", "must be one of gtc, ioc, fok, day, got %q", r.TimeInForce)
	}
	if r.QuoteQty.Valid {
		if !r.Qty.IsZero() {
			return invalid("quote_qty", "cannot be combined with qty: size the order in one asset")
		}
		if r.Type != Market {
			return invalid("quote_qty", "is only allowed on market orders, got a %s order", r.Type)
		}
	}
	needsPrice := r.Type == Limit || r.Type == StopLimit
	needsStop := r.Type == Stop || r.Type == StopLimit
	switch {
	case needsPrice && !r.Price.Valid:
		return invalid("price", "is required for a %s order", r.Type)
	case !needsPrice && r.Price.Valid:
		return invalid("price", "is not allowed for a %s order", r.Type)
	case r.Price.Valid && !r.Price.Decimal.IsPositive():
		return invalid("price", "must be greater than 0, got %s", r.Price.Decimal)
	}
	switch {
	case needsStop && !r.StopPrice.Valid:
		return invalid("stop_price", "is required for a %s order", r.Type)
	case !needsStop && r.StopPrice.Valid:
		return invalid("stop_price", "is not allowed for a %s order", r.Type)
	case r.StopPrice.Valid && !r.StopPrice.Decimal.IsPositive():
		return invalid("stop_price", "must be greater than 0, got %s", r.StopPrice.Decimal)
	}
	if r.PostOnly {
		if r.Type != Limit {
			return invalid("post_only", "is only allowed on limit orders")
		}
		if r.TimeInForce == IOC || r.TimeInForce == FOK {
			return invalid("post_only", "cannot be combined with %s", r.TimeInForce)
		}
	}
	if r.Type == Market && r.TimeInForce == Day {
		return invalid("time_in_force", "day is not allowed for market orders")
	}
	if err := r.validateExpiry(); err != nil {
		return err
	}
	if err := r.validateExits(); err != nil {
		return err
	}
	return ValidateClientID(r.ClientID)
}

// ValidateClientID checks a client order id: empty (none) or 1–36 of
// A–Z a–z 0–9 . _ - : — a set every supported venue accepts.
func ValidateClientID(id string) error {
	if id == "" {
		return nil
	}
	if len(id) > MaxClientIDLen {
		return invalid("client_id", "is %d characters; at most %d are allowed", len(id), MaxClientIDLen)
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-:", r)
		if !ok {
			return invalid("client_id", "has invalid character %q (allowed: letters, digits, . _ - :)", r)
		}
	}
	return nil
}

// EffectiveTIF is the time in force the request means: gtc when unset.
func (r OrderRequest) EffectiveTIF() TimeInForce {
	if r.TimeInForce == "" {
		return GTC
	}
	return r.TimeInForce
}

// EndsAtOnce reports whether the venue settles the order the moment it
// takes it: a market order fills, an IOC or FOK limit fills what it can
// and the rest is canceled. Such an order is never open once placed, so
// a venue whose create answer carries no status is asked for it.
func (r OrderRequest) EndsAtOnce() bool {
	if r.Type == Market {
		return true
	}
	tif := r.EffectiveTIF()
	return r.Type == Limit && (tif == IOC || tif == FOK)
}

// Order is an order as a venue reports it.
type Order struct {
	ID          string              `json:"id"`
	ClientID    string              `json:"client_id"`
	Symbol      Symbol              `json:"symbol"`
	Side        Side                `json:"side"`
	Type        OrderType           `json:"type"`
	TimeInForce TimeInForce         `json:"time_in_force"`
	PostOnly    bool                `json:"post_only"`
	Status      OrderStatus         `json:"status"`
	Qty         decimal.Decimal     `json:"qty"`
	FilledQty   decimal.Decimal     `json:"filled_qty"`
	Price       decimal.NullDecimal `json:"price"`
	StopPrice   decimal.NullDecimal `json:"stop_price"`
	// TrailPct and TrailAmount are a trailing stop's trail; its StopPrice
	// is the current trigger, which moves with the market.
	TrailPct     decimal.NullDecimal `json:"trail_pct,omitzero"`
	TrailAmount  decimal.NullDecimal `json:"trail_amount,omitzero"`
	AvgFillPrice decimal.NullDecimal `json:"avg_fill_price"`
	Fee          decimal.Decimal     `json:"fee"`
	FeeAsset     string              `json:"fee_asset"`
	RejectReason string              `json:"reject_reason,omitempty"`
	CreatedAt    time.Time           `json:"created_at"`
	UpdatedAt    time.Time           `json:"updated_at"`
	Exchange     string              `json:"exchange"`
	Profile      string              `json:"profile"`
	// ExpiresAt is when a good-till-date order ends, as the venue reports
	// it; nil for orders without one.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// ListID names the list of linked orders (a bracket or an OCO) the
	// order belongs to; empty for a lone order.
	ListID string `json:"list_id,omitempty"`
	// ParentID is a bracket exit's entry order.
	ParentID string `json:"parent_id,omitempty"`
	// Leg is the order's part in its list.
	Leg LegRole `json:"leg,omitempty"`
	// Legs are the other orders of its list, when the venue reported them
	// together (order get).
	Legs []Order `json:"legs,omitempty"`
}

// RemainingQty is what is left to fill.
func (o Order) RemainingQty() decimal.Decimal { return o.Qty.Sub(o.FilledQty) }

// Liquidity says whether a fill added to the book (maker) or took from it (taker).
type Liquidity string

const (
	Maker Liquidity = "maker"
	Taker Liquidity = "taker"
)

// Fill is one execution of an order.
type Fill struct {
	ID      string `json:"id"`
	OrderID string `json:"order_id"`
	// ClientID is the order's client id where the venue reports it with
	// the fill (or the order it belongs to is known).
	ClientID  string          `json:"client_id,omitempty"`
	Symbol    Symbol          `json:"symbol"`
	Side      Side            `json:"side"`
	Qty       decimal.Decimal `json:"qty"`
	Price     decimal.Decimal `json:"price"`
	Fee       decimal.Decimal `json:"fee"`
	FeeAsset  string          `json:"fee_asset"`
	Liquidity Liquidity       `json:"liquidity"`
	Time      time.Time       `json:"time"`
}

// Balance is one asset's holdings. Total is Free + Locked.
type Balance struct {
	Asset  string          `json:"asset"`
	Free   decimal.Decimal `json:"free"`
	Locked decimal.Decimal `json:"locked"`
	Total  decimal.Decimal `json:"total"`
}

// NewBalance builds a Balance whose Total is always Free + Locked.
func NewBalance(asset string, free, locked decimal.Decimal) Balance {
	return Balance{Asset: asset, Free: free, Locked: locked, Total: free.Add(locked)}
}

// Position is a holding with its average cost, as a venue or the paper
// engine reports it. Quantity is negative for a short.
type Position struct {
	Symbol  Symbol          `json:"symbol"`
	Qty     decimal.Decimal `json:"qty"`
	AvgCost decimal.Decimal `json:"avg_cost"`
}

// Quote is the top of the book and the last trade price, with the
// rolling 24-hour figures where the venue sends them.
type Quote struct {
	Symbol Symbol          `json:"symbol"`
	Bid    decimal.Decimal `json:"bid"`
	Ask    decimal.Decimal `json:"ask"`
	Last   decimal.Decimal `json:"last"`
	Time   time.Time       `json:"time"`
	Stats24h
}

// Stats24h are a symbol's rolling 24-hour figures as its venue reports
// them. A nil field is one the venue does not report: it is left out of
// JSON rather than shown as a zero that would read as "no change".
type Stats24h struct {
	Change24h    *decimal.Decimal `json:"change_24h,omitempty"`     // last minus the price 24h ago
	Change24hPct *decimal.Decimal `json:"change_24h_pct,omitempty"` // the same in percent
	High24h      *decimal.Decimal `json:"high_24h,omitempty"`
	Low24h       *decimal.Decimal `json:"low_24h,omitempty"`
	Volume24h    *decimal.Decimal `json:"volume_24h,omitempty"` // in the base asset
	// StatsTime is when the venue computed the figures.
	StatsTime *JSONTime `json:"stats_time,omitempty"`
}

// Has24h says whether the venue reported any 24-hour figure.
func (s Stats24h) Has24h() bool {
	return s.Change24h != nil || s.Change24hPct != nil || s.High24h != nil || s.Low24h != nil || s.Volume24h != nil
}

// DecimalPtr returns a pointer to a copy of d, for the optional figures.
func DecimalPtr(d decimal.Decimal) *decimal.Decimal { return &d }

// Mid is the midpoint of bid and ask, or Last when either side is missing.
func (q Quote) Mid() decimal.Decimal {
	if q.Bid.IsPositive() && q.Ask.IsPositive() {
		return q.Bid.Add(q.Ask).Div(decimal.NewFromInt(2))
	}
	return q.Last
}
