package dashboard

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/tradectl/tradectl/internal/atomicfile"
	"github.com/tradectl/tradectl/internal/trade"
)

// FileHints keeps the hints in one small JSON file per profile in a cache
// directory, so a dashboard run from cron benefits from the previous run.
// A missing or unreadable file is just no hint.
type FileHints struct {
	Dir string
	mu  sync.Mutex
	mem map[string][]trade.Symbol
}

// Load returns the symbols saved for profile, or nil.
func (h *FileHints) Load(profile string) []trade.Symbol {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.mem[profile]; ok {
		return s
	}
	b, err := os.ReadFile(h.path(profile))
	if err != nil {
		return nil
	}
	var syms []trade.Symbol
	if json.Unmarshal(b, &syms) != nil {
		return nil
	}
	return syms
}

// Save records symbols for profile, in memory and on disk (best effort:
// a cache that cannot be written costs a round trip, nothing more).
func (h *FileHints) Save(profile string, symbols []trade.Symbol) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.mem == nil {
		h.mem = map[string][]trade.Symbol{}
	}
	if slices.Equal(h.mem[profile], symbols) {
		return
	}
	h.mem[profile] = slices.Clone(symbols)
	b, err := json.Marshal(symbols)
	if err != nil || h.Dir == "" {
		return
	}
	if os.MkdirAll(h.Dir, 0o700) != nil {
		return
	}
	_ = atomicfile.Write(h.path(profile), b, 0o600, false)
}

func (h *FileHints) path(profile string) string {
	return filepath.Join(h.Dir, "dashboard-"+profile+".json")
}
