package journal

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

func limitBuy(price string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: trade.Dec("0.01"), Price: decimal.NewNullDecimal(trade.Dec(price))}
}

// expiryRow is what a test compares of an Expiry.
type expiryRow struct {
	ClientID string
	Deadline time.Time
	State    ExpiryState
	Result   string
}

func rowsOf(es []Expiry) []expiryRow {
	var out []expiryRow
	for _, e := range es {
		out = append(out, expiryRow{e.Intent.ClientID, e.Deadline, e.State, e.Result})
	}
	return out
}

func TestClientExpiryIsWrittenWithTheIntentAndListedWhenDue(t *testing.T) {
	ctx := context.Background()
	j := newJournal(t)
	d1 := t0.Add(time.Minute)
	d2 := t0.Add(2 * time.Minute)
	begin := func(profile, id string, deadline time.Time) Intent {
		t.Helper()
		in, err := j.Begin(ctx, NewIntent{Profile: profile, Exchange: "binance", ClientID: id, Request: limitBuy("1000"), ClientExpiry: deadline})
		if err != nil {
			t.Fatalf("Begin(%s): %v", id, err)
		}
		return in
	}
	a := begin("live", "a", d2)
	begin("live", "b", d1)
	begin("live", "plain", time.Time{})
	begin("other", "c", d1)

	for _, tc := range []struct {
		name string
		now  time.Time
		want []expiryRow
	}{
		{"before every deadline", t0, nil},
		{"at the first deadline", d1, []expiryRow{{"b", d1, ExpiryArmed, ""}}},
		{"after both, earliest first", d2.Add(time.Second), []expiryRow{{"b", d1, ExpiryArmed, ""}, {"a", d2, ExpiryArmed, ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := j.DueExpiries(ctx, "live", tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rowsOf(got)); diff != "" {
				t.Errorf("DueExpiries (-want +got):\n%s", diff)
			}
		})
	}

	// Settled deadlines are never listed again; a failed cancel stays armed.
	if err := j.RecordExpiry(ctx, a.ID, ExpiryCanceled, "canceled", "order 7 canceled"); err != nil {
		t.Fatal(err)
	}
	b, _, _ := j.ExpiryOf(ctx, "live", "b")
	if err := j.RecordExpiry(ctx, b.Intent.ID, ExpiryArmed, "failed", "unavailable"); err != nil {
		t.Fatal(err)
	}
	got, err := j.DueExpiries(ctx, "live", d2.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]expiryRow{{"b", d1, ExpiryArmed, "failed"}}, rowsOf(got)); diff != "" {
		t.Errorf("DueExpiries after recording (-want +got):\n%s", diff)
	}
	if _, ok, err := j.ExpiryOf(ctx, "live", "plain"); ok || err != nil {
		t.Errorf("ExpiryOf(plain) = %v, %v; want none", ok, err)
	}
	if err := j.RecordExpiry(ctx, 9999, ExpirySettled, "x", ""); err == nil {
		t.Error("RecordExpiry on an intent without a deadline succeeded")
	}
}

func TestReopenedIntentRearmsOrDropsItsDeadline(t *testing.T) {
	ctx := context.Background()
	j := newJournal(t)
	in, err := j.Begin(ctx, NewIntent{Profile: "live", Exchange: "binance", ClientID: "r", Request: limitBuy("1000"), ClientExpiry: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.RecordExpiry(ctx, in.ID, ExpirySettled, "not_placed", ""); err != nil {
		t.Fatal(err)
	}
	if err := j.RecordFailed(ctx, in.ID, "unavailable", "down"); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	if _, err := j.Begin(ctx, NewIntent{Profile: "live", Exchange: "binance", ClientID: "r", Request: limitBuy("1000"), ClientExpiry: later}); err != nil {
		t.Fatal(err)
	}
	got, _, err := j.ExpiryOf(ctx, "live", "r")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(expiryRow{"r", later, ExpiryArmed, ""}, rowsOf([]Expiry{got})[0]); diff != "" {
		t.Errorf("reopened with a deadline (-want +got):\n%s", diff)
	}
	if err := j.RecordFailed(ctx, in.ID, "unavailable", "down"); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Begin(ctx, NewIntent{Profile: "live", Exchange: "binance", ClientID: "r", Request: limitBuy("1000")}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := j.ExpiryOf(ctx, "live", "r"); ok || err != nil {
		t.Errorf("reopened without a deadline: ExpiryOf = %v, %v; want none", ok, err)
	}
}

// TestExpiryMigrationKeepsEarlierJournals opens a journal written at the
// previous schema version and checks the step adds the table without
// touching the intents already there.
func TestExpiryMigrationKeepsEarlierJournals(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	db, err := openDB(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	steps := migrations()
	if err := migrate(ctx, db, path, steps[:len(steps)-1]); err != nil {
		t.Fatal(err)
	}
	old := &Journal{db: db, path: path, now: func() time.Time { return t0 }}
	if _, err := old.Begin(ctx, NewIntent{Profile: "live", Exchange: "binance", ClientID: "old", Request: limitBuy("1000")}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'expiries'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("expiries table before the step: %d, %v", n, err)
	}
	db.Close()

	j := openAt(t, path, func() time.Time { return t0 })
	in, ok, err := j.Intent(ctx, "live", "old")
	if err != nil || !ok || in.Status != Pending {
		t.Fatalf("intent after migrating: %+v, %v, %v", in, ok, err)
	}
	if _, ok, err := j.ExpiryOf(ctx, "live", "old"); ok || err != nil {
		t.Errorf("ExpiryOf(old) = %v, %v; want none", ok, err)
	}
	var state string
	err = j.db.QueryRow("SELECT state FROM expiries").Scan(&state)
	if err != sql.ErrNoRows {
		t.Errorf("expiries after migrating: %q, %v; want empty", state, err)
	}
}
