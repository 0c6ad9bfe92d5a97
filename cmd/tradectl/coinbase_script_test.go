package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
)

// cmdFakeCoinbase starts a fake Coinbase Advanced Trade for the rest of the
// script and writes a config with a "coinbase" profile pointing at it, a
// "coinbase-wrongkey" profile whose key the venue does not know, and a
// paper profile. The CDP keys are generated per script: the key name
// reaches tradectl through COINBASE_KEY_NAME, each private key through a
// 0600 PEM file in $WORK, never through the config itself.
//
//	fakecoinbase            start it
//
// COINBASE_WS_URL is the fake's market-data WebSocket, for scripts that
// add a profile that streams (the profiles above have none, so they read
// over REST).
func cmdFakeCoinbase(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fakecoinbase")
	}
	writeKey := func(file string) *ecdsa.PrivateKey {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			ts.Fatalf("%v", err)
		}
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			ts.Fatalf("%v", err)
		}
		if err := os.WriteFile(ts.MkAbs(file), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			ts.Fatalf("%v", err)
		}
		return key
	}
	key := writeKey("coinbase.pem")
	writeKey("coinbase-wrong.pem")
	name := "organizations/tradectl-test/apiKeys/" + randomHex(ts, 16)
	srv := fakecoinbase.New(name, &key.PublicKey, fakecoinbase.WithLatency(fakeLatency(ts)))
	runningCoinbase.Store(ts, srv)
	ts.Defer(func() { runningCoinbase.Delete(ts); srv.Close() })
	ts.Setenv("COINBASE_WS_URL", srv.WSURL())
	ts.Setenv("COINBASE_KEY_NAME", name)
	ts.Setenv("COINBASE_URL", srv.URL())
	cfg := fmt.Sprintf(`default_profile: paper
profiles:
  paper:
    exchange: paper
  coinbase:
    exchange: coinbase
    base_url: %[1]s
    api_key_env: COINBASE_KEY_NAME
    api_secret_file: %[2]s
  coinbase-wrongkey:
    exchange: coinbase
    base_url: %[1]s
    api_key_env: COINBASE_KEY_NAME
    api_secret_file: %[3]s
`, srv.URL(), ts.MkAbs("coinbase.pem"), ts.MkAbs("coinbase-wrong.pem"))
	dir := ts.MkAbs("home/.config/tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		ts.Fatalf("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		ts.Fatalf("%v", err)
	}
}

// runningCoinbase finds a script's fake Coinbase for the commands that
// steer or inspect it.
var runningCoinbase sync.Map // *testscript.TestScript → *fakecoinbase.Server

func coinbaseOf(ts *testscript.TestScript, cmd string) *fakecoinbase.Server {
	srv, ok := runningCoinbase.Load(ts)
	if !ok {
		ts.Fatalf("%s: start fakecoinbase first", cmd)
	}
	return srv.(*fakecoinbase.Server)
}

// cmdFakeCoinbaseRequests checks how many requests of any method the fake
// Coinbase received on one path under the API prefix: 0 proves a command
// never asked there.
//
//	fakecoinbase-requests /market/product_book 0
func cmdFakeCoinbaseRequests(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fakecoinbase-requests PATH N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	if got := coinbaseOf(ts, "fakecoinbase-requests").Count("", fakecoinbase.Prefix+args[0]); got != want {
		ts.Fatalf("the fake Coinbase received %d requests on %s; want %d", got, args[0], want)
	}
}

// cmdFakeCoinbaseSetBook moves a product's best bid and ask on the fake
// Coinbase, which its streams then push.
//
//	fakecoinbase-setbook BTC-USD 59999.99 60000.01
func cmdFakeCoinbaseSetBook(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: fakecoinbase-setbook PRODUCT BID ASK")
	}
	bid, err1 := decimal.NewFromString(args[1])
	ask, err2 := decimal.NewFromString(args[2])
	if err1 != nil || err2 != nil {
		ts.Fatalf("fakecoinbase-setbook: bid and ask must be decimals")
	}
	coinbaseOf(ts, "fakecoinbase-setbook").SetBook(args[0], bid, ask, decimal.Zero)
}

// cmdFakeCoinbaseAwaitSubscriptions waits (up to ten seconds) until the
// fake Coinbase's stream has received N subscriptions to a channel: a
// command started in the background is then listening.
//
//	fakecoinbase-await-subscriptions level2 2
func cmdFakeCoinbaseAwaitSubscriptions(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fakecoinbase-await-subscriptions CHANNEL N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	srv := coinbaseOf(ts, "fakecoinbase-await-subscriptions")
	got := 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		got = 0
		for _, s := range srv.StreamSubscriptions() {
			if s.Channel == args[0] {
				got++
			}
		}
		if got >= want {
			return
		}
	}
	ts.Fatalf("the fake Coinbase has %d %s subscriptions after ten seconds; want %d", got, args[0], want)
}
