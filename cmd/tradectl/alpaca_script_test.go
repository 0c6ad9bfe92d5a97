package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/trade"
)

// runningAlpacas holds each script's fake Alpaca for the commands that
// steer it.
var runningAlpacas sync.Map // *testscript.TestScript → *fakealpaca.Server

const fakeAlpacaUsage = "usage: fakealpaca [quiet | resume | drop | quote SYMBOL BID ASK | fail-next-stream CODE MSG | await-connections N | await-quotes CONN]"

// cmdFakeAlpaca starts a fake Alpaca (a trading host, a market data host
// and its data stream) for the rest of the script and writes a config
// with an "alpaca" profile pointing at both hosts (quotes polled), an
// "alpaca-stream" profile that also names the data stream, plus the paper
// profile. The key id and secret are random per script and reach tradectl
// only through the ALPACA_KEY / ALPACA_SECRET variables, never through a
// file.
//
//	fakealpaca                           start it
//	fakealpaca quiet | resume            silence the data stream (connections stay open) or resume it
//	fakealpaca drop                      close every data stream connection abruptly
//	fakealpaca quote AAPL 191 191.1      move a symbol's book (and last, to the mid)
//	fakealpaca fail-next-stream 406 connection limit exceeded
//	                                     answer the next connection with that error message
//	fakealpaca await-connections N       wait (up to 10s) until N data stream connections were accepted
//	fakealpaca await-quotes CONN         wait (up to 10s) until data stream connection CONN (from 1) was sent a price
func cmdFakeAlpaca(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf(fakeAlpacaUsage)
	}
	if len(args) > 0 {
		v, ok := runningAlpacas.Load(ts)
		if !ok {
			ts.Fatalf("fakealpaca %s: start it first", args[0])
		}
		steerFakeAlpaca(ts, v.(*fakealpaca.Server), args)
		return
	}
	key, secret := "PK"+strings.ToUpper(randomHex(ts, 18)), randomHex(ts, 40)
	srv := fakealpaca.New(key, secret, fakealpaca.WithLatency(fakeLatency(ts)))
	runningAlpacas.Store(ts, srv)
	ts.Defer(func() { runningAlpacas.Delete(ts); srv.Close() })
	ts.Setenv("ALPACA_KEY", key)
	ts.Setenv("ALPACA_SECRET", secret)
	ts.Setenv("ALPACA_URL", srv.URL())
	ts.Setenv("ALPACA_DATA_URL", srv.DataURL())
	cfg := fmt.Sprintf(`default_profile: paper
profiles:
  paper:
    exchange: paper
  alpaca:
    exchange: alpaca
    base_url: %[1]s
    data_url: %[2]s
    api_key_env: ALPACA_KEY
    api_secret_env: ALPACA_SECRET
  alpaca-stream:
    exchange: alpaca
    base_url: %[1]s
    data_url: %[2]s
    data_stream_url: %[3]s
    api_key_env: ALPACA_KEY
    api_secret_env: ALPACA_SECRET
`, srv.URL(), srv.DataURL(), srv.DataStreamURL())
	dir := ts.MkAbs("home/.config/tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		ts.Fatalf("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		ts.Fatalf("%v", err)
	}
}

func steerFakeAlpaca(ts *testscript.TestScript, srv *fakealpaca.Server, args []string) {
	switch {
	case args[0] == "quiet" && len(args) == 1:
		srv.SilenceDataStreams(true)
	case args[0] == "resume" && len(args) == 1:
		srv.SilenceDataStreams(false)
	case args[0] == "drop" && len(args) == 1:
		srv.DropDataStreams()
	case args[0] == "quote" && len(args) == 4:
		bid, err := trade.ParseDecimal(args[2])
		ts.Check(err)
		ask, err := trade.ParseDecimal(args[3])
		ts.Check(err)
		srv.SetQuote(args[1], bid, ask)
	case args[0] == "fail-next-stream" && len(args) >= 3:
		code, err := strconv.Atoi(args[1])
		ts.Check(err)
		srv.FailNextDataStream(code, strings.Join(args[2:], " "))
	case args[0] == "await-connections" && len(args) == 2:
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		deadline := time.Now().Add(10 * time.Second)
		for srv.DataStreamConnections() < n {
			if time.Now().After(deadline) {
				ts.Fatalf("fakealpaca: %d data stream connections after 10s, want %d", srv.DataStreamConnections(), n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	case args[0] == "await-quotes" && len(args) == 2:
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		deadline := time.Now().Add(10 * time.Second)
		for srv.DataStreamPushes(n) == 0 {
			if time.Now().After(deadline) {
				ts.Fatalf("fakealpaca: no price sent on data stream connection %d after 10s", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	default:
		ts.Fatalf(fakeAlpacaUsage)
	}
}
