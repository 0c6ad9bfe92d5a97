package kraken

import (
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// BenchmarkBookStreamUpdate measures one update message on a 1000-level
// book: decoding, applying two level changes, the checksum and the book
// handed out at depth 25.
func BenchmarkBookStreamUpdate(b *testing.B) {
	var bids, asks []string
	for i := range 1000 {
		off := decimal.New(int64(i), -1)
		bids = append(bids, decimal.RequireFromString("60000.0").Sub(off).StringFixed(1)+" "+strconv.Itoa(i+1)+".00000000")
		asks = append(asks, decimal.RequireFromString("60000.1").Add(off).StringFixed(1)+" "+strconv.Itoa(i+1)+".00000000")
	}
	d := newBookDecoder(btcusd, 1000, 25, time.Now)
	if _, err := d.decode([]byte(msg("snapshot", bids, asks, checksumOf(asks, bids)))); err != nil {
		b.Fatal(err)
	}
	// Two updates that undo each other: the best bid's size changes and
	// changes back.
	up1 := append([]string{"60000.0 5.00000000"}, bids[1:]...)
	updates := [][]byte{
		[]byte(msg("update", []string{"60000.0 5.00000000", "59999.9 2.00000000"}, nil, checksumOf(asks, up1))),
		[]byte(msg("update", []string{"60000.0 1.00000000", "59999.9 2.00000000"}, nil, checksumOf(asks, bids))),
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		books, err := d.decode(updates[i%2])
		if err != nil || len(books) != 1 {
			b.Fatalf("update %d: %d books, %v", i, len(books), err)
		}
	}
}
