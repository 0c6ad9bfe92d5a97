package kraken

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// orderWire is Kraken's order object as QueryOrders, OpenOrders and
// ClosedOrders give it.
type orderWire struct {
	ClOrdID string `json:"cl_ord_id"`
	// RefID is the order that created this one: an entry's txid on its
	// conditional close order.
	RefID    string      `json:"refid"`
	Status   string      `json:"status"`
	Reason   string      `json:"reason"`
	OpenTm   json.Number `json:"opentm"`
	CloseTm  json.Number `json:"closetm"`
	ExpireTm json.Number `json:"expiretm"`
	Descr    struct {
		Pair      string `json:"pair"`
		Type      string `json:"type"`
		OrderType string `json:"ordertype"`
		Price     string `json:"price"`
		Price2    string `json:"price2"`
		// Close describes an entry's conditional close, if it has one.
		Close string `json:"close"`
	} `json:"descr"`
	Vol     string `json:"vol"`
	VolExec string `json:"vol_exec"`
	Cost    string `json:"cost"`
	Fee     string `json:"fee"`
	Price   string `json:"price"` // average fill price
	OFlags  string `json:"oflags"`
}

// typeFromWire maps Kraken order types to the domain. Orders placed
// elsewhere with types tradectl does not place are shown as their nearest
// kind: take-profit and trailing-stop-limit are triggered orders, iceberg
// is a limit order.
var typeFromWire = map[string]trade.OrderType{
	"market":              trade.Market,
	"settle-position":     trade.Market,
	"limit":               trade.Limit,
	"iceberg":             trade.Limit,
	"stop-loss":           trade.Stop,
	"take-profit":         trade.Stop,
	"trailing-stop":       trade.TrailingStop,
	"stop-loss-limit":     trade.StopLimit,
	"take-profit-limit":   trade.StopLimit,
	"trailing-stop-limit": trade.StopLimit,
}

// postOnlyReason is the reason Kraken gives when it cancels a post-only
// order that would have taken liquidity.
const postOnlyReason = "Post only order"

// canceledStatus is the status of an order Kraken canceled: rejected when
// the reason says it was post-only and would have taken liquidity.
func canceledStatus(reason string) trade.OrderStatus {
	if strings.EqualFold(strings.TrimSpace(reason), postOnlyReason) {
		return trade.StatusRejected
	}
	return trade.StatusCanceled
}

// statusOf maps Kraken's order status. Kraken closes an order when nothing
// more will fill: with everything executed that is "filled"; with less
// (an IOC or market order that ran out of book) the rest was canceled.
// A post-only order Kraken canceled for taking is "rejected".
func statusOf(status string, vol, volExec decimal.Decimal, reason string) (trade.OrderStatus, error) {
	switch status {
	case "pending":
		return trade.StatusOpen, nil
	case "open":
		if volExec.IsPositive() {
			return trade.StatusPartiallyFilled, nil
		}
		return trade.StatusOpen, nil
	case "closed":
		if vol.IsPositive() && !volExec.LessThan(vol) {
			return trade.StatusFilled, nil
		}
		return trade.StatusCanceled, nil
	case "canceled":
		return canceledStatus(reason), nil
	case "expired":
		return trade.StatusExpired, nil
	}
	return "", fmt.Errorf("unknown order status %q", status)
}

// wireOrder is the domain → Kraken mapping of one request.
type wireOrder struct {
	OrderType   string
	TimeInForce string // "" for Kraken's default, GTC
	OFlags      string
	ExpireTm    string // unix seconds, with TimeInForce GTD; see expiry.go
}

// toWire maps type, post-only and time in force; see the package doc for
// what Kraken cannot express.
func toWire(req trade.OrderRequest) (wireOrder, error) {
	var w wireOrder
	switch req.Type {
	case trade.Market:
		w.OrderType = "market"
	case trade.Limit:
		w.OrderType = "limit"
	case trade.Stop:
		w.OrderType = "stop-loss"
	case trade.StopLimit:
		w.OrderType = "stop-loss-limit"
	case trade.TrailingStop:
		w.OrderType = "trailing-stop"
	default:
		return w, invalidf("unsupported order type %q", req.Type)
	}
	switch req.EffectiveTIF() {
	case trade.GTC:
	case trade.IOC:
		// Market and stop-loss orders execute at market, immediately or
		// not at all, so IOC adds nothing for them.
		if req.Type == trade.Limit || req.Type == trade.StopLimit {
			w.TimeInForce = "IOC"
		}
	case trade.FOK:
		return w, invalidf("kraken spot does not support time in force fok: use gtc or ioc")
	case trade.Day:
		return w, invalidf("kraken spot has no day orders: use gtc or ioc")
	default:
		return w, invalidf("unsupported time in force %q", req.TimeInForce)
	}
	if req.PostOnly {
		w.OFlags = "post"
	}
	return w, expiryWire(req, &w)
}

func invalidf(format string, args ...any) *exchange.Error {
	return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName, Message: fmt.Sprintf(format, args...)}
}

// invalid is venueorder.Invalid for Kraken.
func invalid(err error) error { return venueorder.Invalid(venueName, err) }

// optPrice reads a descr price: Kraken writes "0" for prices an order does
// not have, and relative prices ("+5.0", "#2%") for trailing orders, which
// are not absolute prices and are left unset.
func optPrice(s string) decimal.NullDecimal {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[:1], "+-#") || strings.HasSuffix(s, "%") {
		return decimal.NullDecimal{}
	}
	d, err := trade.ParseDecimal(s)
	if err != nil || !d.IsPositive() {
		return decimal.NullDecimal{}
	}
	return decimal.NewNullDecimal(d)
}

// maxUnixSeconds bounds timestamps to the year 5138 or so; anything larger
// is garbage, not a time.
const maxUnixSeconds = 1e11

// unixTime reads Kraken's fractional unix timestamps (1688666559.8974).
// Zero or absent is the zero time.
func unixTime(n json.Number) (time.Time, error) {
	if n == "" {
		return time.Time{}, nil
	}
	d, err := trade.ParseDecimal(string(n))
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", n, err)
	}
	if d.IsNegative() || d.GreaterThan(decimal.NewFromInt(maxUnixSeconds)) {
		return time.Time{}, fmt.Errorf("time %q out of range", n)
	}
	if d.IsZero() {
		return time.Time{}, nil
	}
	sec := d.IntPart()
	nsec := d.Sub(decimal.NewFromInt(sec)).Shift(9).IntPart()
	return time.Unix(sec, nsec).UTC(), nil
}

// orderHint is what the caller already knows about an order, which
// Kraken's answer does not say or says less precisely.
type orderHint struct {
	symbol   trade.Symbol
	clientID string
	tif      trade.TimeInForce
}

var sideFromWire = map[string]trade.Side{"buy": trade.Buy, "sell": trade.Sell}

// mapOrder turns an order object into a trade.Order. sym is the order's
// symbol, already resolved from descr.pair.
func (e *Exchange) mapOrder(txid string, w orderWire, sym trade.Symbol, ids *clientIDMap, hint orderHint) (trade.Order, error) {
	typ, err := venueorder.FromWire(typeFromWire, "order type", w.Descr.OrderType)
	if err != nil {
		return trade.Order{}, fmt.Errorf("order %s: %w", txid, err)
	}
	side, err := venueorder.FromWire(sideFromWire, "side", w.Descr.Type)
	if err != nil {
		return trade.Order{}, fmt.Errorf("order %s: %w", txid, err)
	}
	o := trade.Order{
		ID:          txid,
		Symbol:      sym,
		Side:        side,
		Type:        typ,
		TimeInForce: trade.GTC,
		Exchange:    venueName,
		Profile:     e.Profile,
	}
	if hint.tif != "" {
		o.TimeInForce = hint.tif
	}
	var avg, cost decimal.Decimal
	for _, f := range []struct {
		name, src string
		dst       *decimal.Decimal
	}{
		{"vol", w.Vol, &o.Qty}, {"vol_exec", w.VolExec, &o.FilledQty}, {"fee", w.Fee, &o.Fee},
		{"price", w.Price, &avg}, {"cost", w.Cost, &cost},
	} {
		if *f.dst, err = venueorder.Decimal(f.name, f.src); err != nil {
			return trade.Order{}, fmt.Errorf("order %s: %w", txid, err)
		}
	}
	if o.Status, err = statusOf(w.Status, o.Qty, o.FilledQty, w.Reason); err != nil {
		return trade.Order{}, fmt.Errorf("order %s: %w", txid, err)
	}
	if o.Status == trade.StatusRejected {
		o.RejectReason = w.Reason
	}
	flags := strings.Split(w.OFlags, ",")
	for _, f := range flags {
		if strings.TrimSpace(f) == "post" {
			o.PostOnly = true
		}
	}
	// descr.price is the limit price of a limit order and the trigger of a
	// stop; price2 is a stop-limit's limit.
	switch typ {
	case trade.Limit:
		o.Price = optPrice(w.Descr.Price)
	case trade.Stop:
		o.StopPrice = optPrice(w.Descr.Price)
	case trade.StopLimit:
		o.StopPrice = optPrice(w.Descr.Price)
		o.Price = optPrice(w.Descr.Price2)
	case trade.TrailingStop:
		o.TrailPct, o.TrailAmount = readTrail(w.Descr.Price)
	}
	switch {
	case !o.FilledQty.IsPositive():
	case avg.IsPositive():
		o.AvgFillPrice = decimal.NewNullDecimal(avg)
	case cost.IsPositive():
		o.AvgFillPrice = decimal.NewNullDecimal(cost.DivRound(o.FilledQty, 12))
	}
	// Kraken charges the fee in the quote asset unless the order asked for
	// the base asset (fcib).
	o.FeeAsset = sym.Quote
	for _, f := range flags {
		if strings.TrimSpace(f) == "fcib" {
			o.FeeAsset = sym.Base
		}
	}
	if o.CreatedAt, err = unixTime(w.OpenTm); err != nil {
		return trade.Order{}, fmt.Errorf("order %s: opentm: %w", txid, err)
	}
	closed, err := unixTime(w.CloseTm)
	if err != nil {
		return trade.Order{}, fmt.Errorf("order %s: closetm: %w", txid, err)
	}
	if o.ExpiresAt, err = expiryOf(w.ExpireTm); err != nil {
		return trade.Order{}, fmt.Errorf("order %s: expiretm: %w", txid, err)
	}
	o.UpdatedAt = o.CreatedAt
	if !closed.IsZero() {
		o.UpdatedAt = closed
	}
	switch {
	case w.RefID != "":
		o.ListID, o.ParentID, o.Leg = w.RefID, w.RefID, legRole(typ, w.Descr.OrderType)
	case strings.TrimSpace(w.Descr.Close) != "":
		o.ListID, o.Leg = txid, trade.LegEntry
	}
	switch {
	case hint.clientID != "" && sameWireID(wireClientID(hint.clientID), w.ClOrdID):
		o.ClientID = hint.clientID
	default:
		o.ClientID = ids.original(w.ClOrdID)
	}
	return o, nil
}
