// Package rulecache keeps a venue's instrument rules: in memory, in a file
// under the cache directory that outlives the process (so a one-shot
// command does not download them every time), and fetched from the venue
// when neither is fresh — by one caller at a time, the others waiting for
// its answer.
package rulecache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/atomicfile"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// Stamp says where and when rules were fetched. Embed it in a rule set:
// its fields are the file's version, base_url and fetched_at.
type Stamp struct {
	Version int    `json:"version"`
	BaseURL string `json:"base_url"`
	// FetchedAt is written as every tradectl time is (trade.JSONTime);
	// a file written with more digits reads as well.
	FetchedAt trade.JSONTime `json:"fetched_at"`
}

func (s *Stamp) stamp() *Stamp { return s }

// Rules is a venue's rule set: it embeds a Stamp, says when it holds
// nothing (a file that decodes to nothing is as good as corrupt), and
// rebuilds its lookup indexes after it was read from a file.
type Rules interface {
	stamp() *Stamp
	Empty() bool
	Index()
}

// Cache holds one venue's rules for one base URL.
type Cache[T any, P interface {
	*T
	Rules
}] struct {
	Venue   string        // "binance": messages and the file name
	What    string        // "exchangeinfo": messages and the file name
	BaseURL string        // rules of another URL (testnet, a fake) are never used
	Dir     string        // where the file goes; "" keeps rules in memory only
	TTL     time.Duration // how long rules stay fresh; 0 keeps them for the process, with no file
	Version int           // the file format; another version is refetched
	Now     func() time.Time
	Log     *slog.Logger
	Fetch   func(ctx context.Context) (P, error)

	mu  sync.Mutex
	cur P
	sem chan struct{}
}

// Path is the file, or "" when rules are kept in memory only. It is named
// per base URL, so production and a testnet never share rules.
func (c *Cache[T, P]) Path() string {
	if c.Dir == "" || c.TTL == 0 {
		return ""
	}
	sum := sha256.Sum256([]byte(c.BaseURL))
	return filepath.Join(c.Dir, c.Venue+"-"+hex.EncodeToString(sum[:6])+"-"+c.What+".json")
}

// Get returns fresh rules: from memory, the file, or the venue, in that
// order. A fetched set is stamped and written to the file; a file that
// cannot be written costs a download next time, nothing more. Under
// exchange.CachedRulesOnly the venue is never asked: without fresh rules
// in memory or the file, Get fails with exchange.ErrRulesNotCached.
func (c *Cache[T, P]) Get(ctx context.Context) (P, error) {
	if p := c.current(); p != nil && c.fresh(p) {
		return p, nil
	}
	if exchange.IsCachedRulesOnly(ctx) {
		return c.cached()
	}
	sem := c.semaphore()
	select {
	case sem <- struct{}{}:
		defer func() { <-sem }()
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %s: %w", c.Venue, c.What, ctx.Err())
	}
	// Someone else may have refreshed while we waited.
	if p := c.current(); p != nil && c.fresh(p) {
		return p, nil
	}
	p := c.Load()
	if p == nil {
		var err error
		if p, err = c.Fetch(ctx); err != nil {
			return nil, err
		}
		st := p.stamp()
		st.Version, st.BaseURL, st.FetchedAt = c.Version, c.BaseURL, trade.JSONTime(c.Now())
		if err := c.save(p); err != nil {
			c.log().Warn(c.Venue+": cannot write the "+c.What+" cache", "err", err)
		}
	}
	c.mu.Lock()
	c.cur = p
	c.mu.Unlock()
	return p, nil
}

// Load returns the file's rules when present, intact and fresh; anything
// else (missing, corrupt, empty, stale, another version or URL) is nil.
func (c *Cache[T, P]) Load() P {
	path := c.Path()
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	p := P(new(T))
	if err := json.Unmarshal(b, p); err != nil || p.stamp().Version != c.Version || p.Empty() {
		c.log().Debug(c.Venue+": ignoring an unreadable "+c.What+" cache", "path", path)
		return nil
	}
	if !c.fresh(p) {
		return nil
	}
	p.Index()
	return p
}

func (c *Cache[T, P]) save(p P) error {
	path := c.Path()
	if path == "" {
		return nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o600, false)
}

// fresh allows a minute of clock disagreement between processes.
func (c *Cache[T, P]) fresh(p P) bool {
	st := p.stamp()
	age := c.Now().Sub(time.Time(st.FetchedAt))
	return st.BaseURL == c.BaseURL && age >= -time.Minute && (c.TTL == 0 || age < c.TTL)
}

// cached answers a caller that must not reach the venue: the file's
// rules when fresh, else exchange.ErrRulesNotCached.
func (c *Cache[T, P]) cached() (P, error) {
	p := c.Load()
	if p == nil {
		return nil, fmt.Errorf("%s: %s: %w", c.Venue, c.What, exchange.ErrRulesNotCached)
	}
	c.mu.Lock()
	if c.cur == nil || !c.fresh(c.cur) {
		c.cur = p
	}
	c.mu.Unlock()
	return p, nil
}

func (c *Cache[T, P]) current() P {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

func (c *Cache[T, P]) semaphore() chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sem == nil {
		c.sem = make(chan struct{}, 1)
	}
	return c.sem
}

func (c *Cache[T, P]) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c.Log
}
