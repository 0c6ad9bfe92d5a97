package factory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/trade"
)

// remote is the paper exchange seen as a venue: a FillHistorian that is
// not simulated, so the Factory caches it. It counts the history requests.
type remote struct {
	exchange.Exchange
	history  exchange.FillHistorian
	mu       sync.Mutex
	requests int
	// noClientIDs plays a venue that reports fills without client ids.
	noClientIDs bool
}

func (r *remote) FillScope() exchange.FillScope { return r.history.FillScope() }

func (r *remote) FillHistory(ctx context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	r.mu.Lock()
	r.requests++
	r.mu.Unlock()
	page, err := r.history.FillHistory(ctx, q)
	if r.noClientIDs {
		for i := range page.Fills {
			page.Fills[i].ClientID = ""
		}
	}
	return page, err
}

func (r *remote) took() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.requests
	r.requests = 0
	return n
}

// bare is an exchange with neither fill capability.
type bare struct{ exchange.Exchange }

func newFillsFactory(t *testing.T) (*cmdutil.Factory, string) {
	t.Helper()
	home := t.TempDir()
	env := map[string]string{"HOME": home, "XDG_CACHE_HOME": filepath.Join(home, "cache"), "XDG_STATE_HOME": filepath.Join(home, "state")}
	ios, _, _, _ := iostreams.Test()
	f := New(ios, func(k string) string { return env[k] }, time.Now)
	t.Cleanup(f.RunExitHooks)
	return f, filepath.Join(home, "cache", "tradectl", "fills.db")
}

func newPaper(t *testing.T) *paper.Exchange {
	t.Helper()
	e, err := paper.New(context.Background(), exchange.Params{Profile: "p", Exchange: paper.Name, Options: map[string]any{},
		DataDir: t.TempDir(), CacheDir: t.TempDir(), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func buy(t *testing.T, e *paper.Exchange, sym string) trade.Order {
	t.Helper()
	s, _ := trade.ParseSymbol(sym)
	o, err := e.PlaceOrder(context.Background(), trade.OrderRequest{Symbol: s, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01")})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func symbols(fills []trade.Fill) []string {
	out := []string{}
	for _, f := range fills {
		out = append(out, f.Symbol.String())
	}
	return out
}

// TestFillHistoryCachesVenues: a venue's history goes through the cache,
// and the second read asks for the new fills only.
func TestFillHistoryCachesVenues(t *testing.T) {
	ctx := context.Background()
	f, cacheFile := newFillsFactory(t)
	e := newPaper(t)
	venue := &remote{Exchange: e, history: e}
	buy(t, e, "BTC-USD")
	buy(t, e, "ETH-USD")

	got, err := f.FillHistory(ctx, venue, "main", exchange.FillFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"BTC-USD", "ETH-USD"}, symbols(got)); diff != "" {
		t.Errorf("first read (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(cacheFile); err != nil {
		t.Errorf("no fill cache after reading a venue: %v", err)
	}
	venue.took()

	buy(t, e, "BTC-USD")
	got, err = f.FillHistory(ctx, venue, "main", exchange.FillFilter{Symbol: trade.Symbol{Base: "BTC", Quote: "USD"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"BTC-USD", "BTC-USD"}, symbols(got)); diff != "" {
		t.Errorf("second read, BTC only (-want +got):\n%s", diff)
	}
	if n := venue.took(); n != 1 {
		t.Errorf("the second read made %d requests, want 1", n)
	}
}

// TestFillHistoryReadsPaperStraight: the paper exchange is read from its
// own file, and no cache file appears.
func TestFillHistoryReadsPaperStraight(t *testing.T) {
	f, cacheFile := newFillsFactory(t)
	e := newPaper(t)
	buy(t, e, "ETH-USD")
	buy(t, e, "BTC-USD")
	got, err := f.FillHistory(context.Background(), e, "p", exchange.FillFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"BTC-USD"}, symbols(got)); diff != "" {
		t.Errorf("the newest fill (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(cacheFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("reading paper created the fill cache (stat: %v)", err)
	}
}

func TestFillHistoryWithoutFills(t *testing.T) {
	f, _ := newFillsFactory(t)
	_, err := f.FillHistory(context.Background(), bare{newPaper(t)}, "p", exchange.FillFilter{})
	var ue *cmdutil.UsageError
	if !errors.As(err, &ue) {
		t.Errorf("a venue without fills: error %v, want a usage error", err)
	}
}

// TestFillHistoryClientIDsFromJournal: where the venue leaves a fill's
// client id out, the journal's record of the order supplies it.
func TestFillHistoryClientIDsFromJournal(t *testing.T) {
	ctx := context.Background()
	f, _ := newFillsFactory(t)
	e := newPaper(t)
	venue := &remote{Exchange: e, history: e, noClientIDs: true}
	known := buy(t, e, "BTC-USD")
	buy(t, e, "ETH-USD")
	j, err := f.Journal()
	if err != nil {
		t.Fatal(err)
	}
	if err := j.RecordOrder(ctx, "main", known); err != nil {
		t.Fatal(err)
	}
	got, err := f.FillHistory(ctx, venue, "main", exchange.FillFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, fl := range got {
		ids = append(ids, fl.ClientID)
	}
	if diff := cmp.Diff([]string{known.ClientID, ""}, ids); diff != "" {
		t.Errorf("client ids (-want +got):\n%s", diff)
	}
}

// TestFillHistoryProgress: a sync shows a progress line on a terminal's
// stderr and clears it when done; on a pipe it writes nothing.
func TestFillHistoryProgress(t *testing.T) {
	for _, tty := range []bool{false, true} {
		t.Run(map[bool]string{false: "pipe", true: "tty"}[tty], func(t *testing.T) {
			home := t.TempDir()
			env := map[string]string{"HOME": home, "XDG_CACHE_HOME": filepath.Join(home, "cache")}
			ios, _, _, errOut := iostreams.Test()
			ios.SetTTY(false, false, tty)
			f := New(ios, func(k string) string { return env[k] }, time.Now)
			t.Cleanup(f.RunExitHooks)
			e := newPaper(t)
			buy(t, e, "BTC-USD")
			if _, err := f.FillHistory(context.Background(), &remote{Exchange: e, history: e}, "main", exchange.FillFilter{}); err != nil {
				t.Fatal(err)
			}
			got := errOut.String()
			if !tty {
				if got != "" {
					t.Errorf("stderr on a pipe = %q, want nothing", got)
				}
				return
			}
			if !strings.Contains(got, "reading fill history") || !strings.HasSuffix(got, "\r\x1b[K") {
				t.Errorf("stderr on a terminal = %q, want a progress line, cleared at the end", got)
			}
		})
	}
}

// TestSyncProgressLabel: the counts of profiles syncing at once add up on
// one line, and the line goes only when the last sync ends.
func TestSyncProgressLabel(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	p := &syncProgress{io: ios}
	p.begin()
	p.begin()
	p.report(1, 1)
	p.report(1, 500)
	p.report(1, 0)
	if got, want := p.label(), "reading fill history: 3 pages, 501 new fills"; got != want {
		t.Errorf("label = %q, want %q", got, want)
	}
	p.end()
	if p.sp == nil {
		t.Error("the line went while a sync was still running")
	}
	p.end()
	if p.sp != nil {
		t.Error("the line stayed after the last sync ended")
	}
}
