package kraken

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tradectl/tradectl/internal/exchange/venueorder"
)

// Kraken's cl_ord_id is a long UUID (32 hex digits and 4 dashes), a short
// UUID (32 hex digits) or free ASCII text of at most 18 characters.
// tradectl's client ids may be up to 36 characters of [A-Za-z0-9._-:], so
// an id Kraken would refuse is sent as a short UUID derived from it: the
// first 32 hex digits of SHA-256 over a fixed prefix and the id. Looking
// an order up by the original id derives the same wire id, so lookups
// need no state; a small map under the data directory only translates
// the wire id back for display.
const maxFreeTextClientID = 18

// wireClientID is the cl_ord_id sent for a tradectl client id.
func wireClientID(id string) string {
	if id == "" || isKrakenClientID(id) {
		return id
	}
	sum := sha256.Sum256([]byte("tradectl-cl_ord_id:" + id))
	return hex.EncodeToString(sum[:16])
}

// isKrakenClientID reports whether Kraken accepts id as a cl_ord_id as is.
func isKrakenClientID(id string) bool {
	if isUUID(id) {
		return true
	}
	if len(id) == 0 || len(id) > maxFreeTextClientID {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// isUUID matches Kraken's long (8-4-4-4-12) and short (32) UUID forms.
func isUUID(id string) bool {
	hexDigits := func(s string) bool {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
		return true
	}
	switch len(id) {
	case 32:
		return hexDigits(id)
	case 36:
		for _, i := range []int{8, 13, 18, 23} {
			if id[i] != '-' {
				return false
			}
		}
		return hexDigits(strings.ReplaceAll(id, "-", ""))
	}
	return false
}

// sameWireID compares cl_ord_ids the way Kraken would: UUIDs without
// regard to case, free text exactly.
func sameWireID(a, b string) bool {
	if isUUID(a) && isUUID(b) {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// newClientID generates an id for requests without one: 18 characters,
// Kraken's free-text maximum, so it is sent unchanged.
func newClientID() string { return venueorder.NewClientID(13) }

// clientIDMap remembers which tradectl client id a derived wire id stands
// for. Entries are appended as JSON lines to a file under the data
// directory (when there is one), so another process — `order list` after
// `order create` — shows the id the user chose. A missing or damaged file
// only means a derived id is shown as Kraken has it.
type clientIDMap struct {
	path string

	mu     sync.Mutex
	byWire map[string]string
	size   int64 // file size when last read
}

func newClientIDMap(path string) *clientIDMap {
	return &clientIDMap{path: path, byWire: map[string]string{}, size: -1}
}

type clientIDEntry struct {
	Wire     string `json:"wire"`
	ClientID string `json:"client_id"`
}

// remember records wire → id when they differ. Failing to persist is not
// an error for the order: the id still works for lookups.
func (m *clientIDMap) remember(id string) {
	wire := wireClientID(id)
	if m == nil || wire == id {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byWire[wire] == id {
		return
	}
	m.byWire[wire] = id
	if m.path == "" {
		return
	}
	b, err := json.Marshal(clientIDEntry{Wire: wire, ClientID: id})
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(m.path), 0o700); err != nil {
		return
	}
	// One short O_APPEND write per entry: concurrent writers interleave
	// whole lines.
	f, err := openAppend(m.path)
	if err != nil {
		return
	}
	_, _ = f.Write(append(b, '\n'))
	_ = f.Close()
}

// original returns the tradectl client id for a wire id: the id itself
// unless it is one this key's map derived.
func (m *clientIDMap) original(wire string) string {
	if m == nil || wire == "" || len(wire) != 32 {
		return wire
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if id, ok := m.byWire[strings.ToLower(wire)]; ok {
		return id
	}
	m.reloadLocked()
	if id, ok := m.byWire[strings.ToLower(wire)]; ok {
		return id
	}
	return wire
}

// reloadLocked reads the file again when it has changed since last read.
func (m *clientIDMap) reloadLocked() {
	if m.path == "" {
		return
	}
	st, err := os.Stat(m.path)
	if err != nil || st.Size() == m.size {
		return
	}
	b, err := os.ReadFile(m.path)
	if err != nil {
		return
	}
	m.size = int64(len(b))
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var e clientIDEntry
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.ClientID == "" {
			continue
		}
		// Only entries that really derive from their id count: a damaged
		// or edited line cannot rename someone else's order.
		if wireClientID(e.ClientID) == e.Wire {
			m.byWire[e.Wire] = e.ClientID
		}
	}
}

// openAppend opens path for appending, creating it private to the user.
func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
}
