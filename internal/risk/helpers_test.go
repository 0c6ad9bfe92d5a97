package risk_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/trade"
)

// t0 pins the paper market: its prices are a function of time.
var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

var (
	btcUSD  = trade.MustSymbol("BTC-USD")
	ethUSD  = trade.MustSymbol("ETH-USD")
	aapl    = trade.MustSymbol("AAPL")
	btcUSDT = trade.MustSymbol("BTC-USDT")
)

func d(s string) decimal.Decimal { return trade.Dec(s) }

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

// openPaper opens a fresh paper account (100 000 USD) at the clock's time.
func openPaper(t *testing.T, c *clock) *paper.Exchange {
	t.Helper()
	ex, err := paper.New(context.Background(), exchange.Params{
		Profile:  "paper",
		Exchange: paper.Name,
		Options:  map[string]any{},
		DataDir:  t.TempDir(),
		CacheDir: t.TempDir(),
		Now:      c.Now,
	})
	if err != nil {
		t.Fatalf("paper.New: %v", err)
	}
	t.Cleanup(func() { ex.Close() })
	return ex
}

// openBinance starts a fake Binance with random credentials and opens the
// adapter against it.
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
		Profile:  "live",
		Exchange: "binance",
		Options:  map[string]any{binance.KeyBaseURL: srv.URL(), binance.KeyWSURL: srv.WSURL()},
		Secret: func(_ context.Context, name string) (string, error) {
			switch name {
			case "api_key":
				return key, nil
			case "api_secret":
				return secret, nil
			}
			return "", nil
		},
		CacheDir:   t.TempDir(),
		HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatalf("binance.New: %v", err)
	}
	return ex, srv
}

func place(t *testing.T, ex exchange.Exchange, req trade.OrderRequest) trade.Order {
	t.Helper()
	o, err := ex.PlaceOrder(context.Background(), req)
	if err != nil {
		t.Fatalf("place %+v: %v", req, err)
	}
	return o
}

func market(sym trade.Symbol, side trade.Side, qty string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: sym, Side: side, Type: trade.Market, Qty: d(qty)}
}

func limitOrder(sym trade.Symbol, side trade.Side, qty, price string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: sym, Side: side, Type: trade.Limit, TimeInForce: trade.GTC, Qty: d(qty), Price: trade.OptDec(price)}
}
