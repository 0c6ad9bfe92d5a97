package paper

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/exchangetest"
)

// TestConformance runs the suite every adapter passes. The clock ticks a
// second per reading so that prices move as they would live.
func TestConformance(t *testing.T) {
	exchangetest.Run(t, func(t *testing.T) exchangetest.Harness {
		c := newClock(t0)
		p := testParams(t, c, nil)
		p.Now = func() time.Time { c.Add(time.Second); return c.Now() }
		e, err := New(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		return exchangetest.Harness{
			// Paper refuses a crossed stop as Binance does.
			RejectsCrossedStops: true,
			Exchange:            e,
			Symbol:              btc,
			Now:                 c.Now,
			AdvanceClock:        c.Add,
			// Another "process" holds the write lock for a while: the next
			// call waits on the file until its context ends.
			InjectHang: func() {
				holder, err := sql.Open("sqlite", e.Path()+"?_txlock=immediate")
				if err != nil {
					t.Fatal(err)
				}
				tx, err := holder.Begin()
				if err != nil {
					t.Fatal(err)
				}
				release := time.AfterFunc(2*time.Second, func() { tx.Rollback(); holder.Close() })
				t.Cleanup(func() {
					if release.Stop() {
						tx.Rollback()
						holder.Close()
					}
				})
			},
			Fund: func(asset string, amount decimal.Decimal) {
				_, err := e.db.Exec(`INSERT INTO balances (asset, free, locked) VALUES (?, ?, '0')
					ON CONFLICT (asset) DO UPDATE SET free = excluded.free`, asset, amount.String())
				if err != nil {
					t.Fatalf("fund %s: %v", asset, err)
				}
			},
		}
	})
}
