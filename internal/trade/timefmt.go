package trade

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// TimeLayout is how tradectl writes a time for programs: RFC 3339 in UTC
// with exactly three fractional digits. A fixed width sorts as text, a
// script never meets two spellings of one instant ("…Z" and "…+01:00"),
// and milliseconds are the finest unit every supported venue reports.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// FormatTime writes t the way every JSON document, NDJSON event and CSV
// row of tradectl does (see TimeLayout).
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// JSONTime is a time that marshals with FormatTime. Types whose JSON
// carries times use it in their wire form, so the choice is made once.
type JSONTime time.Time

// MarshalJSON writes the time as TimeLayout.
func (t JSONTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(FormatTime(time.Time(t)))
}

// Equal reports whether t and u are the same instant, so comparisons
// (go-cmp among them) compare times rather than their internals.
func (t JSONTime) Equal(u JSONTime) bool { return time.Time(t).Equal(time.Time(u)) }

// UnmarshalJSON reads any RFC 3339 time, with or without fractions.
func (t *JSONTime) UnmarshalJSON(b []byte) error {
	var tt time.Time
	if err := tt.UnmarshalJSON(b); err != nil {
		return err
	}
	*t = JSONTime(tt)
	return nil
}

// The wire types below repeat their domain type field for field, in the
// same order, with JSONTime in place of time.Time: embedding the domain
// type instead would move the time fields to the end of every document.

type orderWire struct {
	ID           string              `json:"id"`
	ClientID     string              `json:"client_id"`
	Symbol       Symbol              `json:"symbol"`
	Side         Side                `json:"side"`
	Type         OrderType           `json:"type"`
	TimeInForce  TimeInForce         `json:"time_in_force"`
	PostOnly     bool                `json:"post_only"`
	Status       OrderStatus         `json:"status"`
	Qty          decimal.Decimal     `json:"qty"`
	FilledQty    decimal.Decimal     `json:"filled_qty"`
	Price        decimal.NullDecimal `json:"price"`
	StopPrice    decimal.NullDecimal `json:"stop_price"`
	TrailPct     decimal.NullDecimal `json:"trail_pct,omitzero"`
	TrailAmount  decimal.NullDecimal `json:"trail_amount,omitzero"`
	AvgFillPrice decimal.NullDecimal `json:"avg_fill_price"`
	Fee          decimal.Decimal     `json:"fee"`
	FeeAsset     string              `json:"fee_asset"`
	RejectReason string              `json:"reject_reason,omitempty"`
	CreatedAt    JSONTime            `json:"created_at"`
	UpdatedAt    JSONTime            `json:"updated_at"`
	Exchange     string              `json:"exchange"`
	Profile      string              `json:"profile"`
	ExpiresAt    *JSONTime           `json:"expires_at,omitempty"`
	ListID       string              `json:"list_id,omitempty"`
	ParentID     string              `json:"parent_id,omitempty"`
	Leg          LegRole             `json:"leg,omitempty"`
	Legs         []Order             `json:"legs,omitempty"`
}

// MarshalJSON writes the order with its times as FormatTime does.
func (o Order) MarshalJSON() ([]byte, error) {
	return json.Marshal(orderWire{
		ID: o.ID, ClientID: o.ClientID, Symbol: o.Symbol, Side: o.Side, Type: o.Type,
		TimeInForce: o.TimeInForce, PostOnly: o.PostOnly, Status: o.Status, Qty: o.Qty,
		FilledQty: o.FilledQty, Price: o.Price, StopPrice: o.StopPrice,
		TrailPct: o.TrailPct, TrailAmount: o.TrailAmount, AvgFillPrice: o.AvgFillPrice,
		Fee: o.Fee, FeeAsset: o.FeeAsset, RejectReason: o.RejectReason,
		CreatedAt: JSONTime(o.CreatedAt), UpdatedAt: JSONTime(o.UpdatedAt),
		Exchange: o.Exchange, Profile: o.Profile, ExpiresAt: optionalTime(o.ExpiresAt),
		ListID: o.ListID, ParentID: o.ParentID, Leg: o.Leg, Legs: o.Legs,
	})
}

type fillWire struct {
	ID        string          `json:"id"`
	OrderID   string          `json:"order_id"`
	ClientID  string          `json:"client_id,omitempty"`
	Symbol    Symbol          `json:"symbol"`
	Side      Side            `json:"side"`
	Qty       decimal.Decimal `json:"qty"`
	Price     decimal.Decimal `json:"price"`
	Fee       decimal.Decimal `json:"fee"`
	FeeAsset  string          `json:"fee_asset"`
	Liquidity Liquidity       `json:"liquidity"`
	Time      JSONTime        `json:"time"`
}

// MarshalJSON writes the fill with its time as FormatTime does.
func (f Fill) MarshalJSON() ([]byte, error) {
	return json.Marshal(fillWire{
		ID: f.ID, OrderID: f.OrderID, ClientID: f.ClientID, Symbol: f.Symbol, Side: f.Side, Qty: f.Qty, Price: f.Price,
		Fee: f.Fee, FeeAsset: f.FeeAsset, Liquidity: f.Liquidity, Time: JSONTime(f.Time),
	})
}

type quoteWire struct {
	Symbol Symbol          `json:"symbol"`
	Bid    decimal.Decimal `json:"bid"`
	Ask    decimal.Decimal `json:"ask"`
	Last   decimal.Decimal `json:"last"`
	Time   JSONTime        `json:"time"`
	Stats24h
}

// MarshalJSON writes the quote with its time as FormatTime does.
func (q Quote) MarshalJSON() ([]byte, error) {
	return json.Marshal(quoteWire{Symbol: q.Symbol, Bid: q.Bid, Ask: q.Ask, Last: q.Last, Time: JSONTime(q.Time), Stats24h: q.Stats24h})
}

type bookWire struct {
	Symbol  Symbol      `json:"symbol"`
	Time    JSONTime    `json:"time"`
	Bids    []BookLevel `json:"bids"`
	Asks    []BookLevel `json:"asks"`
	TopOnly bool        `json:"top_only,omitempty"`
}

// MarshalJSON writes the book with its time as FormatTime does.
func (b Book) MarshalJSON() ([]byte, error) {
	return json.Marshal(bookWire{Symbol: b.Symbol, Time: JSONTime(b.Time), Bids: b.Bids, Asks: b.Asks, TopOnly: b.TopOnly})
}

type candleWire struct {
	Symbol Symbol          `json:"symbol"`
	Time   JSONTime        `json:"time"`
	Open   decimal.Decimal `json:"open"`
	High   decimal.Decimal `json:"high"`
	Low    decimal.Decimal `json:"low"`
	Close  decimal.Decimal `json:"close"`
	Volume decimal.Decimal `json:"volume"`
}

// MarshalJSON writes the candle with its time as FormatTime does.
func (c Candle) MarshalJSON() ([]byte, error) {
	return json.Marshal(candleWire{Symbol: c.Symbol, Time: JSONTime(c.Time), Open: c.Open, High: c.High, Low: c.Low, Close: c.Close, Volume: c.Volume})
}

// AppendJSONField adds "key": v at the end of the JSON object obj. A type
// that embeds Order (or another type here with its own MarshalJSON) would
// otherwise marshal as the embedded value alone; its MarshalJSON marshals
// the embedded value and appends its own fields with this.
func AppendJSONField(obj []byte, key string, v any) ([]byte, error) {
	val, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	k, _ := json.Marshal(key)
	end := bytes.LastIndexByte(obj, '}')
	if end < 0 {
		return nil, fmt.Errorf("append JSON field %q: not an object: %s", key, obj)
	}
	out := append([]byte{}, obj[:end]...)
	if len(bytes.TrimSpace(bytes.TrimSpace(out)[1:])) > 0 {
		out = append(out, ',')
	}
	out = append(out, k...)
	out = append(out, ':')
	out = append(out, val...)
	return append(out, obj[end:]...), nil
}

// optionalTime is t as JSONTime, nil when t is nil.
func optionalTime(t *time.Time) *JSONTime {
	if t == nil {
		return nil
	}
	jt := JSONTime(*t)
	return &jt
}
