package journal

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/trade"
)

func TestEntriesShowWhatOrderExpireDid(t *testing.T) {
	ctx := context.Background()
	j := newJournal(t) // every call below moves the clock one second on
	begin := func(profile, id string) Intent {
		t.Helper()
		in, err := j.Begin(ctx, NewIntent{Profile: profile, Exchange: "binance", ClientID: id, Request: limitBuy("1000"),
			ClientExpiry: t0.Add(time.Minute)})
		if err != nil {
			t.Fatalf("Begin(%s): %v", id, err)
		}
		return in
	}
	canceled, failed, armed := begin("live", "a"), begin("live", "b"), begin("other", "c") // +1s..+3s
	if err := j.RecordPlaced(ctx, canceled.ID, trade.Order{ID: "41", Symbol: btc, Side: trade.Buy, Type: trade.Limit,
		Status: trade.StatusOpen, Qty: trade.Dec("0.01")}, false); err != nil { // +4s
		t.Fatal(err)
	}
	if err := j.RecordExpiry(ctx, canceled.ID, ExpiryCanceled, "canceled", "order 41 canceled at its client-side deadline"); err != nil { // +5s
		t.Fatal(err)
	}
	if err := j.RecordExpiry(ctx, failed.ID, ExpiryArmed, "failed", "venue unavailable"); err != nil { // +6s
		t.Fatal(err)
	}
	_ = armed // its deadline was never acted on: no entry

	type row struct {
		Time                                     time.Time
		Profile, ClientID, Status, Result, Order string
		Message                                  string
	}
	expiries := func(es []Entry) []row {
		var out []row
		for _, e := range es {
			if e.Kind == KindExpiry {
				out = append(out, row{e.Time, e.Profile, e.ClientID, string(e.Status), e.Result, e.OrderID, e.Message})
			}
		}
		return out
	}
	wasCanceled := row{t0.Add(5 * time.Second), "live", "a", "placed", "canceled", "41", "order 41 canceled at its client-side deadline"}
	failedOnce := row{t0.Add(6 * time.Second), "live", "b", "pending", "failed", "", "venue unavailable"}
	for _, tc := range []struct {
		name string
		q    Query
		want []row
	}{
		{"all, oldest first", Query{}, []row{wasCanceled, failedOnce}},
		{"profile", Query{Profile: "other"}, nil},
		{"since", Query{Since: t0.Add(6 * time.Second)}, []row{failedOnce}},
		{"by intent status", Query{Status: Placed}, []row{wasCanceled}},
		{"limit keeps the newest", Query{Limit: 1}, []row{failedOnce}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := j.Entries(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, expiries(got)); diff != "" {
				t.Errorf("expiry entries (-want +got):\n%s", diff)
			}
		})
	}

	// A later run that cancels the failed one replaces its entry.
	if err := j.RecordExpiry(ctx, failed.ID, ExpiryCanceled, "canceled", "order 42 canceled at its client-side deadline"); err != nil { // +7s
		t.Fatal(err)
	}
	got, err := j.Entries(ctx, Query{Profile: "live"})
	if err != nil {
		t.Fatal(err)
	}
	want := []row{wasCanceled, {t0.Add(7 * time.Second), "live", "b", "pending", "canceled", "", "order 42 canceled at its client-side deadline"}}
	if diff := cmp.Diff(want, expiries(got)); diff != "" {
		t.Errorf("after the retry (-want +got):\n%s", diff)
	}
}
