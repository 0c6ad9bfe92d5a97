package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/app"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/placement"
	"github.com/tradectl/tradectl/internal/xdg"
)

// TestMain lets testscript run this test binary as `tradectl` inside the
// scripts, so every script exercises the real command line in a real
// process: real flags, real SQLite files, real exit codes.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tradectl": func() { os.Exit(app.Main()) },
	})
}

// TestScripts runs testdata/script/*.txtar. Each script gets its own HOME
// and XDG directories inside $WORK, so nothing leaks between scripts or
// onto the machine, and every run is also checked for leaked secrets (see
// secretleak_test.go): one pass over the scripts does both.
// UPDATE_SCRIPTS=1 rewrites expected output in place.
func TestScripts(t *testing.T) {
	real, err := exec.LookPath("tradectl")
	if err != nil {
		t.Fatalf("testscript.Main installs tradectl in PATH: %v", err)
	}
	testscript.Run(t, withLeakCheck(scriptParams(), real))
}

// scriptParams are the scripts' parameters: the custom commands and a
// clean environment.
func scriptParams() testscript.Params {
	return testscript.Params{
		Dir:                 filepath.Join("..", "..", "testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") == "1",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fakebinance":                      cmdFakeBinance,
			"fakebinance-fail":                 cmdFakeBinanceFail,
			"fakebinance-orders":               cmdFakeBinanceOrders,
			"fakebinance-requests":             cmdFakeBinanceRequests,
			"holdlock":                         cmdHoldLock,
			"crashloop":                        cmdCrashLoop,
			"paperconsistent":                  cmdPaperConsistent,
			"fakealpaca":                       cmdFakeAlpaca,
			"fakecoinbase":                     cmdFakeCoinbase,
			"fakecoinbase-requests":            cmdFakeCoinbaseRequests,
			"fakecoinbase-await-subscriptions": cmdFakeCoinbaseAwaitSubscriptions,
			"fakecoinbase-setbook":             cmdFakeCoinbaseSetBook,
			"fakekraken":                       cmdFakeKraken,
			"fakekraken-timer":                 cmdFakeKrakenTimer,
			"webhook":                          cmdWebhook,
			"fakekraken-requests":              cmdFakeKrakenRequests,
			"fakekraken-price":                 cmdFakeKrakenPrice,
			"fakekraken-books":                 cmdFakeKrakenBooks,
			"fakekraken-badchecksum":           cmdFakeKrakenBadChecksum,
		},
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			env.Setenv("HOME", home)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
			env.Setenv("XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
			env.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
			env.Setenv("NO_COLOR", "")
			env.Setenv("CLICOLOR_FORCE", "")
			env.Setenv("TRADECTL_CONFIG", "")
			env.Setenv("TRADECTL_PROFILE", "")
			env.Setenv("TRADECTL_OUTPUT", "")
			// A race-built binary otherwise sleeps a second at every exit.
			env.Setenv("GORACE", "atexit_sleep_ms=0")
			return nil
		},
	}
}

// cmdFakeBinance starts a fake Binance for the rest of the script and
// writes a config with a "binance" profile pointing at it, plus a paper
// profile and an unreachable one for partial-failure checks. The API key
// and secret are random per script and reach tradectl only through the
// BINANCE_KEY / BINANCE_SECRET variables, never through a file.
//
//	fakebinance                  start it
//	fakebinance ratelimit 3s     answer the next request with 429 and Retry-After
func cmdFakeBinance(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: fakebinance [ratelimit DURATION]")
	}
	if len(args) > 0 {
		srv, ok := runningFakes.Load(ts)
		if !ok {
			ts.Fatalf("fakebinance %s: start it first", args[0])
		}
		switch {
		case args[0] == "ratelimit" && len(args) == 2:
			d, err := time.ParseDuration(args[1])
			ts.Check(err)
			srv.(*fakebinance.Server).RateLimitNext(d)
		default:
			ts.Fatalf("usage: fakebinance [ratelimit DURATION]")
		}
		return
	}
	key, secret := randomHex(ts, 32), randomHex(ts, 32)
	srv := fakebinance.New(key, secret, fakebinance.WithLatency(fakeLatency(ts)))
	runningFakes.Store(ts, srv)
	ts.Defer(func() { runningFakes.Delete(ts); srv.Close() })
	ts.Setenv("BINANCE_KEY", key)
	ts.Setenv("BINANCE_SECRET", secret)
	ts.Setenv("BINANCE_URL", srv.URL())
	cfg := fmt.Sprintf(`default_profile: paper
profiles:
  paper:
    exchange: paper
  binance:
    exchange: binance
    base_url: %s
    ws_url: %s
    ws_api_url: %s
    recv_window: 1000
    api_key_env: BINANCE_KEY
    api_secret_env: BINANCE_SECRET
  down:
    exchange: binance
    base_url: http://127.0.0.1:1
    api_key_env: BINANCE_KEY
    api_secret_env: BINANCE_SECRET
`, srv.URL(), srv.WSURL(), srv.WSAPIURL())
	dir := ts.MkAbs("home/.config/tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		ts.Fatalf("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		ts.Fatalf("%v", err)
	}
}

// fakeLatency is the delay a script asks its fake venue to add to every
// request, as a Go duration in $FAKEVENUE_LATENCY set before the fake
// starts (unset: none), so a script can run against a distant venue.
func fakeLatency(ts *testscript.TestScript) time.Duration {
	v := ts.Getenv("FAKEVENUE_LATENCY")
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		ts.Fatalf("FAKEVENUE_LATENCY=%q: want a duration such as 50ms", v)
	}
	return d
}

// runningFakes finds a script's fake venue for the commands that steer it.
var runningFakes sync.Map // *testscript.TestScript → *fakebinance.Server

func randomHex(ts *testscript.TestScript, n int) string {
	b := make([]byte, n/2)
	if _, err := rand.Read(b); err != nil {
		ts.Fatalf("%v", err)
	}
	return hex.EncodeToString(b)
}

func fakeOf(ts *testscript.TestScript, cmd string) *fakebinance.Server {
	srv, ok := runningFakes.Load(ts)
	if !ok {
		ts.Fatalf("%s: start fakebinance first", cmd)
	}
	return srv.(*fakebinance.Server)
}

// cmdFakeBinanceFail queues failures on the script's fake Binance; each is
// used by the next matching request.
//
//	fakebinance-fail [-n N] METHOD PATH reject|after-accept|drop|hang [STATUS]
//
// reject answers STATUS (default 503) without acting; after-accept acts
// (places the order) and then answers STATUS with Binance's "execution
// status unknown" body; drop acts and closes the connection; hang never
// answers.
func cmdFakeBinanceFail(ts *testscript.TestScript, neg bool, args []string) {
	usage := "usage: fakebinance-fail [-n N] METHOD PATH reject|after-accept|drop|hang [STATUS]"
	if neg {
		ts.Fatalf("%s", usage)
	}
	n := 1
	if len(args) >= 2 && args[0] == "-n" {
		var err error
		if n, err = strconv.Atoi(args[1]); err != nil || n < 1 {
			ts.Fatalf("%s", usage)
		}
		args = args[2:]
	}
	if len(args) < 3 || len(args) > 4 {
		ts.Fatalf("%s", usage)
	}
	f := fakebinance.Failure{Method: args[0], Path: args[1], Status: 503,
		Body: `{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}`}
	switch args[2] {
	case "reject":
		f.Mode = fakebinance.Reject
	case "after-accept":
		f.Mode = fakebinance.AfterAccept
	case "drop":
		f.Mode = fakebinance.DropAfterAccept
	case "hang":
		f.Mode = fakebinance.Hang
	default:
		ts.Fatalf("%s", usage)
	}
	if len(args) == 4 {
		status, err := strconv.Atoi(args[3])
		if err != nil {
			ts.Fatalf("%s", usage)
		}
		f.Status = status
	}
	srv := fakeOf(ts, "fakebinance-fail")
	for range n {
		srv.Inject(f)
	}
}

// cmdFakeBinanceOrders checks how many orders the fake venue accepted.
//
//	[!] fakebinance-orders N
func cmdFakeBinanceOrders(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: fakebinance-orders N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := fakeOf(ts, "fakebinance-orders").OrdersPlaced()
	if (got == want) == neg {
		ts.Fatalf("the fake venue accepted %d orders; want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// cmdFakeBinanceRequests checks how many requests the fake venue received,
// of any kind, or only those of one method and path: 0 proves a command
// sent nothing (or no cancel).
//
//	fakebinance-requests N [METHOD PATH]
func cmdFakeBinanceRequests(ts *testscript.TestScript, neg bool, args []string) {
	if neg || (len(args) != 1 && len(args) != 3) {
		ts.Fatalf("usage: fakebinance-requests N [METHOD PATH]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	for _, r := range fakeOf(ts, "fakebinance-requests").Requests() {
		if len(args) == 1 || (r.Method == args[1] && r.Path == args[2]) {
			got++
		}
	}
	if got != want {
		ts.Fatalf("the fake venue received %d requests %s; want %d", got, strings.Join(args[1:], " "), want)
	}
}

// cmdHoldLock takes a profile's placement lock for the rest of the script,
// as a tradectl process busy placing an order would hold it.
//
//	holdlock PROFILE
func cmdHoldLock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: holdlock PROFILE")
	}
	dirs, err := xdg.FromEnv(ts.Getenv)
	ts.Check(err)
	dir := placement.LockDir(dirs.StateDir())
	ts.Check(os.MkdirAll(dir, 0o700))
	fl := flock.New(placement.LockPath(dir, args[0]))
	ok, err := fl.TryLock()
	ts.Check(err)
	if !ok {
		ts.Fatalf("holdlock: %s is already locked", fl.Path())
	}
	ts.Defer(func() { _ = fl.Unlock() })
}

// scriptEnv is the script's environment for processes a custom command
// starts itself.
func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range []string{"PATH", "TMPDIR", "WORK", "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
		"NO_COLOR", "CLICOLOR_FORCE", "TRADECTL_CONFIG", "TRADECTL_PROFILE", "TRADECTL_OUTPUT", "TRADECTL_TIMEOUT", "TRADECTL_NOW",
		"BINANCE_KEY", "BINANCE_SECRET", "GORACE", "GOCOVERDIR",
		// The secret-leak check's tradectl wrapper needs these.
		"TRADECTL_LEAK_DIR", "TRADECTL_LEAK_REAL"} {
		if v := ts.Getenv(k); v != "" || (strings.HasPrefix(k, "TRADECTL_") && !strings.HasPrefix(k, "TRADECTL_LEAK_")) {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// scriptLookPath finds name in the script's PATH (not the test process's),
// so wrappers a test installs there are used.
func scriptLookPath(ts *testscript.TestScript, name string) string {
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	ts.Fatalf("%s is not in the script's PATH", name)
	return ""
}

// cmdCrashLoop runs a command N times and kills each run with SIGKILL at a
// random moment within twice the time one uninterrupted run takes
// (measured first, warm), so the kills land before, during and after the
// placement, and some runs finish. The seed is logged to replay a failure
// with CRASHLOOP_SEED.
//
//	crashloop N COMMAND [ARGS...]
func cmdCrashLoop(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: crashloop N COMMAND [ARGS...]")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 {
		ts.Fatalf("crashloop: N must be a positive number, got %q", args[0])
	}
	env := scriptEnv(ts)
	path := scriptLookPath(ts, args[1])
	newCmd := func() (*exec.Cmd, *strings.Builder) {
		var out strings.Builder
		cmd := exec.Command(path, args[2:]...)
		cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = env, ts.Getenv("WORK"), &out, &out
		// Its own process group, so the kill takes everything the run
		// started (the leak check's wrapper and its tee processes too,
		// which a kill landing before the wrapper's exec would otherwise
		// orphan, holding the output pipe open for ever). WaitDelay is
		// the backstop should anything still hold it.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.WaitDelay = 5 * time.Second
		return cmd, &out
	}
	// The first run creates files and warms caches; the second is the
	// one a kill must fall within.
	var full time.Duration
	for range 2 {
		cmd, out := newCmd()
		start := time.Now()
		if err := cmd.Run(); err != nil {
			ts.Fatalf("crashloop: the uninterrupted run failed: %v\n%s", err, out)
		}
		full = time.Since(start)
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CRASHLOOP_SEED"); s != "" {
		seed, err = strconv.ParseUint(s, 10, 64)
		ts.Check(err)
	}
	rng := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ts.Logf("crashloop: seed %d; an uninterrupted run takes %s", seed, full.Round(time.Millisecond))
	killed := 0
	for i := range n {
		cmd, out := newCmd()
		ts.Check(cmd.Start())
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Up to twice the measured time: runs vary, and some must finish.
		delay := time.Duration(rng.Int64N(2 * int64(full)))
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			killed++
		case err := <-done:
			timer.Stop()
			if err != nil {
				ts.Fatalf("crashloop: run %d ended on its own with %v\n%s", i+1, err, out)
			}
		}
	}
	ts.Logf("crashloop: %d of %d runs killed", killed, n)
	fmt.Fprintf(ts.Stdout(), "runs=%d\n", n)
}

// cmdPaperConsistent checks a paper account against itself and against
// the journal, as a crash must leave them:
//
//   - every asset's locked amount equals the reservations of its working
//     orders, and finished orders reserve nothing;
//   - every asset's total equals the starting balance (100000 USD) plus
//     what the fills moved;
//   - no intent of the profile is pending; every paper order is a placed
//     intent with that order id; every intent the journal calls not
//     placed or failed is absent from the account.
//
// Usage: paperconsistent PROFILE
func cmdPaperConsistent(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: paperconsistent PROFILE")
	}
	profile := args[0]
	dirs, err := xdg.FromEnv(ts.Getenv)
	ts.Check(err)
	db, err := sql.Open("sqlite", filepath.Join(dirs.DataDir(), profile+".db")+"?_pragma=busy_timeout(10000)")
	ts.Check(err)
	defer db.Close()
	dec := func(s string) decimal.Decimal {
		d, err := decimal.NewFromString(s)
		ts.Check(err)
		return d
	}

	have := map[string][2]decimal.Decimal{} // asset → free, locked
	rows, err := db.Query("SELECT asset, free, locked FROM balances")
	ts.Check(err)
	for rows.Next() {
		var asset, free, locked string
		ts.Check(rows.Scan(&asset, &free, &locked))
		have[asset] = [2]decimal.Decimal{dec(free), dec(locked)}
	}
	ts.Check(rows.Err())
	rows.Close()

	reserved := map[string]decimal.Decimal{}
	orders := map[string]string{} // client id → order id
	rows, err = db.Query("SELECT id, client_id, status, reserve_asset, reserved FROM orders")
	ts.Check(err)
	for rows.Next() {
		var id, clientID, status, asset, amount string
		ts.Check(rows.Scan(&id, &clientID, &status, &asset, &amount))
		orders[clientID] = id
		if status == "open" || status == "partially_filled" {
			reserved[asset] = reserved[asset].Add(dec(amount))
		} else if !dec(amount).IsZero() {
			ts.Fatalf("finished order %s (%s) still reserves %s %s", id, status, amount, asset)
		}
	}
	ts.Check(rows.Err())
	rows.Close()

	moved := map[string]decimal.Decimal{"USD": decimal.NewFromInt(100000)}
	rows, err = db.Query("SELECT symbol, side, qty, price, fee, fee_asset FROM fills")
	ts.Check(err)
	for rows.Next() {
		var sym, side, qty, price, fee, feeAsset string
		ts.Check(rows.Scan(&sym, &side, &qty, &price, &fee, &feeAsset))
		base, quote, ok := strings.Cut(sym, "-")
		if !ok {
			ts.Fatalf("paperconsistent handles pairs only, got %s", sym)
		}
		value := dec(qty).Mul(dec(price))
		if side == "buy" {
			moved[base] = moved[base].Add(dec(qty))
			moved[quote] = moved[quote].Sub(value)
		} else {
			moved[base] = moved[base].Sub(dec(qty))
			moved[quote] = moved[quote].Add(value)
		}
		moved[feeAsset] = moved[feeAsset].Sub(dec(fee))
	}
	ts.Check(rows.Err())
	rows.Close()

	for asset := range have {
		if _, ok := moved[asset]; !ok {
			moved[asset] = decimal.Zero
		}
	}
	for asset, want := range moved {
		b := have[asset]
		if b[0].IsNegative() || b[1].IsNegative() {
			ts.Fatalf("%s: free %s, locked %s: negative", asset, b[0], b[1])
		}
		if !b[1].Equal(reserved[asset]) {
			ts.Fatalf("%s: locked %s, but working orders reserve %s", asset, b[1], reserved[asset])
		}
		if total := b[0].Add(b[1]); !total.Equal(want) {
			ts.Fatalf("%s: total %s, but the start and the fills make %s", asset, total, want)
		}
	}

	j, err := journal.Open(context.Background(), filepath.Join(dirs.StateDir(), journal.FileName))
	ts.Check(err)
	defer j.Close()
	pending, err := j.Pending(context.Background(), profile)
	ts.Check(err)
	if len(pending) > 0 {
		ts.Fatalf("%d intents are still pending, e.g. client id %s", len(pending), pending[0].ClientID)
	}
	for clientID, id := range orders {
		in, ok, err := j.Intent(context.Background(), profile, clientID)
		ts.Check(err)
		if !ok || in.Status != journal.Placed || in.Order == nil || in.Order.ID != id {
			ts.Fatalf("paper order %s (client id %s) is not a placed intent in the journal: %+v", id, clientID, in)
		}
	}
	intents, err := j.Entries(context.Background(), journal.Query{Profile: profile})
	ts.Check(err)
	count := map[journal.Status]int{}
	for _, e := range intents {
		if e.Kind != journal.KindIntent {
			continue
		}
		count[e.Status]++
		if _, exists := orders[e.ClientID]; exists != (e.Status == journal.Placed) {
			ts.Fatalf("the journal says client id %s is %s, but the account %s it", e.ClientID, e.Status,
				map[bool]string{true: "has", false: "does not have"}[exists])
		}
	}
	fmt.Fprintf(ts.Stdout(), "consistent: %d orders; intents placed=%d not_placed=%d failed=%d\n",
		len(orders), count[journal.Placed], count[journal.NotPlaced], count[journal.Failed])
}
