package rulecache

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
)

type rules struct {
	Stamp
	Items []string `json:"items"`
	index map[string]bool
}

func (r *rules) Empty() bool { return len(r.Items) == 0 }
func (r *rules) Index() {
	r.index = map[string]bool{}
	for _, it := range r.Items {
		r.index[it] = true
	}
}

type world struct {
	now     time.Time
	fetches atomic.Int32
	fail    error
}

func (w *world) cache(dir string, ttl time.Duration) *Cache[rules, *rules] {
	return &Cache[rules, *rules]{
		Venue: "venue", What: "rules", BaseURL: "https://venue.example", Dir: dir, TTL: ttl, Version: 2,
		Now: func() time.Time { return w.now },
		Fetch: func(ctx context.Context) (*rules, error) {
			w.fetches.Add(1)
			if w.fail != nil {
				return nil, w.fail
			}
			r := &rules{Items: []string{"BTC-USD"}}
			r.Index()
			return r, nil
		},
	}
}

func TestGetMemoryFileVenue(t *testing.T) {
	dir := t.TempDir()
	w := &world{now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	ctx := context.Background()
	c := w.cache(dir, time.Hour)
	steps := []struct {
		name        string
		do          func() error
		wantFetches int32
	}{
		{"first get fetches", func() error { _, err := c.Get(ctx); return err }, 1},
		{"memory serves", func() error { _, err := c.Get(ctx); return err }, 1},
		{"another process reads the file", func() error {
			r, err := w.cache(dir, time.Hour).Get(ctx)
			if err == nil && !r.index["BTC-USD"] {
				return errors.New("rules read from the file were not indexed")
			}
			return err
		}, 1},
		{"a corrupt file is refetched", func() error {
			if err := os.WriteFile(c.Path(), []byte(`{"version":2,"items":[`), 0o600); err != nil {
				return err
			}
			_, err := w.cache(dir, time.Hour).Get(ctx)
			return err
		}, 2},
		{"another version is refetched", func() error {
			other := w.cache(dir, time.Hour)
			other.Version = 3
			_, err := other.Get(ctx)
			return err
		}, 3},
		{"stale rules are refetched, in memory too", func() error {
			w.now = w.now.Add(2 * time.Hour)
			_, err := c.Get(ctx)
			return err
		}, 4},
		{"another base URL never shares the file", func() error {
			other := w.cache(dir, time.Hour)
			other.BaseURL = "https://testnet.example"
			_, err := other.Get(ctx)
			return err
		}, 5},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := w.fetches.Load(); got != s.wantFetches {
			t.Fatalf("%s: %d fetches, want %d", s.name, got, s.wantFetches)
		}
	}
}

func TestNoFileWithoutDirOrTTL(t *testing.T) {
	w := &world{now: time.Now()}
	if p := w.cache("", time.Hour).Path(); p != "" {
		t.Errorf("no dir: path %q", p)
	}
	if p := w.cache(t.TempDir(), 0).Path(); p != "" {
		t.Errorf("TTL 0: path %q", p)
	}
}

func TestConcurrentGetsFetchOnce(t *testing.T) {
	w := &world{now: time.Now()}
	c := w.cache(t.TempDir(), time.Hour)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Get(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := w.fetches.Load(); got != 1 {
		t.Errorf("%d fetches for 16 concurrent callers, want 1", got)
	}
}

func TestFetchErrorIsReturnedAndNothingCached(t *testing.T) {
	w := &world{now: time.Now(), fail: errors.New("venue down")}
	c := w.cache(t.TempDir(), time.Hour)
	if _, err := c.Get(context.Background()); err == nil || err.Error() != "venue down" {
		t.Fatalf("err = %v", err)
	}
	w.fail = nil
	if _, err := c.Get(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := w.fetches.Load(); got != 2 {
		t.Errorf("fetches = %d, want 2 (a failure is not cached)", got)
	}
}

// TestCachedRulesOnly: a caller that must not reach the venue gets the
// rules held in memory or in a fresh file, and ErrRulesNotCached — with
// no fetch — when there are none or they are stale.
func TestCachedRulesOnly(t *testing.T) {
	w := &world{now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	only := exchange.CachedRulesOnly(context.Background())
	dir := t.TempDir()
	steps := []struct {
		name    string
		cache   *Cache[rules, *rules]
		before  func(c *Cache[rules, *rules])
		wantErr error
	}{
		{"nothing cached", w.cache(dir, time.Hour), nil, exchange.ErrRulesNotCached},
		{"in memory", w.cache(dir, time.Hour), func(c *Cache[rules, *rules]) {
			if _, err := c.Get(context.Background()); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"in the file, another process", w.cache(dir, time.Hour), nil, nil},
		{"the file is stale", w.cache(dir, time.Hour), func(*Cache[rules, *rules]) { w.now = w.now.Add(2 * time.Hour) }, exchange.ErrRulesNotCached},
		{"no file kept", w.cache(dir, 0), nil, exchange.ErrRulesNotCached},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before(s.cache)
		}
		fetches := w.fetches.Load()
		r, err := s.cache.Get(only)
		if !errors.Is(err, s.wantErr) {
			t.Errorf("%s: err = %v, want %v", s.name, err, s.wantErr)
		}
		if err == nil && !r.index["BTC-USD"] {
			t.Errorf("%s: the cached rules were not indexed", s.name)
		}
		if got := w.fetches.Load(); got != fetches {
			t.Errorf("%s: the venue was asked %d times; a cached-only look-up never asks", s.name, got-fetches)
		}
	}
}

// TestFileTime: the file stamps its fetch time as every tradectl time is
// written (RFC 3339, UTC, milliseconds), and a file written with more
// digits and another zone reads as fresh as it is.
func TestFileTime(t *testing.T) {
	dir := t.TempDir()
	w := &world{now: time.Date(2026, 11, 27, 13, 0, 0, 123456789, time.FixedZone("CET", 3600))}
	c := w.cache(dir, time.Hour)
	if _, err := c.Get(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(c.Path())
	if err != nil {
		t.Fatal(err)
	}
	if want := `"fetched_at":"2026-11-27T12:00:00.123Z"`; !strings.Contains(string(b), want) {
		t.Errorf("cache file %s lacks %s", b, want)
	}

	older := `{"version":2,"base_url":"https://venue.example","fetched_at":"2026-11-27T13:00:00.123456789+01:00","items":["ETH-USD"]}`
	if err := os.WriteFile(c.Path(), []byte(older), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := w.cache(dir, time.Hour).Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.index["ETH-USD"] || w.fetches.Load() != 1 {
		t.Errorf("a fresh file with a nanosecond stamp was not used: items %v, %d fetches", r.Items, w.fetches.Load())
	}
}
