package orderfollow_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/orderfollow"
	"github.com/tradectl/tradectl/internal/trade"
)

// never is a poll interval no test outlives: an outcome within the test
// can only have come from the event stream.
const never = time.Hour

func openPaper(t *testing.T) *paper.Exchange {
	t.Helper()
	ex, err := paper.New(context.Background(), exchange.Params{
		Profile: "paper", Exchange: paper.Name, Options: map[string]any{},
		DataDir: t.TempDir(), CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })
	return ex
}

func openBinance(t *testing.T) (*binance.Exchange, *fakebinance.Server) {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	key, secret := hex.EncodeToString(b[:16]), hex.EncodeToString(b[16:])
	srv := fakebinance.New(key, secret)
	t.Cleanup(srv.Close)
	ex, err := binance.New(context.Background(), exchange.Params{
		Profile: "bn", Exchange: "binance",
		Options: map[string]any{binance.KeyBaseURL: srv.URL(), binance.KeyWSURL: srv.WSURL(), binance.KeyWSAPIURL: srv.WSAPIURL()},
		Secret: func(_ context.Context, name string) (string, error) {
			if name == "api_key" {
				return key, nil
			}
			return secret, nil
		},
		CacheDir: t.TempDir(), HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ex, srv
}

func restingBuy(sym trade.Symbol, price string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: sym, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: decimal.RequireFromString("0.001"), Price: decimal.NewNullDecimal(decimal.RequireFromString(price))}
}

type result struct {
	order trade.Order
	err   error
}

func follow(ex exchange.Exchange, o trade.Order, interval time.Duration) <-chan result {
	ios, _, _, _ := iostreams.Test()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	out := make(chan result, 1)
	go func() {
		defer cancel()
		got, err := orderfollow.Follow(ctx, ex, o, interval, ios)
		out <- result{got, err}
	}()
	return out
}

func wantCanceled(t *testing.T, res <-chan result) {
	t.Helper()
	select {
	case r := <-res:
		if !errors.Is(r.err, orderfollow.ErrNotFilled) || r.order.Status != trade.StatusCanceled {
			t.Fatalf("Follow = %s, %v; want canceled, ErrNotFilled", r.order.Status, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not see the cancel within 10s")
	}
}

// Paper's event stream (its database watched) ends the follow, not a poll.
func TestFollowPaperOnTheStream(t *testing.T) {
	px := openPaper(t)
	ctx := context.Background()
	o, err := px.PlaceOrder(ctx, restingBuy(trade.MustSymbol("BTC-USD"), "1000"))
	if err != nil {
		t.Fatal(err)
	}
	res := follow(px, o, never)
	time.Sleep(300 * time.Millisecond) // the stream is watching
	if _, err := px.CancelOrder(ctx, exchange.OrderRef{ID: o.ID}); err != nil {
		t.Fatal(err)
	}
	wantCanceled(t, res)
}

// An order canceled while Binance's user data stream is down is found by
// the GetOrder after the reconnect.
func TestFollowBinanceReconcilesAfterReconnect(t *testing.T) {
	ex, srv := openBinance(t)
	ctx := context.Background()
	btcusdt := trade.MustSymbol("BTC-USDT")
	o, err := ex.PlaceOrder(ctx, restingBuy(btcusdt, "20000"))
	if err != nil {
		t.Fatal(err)
	}
	hub := srv.UserStreams()
	res := follow(ex, o, never)
	deadline := time.Now().Add(5 * time.Second)
	for hub.Connections() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // subscribed
	hub.Disable(true)
	hub.Drop()
	if _, err := ex.CancelOrder(ctx, exchange.OrderRef{ID: o.ID, Symbol: btcusdt}); err != nil {
		t.Fatal(err)
	}
	hub.Disable(false)
	wantCanceled(t, res)
	if hub.Connections() < 2 {
		t.Errorf("stream connections %d: the cancel was not seen after a reconnect", hub.Connections())
	}
}

// pollOnly hides a venue's stream.
type pollOnly struct{ exchange.Exchange }

// Without a stream the order is polled, as before.
func TestFollowPollsWithoutAStream(t *testing.T) {
	px := openPaper(t)
	ctx := context.Background()
	o, err := px.PlaceOrder(ctx, restingBuy(trade.MustSymbol("BTC-USD"), "1000"))
	if err != nil {
		t.Fatal(err)
	}
	res := follow(pollOnly{px}, o, 20*time.Millisecond)
	if _, err := px.CancelOrder(ctx, exchange.OrderRef{ID: o.ID}); err != nil {
		t.Fatal(err)
	}
	wantCanceled(t, res)
}
