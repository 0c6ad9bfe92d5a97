package placement

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/trade"
)

// t0 pins the paper market, so prices and fills are the same every run.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return t0 }

// fastRetry keeps fault-injection tests quick: real backoff shape, small
// numbers.
func fastRetry() Retry {
	return Retry{Sends: 3, Lookups: 3, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxRetryAfter: 2 * time.Second}
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// env is one account with its journal and lock directory, all real files
// in the test's temporary directory.
type env struct {
	dir  string // state directory: journal.db and locks/
	deps Deps
}

func (e env) journalPath() string { return filepath.Join(e.dir, journal.FileName) }

func openJournal(t *testing.T, path string) *journal.Journal {
	t.Helper()
	j, err := journal.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

// paperParams are a paper profile's parameters on dataDir.
func paperParams(dataDir string) exchange.Params {
	return exchange.Params{Profile: "paper", Exchange: paper.Name, Options: map[string]any{}, DataDir: dataDir, CacheDir: dataDir, Now: fixedNow}
}

func openPaper(t *testing.T, dataDir string) exchange.Exchange {
	t.Helper()
	ex, err := paper.New(context.Background(), paperParams(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ex.Close() })
	return ex
}

// newPaperEnv opens a paper account; a second env on the same dirs (as
// another process would have) comes from reopen.
func newPaperEnv(t *testing.T) env {
	t.Helper()
	dir := t.TempDir()
	return reopenPaper(t, dir)
}

func reopenPaper(t *testing.T, dir string) env {
	t.Helper()
	e := env{dir: dir}
	e.deps = Deps{Exchange: openPaper(t, filepath.Join(dir, "data")), Journal: openJournal(t, e.journalPath()),
		Profile: "paper", LockDir: filepath.Join(dir, "locks")}
	return e
}

// newBinanceEnv starts a fake Binance with fresh random credentials.
func newBinanceEnv(t *testing.T) (env, *fakebinance.Server) {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	key, secret := "k-"+hex.EncodeToString(b[:16]), "s-"+hex.EncodeToString(b[16:])
	srv := fakebinance.New(key, secret)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	ex, err := binance.New(context.Background(), exchange.Params{
		Profile: "binance", Exchange: "binance",
		// A short recvWindow keeps the accept window (recvWindow plus a
		// margin) that reconciliation waits out to a few seconds.
		Options: map[string]any{binance.KeyBaseURL: srv.URL(), binance.KeyWSURL: srv.WSURL(), binance.KeyRecvWindow: 500},
		Secret: func(_ context.Context, name string) (string, error) {
			switch name {
			case "api_key":
				return key, nil
			case "api_secret":
				return secret, nil
			}
			return "", nil
		},
		CacheDir:   dir,
		HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ex.Close() })
	e := env{dir: dir}
	e.deps = Deps{Exchange: ex, Journal: openJournal(t, e.journalPath()), Profile: "binance", LockDir: filepath.Join(dir, "locks")}
	return e, srv
}

var (
	btcusd  = trade.MustSymbol("BTC-USD")
	btcusdt = trade.MustSymbol("BTC-USDT")
)

func marketBuy(sym trade.Symbol, qty string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: sym, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.GTC, Qty: trade.Dec(qty)}
}

func limitBuy(sym trade.Symbol, qty, price string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: sym, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC, Qty: trade.Dec(qty), Price: trade.OptDec(price)}
}

// events lists the journal's events for a client id as kind/result.
func events(t *testing.T, j *journal.Journal, clientID string) []string {
	t.Helper()
	entries, err := j.Entries(context.Background(), journal.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.ClientID != clientID {
			continue
		}
		k := string(e.Kind)
		if e.Result != "" {
			k += "/" + e.Result
		}
		out = append(out, k)
	}
	return out
}

func intentStatus(t *testing.T, j *journal.Journal, profile, clientID string) journal.Status {
	t.Helper()
	in, ok, err := j.Intent(context.Background(), profile, clientID)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return ""
	}
	return in.Status
}

// paperOrders lists every order on a paper account.
func paperOrders(t *testing.T, ex exchange.Exchange) []trade.Order {
	t.Helper()
	orders, err := ex.ListOrders(context.Background(), exchange.ListFilter{Scope: exchange.ListAll})
	if err != nil {
		t.Fatal(err)
	}
	return orders
}
