package trade

import "time"

// ExpiryResolution is the finest expiry time tradectl sends: whole
// seconds, the resolution of Kraken's expiretm and more than Coinbase's
// end_time needs, so one order expires at the same instant on every venue.
const ExpiryResolution = time.Second

// ExpiryAfter is the expiry of an order placed at now that should be
// canceled after d (--cancel-after): now + d rounded up to a whole second,
// so it never ends before d has passed.
func ExpiryAfter(now time.Time, d time.Duration) time.Time {
	t := now.Add(d).UTC()
	if r := t.Truncate(ExpiryResolution); !r.Equal(t) {
		return r.Add(ExpiryResolution)
	}
	return t
}

// Expiry is the request's expiry time, if it has one.
func (r OrderRequest) Expiry() (time.Time, bool) {
	if r.ExpiresAt == nil {
		return time.Time{}, false
	}
	return time.Time(*r.ExpiresAt).UTC(), true
}

// WithExpiry returns the request good till t.
func (r OrderRequest) WithExpiry(t time.Time) OrderRequest {
	jt := JSONTime(t.UTC())
	r.ExpiresAt = &jt
	return r
}

// validateExpiry checks an expiry on its own: a good-till-date order rests
// until then, so it must be an order that can rest (limit, stop,
// stop-limit) with no other time in force saying how long it lives.
func (r OrderRequest) validateExpiry() error {
	t, ok := r.Expiry()
	if !ok {
		return nil
	}
	if t.IsZero() || t.Unix() <= 0 {
		return invalid("expires_at", "must be a time after 1970, got %s", FormatTime(t))
	}
	if r.Type == Market {
		return invalid("expires_at", "is not allowed on market orders: they do not rest")
	}
	if tif := r.EffectiveTIF(); tif != GTC {
		return invalid("expires_at", "cannot be combined with time in force %s: the expiry is the order's time in force", tif)
	}
	if !t.Truncate(ExpiryResolution).Equal(t) {
		return invalid("expires_at", "must be a whole second, got %s", FormatTime(t))
	}
	return nil
}
