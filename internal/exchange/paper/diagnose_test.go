package paper

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestDiagnose(t *testing.T) {
	tests := []struct {
		name string
		// options reopen the account with other settings; tamper changes
		// the database behind the exchange's back, as a bug or a crash in
		// the middle of a write could.
		options map[string]any
		tamper  string
		want    exchange.CheckStatus
		detail  string // what the detail ends with, after the database path
	}{
		{name: "reservations match", want: exchange.CheckOK,
			detail: ": integrity ok; locked balances match the reservations of 2 open orders"},
		{name: "a fee change explains a buy's difference", options: map[string]any{KeyMakerFeePct: "0.2"}, want: exchange.CheckWarn,
			detail: ": integrity ok; USD locked 1001, open orders reserve 1002 at the profile's current fees (a fee change since they were placed would explain it)"},
		{name: "a sell's difference is a failure", tamper: "UPDATE balances SET locked = '0.02' WHERE asset = 'BTC'", want: exchange.CheckFail,
			detail: ": integrity ok; BTC locked 0.02, open orders reserve 0.01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock(t0)
			p := testParams(t, c, nil)
			e := open(t, p)
			place(t, e, market(btc, trade.Buy, "0.02"))
			for _, o := range []trade.Order{
				place(t, e, limit(btc, trade.Sell, "0.01", dec("1000000"), trade.GTC)),
				place(t, e, limit(eth, trade.Buy, "1", dec("1000"), trade.GTC)),
			} {
				if o.Status != trade.StatusOpen {
					t.Fatalf("order %s is %s; the test needs it resting", o.ID, o.Status)
				}
			}
			if tt.tamper != "" {
				if _, err := e.db.Exec(tt.tamper); err != nil {
					t.Fatal(err)
				}
			}
			if tt.options != nil {
				p.Options = tt.options
				e = open(t, p)
			}
			want := []exchange.Check{{Name: CheckDatabase, Status: tt.want,
				Detail: filepath.Join(p.DataDir, "test.db") + tt.detail}}
			if diff := cmp.Diff(want, e.Diagnose(context.Background())); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiagnoseCorrupt: a database SQLite itself finds damaged fails the
// check with SQLite's own words.
func TestDiagnoseCorrupt(t *testing.T) {
	c := newClock(t0)
	p := testParams(t, c, nil)
	e := open(t, p)
	for i := 0; i < 50; i++ {
		place(t, e, limit(eth, trade.Buy, "0.01", dec("1000"), trade.GTC))
	}
	// Overwrite the root page of an index no query on open reads, so the
	// account still opens and only an integrity check notices.
	var root, size int64
	if err := e.db.QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = 'orders_symbol'").Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := e.db.QueryRow("PRAGMA page_size").Scan(&size); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	e.Close()
	f, err := os.OpenFile(e.path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, int(size)), (root-1)*size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	e = open(t, p)
	got := e.Diagnose(context.Background())
	if len(got) != 1 || got[0].Status != exchange.CheckFail || !strings.HasPrefix(got[0].Detail, e.path+": ") {
		t.Errorf("got %+v, want a failed check naming the database", got)
	}
}
