package coinbase

import "github.com/tradectl/tradectl/internal/exchange/venuews"

// wsSequence follows one connection's sequence_num, which numbers every
// message Coinbase sends on it (heartbeats included), so a lost message
// shows as a gap.
type wsSequence struct {
	last    int64
	started bool
}

// admit says whether a message numbered n is new (an unnumbered one, n
// nil, always is). A late or repeated number is not new: what it says is
// already known or older. A gap is an error wrapping venuews.ErrResync,
// so the next connection starts from a fresh snapshot.
func (s *wsSequence) admit(n *int64) (bool, error) {
	if n == nil {
		return true, nil
	}
	switch {
	case s.started && *n > s.last+1:
		return false, venuews.Resync("sequence gap: %d after %d", *n, s.last)
	case s.started && *n <= s.last:
		return false, nil
	}
	s.started, s.last = true, *n
	return true, nil
}
