package venuehttp

import (
	"fmt"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
)

// Options reads a profile's options one after another and keeps the first
// error, so that a venue's parseConfig is the list of its options and one
// error check instead of a check after every read. Once a read has failed,
// later reads return their zero value without looking at the profile: the
// error a caller sees is the first one, as if it had stopped there.
type Options struct {
	p   exchange.Params
	err error
}

// ReadOptions starts reading p's options.
func ReadOptions(p exchange.Params) *Options { return &Options{p: p} }

// Err is the first error any read met, nil when all succeeded.
func (o *Options) Err() error { return o.err }

// keep records err as the reader's error unless an earlier one stands.
func keep[T any](o *Options, v T, err error) T {
	if err != nil {
		o.err = err
		var zero T
		return zero
	}
	return v
}

// String reads a string option; def when unset.
func (o *Options) String(key, def string) string {
	if o.err != nil {
		return ""
	}
	v, err := o.p.String(key, def)
	return keep(o, v, err)
}

// Bool reads a true/false option; def when unset.
func (o *Options) Bool(key string, def bool) bool {
	if o.err != nil {
		return false
	}
	v, err := o.p.Bool(key, def)
	return keep(o, v, err)
}

// IntBetween reads a whole-number option that must lie in [lo, hi]; unit
// names what it counts ("milliseconds") in the error.
func (o *Options) IntBetween(key string, def, lo, hi int, unit string) int {
	if o.err != nil {
		return 0
	}
	v, err := o.p.Int(key, def)
	if err == nil && (v < lo || v > hi) {
		err = fmt.Errorf("profile %q: %s must be between %d and %d %s, got %d", o.p.Profile, key, lo, hi, unit, v)
	}
	return keep(o, v, err)
}

// OneOf reads a word option, trimmed and lower-cased, that must be one of
// allowed; def when unset.
func (o *Options) OneOf(key, def string, allowed ...string) string {
	v := strings.ToLower(strings.TrimSpace(o.String(key, def)))
	if o.err != nil {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	o.err = fmt.Errorf("profile %q: %s must be %s, got %q", o.p.Profile, key, strings.Join(allowed, " or "), v)
	return ""
}

// URL reads a base-URL option and checks it as URLOption does.
func (o *Options) URL(key, def string, schemes []string, dropSuffixes ...string) string {
	if o.err != nil {
		return ""
	}
	v, err := URLOption(o.p, key, def, schemes, dropSuffixes...)
	return keep(o, v, err)
}

// StreamURL reads a WebSocket URL option as URL does. Unset, it is def,
// the venue's production stream, unless the profile set hostKey, the
// option naming the host the stream belongs with: a profile aimed at
// another host (a proxy, a test venue) then has no stream, "" (its prices
// are polled from that host), and never reaches a production stream it
// did not name.
func (o *Options) StreamURL(key, def, hostKey string, dropSuffixes ...string) string {
	_, set := o.p.Options[key]
	if _, hostSet := o.p.Options[hostKey]; hostSet && !set {
		return ""
	}
	return o.URL(key, def, []string{"ws", "wss"}, dropSuffixes...)
}

// TTL reads a cache lifetime as TTL does.
func (o *Options) TTL(key string, def time.Duration) time.Duration {
	if o.err != nil {
		return 0
	}
	v, err := TTL(o.p, key, def)
	return keep(o, v, err)
}
