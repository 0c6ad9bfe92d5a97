package trade

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Interval is a candle's width, in the spelling tradectl accepts on every
// venue: 1m, 5m, 15m, 1h, 4h or 1d. Each venue maps it onto its own word
// (Binance "1m", Kraken 1, Coinbase ONE_MINUTE, Alpaca 1Min) or refuses
// the ones it does not offer.
type Interval string

// The intervals tradectl knows.
const (
	Interval1m  Interval = "1m"
	Interval5m  Interval = "5m"
	Interval15m Interval = "15m"
	Interval1h  Interval = "1h"
	Interval4h  Interval = "4h"
	Interval1d  Interval = "1d"
)

// Intervals lists every interval, shortest first.
var Intervals = []Interval{Interval1m, Interval5m, Interval15m, Interval1h, Interval4h, Interval1d}

var intervalWidths = map[Interval]time.Duration{
	Interval1m: time.Minute, Interval5m: 5 * time.Minute, Interval15m: 15 * time.Minute,
	Interval1h: time.Hour, Interval4h: 4 * time.Hour, Interval1d: 24 * time.Hour,
}

// ParseInterval reads an interval; case matters only for the unit letter
// being lower case, as written in the list.
func ParseInterval(s string) (Interval, error) {
	iv := Interval(strings.TrimSpace(s))
	if _, ok := intervalWidths[iv]; !ok {
		names := make([]string, len(Intervals))
		for i, v := range Intervals {
			names[i] = string(v)
		}
		return "", &ValidationError{Field: "interval", Message: fmt.Sprintf("%q is not an interval; use one of %s", s, strings.Join(names, ", "))}
	}
	return iv, nil
}

// Valid reports whether iv is one of Intervals.
func (iv Interval) Valid() bool {
	_, ok := intervalWidths[iv]
	return ok
}

// Duration is the interval's width; zero for an invalid interval.
func (iv Interval) Duration() time.Duration { return intervalWidths[iv] }

// Floor is the open time of the candle t falls in. Candles are aligned to
// the Unix epoch in UTC, so a 1d candle opens at midnight UTC and a 4h one
// at 00:00, 04:00, … UTC, as on every supported venue.
func (iv Interval) Floor(t time.Time) time.Time {
	d := iv.Duration()
	if d <= 0 {
		return t
	}
	return t.UTC().Truncate(d)
}

func (iv Interval) String() string { return string(iv) }

// Candle is one OHLCV bar: the trades in [Time, Time+interval). Volume is in
// the base asset (shares for a stock).
type Candle struct {
	Symbol Symbol          `json:"symbol"`
	Time   time.Time       `json:"time"`
	Open   decimal.Decimal `json:"open"`
	High   decimal.Decimal `json:"high"`
	Low    decimal.Decimal `json:"low"`
	Close  decimal.Decimal `json:"close"`
	Volume decimal.Decimal `json:"volume"`
}

// Validate checks what every bar must satisfy whatever the venue: prices
// positive, high the highest and low the lowest, volume not negative.
// Adapters run it on what they decode, so a garbled answer is an error,
// not a chart.
func (c Candle) Validate() error {
	for _, f := range []struct {
		name string
		v    decimal.Decimal
	}{{"open", c.Open}, {"high", c.High}, {"low", c.Low}, {"close", c.Close}} {
		if !f.v.IsPositive() {
			return &ValidationError{Field: f.name, Message: fmt.Sprintf("%s: price %s is not positive", c.Time.UTC().Format(time.RFC3339), f.v)}
		}
	}
	if c.High.LessThan(decimal.Max(c.Open, c.Close, c.Low)) || c.Low.GreaterThan(decimal.Min(c.Open, c.Close)) {
		return &ValidationError{Field: "high", Message: fmt.Sprintf("%s: high %s and low %s do not bound open %s and close %s",
			c.Time.UTC().Format(time.RFC3339), c.High, c.Low, c.Open, c.Close)}
	}
	if c.Volume.IsNegative() {
		return &ValidationError{Field: "volume", Message: fmt.Sprintf("%s: negative volume %s", c.Time.UTC().Format(time.RFC3339), c.Volume)}
	}
	return nil
}

// MaxCandles caps one read: enough for a chart or a script's window, small
// enough that paging through a venue's limit stays a handful of requests.
const MaxCandles = 5000

// CandleRange is what a candle read asks for: the candles of Interval
// whose open time is in [Since, Until), oldest first, at most Limit of them
// (the first Limit from Since).
type CandleRange struct {
	Interval Interval
	Since    time.Time
	Until    time.Time
	Limit    int
}

// Validate checks the range on its face: a known interval, Since before
// Until, and a limit between 1 and MaxCandles.
func (r CandleRange) Validate() error {
	if !r.Interval.Valid() {
		_, err := ParseInterval(string(r.Interval))
		return err
	}
	if r.Since.IsZero() || r.Until.IsZero() {
		return &ValidationError{Field: "since", Message: "a candle range needs a start and an end"}
	}
	if !r.Since.Before(r.Until) {
		return &ValidationError{Field: "since", Message: fmt.Sprintf("start %s is not before end %s",
			r.Since.UTC().Format(time.RFC3339), r.Until.UTC().Format(time.RFC3339))}
	}
	if r.Limit < 1 || r.Limit > MaxCandles {
		return &ValidationError{Field: "limit", Message: fmt.Sprintf("limit %d is out of range 1..%d", r.Limit, MaxCandles)}
	}
	return nil
}

// First is the open time of the first candle the range can hold: Since
// rounded up to the interval, since a candle that opened before Since is
// not in it.
func (r CandleRange) First() time.Time {
	f := r.Interval.Floor(r.Since)
	if f.Before(r.Since) {
		f = f.Add(r.Interval.Duration())
	}
	return f
}

// Slots is how many candle open times fall in [Since, Until).
func (r CandleRange) Slots() int {
	d := r.Interval.Duration()
	if d <= 0 || !r.First().Before(r.Until) {
		return 0
	}
	return int((r.Until.Sub(r.First()) + d - 1) / d)
}

// Contains reports whether a candle opening at t belongs to the range.
func (r CandleRange) Contains(t time.Time) bool {
	return !t.Before(r.Since) && t.Before(r.Until) && r.Interval.Floor(t).Equal(t.UTC())
}

// Last returns the range of the limit candles of iv that open before
// until, the last of them the one until falls in: what a read without a
// start shows (with until now, the candle in progress is the last).
func Last(iv Interval, until time.Time, limit int) CandleRange {
	lastOpen := iv.Floor(until.Add(-time.Nanosecond))
	return CandleRange{Interval: iv, Since: lastOpen.Add(-time.Duration(limit-1) * iv.Duration()), Until: until, Limit: limit}
}
