package exchange

import (
	"context"
	"errors"
)

// ErrRulesNotCached is what Instruments answers under CachedRulesOnly when
// the venue's rules are neither in memory nor in a fresh cache file.
var ErrRulesNotCached = errors.New("instrument rules not cached")

type cachedRulesOnlyKey struct{}

// CachedRulesOnly marks ctx so that Instruments answers only from rules
// already held (in memory, or a fresh cache file) and never asks the venue.
// A table that only shows prices at their tick uses it: on a cache miss it
// shows exact numbers instead of paying a round trip for the rules.
func CachedRulesOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, cachedRulesOnlyKey{}, true)
}

// IsCachedRulesOnly reports whether ctx was marked by CachedRulesOnly.
// Rule caches check it before fetching.
func IsCachedRulesOnly(ctx context.Context) bool {
	only, _ := ctx.Value(cachedRulesOnlyKey{}).(bool)
	return only
}
