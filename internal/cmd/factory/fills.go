package factory

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/fillcache"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/trade"
)

// newFillHistory is the Factory's FillHistory: a profile's fills, oldest
// first, from the local fill cache brought up to date with the venue.
//
//   - A venue with a full history (exchange.FillHistorian) is synced into
//     the cache (fills.db in the cache directory, opened once per command)
//     and the range is read from there, so a second run asks the venue only
//     for what is new.
//   - A simulated venue (paper) is read straight: its fills already live in
//     a local file, and a cached copy could outlive a `paper reset`, whose
//     new account numbers its fills from 1 again.
//   - A venue with only a recent-fills listing (exchange.FillLister) is read
//     as before.
func newFillHistory(f *cmdutil.Factory) func(context.Context, exchange.Exchange, string, exchange.FillFilter) ([]trade.Fill, error) {
	progress := &syncProgress{io: f.IOStreams}
	openCache := sync.OnceValues(func() (*fillcache.Cache, error) {
		dirs, err := f.Dirs()
		if err != nil {
			return nil, err
		}
		c, err := fillcache.Open(context.Background(), filepath.Join(dirs.CacheDir(), fillcache.FileName),
			fillcache.WithClock(f.Now), fillcache.WithProgress(progress.report))
		if err != nil {
			return nil, &cmdutil.SetupError{Err: err}
		}
		f.OnExit(func() { _ = c.Close() })
		return c, nil
	})
	return func(ctx context.Context, ex exchange.Exchange, profile string, filter exchange.FillFilter) ([]trade.Fill, error) {
		fh, full := ex.(exchange.FillHistorian)
		switch {
		case full && exchange.IsSimulated(ex):
			return readHistory(ctx, fh, filter)
		case full:
			c, err := openCache()
			if err != nil {
				return nil, err
			}
			progress.begin()
			defer progress.end()
			return cachedHistory(ctx, f, c, ex, fh, profile, filter)
		default:
			return listedFills(ctx, ex, filter)
		}
	}
}

// syncProgress shows how far the fill-history syncs of one command have
// got, on one spinner line on a terminal's stderr (nothing on a pipe). A
// first sync can take many pages; several profiles syncing at once add up
// on the same line.
type syncProgress struct {
	io     *iostreams.IOStreams
	mu     sync.Mutex
	sp     *iostreams.Spinner
	active int
	pages  int
	fills  int
}

func (p *syncProgress) begin() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active == 0 {
		p.sp = p.io.StartSpinner(p.label())
	}
	p.active++
}

func (p *syncProgress) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.active--
	if p.active == 0 {
		p.sp.Stop()
		p.sp = nil
	}
}

// report is the cache's WithProgress callback.
func (p *syncProgress) report(pages, newFills int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages += pages
	p.fills += newFills
	if p.sp != nil {
		p.sp.SetLabel(p.label())
	}
}

func (p *syncProgress) label() string {
	if p.pages == 0 {
		return "reading fill history…"
	}
	return fmt.Sprintf("reading fill history: %s, %s", plural(p.pages, "page"), plural(p.fills, "new fill"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// readHistory pages through a venue's history of filter's range without
// the cache.
func readHistory(ctx context.Context, fh exchange.FillHistorian, filter exchange.FillFilter) ([]trade.Fill, error) {
	q := exchange.FillQuery{Symbol: filter.Symbol, Since: filter.Since, Until: filter.Until}
	var out []trade.Fill
	seen := map[string]bool{}
	for {
		page, err := fh.FillHistory(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("fill history: %w", err)
		}
		for _, fill := range page.Fills {
			if !seen[fill.ID] {
				seen[fill.ID] = true
				out = append(out, fill)
			}
		}
		if page.Next == "" || page.Next == q.Cursor {
			break
		}
		q.Cursor = page.Next
	}
	return oldestFirst(out, filter.Limit), nil
}

// cachedHistory syncs the profile's cache and reads filter's range from it.
func cachedHistory(ctx context.Context, f *cmdutil.Factory, c *fillcache.Cache, ex exchange.Exchange, fh exchange.FillHistorian,
	profile string, filter exchange.FillFilter) ([]trade.Fill, error) {
	known := journalKnowledge(ctx, f, profile)
	var symbols []trade.Symbol
	if fh.FillScope() == exchange.FillsPerSymbol {
		var err error
		if symbols, err = historySymbols(ctx, c, ex, profile, filter, known.symbols); err != nil {
			return nil, err
		}
	}
	stats, err := c.Sync(ctx, fh, profile, symbols)
	f.Logger().Debug("fill history synced", "profile", profile, "requests", stats.Pages(), "new_fills", stats.New(), "cache", c.Path())
	if err != nil {
		return nil, err
	}
	fills, err := c.Fills(ctx, profile, filter)
	if err != nil {
		return nil, err
	}
	for i := range fills {
		if fills[i].ClientID == "" {
			fills[i].ClientID = known.clientIDs[fills[i].OrderID]
		}
	}
	return fills, nil
}

// historySymbols are the symbols a per-symbol venue is read for: the one
// asked for, else every pair of two assets the account holds now, every
// symbol the cache already knows for the profile and every symbol the
// journal placed an order in. A pair the account emptied and never traded
// through tradectl is missed until it is asked for with --symbol once.
func historySymbols(ctx context.Context, c *fillcache.Cache, ex exchange.Exchange, profile string, filter exchange.FillFilter, journaled []trade.Symbol) ([]trade.Symbol, error) {
	if !filter.Symbol.IsZero() {
		return []trade.Symbol{filter.Symbol}, nil
	}
	balances, err := ex.Balances(ctx)
	if err != nil {
		return nil, fmt.Errorf("balances (to choose the symbols to read): %w", err)
	}
	instruments, err := ex.Instruments(ctx)
	if err != nil {
		return nil, fmt.Errorf("instruments (to choose the symbols to read): %w", err)
	}
	held := map[string]bool{}
	for _, b := range balances {
		if !b.Total.IsZero() {
			held[b.Asset] = true
		}
	}
	var out []trade.Symbol
	for _, in := range instruments {
		if held[in.BaseAsset] && held[in.QuoteAsset] {
			out = append(out, in.Symbol)
		}
	}
	cached, err := c.Symbols(ctx, profile)
	if err != nil {
		return nil, err
	}
	return append(append(out, cached...), journaled...), nil
}

// journalled is what the order journal knows of a profile's orders.
type journalled struct {
	symbols   []trade.Symbol
	clientIDs map[string]string // order id → client id
}

// journalKnowledge reads the journal's record of the profile's orders. It
// is a hint: without a journal file (nothing placed from this machine) or
// when it cannot be read, it is empty, and no journal is created.
func journalKnowledge(ctx context.Context, f *cmdutil.Factory, profile string) journalled {
	k := journalled{clientIDs: map[string]string{}}
	dirs, err := f.Dirs()
	if err != nil || !journal.Exists(filepath.Join(dirs.StateDir(), journal.FileName)) {
		return k
	}
	j, err := f.Journal()
	if err != nil {
		f.Logger().Warn("the order journal cannot be opened; fills are shown without its client ids", "err", err)
		return k
	}
	entries, err := j.Entries(ctx, journal.Query{Profile: profile})
	if err != nil {
		f.Logger().Warn("the order journal cannot be read; fills are shown without its client ids", "err", err)
		return k
	}
	for _, e := range entries {
		if e.Request != nil && !e.Request.Symbol.IsZero() {
			k.symbols = append(k.symbols, e.Request.Symbol)
		}
		if e.OrderID != "" && e.ClientID != "" {
			k.clientIDs[e.OrderID] = e.ClientID
		}
	}
	return k
}

// listedFills reads a venue's recent-fills listing, oldest first.
func listedFills(ctx context.Context, ex exchange.Exchange, f exchange.FillFilter) ([]trade.Fill, error) {
	fl, ok := ex.(exchange.FillLister)
	if !ok {
		return nil, cmdutil.Usagef("%s does not report fills", ex.Name())
	}
	fills, err := fl.Fills(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("fills: %w", err)
	}
	out := fills[:0]
	for _, fill := range fills {
		if f.Until.IsZero() || fill.Time.Before(f.Until) {
			out = append(out, fill)
		}
	}
	return oldestFirst(out, 0), nil
}

// oldestFirst sorts fills by time, keeping the venue's order within a
// millisecond, and keeps the newest limit of them (0: all).
func oldestFirst(fills []trade.Fill, limit int) []trade.Fill {
	slices.SortStableFunc(fills, func(a, b trade.Fill) int { return a.Time.Compare(b.Time) })
	if limit > 0 && len(fills) > limit {
		fills = fills[len(fills)-limit:]
	}
	return fills
}
