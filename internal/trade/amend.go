package trade

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// AmendRequest changes a working order in place of canceling it and placing
// another: its total quantity, limit price or stop price. Unset fields are
// left as they are; at least one must be set.
//
// Qty is the new total quantity, filled part included, as every venue that
// amends counts it (Kraken order_qty, Binance newQty, Alpaca qty, Coinbase
// size), so it must stay above what has already filled.
type AmendRequest struct {
	Qty       decimal.NullDecimal `json:"qty"`
	Price     decimal.NullDecimal `json:"price"`
	StopPrice decimal.NullDecimal `json:"stop_price"`
}

// Validate checks the request on its own: something to change, every
// value positive.
func (a AmendRequest) Validate() error {
	if !a.Qty.Valid && !a.Price.Valid && !a.StopPrice.Valid {
		return invalid("", "nothing to amend: give a new qty, price or stop price")
	}
	for _, f := range []struct {
		name string
		v    decimal.NullDecimal
	}{{"qty", a.Qty}, {"price", a.Price}, {"stop_price", a.StopPrice}} {
		if f.v.Valid && !f.v.Decimal.IsPositive() {
			return invalid(f.name, "must be greater than 0, got %s", f.v.Decimal)
		}
	}
	return nil
}

// Amended is o's request as it would stand after the amendment: o's own
// fields with a's changes. It refuses what no venue amends: an order that
// is no longer working, a price on an order type without one, a quantity
// not above the filled part.
func (a AmendRequest) Amended(o Order) (OrderRequest, error) {
	if err := a.Validate(); err != nil {
		return OrderRequest{}, err
	}
	if !o.Status.Working() {
		return OrderRequest{}, invalid("", "order %s is %s: only a working order can be amended", o.ID, strings.ReplaceAll(string(o.Status), "_", " "))
	}
	req := OrderRequest{
		Symbol: o.Symbol, Side: o.Side, Type: o.Type, TimeInForce: o.TimeInForce,
		Qty: o.Qty, Price: o.Price, StopPrice: o.StopPrice, PostOnly: o.PostOnly, ClientID: o.ClientID,
	}
	if a.Price.Valid {
		if !o.Price.Valid {
			return OrderRequest{}, invalid("price", "a %s order has no limit price to amend", o.Type)
		}
		req.Price = a.Price
	}
	if a.StopPrice.Valid {
		if !o.StopPrice.Valid {
			return OrderRequest{}, invalid("stop_price", "a %s order has no stop price to amend", o.Type)
		}
		req.StopPrice = a.StopPrice
	}
	if a.Qty.Valid {
		if !a.Qty.Decimal.GreaterThan(o.FilledQty) {
			return OrderRequest{}, invalid("qty", "the new total %s must be above the %s already filled", a.Qty.Decimal, o.FilledQty)
		}
		req.Qty = a.Qty.Decimal
	}
	if err := req.ValidateUnsized(); err != nil {
		return OrderRequest{}, err
	}
	return req, nil
}

// ConformAmend rounds a's values to in's tick and step (mode as for
// Instrument.Conform) and checks the amended order against in's rules:
// the whole amended order must be one the venue would take as new. It
// returns the amendment to send, with only the fields a set.
func (in Instrument) ConformAmend(o Order, a AmendRequest, mode RoundMode) (AmendRequest, error) {
	req, err := a.Amended(o)
	if err != nil {
		return a, err
	}
	out, err := in.Conform(req, mode, decimal.Zero)
	if err != nil {
		return a, err
	}
	got := AmendRequest{}
	if a.Qty.Valid {
		got.Qty = decimal.NewNullDecimal(out.Qty)
		if !got.Qty.Decimal.GreaterThan(o.FilledQty) {
			return a, invalid("qty", "%s rounds to %s, not above the %s already filled", a.Qty.Decimal, out.Qty, o.FilledQty)
		}
	}
	if a.Price.Valid {
		got.Price = out.Price
	}
	if a.StopPrice.Valid {
		got.StopPrice = out.StopPrice
	}
	if got.changesNothing(o) {
		return a, invalid("", "nothing to amend: order %s already has %s", o.ID, got.Changes(o))
	}
	return got, nil
}

// Changes describes the amendment against o as "qty 1 → 0.5, price 100 → 99",
// for confirmations, dry runs and the journal.
func (a AmendRequest) Changes(o Order) string {
	var parts []string
	if a.Qty.Valid {
		parts = append(parts, fmt.Sprintf("qty %s → %s", o.Qty, a.Qty.Decimal))
	}
	if a.Price.Valid {
		parts = append(parts, fmt.Sprintf("price %s → %s", nullText(o.Price), a.Price.Decimal))
	}
	if a.StopPrice.Valid {
		parts = append(parts, fmt.Sprintf("stop price %s → %s", nullText(o.StopPrice), a.StopPrice.Decimal))
	}
	return strings.Join(parts, ", ")
}

// QtyDownOnly reports whether a only lowers o's quantity: the change every
// venue makes without costing the order its place in the queue.
func (a AmendRequest) QtyDownOnly(o Order) bool {
	return a.Qty.Valid && a.Qty.Decimal.LessThan(o.Qty) && !a.Price.Valid && !a.StopPrice.Valid
}

func nullText(d decimal.NullDecimal) string {
	if !d.Valid {
		return "none"
	}
	return d.Decimal.String()
}

// changesNothing reports whether every value a sets is o's already (after
// rounding, say).
func (a AmendRequest) changesNothing(o Order) bool {
	same := func(set, cur decimal.NullDecimal) bool {
		return !set.Valid || cur.Valid && cur.Decimal.Equal(set.Decimal)
	}
	return same(a.Qty, decimal.NewNullDecimal(o.Qty)) && same(a.Price, o.Price) && same(a.StopPrice, o.StopPrice)
}
