// Package fillcache keeps a local copy of each profile's fill history so
// that reading it again asks the venue only for what is new.
//
// A venue's history is read in scopes: the whole account for most venues,
// one symbol at a time for those that keep fills per symbol (Binance). For
// each (profile, scope) the cache remembers the newest fill it holds and,
// while a read is under way, the read's query and the cursor of its next
// page. Every page is stored in one transaction together with that
// cursor, so an interrupted read resumes where it stopped, never stores
// half a page, and never loses one.
package fillcache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// symbolConcurrency bounds the per-symbol reads running at once for a
// venue that keeps fills per symbol. The venue's own rate limiter paces
// the requests; this only keeps a long symbol list from opening a
// connection per symbol.
const symbolConcurrency = 4

// untilMargin is added to the local clock to fix the end of a new read. A
// read keeps one end for all its pages so they line up; the margin keeps a
// fill the venue stamped a moment "after" our clock (skew) in this run
// instead of the next.
const untilMargin = time.Minute

// Cache is an open fill cache. It is safe for concurrent use.
type Cache struct {
	db       *sql.DB
	path     string
	now      func() time.Time
	progress func(pages, newFills int)
}

// Option configures Open.
type Option func(*Cache)

// WithClock sets the clock that fixes the end of a new read (default
// time.Now).
func WithClock(now func() time.Time) Option { return func(c *Cache) { c.now = now } }

// WithProgress has Sync report each page it stores: one page and the
// fills on it that were new. A first sync of a long history can take many
// pages (minutes on a per-symbol venue), and a person at a terminal should
// see it move. report may be called from several goroutines at once.
func WithProgress(report func(pages, newFills int)) Option {
	return func(c *Cache) { c.progress = report }
}

// Open opens (creating if needed) the cache file at path.
func Open(ctx context.Context, path string, opts ...Option) (*Cache, error) {
	c := &Cache{path: path, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	db, err := openDB(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, path, migrations()); err != nil {
		db.Close()
		return nil, err
	}
	c.db = db
	return c, nil
}

// Close releases the file.
func (c *Cache) Close() error { return c.db.Close() }

// Path is the cache's file.
func (c *Cache) Path() string { return c.path }

// ScopeStats is what one scope's sync did.
type ScopeStats struct {
	// Scope is "" for a whole-account venue, else the symbol.
	Scope string
	// Pages is the number of pages read: one request each.
	Pages int
	// New is the number of fills the cache did not hold before.
	New int
	// Resumed says the sync continued a read an earlier run left
	// unfinished.
	Resumed bool
}

// Stats is what a Sync did, scope by scope.
type Stats struct {
	Scopes []ScopeStats
}

// Pages is the number of requests over every scope.
func (s Stats) Pages() int {
	n := 0
	for _, sc := range s.Scopes {
		n += sc.Pages
	}
	return n
}

// New is the number of new fills over every scope.
func (s Stats) New() int {
	n := 0
	for _, sc := range s.Scopes {
		n += sc.New
	}
	return n
}

// Sync brings the profile's cached history up to date from ex. For a
// per-symbol venue it reads each of symbols (a symbol the account never
// traded costs one empty page); for a per-account venue symbols are
// ignored and the whole account is one scope. A scope that fails does not
// stop the others: what they read is kept, and the errors are returned
// together with the stats of everything that was done.
func (c *Cache) Sync(ctx context.Context, ex exchange.FillHistorian, profile string, symbols []trade.Symbol) (Stats, error) {
	venue := venueName(ex)
	if err := c.forgetOtherVenue(ctx, profile, venue); err != nil {
		return Stats{}, err
	}
	if ex.FillScope() != exchange.FillsPerSymbol {
		st, err := c.syncScope(ctx, ex, profile, venue, trade.Symbol{})
		return Stats{Scopes: []ScopeStats{st}}, err
	}
	symbols = uniqueSymbols(symbols)
	stats := make([]ScopeStats, len(symbols))
	errs := make([]error, len(symbols))
	sem := make(chan struct{}, symbolConcurrency)
	var wg sync.WaitGroup
	for i, sym := range symbols {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				stats[i] = ScopeStats{Scope: sym.String()}
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			stats[i], errs[i] = c.syncScope(ctx, ex, profile, venue, sym)
		}()
	}
	wg.Wait()
	return Stats{Scopes: stats}, errors.Join(errs...)
}

// venueName names the venue for the check that a profile still points at
// the venue its cached fills came from.
func venueName(ex exchange.FillHistorian) string {
	if n, ok := ex.(interface{ Name() string }); ok {
		return n.Name()
	}
	return ""
}

func uniqueSymbols(in []trade.Symbol) []trade.Symbol {
	out := make([]trade.Symbol, 0, len(in))
	seen := map[trade.Symbol]bool{}
	for _, s := range in {
		if !s.IsZero() && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b trade.Symbol) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// forgetOtherVenue drops a profile's cache when the profile now names
// another venue: fill ids of two venues say nothing about each other.
func (c *Cache) forgetOtherVenue(ctx context.Context, profile, venue string) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return c.wrap("open", err)
	}
	defer tx.Rollback()
	var other int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM sync_state WHERE profile = ? AND exchange <> ?", profile, venue).Scan(&other); err != nil {
		return c.wrap("read sync state", err)
	}
	if other == 0 {
		return nil
	}
	for _, q := range []string{"DELETE FROM fills WHERE profile = ?", "DELETE FROM sync_state WHERE profile = ?"} {
		if _, err := tx.ExecContext(ctx, q, profile); err != nil {
			return c.wrap("forget the profile's earlier venue", err)
		}
	}
	return c.wrap("forget the profile's earlier venue", tx.Commit())
}

// state is one scope's row of sync_state.
type state struct {
	cursor     string
	since      int64 // unix ms, 0: none
	until      int64
	afterID    string
	newestID   string
	newestTime int64 // unix ms, 0: nothing held
}

func (c *Cache) loadState(ctx context.Context, profile, scope string) (state, error) {
	var s state
	err := c.db.QueryRowContext(ctx, `SELECT cursor, since, until, after_id, newest_id, newest_time
FROM sync_state WHERE profile = ? AND scope = ?`, profile, scope).
		Scan(&s.cursor, &s.since, &s.until, &s.afterID, &s.newestID, &s.newestTime)
	if errors.Is(err, sql.ErrNoRows) {
		return state{}, nil
	}
	return s, c.wrap("read sync state", err)
}

// syncScope reads one scope to the end of its history, page by page.
func (c *Cache) syncScope(ctx context.Context, ex exchange.FillHistorian, profile, venue string, sym trade.Symbol) (ScopeStats, error) {
	scope := ""
	if !sym.IsZero() {
		scope = sym.String()
	}
	st := ScopeStats{Scope: scope}
	s, err := c.loadState(ctx, profile, scope)
	if err != nil {
		return st, err
	}
	if s.cursor != "" {
		// An earlier run stopped in the middle: finish that read with the
		// query it started with, so its pages still line up; its end is
		// in the past, so a new read follows for what came since.
		st.Resumed = true
		if err := c.readToEnd(ctx, ex, profile, venue, sym, scope, &s, &st); err != nil {
			return st, err
		}
	}
	// A new read from the newest fill held, inclusive: fills of that same
	// millisecond that arrived after it are not missed, and the ones
	// already held are absorbed by the key.
	s.since, s.afterID = s.newestTime, s.newestID
	s.until = c.now().Add(untilMargin).UnixMilli()
	return st, c.readToEnd(ctx, ex, profile, venue, sym, scope, &s, &st)
}

// readToEnd follows one read of a scope, described by s, page by page to
// its last page.
func (c *Cache) readToEnd(ctx context.Context, ex exchange.FillHistorian, profile, venue string, sym trade.Symbol, scope string, s *state, st *ScopeStats) error {
	q := exchange.FillQuery{Symbol: sym, AfterID: s.afterID, Cursor: s.cursor}
	if s.since != 0 {
		q.Since = time.UnixMilli(s.since).UTC()
	}
	if s.until != 0 {
		q.Until = time.UnixMilli(s.until).UTC()
	}
	for {
		page, err := ex.FillHistory(ctx, q)
		if err != nil {
			return fmt.Errorf("fill history%s: %w", scopeText(scope), err)
		}
		st.Pages++
		if page.Next != "" && page.Next == q.Cursor {
			return fmt.Errorf("fill history%s: the venue returned the same cursor %q again", scopeText(scope), q.Cursor)
		}
		n, err := c.storePage(ctx, profile, venue, scope, s, page)
		if err != nil {
			return err
		}
		st.New += n
		if c.progress != nil {
			c.progress(1, n)
		}
		if page.Next == "" {
			return nil
		}
		q.Cursor = page.Next
	}
}

func scopeText(scope string) string {
	if scope == "" {
		return ""
	}
	return " of " + scope
}

// storePage stores one page's fills and the state after it in one
// transaction, and returns how many fills were new.
func (c *Cache) storePage(ctx context.Context, profile, venue, scope string, s *state, page exchange.FillPage) (int, error) {
	// The record of what was read is written even when the command's
	// deadline passes mid-write: the page was paid for.
	ctx = context.WithoutCancel(ctx)
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, c.wrap("store fills", err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO fills
(profile, id, order_id, client_id, symbol, side, qty, price, fee, fee_asset, liquidity, time)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (profile, id) DO NOTHING`)
	if err != nil {
		return 0, c.wrap("store fills", err)
	}
	defer ins.Close()
	next := *s
	added := 0
	for _, f := range page.Fills {
		if f.ID == "" {
			return 0, fmt.Errorf("fill history%s: the venue returned a fill without an id", scopeText(scope))
		}
		res, err := ins.ExecContext(ctx, profile, f.ID, f.OrderID, f.ClientID, f.Symbol.String(), string(f.Side),
			f.Qty.String(), f.Price.String(), f.Fee.String(), f.FeeAsset, string(f.Liquidity), f.Time.UnixMilli())
		if err != nil {
			return 0, c.wrap("store fills", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added++
		}
		if at := f.Time.UnixMilli(); next.newestTime == 0 || at > next.newestTime ||
			(at == next.newestTime && compareIDs(f.ID, next.newestID) > 0) {
			next.newestTime, next.newestID = at, f.ID
		}
	}
	next.cursor = page.Next
	if page.Next == "" {
		next.since, next.until, next.afterID = 0, 0, ""
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sync_state
(profile, scope, exchange, cursor, since, until, after_id, newest_id, newest_time, synced_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (profile, scope) DO UPDATE SET exchange = excluded.exchange, cursor = excluded.cursor,
	since = excluded.since, until = excluded.until, after_id = excluded.after_id,
	newest_id = excluded.newest_id, newest_time = excluded.newest_time, synced_at = excluded.synced_at`,
		profile, scope, venue, next.cursor, next.since, next.until, next.afterID, next.newestID, next.newestTime, c.now().UnixMilli())
	if err != nil {
		return 0, c.wrap("store sync state", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, c.wrap("store fills", err)
	}
	*s = next
	return added, nil
}

// compareIDs orders fill ids: numerically when both are decimal integers
// (Binance, paper), else as text. It only breaks ties between fills of the
// same millisecond.
func compareIDs(a, b string) int {
	if isDigits(a) && isDigits(b) {
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			return len(a) - len(b)
		}
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Fills returns the profile's cached fills in f's range (Since inclusive,
// Until exclusive, Symbol when set), oldest first; fills of the same
// millisecond keep the order they were read in. f.Limit, when positive,
// keeps the newest Limit of them.
func (c *Cache) Fills(ctx context.Context, profile string, f exchange.FillFilter) ([]trade.Fill, error) {
	where := []string{"profile = ?"}
	args := []any{profile}
	if !f.Symbol.IsZero() {
		where = append(where, "symbol = ?")
		args = append(args, f.Symbol.String())
	}
	if !f.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		where = append(where, "time < ?")
		args = append(args, f.Until.UnixMilli())
	}
	q := `SELECT id, order_id, client_id, symbol, side, qty, price, fee, fee_asset, liquidity, time
FROM fills WHERE ` + strings.Join(where, " AND ") + " ORDER BY time DESC, rowid DESC"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, c.wrap("read fills", err)
	}
	defer rows.Close()
	out := []trade.Fill{}
	for rows.Next() {
		var (
			fl                              trade.Fill
			sym, side, qty, price, fee, liq string
			at                              int64
		)
		if err := rows.Scan(&fl.ID, &fl.OrderID, &fl.ClientID, &sym, &side, &qty, &price, &fee, &fl.FeeAsset, &liq, &at); err != nil {
			return nil, c.wrap("read fills", err)
		}
		if fl.Symbol, err = trade.ParseSymbol(sym); err != nil {
			return nil, fmt.Errorf("fill cache: fill %s: %w", fl.ID, err)
		}
		for _, d := range []struct {
			dst *decimal.Decimal
			src string
		}{{&fl.Qty, qty}, {&fl.Price, price}, {&fl.Fee, fee}} {
			if *d.dst, err = decimal.NewFromString(d.src); err != nil {
				return nil, fmt.Errorf("fill cache: fill %s: stored number %q: %w", fl.ID, d.src, err)
			}
		}
		fl.Side, fl.Liquidity, fl.Time = trade.Side(side), trade.Liquidity(liq), time.UnixMilli(at).UTC()
		out = append(out, fl)
	}
	if err := rows.Err(); err != nil {
		return nil, c.wrap("read fills", err)
	}
	slices.Reverse(out)
	return out, nil
}

// Symbols lists the symbols the profile's cached fills and sync state
// name: a per-symbol venue keeps reading them even after the account no
// longer holds the asset.
func (c *Cache) Symbols(ctx context.Context, profile string) ([]trade.Symbol, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT DISTINCT symbol FROM fills WHERE profile = ?
UNION SELECT scope FROM sync_state WHERE profile = ? AND scope <> ''`, profile, profile)
	if err != nil {
		return nil, c.wrap("read symbols", err)
	}
	defer rows.Close()
	var out []trade.Symbol
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, c.wrap("read symbols", err)
		}
		sym, err := trade.ParseSymbol(s)
		if err != nil {
			return nil, fmt.Errorf("fill cache: stored symbol %q: %w", s, err)
		}
		out = append(out, sym)
	}
	return uniqueSymbols(out), c.wrap("read symbols", rows.Err())
}

func (c *Cache) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("fill cache: %s (%s): %w", op, c.path, err)
}
