package rulecache

import (
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// Find returns the row an index built by a rule set's Index names by k.
func Find[K comparable, R any](rows []R, index map[K]int, k K) (R, bool) {
	i, ok := index[k]
	if !ok || i < 0 || i >= len(rows) {
		var zero R
		return zero, false
	}
	return rows[i], true
}

// IndexBy maps each row's key to the row's position, the index Find reads.
// Where two rows share a key the later one wins.
func IndexBy[K comparable, R any](rows []R, key func(R) K) map[K]int {
	index := make(map[K]int, len(rows))
	for i, r := range rows {
		index[key(r)] = i
	}
	return index
}

// Instruments lists, in order, the instruments of the rows keep admits
// (the ones that take new orders).
func Instruments[R any](rows []R, keep func(R) bool, instrument func(R) trade.Instrument) []trade.Instrument {
	out := make([]trade.Instrument, 0, len(rows))
	for _, r := range rows {
		if keep(r) {
			out = append(out, instrument(r))
		}
	}
	return out
}

// Unreadable reports a rule list the adapter fetched but cannot read: the
// venue is unusable for orders until it answers one it can.
func Unreadable(venue string, err error) error {
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: venue, Message: err.Error(), Err: err}
}
