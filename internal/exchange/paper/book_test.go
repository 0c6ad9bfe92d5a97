package paper_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestOrderBook(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ex, err := paper.New(context.Background(), exchange.Params{
		Profile: "book", Exchange: paper.Name, Options: map[string]any{},
		DataDir: t.TempDir(), CacheDir: t.TempDir(), Now: func() time.Time { return at },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	btc := trade.MustSymbol("BTC-USD")
	path, _ := ex.Market().Path(btc)
	simBook := path.Book(at)
	conv := func(ls []sim.Level) []trade.BookLevel {
		out := []trade.BookLevel{}
		for _, l := range ls {
			out = append(out, trade.BookLevel{Price: l.Price, Qty: l.Qty})
		}
		return out
	}

	tests := []struct {
		depth      int
		bids, asks int
	}{{0, sim.BookLevels, sim.BookLevels}, {3, 3, 3}, {100, sim.BookLevels, sim.BookLevels}}
	for _, tt := range tests {
		got, err := ex.OrderBook(context.Background(), btc, tt.depth)
		if err != nil {
			t.Fatal(err)
		}
		want := trade.Book{Symbol: btc, Time: at, Bids: conv(simBook.Bids)[:tt.bids], Asks: conv(simBook.Asks)[:tt.asks]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("depth %d (-want +got):\n%s", tt.depth, diff)
		}
	}

	// The book's top is the quote every other command shows.
	book, _ := ex.OrderBook(context.Background(), btc, 1)
	qs, err := ex.Quotes(context.Background(), []trade.Symbol{btc})
	if err != nil {
		t.Fatal(err)
	}
	if !book.Quote().Bid.Equal(qs[0].Bid) || !book.Quote().Ask.Equal(qs[0].Ask) {
		t.Errorf("book top %+v, quote %+v", book.Quote(), qs[0])
	}

	if _, err := ex.OrderBook(context.Background(), trade.MustSymbol("NOPE-USD"), 1); !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("unknown symbol: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ex.OrderBook(ctx, btc, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
}
