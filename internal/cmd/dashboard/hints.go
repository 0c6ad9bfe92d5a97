package dashboard

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/tradectl/tradectl/internal/atomicfile"
)

// FileHints keeps the hints in one small JSON file per profile in a cache
// directory, so a dashboard run from cron benefits from the previous run.
// A missing or unreadable file is just no hint.
type FileHints struct {
	Dir string
	mu  sync.Mutex
	mem map[string]Hint
}

// Load returns the hint saved for profile, or none. A file of an older
// form is no hint.
func (h *FileHints) Load(profile string) Hint {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.mem[profile]; ok {
		return s
	}
	b, err := os.ReadFile(h.path(profile))
	if err != nil {
		return Hint{}
	}
	var hint Hint
	if json.Unmarshal(b, &hint) != nil {
		return Hint{}
	}
	return hint
}

// Save records the hint for profile, in memory and on disk (best effort:
// a cache that cannot be written costs a round trip, nothing more).
func (h *FileHints) Save(profile string, hint Hint) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.mem == nil {
		h.mem = map[string]Hint{}
	}
	if old, ok := h.mem[profile]; ok && slices.Equal(old.Quotes, hint.Quotes) && slices.Equal(old.Fills, hint.Fills) {
		return
	}
	hint = Hint{Quotes: slices.Clone(hint.Quotes), Fills: slices.Clone(hint.Fills)}
	h.mem[profile] = hint
	b, err := json.Marshal(hint)
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
