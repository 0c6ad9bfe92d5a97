package placement

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestIdempotencyKeyReturnsExisting(t *testing.T) {
	e := newPaperEnv(t)
	ctx := ctxT(t)
	opts := Options{IdempotencyKey: "rebalance 2026-03-02", Retry: fastRetry()}
	req := limitBuy(btcusd, "0.01", "1000")

	first, err := Place(ctx, e.deps, req, opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.Existing || first.ClientID != ClientIDFor("paper", opts.IdempotencyKey) || first.Order.ClientID != first.ClientID {
		t.Fatalf("first placement = %+v", first)
	}
	second, err := Place(ctx, e.deps, req, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Existing || second.Order.ID != first.Order.ID {
		t.Errorf("re-run = existing %v order %s, want existing order %s", second.Existing, second.Order.ID, first.Order.ID)
	}

	// The journal lost (a new machine, a deleted file): the venue still
	// knows the order by its derived client id.
	other := env{dir: t.TempDir()}
	other.deps = e.deps
	other.deps.Journal = openJournal(t, other.journalPath())
	other.deps.LockDir = filepath.Join(other.dir, "locks")
	third, err := Place(ctx, other.deps, req, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !third.Existing || third.Order.ID != first.Order.ID {
		t.Errorf("without the journal = existing %v order %s, want existing order %s", third.Existing, third.Order.ID, first.Order.ID)
	}
	if got := intentStatus(t, other.deps.Journal, "paper", first.ClientID); got != journal.Placed {
		t.Errorf("the new journal records the found order as %q, want placed", got)
	}

	// The same key for another order is a mistake, caught before sending.
	_, err = Place(ctx, e.deps, limitBuy(btcusd, "0.02", "1000"), opts)
	var conflict *KeyConflictError
	if !errors.As(err, &conflict) || !errors.Is(err, ErrKeyConflict) || !strings.Contains(err.Error(), "buy 0.01 BTC-USD limit 1000") {
		t.Errorf("different order under the same key: %v, want a KeyConflictError naming the first order", err)
	}
	// So is another order under the same key when only the venue knows it.
	_, err = Place(ctx, other.deps, limitBuy(btcusd, "0.02", "1000"), Options{IdempotencyKey: opts.IdempotencyKey, Retry: fastRetry(), LockTimeout: time.Second})
	if !errors.Is(err, ErrKeyConflict) {
		t.Errorf("different order, venue-only: %v, want ErrKeyConflict", err)
	}
	if n := len(paperOrders(t, e.deps.Exchange)); n != 1 {
		t.Errorf("paper has %d orders, want 1", n)
	}
}

func TestClientIDChoice(t *testing.T) {
	keyed := ClientIDFor("paper", "k")
	tests := []struct {
		name, requested, key string
		want                 string // "" for a random id
		chosen               bool
		wantErr              string
	}{
		{name: "random"},
		{name: "caller's", requested: "mine-1", want: "mine-1", chosen: true},
		{name: "from key", key: "k", want: keyed, chosen: true},
		{name: "key and the same client id", requested: keyed, key: "k", want: keyed, chosen: true},
		{name: "key and another client id", requested: "mine-1", key: "k", wantErr: "name different orders"},
		{name: "invalid client id", requested: "a/b", wantErr: "invalid character"},
		{name: "control character in key", key: "a\nb", wantErr: "control"},
		{name: "long key", key: strings.Repeat("k", MaxIdempotencyKeyLen+1), wantErr: "at most 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, chosen, _, err := ChooseClientID("paper", tt.requested, tt.key)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if chosen != tt.chosen || (tt.want != "" && id != tt.want) {
				t.Errorf("ChooseClientID = %q chosen %v, want %q chosen %v", id, chosen, tt.want, tt.chosen)
			}
			if err := trade.ValidateClientID(id); err != nil {
				t.Errorf("%q: %v", id, err)
			}
		})
	}
	if a, b := NewClientID(), NewClientID(); a == b || !strings.HasPrefix(a, "tc-") {
		t.Errorf("NewClientID gave %q and %q", a, b)
	}
}

func FuzzClientIDFor(f *testing.F) {
	f.Add("paper", "nightly")
	f.Add("binance", "")
	f.Add("", "ключ ✓")
	f.Fuzz(func(t *testing.T, profile, key string) {
		id := ClientIDFor(profile, key)
		if len(id) != trade.MaxClientIDLen {
			t.Fatalf("%q: length %d, want %d", id, len(id), trade.MaxClientIDLen)
		}
		if err := trade.ValidateClientID(id); err != nil {
			t.Fatalf("%q: %v", id, err)
		}
		if ClientIDFor(profile, key) != id {
			t.Fatal("not deterministic")
		}
		if ClientIDFor(profile+"x", key) == id || ClientIDFor(profile, key+"x") == id {
			t.Fatal("another profile or key gave the same id")
		}
	})
}

// TestConcurrentPlacementsPlaceOne races 20 placers with one key, each
// with its own exchange, journal and lock handles on the same files, as
// 20 processes would have.
func TestConcurrentPlacementsPlaceOne(t *testing.T) {
	dir := t.TempDir()
	ctx := ctxT(t)
	const n = 20
	envs := make([]env, n)
	for i := range envs {
		envs[i] = reopenPaper(t, dir)
	}
	req := marketBuy(btcusd, "0.01")
	opts := Options{IdempotencyKey: "once", Retry: fastRetry()}
	results := make([]Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = Place(ctx, envs[i].deps, req, opts)
		}()
	}
	close(start)
	wg.Wait()
	fresh := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("placer %d: %v", i, errs[i])
		}
		if !results[i].Existing {
			fresh++
		}
		if results[i].Order.ID != results[0].Order.ID {
			t.Errorf("placer %d got order %s, placer 0 %s", i, results[i].Order.ID, results[0].Order.ID)
		}
	}
	if fresh != 1 {
		t.Errorf("%d placers placed an order, want 1", fresh)
	}
	if got := len(paperOrders(t, envs[0].deps.Exchange)); got != 1 {
		t.Errorf("paper has %d orders, want 1", got)
	}
}

func TestLockTimeout(t *testing.T) {
	e := newPaperEnv(t)
	if err := os.MkdirAll(e.deps.LockDir, 0o700); err != nil {
		t.Fatal(err)
	}
	held := flock.New(LockPath(e.deps.LockDir, "paper"))
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatalf("TryLock = %v, %v", ok, err)
	}
	defer held.Unlock()

	_, err := Place(ctxT(t), e.deps, marketBuy(btcusd, "0.01"), Options{LockTimeout: 50 * time.Millisecond})
	var lt *LockTimeoutError
	if !errors.As(err, &lt) || !errors.Is(err, exchange.ErrUnavailable) {
		t.Fatalf("Place with the lock held = %v, want a LockTimeoutError matching ErrUnavailable", err)
	}
	for _, want := range []string{`profile "paper"`, "paper.lock", "the lock timeout", "nothing was sent"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	// The command's deadline can end the wait first; the message says so.
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = Place(short, e.deps, marketBuy(btcusd, "0.01"), Options{LockTimeout: time.Minute})
	if !errors.As(err, &lt) || !lt.ByDeadline || !strings.Contains(err.Error(), "(the deadline)") {
		t.Errorf("Place under a short deadline = %v, want a LockTimeoutError by deadline", err)
	}
	entries, err := e.deps.Journal.Entries(context.Background(), journal.Query{})
	if err != nil || len(entries) != 0 {
		t.Errorf("journal = %v, %v; want nothing recorded", entries, err)
	}
	if n := len(paperOrders(t, e.deps.Exchange)); n != 0 {
		t.Errorf("paper has %d orders, want none", n)
	}

	// Reconcile never waits for a busy lock.
	if _, err := e.deps.Journal.Begin(context.Background(), journal.NewIntent{Profile: "paper", Exchange: "paper", ClientID: "x", Request: marketBuy(btcusd, "1")}); err != nil {
		t.Fatal(err)
	}
	still, err := Reconcile(ctxT(t), e.deps, Options{})
	if err != nil || still != nil {
		t.Errorf("Reconcile with the lock held = %v, %v; want it to leave the work to the holder", still, err)
	}
	if got := intentStatus(t, e.deps.Journal, "paper", "x"); got != journal.Pending {
		t.Errorf("intent = %s, want still pending", got)
	}
}

// TestCrashedIntentsAreSettled simulates a process that died after
// writing its intent: before sending, or after the venue took the order.
func TestCrashedIntentsAreSettled(t *testing.T) {
	e := newPaperEnv(t)
	ctx := ctxT(t)
	begin := func(id string) {
		t.Helper()
		if _, err := e.deps.Journal.Begin(ctx, journal.NewIntent{Profile: "paper", Exchange: "paper", ClientID: id, Request: withClientID(marketBuy(btcusd, "0.01"), id)}); err != nil {
			t.Fatal(err)
		}
	}
	begin("died-before-send")
	begin("died-after-send")
	// Sent when the profile pointed at another venue: not settled here.
	if _, err := e.deps.Journal.Begin(ctx, journal.NewIntent{Profile: "paper", Exchange: "binance", ClientID: "elsewhere", Request: marketBuy(btcusd, "0.01")}); err != nil {
		t.Fatal(err)
	}
	sent, err := e.deps.Exchange.PlaceOrder(ctx, withClientID(marketBuy(btcusd, "0.01"), "died-after-send"))
	if err != nil {
		t.Fatal(err)
	}

	// The next placement on the profile settles both first.
	res, err := Place(ctx, e.deps, marketBuy(btcusd, "0.01"), Options{Retry: fastRetry()})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]journal.Status{}
	for _, id := range []string{"died-before-send", "died-after-send", "elsewhere", res.ClientID} {
		got[id] = intentStatus(t, e.deps.Journal, "paper", id)
	}
	want := map[string]journal.Status{"died-before-send": journal.NotPlaced, "died-after-send": journal.Placed,
		"elsewhere": journal.Pending, res.ClientID: journal.Placed}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	in, _, _ := e.deps.Journal.Intent(ctx, "paper", "died-after-send")
	if in.Order == nil || in.Order.ID != sent.ID {
		t.Errorf("settled intent's order = %+v, want %s", in.Order, sent.ID)
	}
	if diff := cmp.Diff([]string{"intent", "reconcile/absent", "outcome/not_placed"}, events(t, e.deps.Journal, "died-before-send")); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestBeforeSendRefusalSendsNothing(t *testing.T) {
	e := newPaperEnv(t)
	refused := errors.New("max_open_orders: 3 open, limit 3")
	var seen trade.OrderRequest
	_, err := Place(ctxT(t), e.deps, marketBuy(btcusd, "0.01"), Options{BeforeSend: func(_ context.Context, r trade.OrderRequest) error {
		seen = r
		return refused
	}})
	if !errors.Is(err, refused) {
		t.Fatalf("Place = %v, want the refusal", err)
	}
	if !strings.HasPrefix(seen.ClientID, "tc-") {
		t.Errorf("BeforeSend saw client id %q, want the one that would be sent", seen.ClientID)
	}
	if n := len(paperOrders(t, e.deps.Exchange)); n != 0 {
		t.Errorf("paper has %d orders", n)
	}
	if entries, _ := e.deps.Journal.Entries(context.Background(), journal.Query{}); len(entries) != 0 {
		t.Errorf("journal has %d entries, want none", len(entries))
	}
}

func TestBackoffBounds(t *testing.T) {
	p := newPlacer(Deps{}, Options{Retry: Retry{Sends: 3, Lookups: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 400 * time.Millisecond, MaxRetryAfter: time.Second}})
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 8: 400 * time.Millisecond} {
		for range 50 {
			if d := p.backoff(n); d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", n, d, want/2, want)
			}
		}
	}
	ra := &exchange.Error{Kind: exchange.ErrRateLimited, RetryAfter: 700 * time.Millisecond}
	if d, ok := p.waitFor(context.Background(), 1, ra); !ok || d != 700*time.Millisecond {
		t.Errorf("waitFor(Retry-After 700ms) = %s, %v", d, ok)
	}
	long := &exchange.Error{Kind: exchange.ErrRateLimited, RetryAfter: time.Minute}
	if _, ok := p.waitFor(context.Background(), 1, long); ok {
		t.Error("a Retry-After beyond MaxRetryAfter was accepted")
	}
	short, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, ok := p.waitFor(short, 1, ra); ok {
		t.Error("a wait beyond the deadline was accepted")
	}
}
