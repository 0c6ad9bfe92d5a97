package paper

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestVenue(t *testing.T) {
	v := Venue()
	if v.Name != "paper" || v.New == nil || v.Summary == "" || len(v.Credentials) != 0 {
		t.Errorf("Venue() = %+v", v)
	}
	wantKeys := []string{"db_path", "maker_fee_pct", "price_source", "price_source_options", "price_source_url", "seed", "starting_balances", "taker_fee_pct", "tick_interval"}
	keys := slices.Sorted(slices.Values(v.Keys))
	if diff := cmp.Diff(wantKeys, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	reg := exchange.NewRegistry(v)
	c := newClock(t0)
	ex, err := reg.Open(context.Background(), testParams(t, c, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	if ex.Name() != "paper" {
		t.Errorf("Name() = %q", ex.Name())
	}
	ins, err := ex.Instruments(context.Background())
	if err != nil || len(ins) < 13 {
		t.Fatalf("Instruments: %d, %v", len(ins), err)
	}
	if _, err := exchange.FindInstrument(context.Background(), ex, aapl); err != nil {
		t.Error(err)
	}
	bs, err := ex.Balances(context.Background())
	want := []trade.Balance{trade.NewBalance("USD", dec("100000"), decimal.Zero)}
	if diff := cmp.Diff(want, bs, decimalEqual); err != nil || diff != "" {
		t.Errorf("default balances (-want +got):\n%s %v", diff, err)
	}
	if _, ok := ex.(exchange.PositionLister); !ok {
		t.Error("not a PositionLister")
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    map[string]any
		wantErr string
		want    map[string]string // balances
	}{
		{"yaml map", map[string]any{KeyStartingBalances: map[string]any{"usd": 5000, "BTC": 0.5, "ETH": "2.25"}}, "",
			map[string]string{"USD": "5000", "BTC": "0.5", "ETH": "2.25"}},
		{"yaml v2 map", map[string]any{KeyStartingBalances: map[any]any{"USD": 10}}, "", map[string]string{"USD": "10"}},
		{"text", map[string]any{KeyStartingBalances: "USD=1000, SOL:3"}, "", map[string]string{"USD": "1000", "SOL": "3"}},
		{"empty account", map[string]any{KeyStartingBalances: map[string]any{}}, "", map[string]string{}},
		{"fees as numbers", map[string]any{KeyMakerFeePct: 0, KeyTakerFeePct: "0.25"}, "", map[string]string{"USD": "100000"}},
		{"negative balance", map[string]any{KeyStartingBalances: map[string]any{"USD": -1}}, "negative", nil},
		{"bad asset", map[string]any{KeyStartingBalances: map[string]any{"US D": 1}}, "invalid character", nil},
		{"not a map", map[string]any{KeyStartingBalances: 42}, "map", nil},
		{"bad amount", map[string]any{KeyStartingBalances: "USD=1e5"}, "invalid number", nil},
		{"negative fee", map[string]any{KeyMakerFeePct: -0.1}, "maker_fee_pct", nil},
		{"whole fee", map[string]any{KeyTakerFeePct: 100}, "taker_fee_pct", nil},
		{"seed not a number", map[string]any{KeySeed: "abc"}, "seed", nil},
		{"zero tick", map[string]any{KeyTickInterval: "0s"}, "tick_interval", nil},
		{"bad tick", map[string]any{KeyTickInterval: "soon"}, "tick_interval", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(context.Background(), testParams(t, newClock(t0), tt.opts))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New = %v, want an error mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			got := map[string]string{}
			for a, b := range balances(t, e) {
				got[a] = b.Total.String()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("balances (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFeeOptionsApply(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyTakerFeePct: "0.25", KeyMakerFeePct: "0"})
	ask := path(t, e, btc).Quote(c.Now()).Ask
	o := place(t, e, market(btc, trade.Buy, "0.01"))
	if want := dec("0.01").Mul(ask).Mul(dec("0.0025")); !o.Fee.Equal(want) || o.FeeAsset != "USD" {
		t.Errorf("fee %s %s, want %s USD", o.Fee, o.FeeAsset, want)
	}
}

func TestSeedChangesPrices(t *testing.T) {
	a, _ := newTest(t, nil)
	b, _ := newTest(t, map[string]any{KeySeed: 99})
	qa, _ := a.Quotes(context.Background(), []trade.Symbol{btc})
	qb, _ := b.Quotes(context.Background(), []trade.Symbol{btc})
	if qa[0].Last.Equal(qb[0].Last) {
		t.Errorf("seeds 1 and 99 quote BTC-USD the same: %s", qa[0].Last)
	}
}

func TestQuotes(t *testing.T) {
	e, c := newTest(t, nil)
	got, err := e.Quotes(context.Background(), []trade.Symbol{aapl, btc})
	if err != nil {
		t.Fatal(err)
	}
	want := []trade.Quote{path(t, e, aapl).Quote(t0), path(t, e, btc).Quote(t0)}
	if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
		t.Errorf("quotes (-want +got):\n%s", diff)
	}
	c.Add(time.Hour)
	later, _ := e.Quotes(context.Background(), []trade.Symbol{btc})
	if !later[0].Time.Equal(t0.Add(time.Hour)) {
		t.Errorf("quote time %v, want the clock's", later[0].Time)
	}
	_, err = e.Quotes(context.Background(), []trade.Symbol{btc, {Base: "NOPE"}})
	wantKind(t, err, exchange.ErrNotFound, "NOPE")
}

func TestStreamQuotes(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyTickInterval: "5ms"})
	t.Run("until canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var got []trade.Quote
		var after atomic.Bool
		done := make(chan error, 1)
		go func() {
			done <- e.StreamQuotes(ctx, []trade.Symbol{btc, eth}, func(q trade.Quote) error {
				if after.Load() {
					t.Error("fn called after StreamQuotes returned")
				}
				got = append(got, q)
				c.Add(time.Second)
				if len(got) == 6 {
					cancel()
				}
				return nil
			})
		}()
		err := <-done
		after.Store(true)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("StreamQuotes = %v, want context.Canceled", err)
		}
		if len(got) != 6 || got[0].Symbol != btc || got[1].Symbol != eth {
			t.Fatalf("got %d quotes: %+v", len(got), got)
		}
		// Each quote is the path's at the clock's time when it was made.
		for _, q := range got {
			if want := path(t, e, q.Symbol).Quote(q.Time); !want.Bid.Equal(q.Bid) || !want.Ask.Equal(q.Ask) {
				t.Errorf("quote %+v differs from the path's %+v", q, want)
			}
		}
		time.Sleep(20 * time.Millisecond) // a stray tick would call fn now
	})
	t.Run("fn error ends the stream", func(t *testing.T) {
		boom := errors.New("boom")
		err := e.StreamQuotes(context.Background(), []trade.Symbol{btc}, func(trade.Quote) error { return boom })
		if !errors.Is(err, boom) {
			t.Errorf("StreamQuotes = %v, want fn's error", err)
		}
	})
	t.Run("unknown symbol", func(t *testing.T) {
		err := e.StreamQuotes(context.Background(), []trade.Symbol{{Base: "NOPE"}}, func(trade.Quote) error { return nil })
		wantKind(t, err, exchange.ErrNotFound, "NOPE")
	})
}

func TestReset(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": 50000, "ETH": 1}})
	place(t, e, market(btc, trade.Buy, "0.1"))
	low := trade.FloorTo(path(t, e, eth).Quote(c.Now()).Bid.Mul(dec("0.5")), dec("0.01"))
	place(t, e, limit(eth, trade.Buy, "1", low, trade.GTC))
	if err := e.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("50000"), decimal.Zero}, "ETH": {dec("1"), decimal.Zero}})
	noOrders(t, e)
	if fs := fills(t, e, exchange.FillFilter{}); len(fs) != 0 {
		t.Errorf("%d fills after reset", len(fs))
	}
	if ps, _ := e.Positions(context.Background()); len(ps) != 0 {
		t.Errorf("positions after reset: %+v", ps)
	}
	if o := place(t, e, market(btc, trade.Buy, "0.01")); o.ID != "3" {
		t.Errorf("first order after reset has id %s; ids must keep counting (want 3)", o.ID)
	}
	checkBooks(t, e)
}

func TestMigrations(t *testing.T) {
	t.Run("empty file", func(t *testing.T) {
		c := newClock(t0)
		p := testParams(t, c, nil)
		if err := os.WriteFile(filepath.Join(p.DataDir, "test.db"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		e := open(t, p)
		var v int
		if err := e.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != len(migrations()) {
			t.Errorf("user_version %d (%v), want %d", v, err, len(migrations()))
		}
		var mode string
		if err := e.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode %q (%v), want wal", mode, err)
		}
		place(t, e, market(btc, trade.Buy, "0.01"))
	})
	t.Run("newer schema is refused", func(t *testing.T) {
		c := newClock(t0)
		p := testParams(t, c, nil)
		e := open(t, p)
		if _, err := e.db.Exec("PRAGMA user_version = 99"); err != nil {
			t.Fatal(err)
		}
		e.Close()
		_, err := New(context.Background(), p)
		if err == nil || !strings.Contains(err.Error(), "schema version 99") || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("New on a newer schema = %v", err)
		}
	})
	t.Run("steps apply in order, once, atomically", func(t *testing.T) {
		c := newClock(t0)
		e := open(t, testParams(t, c, nil))
		steps := append(migrations(),
			"CREATE TABLE extra (x INTEGER) STRICT; INSERT INTO extra VALUES (1);",
			"INSERT INTO extra VALUES (2);")
		if err := e.migrate(context.Background(), steps); err != nil {
			t.Fatal(err)
		}
		if err := e.migrate(context.Background(), steps); err != nil { // a second open applies nothing
			t.Fatal(err)
		}
		var n, v int
		e.db.QueryRow("SELECT COUNT(*) FROM extra").Scan(&n)
		e.db.QueryRow("PRAGMA user_version").Scan(&v)
		if n != 2 || v != len(steps) {
			t.Errorf("extra rows %d, version %d; want 2, %d", n, v, len(steps))
		}
		bad := append(steps, "INSERT INTO extra VALUES (3);", "THIS IS NOT SQL")
		if err := e.migrate(context.Background(), bad); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("version %d", len(bad))) {
			t.Fatalf("broken migration: %v", err)
		}
		e.db.QueryRow("SELECT COUNT(*) FROM extra").Scan(&n)
		e.db.QueryRow("PRAGMA user_version").Scan(&v)
		if n != 2 || v != len(steps) {
			t.Errorf("after a failed migration: rows %d, version %d; want 2, %d (all rolled back)", n, v, len(steps))
		}
	})
}

func TestUnwritableDataDir(t *testing.T) {
	// A regular file where a directory should be: fails even as root.
	base := t.TempDir()
	blocker := filepath.Join(base, "file")
	// Longer than SQLite's header, so it is not taken for an empty database.
	if err := os.WriteFile(blocker, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	tiny := filepath.Join(base, "tiny")
	if err := os.WriteFile(tiny, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dataDir string
		opts    map[string]any
		want    string
	}{
		{"data dir under a file", filepath.Join(blocker, "data"), nil, filepath.Join(blocker, "data")},
		{"db_path is a directory", base, map[string]any{KeyDBPath: base}, base},
		{"db_path is not a database", base, map[string]any{KeyDBPath: blocker}, blocker},
		{"db_path is a short file that is not a database", base, map[string]any{KeyDBPath: tiny}, "not a SQLite database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testParams(t, newClock(t0), tt.opts)
			p.DataDir = tt.dataDir
			_, err := New(context.Background(), p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, want an error naming %s", err, tt.want)
			}
			if b, _ := os.ReadFile(tiny); string(b) != "x" {
				t.Errorf("the file at db_path was overwritten: %q", b)
			}
		})
	}
}

func TestDBPathOption(t *testing.T) {
	c := newClock(t0)
	p := testParams(t, c, map[string]any{KeyDBPath: "nested/custom.db"})
	e := open(t, p)
	if want := filepath.Join(p.DataDir, "nested", "custom.db"); e.Path() != want {
		t.Errorf("Path() = %s, want %s", e.Path(), want)
	}
	fi, err := os.Stat(e.Path())
	if err != nil {
		t.Fatal(err)
	}
	// The account names orders and amounts, as the journal does.
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("paper database mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestCanceledContext(t *testing.T) {
	e, _ := newTest(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.PlaceOrder(ctx, market(btc, trade.Buy, "0.01")); !errors.Is(err, context.Canceled) {
		t.Errorf("PlaceOrder = %v, want context.Canceled", err)
	}
	if _, err := e.Balances(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Balances = %v, want context.Canceled", err)
	}
	if _, err := e.Quotes(ctx, []trade.Symbol{btc}); !errors.Is(err, context.Canceled) {
		t.Errorf("Quotes = %v, want context.Canceled", err)
	}
	noOrders(t, e)
}

// TestConcurrentProcesses opens the same file from 20 exchanges, each with
// its own connection as a separate process would, and places orders from
// all of them at once. Every order must land and the books must balance.
func TestConcurrentProcesses(t *testing.T) {
	const procs, each = 20, 4
	c := newClock(t0)
	params := testParams(t, c, map[string]any{KeyStartingBalances: map[string]any{"USD": 1000000, "BTC": 10}})
	low := trade.FloorTo(func() decimal.Decimal {
		e := open(t, params)
		defer e.Close()
		return path(t, e, eth).Quote(t0).Bid.Mul(dec("0.5"))
	}(), dec("0.01"))

	var wg sync.WaitGroup
	errs := make(chan error, procs*each)
	placed := make(chan trade.Order, procs*each)
	start := make(chan struct{})
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			e, err := New(context.Background(), params)
			if err != nil {
				errs <- fmt.Errorf("process %d: %w", i, err)
				return
			}
			defer e.Close()
			reqs := []trade.OrderRequest{
				market(btc, trade.Buy, "0.01"),
				limit(eth, trade.Buy, "1", low, trade.GTC),
				market(btc, trade.Sell, "0.02"),
				{Symbol: btc, Side: trade.Sell, Type: trade.Stop, Qty: dec("0.1"), StopPrice: decimal.NewNullDecimal(dec("1000"))},
			}
			for j, req := range reqs[:each] {
				req.ClientID = fmt.Sprintf("p%d-o%d", i, j)
				o, err := e.PlaceOrder(context.Background(), req)
				if err != nil {
					errs <- fmt.Errorf("process %d order %d: %w", i, j, err)
					continue
				}
				placed <- o
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	close(placed)
	for err := range errs {
		t.Error(err)
	}
	var ids []int
	for o := range placed {
		n, _ := strconv.Atoi(o.ID)
		ids = append(ids, n)
	}
	slices.Sort(ids)
	want := make([]int, procs*each)
	for i := range want {
		want[i] = i + 1
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("order ids (-want +got):\n%s", diff)
	}

	e := open(t, params)
	checkBooks(t, e)
	// And by hand: the 20 ETH limits lock exactly 20·1·low·1.001 USD and the
	// stops 20·0.1 BTC.
	b := balances(t, e)
	if want := dec("20").Mul(low).Mul(one.Add(fee)); !b["USD"].Locked.Equal(want) {
		t.Errorf("USD locked %s, want %s", b["USD"].Locked, want)
	}
	if want := dec("2"); !b["BTC"].Locked.Equal(want) {
		t.Errorf("BTC locked %s, want %s", b["BTC"].Locked, want)
	}
	if want := dec("10").Add(dec("0.2")).Sub(dec("0.4")); !b["BTC"].Total.Equal(want) {
		t.Errorf("BTC total %s, want %s", b["BTC"].Total, want)
	}
}

// A database another process holds: a caller's deadline ends the wait, and
// SQLite's own busy error is reported as retryable.
func TestLockedDatabase(t *testing.T) {
	e, _ := newTest(t, nil)
	holder, err := sql.Open("sqlite", e.Path()+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := e.Balances(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Balances on a locked database = %v, want the deadline", err)
	}

	impatient, err := sql.Open("sqlite", e.Path()+"?_pragma=busy_timeout(0)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()
	_, busy := impatient.Begin()
	if busy == nil {
		t.Fatal("a second writer got the lock")
	}
	if err := e.wrap("test", busy); !errors.Is(err, exchange.ErrUnavailable) || !exchange.Retryable(err) || !strings.Contains(err.Error(), e.Path()) {
		t.Errorf("busy error became %v; want a retryable ErrUnavailable naming the file", err)
	}
}

func BenchmarkPlaceMarketOrder(b *testing.B) {
	c := newClock(t0)
	e := open(b, testParams(b, c, map[string]any{KeyStartingBalances: "USD=1000000000"}))
	req := market(btc, trade.Buy, "0.001")
	for b.Loop() {
		c.Add(time.Second)
		if _, err := e.PlaceOrder(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCatchUp measures a call that replays a day for 50 resting orders.
func BenchmarkCatchUp(b *testing.B) {
	c := newClock(t0)
	e := open(b, testParams(b, c, map[string]any{KeyStartingBalances: "USD=1000000000"}))
	bid := path(b, e, btc).Quote(t0).Bid
	for i := range 50 {
		price := trade.FloorTo(bid.Mul(dec("0.5")).Add(decimal.NewFromInt(int64(i))), dec("0.01"))
		place(b, e, limit(btc, trade.Buy, "0.01", price, trade.GTC))
	}
	for b.Loop() {
		c.Add(24 * time.Hour)
		if _, err := e.Balances(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
