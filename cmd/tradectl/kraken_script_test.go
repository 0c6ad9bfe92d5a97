package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
)

// cmdFakeKraken starts a fake Kraken for the rest of the script and writes
// a config with a "kraken" profile pointing at it, plus a paper profile.
// The API key and the base64 secret are random per script and reach
// tradectl only through the KRAKEN_KEY / KRAKEN_SECRET variables, never
// through a file.
//
//	fakekraken            start it
func cmdFakeKraken(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fakekraken")
	}
	raw := make([]byte, 64)
	if _, err := rand.Read(raw); err != nil {
		ts.Fatalf("%v", err)
	}
	key, secret := randomHex(ts, 32), base64.StdEncoding.EncodeToString(raw)
	srv := fakekraken.New(key, secret, fakekraken.WithLatency(fakeLatency(ts)))
	ts.Defer(srv.Close)
	runningKrakens.Store(ts, srv)
	ts.Defer(func() { runningKrakens.Delete(ts) })
	ts.Setenv("KRAKEN_KEY", key)
	ts.Setenv("KRAKEN_SECRET", secret)
	ts.Setenv("KRAKEN_URL", srv.URL())
	ts.Setenv("KRAKEN_WS_URL", srv.WSURL())
	cfg := fmt.Sprintf(`default_profile: paper
profiles:
  paper:
    exchange: paper
  kraken:
    exchange: kraken
    base_url: %s
    api_key_env: KRAKEN_KEY
    api_secret_env: KRAKEN_SECRET
`, srv.URL())
	dir := ts.MkAbs("home/.config/tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		ts.Fatalf("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		ts.Fatalf("%v", err)
	}
}

// krakenOf is the script's fake Kraken, for the commands that steer or
// inspect it.
func krakenOf(ts *testscript.TestScript, cmd string) *fakekraken.Server {
	v, ok := runningKrakens.Load(ts)
	if !ok {
		ts.Fatalf("%s: start fakekraken first", cmd)
	}
	return v.(*fakekraken.Server)
}

// cmdFakeKrakenRequests checks how many requests the fake Kraken's REST
// API received on a path:
//
//	fakekraken-requests /0/public/Depth 0
func cmdFakeKrakenRequests(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fakekraken-requests PATH N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	if got := krakenOf(ts, "fakekraken-requests").Count(args[0]); got != want {
		ts.Fatalf("the fake Kraken received %d requests on %s; want %d", got, args[0], want)
	}
}

// cmdFakeKrakenPrice moves a pair's bid, ask and last, as the market
// would; the streams push the change:
//
//	fakekraken-price XBTUSD 60000.5 60000.6 60000.5
func cmdFakeKrakenPrice(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: fakekraken-price PAIR BID ASK LAST")
	}
	var d [3]decimal.Decimal
	for i, a := range args[1:] {
		var err error
		d[i], err = decimal.NewFromString(a)
		ts.Check(err)
	}
	krakenOf(ts, "fakekraken-price").SetPrice(args[0], d[0], d[1], d[2])
}

// cmdFakeKrakenBadChecksum makes the fake Kraken's next order book stream
// message carry a wrong checksum, once:
//
//	fakekraken-badchecksum
func cmdFakeKrakenBadChecksum(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fakekraken-badchecksum")
	}
	krakenOf(ts, "fakekraken-badchecksum").CorruptNextBookChecksum()
}

// cmdFakeKrakenBooks waits, up to 20s, until the fake Kraken has built N
// order book stream messages (snapshots and updates), so a script moves
// the price only once a background watch has its snapshot:
//
//	fakekraken-books 1
func cmdFakeKrakenBooks(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fakekraken-books N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	srv := krakenOf(ts, "fakekraken-books")
	for deadline := time.Now().Add(20 * time.Second); srv.BookMessages() < want; {
		if time.Now().After(deadline) {
			ts.Fatalf("fakekraken-books: %d book messages after 20s; want %d", srv.BookMessages(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runningKrakens finds a script's fake Kraken for the commands that steer
// or inspect it.
var runningKrakens sync.Map // *testscript.TestScript → *fakekraken.Server

// cmdFakeKrakenTimer waits, up to 20s, for the fake Kraken's
// CancelAllOrdersAfter timer to reach a state, so a script can act on a
// background tradectl deadman at the right moment:
//
//	fakekraken-timer armed        the timer is armed
//	fakekraken-timer refreshes N  at least N CancelAllOrdersAfter requests arrived
//	fakekraken-timer fired        the timer ran out (and canceled the orders)
//	fakekraken-timer disarmed     the timer is off
func cmdFakeKrakenTimer(ts *testscript.TestScript, neg bool, args []string) {
	usage := "usage: fakekraken-timer armed|refreshes N|fired|disarmed"
	if neg || len(args) == 0 {
		ts.Fatalf("%s", usage)
	}
	v, ok := runningKrakens.Load(ts)
	if !ok {
		ts.Fatalf("fakekraken-timer: start fakekraken first")
	}
	srv := v.(*fakekraken.Server)
	var cond func() bool
	switch {
	case args[0] == "armed" && len(args) == 1:
		cond = func() bool { _, armed := srv.CancelAllAfterTrigger(); return armed }
	case args[0] == "refreshes" && len(args) == 2:
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		cond = func() bool { return srv.Count("/0/private/CancelAllOrdersAfter") >= n }
	case args[0] == "fired" && len(args) == 1:
		if !srv.WaitCancelAllAfterFired(0, 20*time.Second) {
			ts.Fatalf("the fake Kraken's timer did not run out within 20s")
		}
		return
	case args[0] == "disarmed" && len(args) == 1:
		cond = func() bool { _, armed := srv.CancelAllAfterTrigger(); return !armed }
	default:
		ts.Fatalf("%s", usage)
	}
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			ts.Fatalf("fakekraken-timer %s: not so within 20s", args[0])
		}
	}
}
