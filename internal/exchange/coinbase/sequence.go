package coinbase

import (
	"encoding/json"

	"github.com/tradectl/tradectl/internal/exchange/venuews"
)

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

// read opens one message of the connection: its outer shape, an error
// message (which failed sorts into the error that ends or restarts the
// connection) and its sequence number. fresh is false, with err saying
// why when it is one, for a message the decoder must not read further:
// unreadable (its number is not taken, so if it was data the next message
// shows the gap), an error, a gap (a lost update: start over from a fresh
// snapshot, or for the account reconcile after the new connection), or a
// late or repeated number.
func (s *wsSequence) read(msg []byte, failed func(message string) error) (m wsMessage, fresh bool, err error) {
	if err := json.Unmarshal(msg, &m); err != nil {
		return m, false, err
	}
	if m.Type == "error" {
		return m, false, failed(m.Message)
	}
	fresh, err = s.admit(m.SequenceNum)
	return m, fresh, err
}

// marketDataError is an error message on a market-data connection: the
// next connection starts from a fresh snapshot.
func marketDataError(message string) error {
	return venuews.Resync("coinbase: %s", message)
}
