package dashboard

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/trade"
)

var pinned = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// openPaper opens a fresh paper account per profile name in dir.
func openPaper(t testing.TB, dir string) func(ctx context.Context, profile string) (exchange.Exchange, error) {
	return func(ctx context.Context, profile string) (exchange.Exchange, error) {
		return paper.New(ctx, exchange.Params{
			Profile: profile, Exchange: "paper", Options: map[string]any{},
			DataDir: dir, CacheDir: dir, Now: func() time.Time { return pinned },
		})
	}
}

// slow delays every call of the wrapped exchange, honouring ctx, or fails
// every call when err is set.
type slow struct {
	exchange.Exchange
	delay time.Duration
	err   error
}

func (s *slow) wait(ctx context.Context) error {
	if s.err != nil {
		return s.err
	}
	select {
	case <-time.After(s.delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *slow) Balances(ctx context.Context) ([]trade.Balance, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.Exchange.Balances(ctx)
}

func (s *slow) ListOrders(ctx context.Context, f exchange.ListFilter) ([]trade.Order, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.Exchange.ListOrders(ctx, f)
}

func TestCollectValuesAccountsExactly(t *testing.T) {
	dir := t.TempDir()
	open := openPaper(t, dir)
	ctx := context.Background()
	ex, err := open(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	buy := trade.OrderRequest{Symbol: trade.MustSymbol("BTC-USD"), Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.5")}
	order, err := ex.PlaceOrder(ctx, buy)
	if err != nil {
		t.Fatal(err)
	}
	rest := trade.OrderRequest{Symbol: trade.MustSymbol("ETH-USD"), Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("1"), Price: trade.OptDec("100")}
	if _, err := ex.PlaceOrder(ctx, rest); err != nil {
		t.Fatal(err)
	}
	qs, err := ex.Quotes(ctx, []trade.Symbol{buy.Symbol})
	if err != nil {
		t.Fatal(err)
	}
	ex.Close()

	col := &Collector{Profiles: []Profile{{"alpha", "paper"}, {"beta", "paper"}}, Currency: "USD", TargetTimeout: 5 * time.Second,
		Open: open, Now: func() time.Time { return pinned }}
	snap := col.Collect(ctx)
	if snap.Failed != 0 {
		t.Fatalf("failed accounts: %+v", snap.Accounts)
	}
	last := qs[0].Last
	cost := order.FilledQty.Mul(order.AvgFillPrice.Decimal).Add(order.Fee)
	cash := decimal.NewFromInt(100000).Sub(cost)
	held := order.FilledQty.Mul(last)
	want := Totals{
		Equity:   cash.Add(held).Add(decimal.NewFromInt(100000)),
		Cash:     cash.Add(decimal.NewFromInt(100000)),
		Holdings: held,
		// The fee paid to open is part of the cost basis (average-cost method).
		UnrealizedPnL: held.Sub(cost),
		Fees:          order.Fee,
		Unvalued:      []string{},
	}
	eq := cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
	if diff := cmp.Diff(want, snap.Totals, eq); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	a := snap.Accounts[0]
	if len(a.OpenOrders) != 1 || len(a.Positions) != 1 || !a.Positions[0].Qty.Equal(trade.Dec("0.5")) {
		t.Errorf("alpha: %d open orders, positions %+v", len(a.OpenOrders), a.Positions)
	}
	if got := len(snap.Accounts[1].Positions); got != 0 {
		t.Errorf("beta holds nothing, got %d positions", got)
	}
}

func TestCollectPartialFailures(t *testing.T) {
	dir := t.TempDir()
	open := openPaper(t, dir)
	col := &Collector{
		Profiles: []Profile{{"ok", "paper"}, {"broken", "paper"}, {"hanging", "paper"}},
		// The deadline is only for the hanging account: long enough that a
		// paper account opened under the race detector on a loaded machine
		// is never the one that times out.
		Currency: "USD", TargetTimeout: 3 * time.Second, Now: time.Now,
		Open: func(ctx context.Context, name string) (exchange.Exchange, error) {
			ex, err := open(ctx, name)
			if err != nil {
				return nil, err
			}
			switch name {
			case "broken":
				return &slow{Exchange: ex, err: &exchange.Error{Kind: exchange.ErrAuth, Venue: "paper", Message: "bad key"}}, nil
			case "hanging":
				return &slow{Exchange: ex, delay: time.Hour}, nil
			}
			return ex, nil
		},
	}
	start := time.Now()
	snap := col.Collect(context.Background())
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("a hanging account held the dashboard for %v", elapsed)
	}
	type row struct {
		Profile  string
		OK       bool
		Code     string
		TimedOut bool
	}
	var got []row
	for _, a := range snap.Accounts {
		r := row{Profile: a.Profile, OK: a.OK}
		if a.Error != nil {
			r.Code, r.TimedOut = a.Error.Code, a.Error.TimedOut
		}
		got = append(got, r)
	}
	want := []row{{"ok", true, "", false}, {"broken", false, "auth", false}, {"hanging", false, "timeout", true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	if snap.Failed != 2 || !strings.Contains(snap.Accounts[1].Error.Message, "bad key") {
		t.Errorf("failed = %d, broken error = %+v", snap.Failed, snap.Accounts[1].Error)
	}
	if err := partial(snap); err == nil {
		t.Error("a snapshot with failed accounts must give the partial error (exit 8)")
	}
}

func TestCollectCanceledStopsEveryCall(t *testing.T) {
	open := openPaper(t, t.TempDir())
	col := &Collector{Profiles: []Profile{{"a", "paper"}, {"b", "paper"}}, Currency: "USD", TargetTimeout: time.Hour, Now: time.Now,
		Open: func(ctx context.Context, name string) (exchange.Exchange, error) {
			ex, err := open(ctx, name)
			return &slow{Exchange: ex, delay: time.Hour}, err
		}}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	before := runtime.NumGoroutine()
	snap := col.Collect(ctx)
	for _, a := range snap.Accounts {
		if a.OK || !errors.Is(ctx.Err(), context.Canceled) {
			t.Errorf("account %s after cancel: ok=%v", a.Profile, a.OK)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left behind after cancel", n-before)
	}
}

func TestFileHints(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	h := &FileHints{Dir: dir}
	if got := h.Load("p"); got.Quotes != nil || got.Fills != nil {
		t.Fatalf("no hint yet, got %v", got)
	}
	hint := Hint{Quotes: []trade.Symbol{trade.MustSymbol("BTC-USD"), trade.MustSymbol("AAPL")}, Fills: []trade.Symbol{trade.MustSymbol("BTC-USD")}}
	h.Save("p", hint)
	again := &FileHints{Dir: dir}
	if diff := cmp.Diff(hint, again.Load("p")); diff != "" {
		t.Errorf("hint from disk (-want +got):\n%s", diff)
	}
	// A file of the earlier form (a bare list of quotes) is no hint.
	if err := os.WriteFile(filepath.Join(dir, "dashboard-old.json"), []byte(`["BTC-USD"]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := again.Load("old"); got.Quotes != nil || got.Fills != nil {
		t.Errorf("hint from an old file: %v, want none", got)
	}
}

// latency delays every HTTP request, as a distant venue would.
type latency struct {
	next  http.RoundTripper
	delay time.Duration
}

func (l latency) RoundTrip(r *http.Request) (*http.Response, error) {
	select {
	case <-time.After(l.delay):
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	return l.next.RoundTrip(r)
}
