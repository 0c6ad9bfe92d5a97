package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tradectl/tradectl/internal/app"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
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
// onto the machine. UPDATE_SCRIPTS=1 rewrites expected output in place.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("..", "..", "testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") == "1",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fakebinance": cmdFakeBinance,
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
			return nil
		},
	})
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
	srv := fakebinance.New(key, secret)
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
    api_key_env: BINANCE_KEY
    api_secret_env: BINANCE_SECRET
  down:
    exchange: binance
    base_url: http://127.0.0.1:1
    api_key_env: BINANCE_KEY
    api_secret_env: BINANCE_SECRET
`, srv.URL(), srv.WSURL())
	dir := ts.MkAbs("home/.config/tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		ts.Fatalf("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		ts.Fatalf("%v", err)
	}
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
