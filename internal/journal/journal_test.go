package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// clock is a test clock that moves one second per reading, so every
// entry has its own time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func openAt(t *testing.T, path string, now func() time.Time) *Journal {
	t.Helper()
	j, err := Open(context.Background(), path, WithClock(now))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

func newJournal(t *testing.T) *Journal {
	t.Helper()
	c := &clock{t: t0}
	return openAt(t, filepath.Join(t.TempDir(), "state", FileName), c.now)
}

var btc = trade.MustSymbol("BTC-USD")

func marketBuy(qty string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.GTC, Qty: trade.Dec(qty)}
}

func TestOpenCreatesPrivateFileAndMigrates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nested", FileName)
	if Exists(path) {
		t.Fatal("Exists before Open")
	}
	j := openAt(t, path, nil)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode = %v, want 0600", fi.Mode().Perm())
	}
	if !Exists(path) {
		t.Error("Exists after Open = false")
	}
	var version int
	if err := j.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != len(migrations()) {
		t.Errorf("user_version = %d, want %d", version, len(migrations()))
	}
	// Opening again is a no-op migration and keeps what was written.
	if _, err := j.Begin(context.Background(), NewIntent{Profile: "paper", Exchange: "paper", ClientID: "a", Request: marketBuy("1")}); err != nil {
		t.Fatal(err)
	}
	j2 := openAt(t, path, nil)
	if _, ok, err := j2.Intent(context.Background(), "paper", "a"); err != nil || !ok {
		t.Fatalf("intent after reopen: ok=%v err=%v", ok, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		want    string
	}{
		{
			name: "not sqlite",
			prepare: func(t *testing.T, path string) {
				if err := os.WriteFile(path, []byte("my precious notes"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			want: "is not a SQLite database",
		},
		{
			name: "newer schema",
			prepare: func(t *testing.T, path string) {
				db, err := sql.Open("sqlite", path)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
					t.Fatal(err)
				}
			},
			want: "schema version 99, newer than this tradectl understands",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			tt.prepare(t, path)
			_, err := Open(context.Background(), path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open error = %v, want one containing %q", err, tt.want)
			}
			if tt.name == "not sqlite" {
				b, _ := os.ReadFile(path)
				if string(b) != "my precious notes" {
					t.Errorf("file was changed to %q", b)
				}
			}
		})
	}
}

// step is one operation of a lifecycle test, on the intent of client id
// "cid" on profile paper.
type step func(ctx context.Context, j *Journal, id int64) error

func begin(req trade.OrderRequest) step {
	return func(ctx context.Context, j *Journal, _ int64) error {
		_, err := j.Begin(ctx, NewIntent{Profile: "paper", Exchange: "paper", ClientID: "cid", IdempotencyKey: "k1", Request: req})
		return err
	}
}

func placed(o trade.Order, existing bool) step {
	return func(ctx context.Context, j *Journal, id int64) error { return j.RecordPlaced(ctx, id, o, existing) }
}

func lookup(n int, r LookupResult) step {
	return func(ctx context.Context, j *Journal, id int64) error {
		return j.RecordLookup(ctx, id, Lookup{Attempt: n, Result: r})
	}
}

func TestIntentLifecycle(t *testing.T) {
	filled := trade.Order{ID: "7", ClientID: "cid", Symbol: btc, Side: trade.Buy, Type: trade.Market, Status: trade.StatusFilled,
		Qty: trade.Dec("0.5"), FilledQty: trade.Dec("0.5"), AvgFillPrice: trade.OptDec("60000"), Fee: trade.Dec("30"), FeeAsset: "USD",
		Exchange: "paper", Profile: "paper"}
	tests := []struct {
		name       string
		steps      []step
		wantErr    error // from the last step
		wantStatus Status
		wantKinds  []string // kind/result of every event
		wantOrder  string
		pending    int
	}{
		{
			name:       "placed at once",
			steps:      []step{begin(marketBuy("0.5")), placed(filled, false)},
			wantStatus: Placed, wantOrder: "7",
			wantKinds: []string{"intent", "outcome/placed", "fill"},
		},
		{
			name: "unknown, then found",
			steps: []step{begin(marketBuy("0.5")), lookup(1, Unknown),
				func(ctx context.Context, j *Journal, id int64) error {
					return j.RecordUnknown(ctx, id, "unknown_outcome", "venue down")
				},
				lookup(1, Found), placed(filled, false)},
			wantStatus: Placed, wantOrder: "7",
			wantKinds: []string{"intent", "reconcile/unknown", "outcome/unknown", "reconcile/found", "outcome/placed", "fill"},
		},
		{
			name: "unknown stays pending",
			steps: []step{begin(marketBuy("0.5")), lookup(1, Unknown), lookup(2, Unknown),
				func(ctx context.Context, j *Journal, id int64) error {
					return j.RecordUnknown(ctx, id, "unknown_outcome", "venue down")
				}},
			wantStatus: Pending, pending: 1,
			wantKinds: []string{"intent", "reconcile/unknown", "reconcile/unknown", "outcome/unknown"},
		},
		{
			name: "absent, sent again, placed",
			steps: []step{begin(marketBuy("0.5")), lookup(1, Absent),
				func(ctx context.Context, j *Journal, id int64) error { return j.RecordRetry(ctx, id, 2, "HTTP 503") },
				placed(filled, false)},
			wantStatus: Placed, wantOrder: "7",
			wantKinds: []string{"intent", "reconcile/absent", "retry", "outcome/placed", "fill"},
		},
		{
			name: "not placed",
			steps: []step{begin(marketBuy("0.5")), lookup(1, Absent),
				func(ctx context.Context, j *Journal, id int64) error {
					return j.RecordNotPlaced(ctx, id, "unavailable", "gone")
				}},
			wantStatus: NotPlaced,
			wantKinds:  []string{"intent", "reconcile/absent", "outcome/not_placed"},
		},
		{
			name: "failed, then reopened by a new try",
			steps: []step{begin(marketBuy("0.5")),
				func(ctx context.Context, j *Journal, id int64) error {
					return j.RecordFailed(ctx, id, "insufficient_funds", "insufficient funds")
				},
				begin(marketBuy("0.5"))},
			wantStatus: Pending, pending: 1,
			wantKinds: []string{"intent", "outcome/failed", "intent"},
		},
		{
			name:       "a second intent for a pending client id is refused",
			steps:      []step{begin(marketBuy("0.5")), begin(marketBuy("0.5"))},
			wantErr:    ErrIntentOpen,
			wantStatus: Pending, pending: 1,
			wantKinds: []string{"intent"},
		},
		{
			name:       "a second intent for a placed client id is refused",
			steps:      []step{begin(marketBuy("0.5")), placed(filled, true), begin(marketBuy("0.5"))},
			wantErr:    ErrIntentOpen,
			wantStatus: Placed, wantOrder: "7",
			wantKinds: []string{"intent", "outcome/existing", "fill"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			j := newJournal(t)
			var err error
			for i, s := range tt.steps {
				var id int64
				if in, ok, ierr := j.Intent(ctx, "paper", "cid"); ierr != nil {
					t.Fatal(ierr)
				} else if ok {
					id = in.ID
				}
				err = s(ctx, j, id)
				if err != nil && i < len(tt.steps)-1 {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("last step error = %v, want %v", err, tt.wantErr)
			}
			in, ok, err := j.Intent(ctx, "paper", "cid")
			if err != nil || !ok {
				t.Fatalf("Intent: ok=%v err=%v", ok, err)
			}
			if in.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", in.Status, tt.wantStatus)
			}
			gotOrder := ""
			if in.Order != nil {
				gotOrder = in.Order.ID
			}
			if gotOrder != tt.wantOrder {
				t.Errorf("order = %q, want %q", gotOrder, tt.wantOrder)
			}
			if in.Request.ClientID != "cid" || in.IdempotencyKey != "k1" {
				t.Errorf("request client id %q, key %q: the journal must hold what is sent", in.Request.ClientID, in.IdempotencyKey)
			}
			pending, err := j.Pending(ctx, "paper")
			if err != nil {
				t.Fatal(err)
			}
			if len(pending) != tt.pending {
				t.Errorf("pending = %d, want %d", len(pending), tt.pending)
			}
			entries, err := j.Entries(ctx, Query{})
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range entries {
				k := string(e.Kind)
				if e.Result != "" {
					k += "/" + e.Result
				}
				kinds = append(kinds, k)
				if e.Status != tt.wantStatus {
					t.Errorf("entry %d status = %s, want the intent's current %s", e.ID, e.Status, tt.wantStatus)
				}
			}
			if diff := cmp.Diff(tt.wantKinds, kinds); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEntriesQuery(t *testing.T) {
	ctx := context.Background()
	j := newJournal(t)
	mk := func(profile, cid string) int64 {
		in, err := j.Begin(ctx, NewIntent{Profile: profile, Exchange: "paper", ClientID: cid, Request: marketBuy("1")})
		if err != nil {
			t.Fatal(err)
		}
		return in.ID
	}
	a := mk("paper", "a")                                                            // t0+1s
	b := mk("binance", "b")                                                          // +2s
	if err := j.RecordFailed(ctx, b, "insufficient_funds", "no money"); err != nil { // +3s
		t.Fatal(err)
	}
	if err := j.RecordRefusal(ctx, "paper", "max_order_qty", "qty 5 > max 1"); err != nil { // +4s
		t.Fatal(err)
	}
	if err := j.RecordOverride(ctx, "binance", "price_band_pct", "limit 90000 is 50% from mid"); err != nil { // +5s
		t.Fatal(err)
	}
	_ = a

	ids := func(es []Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, fmt.Sprintf("%s:%s:%s", e.Profile, e.Kind, e.ClientID+e.Limit))
		}
		return out
	}
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"all", Query{}, []string{"paper:intent:a", "binance:intent:b", "binance:outcome:b", "paper:refusal:max_order_qty", "binance:override:price_band_pct"}},
		{"profile", Query{Profile: "paper"}, []string{"paper:intent:a", "paper:refusal:max_order_qty"}},
		{"pending", Query{Status: Pending}, []string{"paper:intent:a"}},
		{"failed", Query{Status: Failed}, []string{"binance:intent:b", "binance:outcome:b"}},
		{"since", Query{Since: t0.Add(3 * time.Second)}, []string{"binance:outcome:b", "paper:refusal:max_order_qty", "binance:override:price_band_pct"}},
		{"limit keeps the newest", Query{Limit: 2}, []string{"paper:refusal:max_order_qty", "binance:override:price_band_pct"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := j.Entries(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}

	all, err := j.Entries(ctx, Query{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	first := all[0]
	if first.Request == nil || first.Request.ClientID != "a" || !first.Request.Qty.Equal(decimal.NewFromInt(1)) {
		t.Errorf("intent entry request = %+v", first.Request)
	}
	if !first.Time.Equal(t0.Add(time.Second)) || first.Time.Location() != time.UTC {
		t.Errorf("intent entry time = %v, want %v in UTC", first.Time, t0.Add(time.Second))
	}
	if all[3].Message != "qty 5 > max 1" || all[3].Limit != "max_order_qty" {
		t.Errorf("refusal entry = %+v", all[3])
	}
}

// TestConcurrentJournals opens the file many times, as many processes
// would, and races them: every distinct intent lands, and of the racers
// for one client id exactly one wins.
func TestConcurrentJournals(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	const n = 8
	js := make([]*Journal, n)
	for i := range js {
		js[i] = openAt(t, path, nil)
	}
	var wg sync.WaitGroup
	wins := make(chan int, n)
	errs := make(chan error, 4*n)
	for i, j := range js {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own, err := j.Begin(ctx, NewIntent{Profile: "paper", Exchange: "paper", ClientID: fmt.Sprintf("own-%d", i), Request: marketBuy("1")})
			if err != nil {
				errs <- err
				return
			}
			o := trade.Order{ID: fmt.Sprint(i), ClientID: own.ClientID, Symbol: btc, Side: trade.Buy, Status: trade.StatusFilled,
				Qty: trade.Dec("1"), FilledQty: trade.Dec("1"), AvgFillPrice: trade.OptDec("100"), Exchange: "paper"}
			if err := j.RecordPlaced(ctx, own.ID, o, false); err != nil {
				errs <- err
			}
			_, err = j.Begin(ctx, NewIntent{Profile: "paper", Exchange: "paper", ClientID: "shared", Request: marketBuy("1")})
			switch {
			case err == nil:
				wins <- i
			case !errors.Is(err, ErrIntentOpen):
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(wins)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(wins); got != 1 {
		t.Errorf("%d writers won the shared client id, want exactly 1", got)
	}
	entries, err := js[0].Entries(ctx, Query{Status: Placed})
	if err != nil {
		t.Fatal(err)
	}
	// intent + outcome + fill per writer
	if len(entries) != 3*n {
		t.Errorf("placed entries = %d, want %d", len(entries), 3*n)
	}
	fills, err := js[0].Fills(ctx, "paper", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fills) != n {
		t.Errorf("fills = %d, want %d", len(fills), n)
	}
}

func TestRecordOrderFillsAndRealizedPnL(t *testing.T) {
	ctx := context.Background()
	j := newJournal(t)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	buy := trade.Order{ID: "1", ClientID: "c1", Symbol: btc, Side: trade.Buy, Type: trade.Limit, Price: trade.OptDec("100"),
		Qty: trade.Dec("2"), Exchange: "paper", FeeAsset: "USD"}
	sell := trade.Order{ID: "2", ClientID: "c2", Symbol: btc, Side: trade.Sell, Type: trade.Limit, Price: trade.OptDec("150"),
		Qty: trade.Dec("2"), Exchange: "paper", FeeAsset: "USD"}
	seen := []trade.Order{
		with(buy, "1", "100", "0.1", at(-30)),    // yesterday: half the buy
		with(buy, "1", "100", "0.1", at(-29)),    // seen again, unchanged: no new fill
		with(buy, "2", "110", "0.2", at(-28)),    // the rest at 120: avg 110
		with(sell, "1", "150", "0.15", at(1)),    // today: sell 1 at 150
		with(sell, "2", "140", "0.3", at(2)),     // and 1 at 130
		with(trade.Order{}, "0", "", "0", at(3)), // nothing filled: ignored
	}
	for _, o := range seen {
		if err := j.RecordOrder(ctx, "paper", o); err != nil {
			t.Fatal(err)
		}
	}
	fills, err := j.Fills(ctx, "paper", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	type f struct{ Order, Side, Qty, Price, Fee string }
	var got []f
	for _, x := range fills {
		got = append(got, f{x.OrderID, string(x.Side), x.Qty.String(), x.Price.String(), x.Fee.String()})
	}
	want := []f{
		{"1", "buy", "1", "100", "0.1"},
		{"1", "buy", "1", "120", "0.1"},
		{"2", "sell", "1", "150", "0.15"},
		{"2", "sell", "1", "130", "0.15"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fills (-want +got):\n%s", diff)
	}
	// Cost 220 + 0.2 fees for 2; today sold for 280 - 0.3 fees.
	pnlToday, err := j.RealizedPnL(ctx, "paper", t0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"USD": "59.5"}, decStrings(pnlToday)); diff != "" {
		t.Errorf("realised today (-want +got):\n%s", diff)
	}
	pnlLater, err := j.RealizedPnL(ctx, "paper", at(2))
	if err != nil {
		t.Fatal(err)
	}
	// The second sale alone: 130 - 110.1 (average cost with fee) - 0.15.
	if diff := cmp.Diff(map[string]string{"USD": "19.75"}, decStrings(pnlLater)); diff != "" {
		t.Errorf("realised since the second sale (-want +got):\n%s", diff)
	}
	none, err := j.RealizedPnL(ctx, "other", t0)
	if err != nil || len(none) != 0 {
		t.Errorf("another profile: %v, %v; want nothing", none, err)
	}
}

func with(o trade.Order, filled, avg, fee string, at time.Time) trade.Order {
	o.FilledQty = trade.Dec(filled)
	if avg != "" {
		o.AvgFillPrice = trade.OptDec(avg)
	}
	o.Fee = trade.Dec(fee)
	o.UpdatedAt = at
	return o
}

func decStrings(m map[string]decimal.Decimal) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v.String()
	}
	return out
}

// BenchmarkBeginAndPlace measures the journal's share of one placement:
// two fsync'd commits.
func BenchmarkBeginAndPlace(b *testing.B) {
	ctx := context.Background()
	j, err := Open(ctx, filepath.Join(b.TempDir(), FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	o := trade.Order{ID: "1", Symbol: btc, Side: trade.Buy, Status: trade.StatusOpen, Qty: trade.Dec("1"), Exchange: "paper"}
	b.ResetTimer()
	for i := range b.N {
		in, err := j.Begin(ctx, NewIntent{Profile: "paper", Exchange: "paper", ClientID: fmt.Sprint("c", i), Request: marketBuy("1")})
		if err != nil {
			b.Fatal(err)
		}
		if err := j.RecordPlaced(ctx, in.ID, o, false); err != nil {
			b.Fatal(err)
		}
	}
}
