package paper

import (
	"database/sql"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/exchangetest"
)

// TestLiveConformance runs the suite against a paper account priced by a
// fake binance: the suite needs no price moves, since it places resting
// orders well below the bid and market orders that fill at the touch.
func TestLiveConformance(t *testing.T) {
	exchangetest.Run(t, func(t *testing.T) exchangetest.Harness {
		l := newLive(t, nil)
		e := l.e
		return exchangetest.Harness{
			// Paper refuses a crossed stop as Binance does.
			RejectsCrossedStops: true,
			Exchange:            e,
			Symbol:              btcusdt,
			// Another process holds the account's write lock: the next
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
			// The venue's rate limit reaches the paper account's price
			// calls, not its balances: not a property of this account.
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
