package trade

import (
	"fmt"
	"strings"
)

// Side is the direction of an order.
type Side string

const (
	Buy  Side = "buy"
	Sell Side = "sell"
)

// Sides lists every side, in the order help text shows them.
var Sides = []Side{Buy, Sell}

// OrderType is how an order is priced.
type OrderType string

const (
	Market    OrderType = "market"
	Limit     OrderType = "limit"
	Stop      OrderType = "stop"
	StopLimit OrderType = "stop-limit"
)

// OrderTypes lists every order type.
var OrderTypes = []OrderType{Market, Limit, Stop, StopLimit, TrailingStop}

// TimeInForce is how long an order stays working.
type TimeInForce string

const (
	GTC TimeInForce = "gtc"
	IOC TimeInForce = "ioc"
	FOK TimeInForce = "fok"
	Day TimeInForce = "day"
)

// TimesInForce lists every time in force.
var TimesInForce = []TimeInForce{GTC, IOC, FOK, Day}

// OrderStatus is where an order is in its life.
type OrderStatus string

const (
	StatusOpen            OrderStatus = "open"
	StatusPartiallyFilled OrderStatus = "partially_filled"
	StatusFilled          OrderStatus = "filled"
	StatusCanceled        OrderStatus = "canceled"
	StatusRejected        OrderStatus = "rejected"
	StatusExpired         OrderStatus = "expired"
)

// OrderStatuses lists every status.
var OrderStatuses = []OrderStatus{StatusOpen, StatusPartiallyFilled, StatusFilled, StatusCanceled, StatusRejected, StatusExpired}

// Terminal reports whether an order in this status can no longer change.
func (s OrderStatus) Terminal() bool {
	switch s {
	case StatusFilled, StatusCanceled, StatusRejected, StatusExpired:
		return true
	}
	return false
}

// Working reports whether the order is still on the book (open or partially filled).
func (s OrderStatus) Working() bool { return s == StatusOpen || s == StatusPartiallyFilled }

// ParseSide parses "buy"/"sell" in any case.
func ParseSide(s string) (Side, error) { return parseEnum("side", s, Sides) }

// ParseOrderType parses an order type; "stop_limit", "stoplimit" and
// "trailing_stop" are accepted too.
func ParseOrderType(s string) (OrderType, error) {
	norm := strings.ToLower(strings.TrimSpace(s))
	if norm == "stop_limit" || norm == "stoplimit" {
		norm = string(StopLimit)
	}
	if norm == "trailing_stop" {
		norm = string(TrailingStop)
	}
	return parseEnum("order type", norm, OrderTypes)
}

// ParseTimeInForce parses gtc, ioc, fok or day.
func ParseTimeInForce(s string) (TimeInForce, error) {
	return parseEnum("time in force", s, TimesInForce)
}

func parseEnum[T ~string](what, s string, allowed []T) (T, error) {
	norm := strings.ToLower(strings.TrimSpace(s))
	for _, a := range allowed {
		if string(a) == norm {
			return a, nil
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	var zero T
	return zero, fmt.Errorf("invalid %s %q: must be one of %s", what, s, strings.Join(names, ", "))
}
