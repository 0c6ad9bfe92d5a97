package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
)

// ccxtVersion is the ccxt release the comparison is pinned to, in
// testdata/ccxt/package.json and its lock file.
const ccxtVersion = "4.5.84"

// ccxtTestdata holds package.json, package-lock.json and order.mjs.
var ccxtTestdata = filepath.Join("..", "..", "testdata", "ccxt")

// BenchmarkVsCCXT compares one market order placed by a fresh process, as
// a cron job places it, against the same in-process fake Binance with the
// same injected latency per request (0 and 50 ms):
//
//   - tradectl: `tradectl order create BTC-USDT --side buy --qty 0.001
//     --yes -o json --profile bn`, its instrument cache warm as any earlier
//     command leaves it. The very first run (empty cache and journal) is
//     reported on its own as tradectl-cold-ms.
//   - ccxt: testdata/ccxt/order.mjs under node: new ccxt.binance with keys,
//     loadMarkets(), createOrder('BTC/USDT', 'market', 'buy', 0.001). ccxt
//     keeps no cache between processes, so every run loads the markets.
//     One untimed run first warms the page cache for node_modules, as the
//     cold tradectl run does for its binary.
//
// Each process's wall time runs from start to exit; its peak RSS is the
// kernel's ru_maxrss for that process, and its CPU time (user + system)
// comes from the same getrusage: on a machine busy with other work, wall
// time swings and the CPU ratio is the steadier one. The two kinds of run alternate, and
// the reported figures are medians over ccxtBenchRuns runs of each (set
// TRADECTL_BENCH_CCXT_RUNS to change it), whatever b.N is. Targets: the
// ccxt/tradectl-time ratio ≥ 60 and the tradectl/ccxt-rss ratio ≤ 0.1.
//
// ccxt comes from the npm registry: the first run installs the pinned
// version with `npm ci` into the user cache directory (see ccxtInstall).
// Without node or npm, or when the install fails, the benchmark skips.
func BenchmarkVsCCXT(b *testing.B) {
	ccxtDir := ccxtInstall(b)
	runs := ccxtBenchRuns(b)
	bin := releaseBinary(b)
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			benchOneOrder(b, bin, ccxtDir, latency, runs)
		})
	}
}

// releaseBinary builds tradectl as `make build` does (static, stripped,
// trimmed paths): the binary users run is the one measured.
func releaseBinary(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "tradectl")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build tradectl: %v\n%s", err, out)
	}
	return bin
}

const defaultCCXTBenchRuns = 10

func ccxtBenchRuns(b *testing.B) int {
	v := os.Getenv("TRADECTL_BENCH_CCXT_RUNS")
	if v == "" {
		return defaultCCXTBenchRuns
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("TRADECTL_BENCH_CCXT_RUNS=%q: want a positive count", v)
	}
	return n
}

// processRun is one finished process: its wall time, peak RSS, output,
// and the requests the fake venue received while it ran.
type processRun struct {
	wall           time.Duration
	cpu            time.Duration // user + system
	maxRSS         int64         // bytes
	minorFaults    int64
	stdout, stderr []byte
	firstRequest   int      // index of its first request in the fake's log
	routes         []string // "METHOD /path" of each request it sent
}

func benchOneOrder(b *testing.B, bin, ccxtDir string, latency time.Duration, runs int) {
	key, secret := benchHex(b, 32), benchHex(b, 32)
	srv := fakebinance.New(key, secret, fakebinance.WithLatency(latency))
	b.Cleanup(srv.Close)

	home := b.TempDir()
	cfg := filepath.Join(home, "config.yaml")
	profile := fmt.Sprintf("profiles:\n  bn:\n    exchange: binance\n    base_url: %s\n    ws_url: %s\n    api_key_env: BINANCE_KEY\n    api_secret_env: BINANCE_SECRET\n",
		srv.URL(), srv.WSURL())
	if err := os.WriteFile(cfg, []byte(profile), 0o600); err != nil {
		b.Fatal(err)
	}
	tradectlEnv := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home+"/config", "XDG_DATA_HOME="+home+"/data",
		"XDG_STATE_HOME="+home+"/state", "XDG_CACHE_HOME="+home+"/cache", "TRADECTL_CONFIG="+cfg, "TRADECTL_PROFILE=",
		"TRADECTL_OUTPUT=", "NO_COLOR=1", "BINANCE_KEY="+key, "BINANCE_SECRET="+secret)
	ccxtEnv := append(os.Environ(), "CCXT_BENCH_URL="+srv.URL(), "CCXT_BENCH_KEY="+key, "CCXT_BENCH_SECRET="+secret)

	// Each run also notes the requests the fake received while it ran.
	withRoutes := func(run processRun) processRun {
		for _, r := range srv.Requests()[run.firstRequest:] {
			run.routes = append(run.routes, r.Route())
		}
		return run
	}
	tradectlOrder := func() processRun {
		run := runProcess(b, srv, tradectlEnv, "", bin, "order", "create", "BTC-USDT", "--side", "buy", "--qty", "0.001",
			"--yes", "-o", "json", "--profile", "bn")
		var order struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(run.stdout, &order); err != nil || order.ID == "" {
			b.Fatalf("tradectl printed no order id (%v):\n%s", err, run.stdout)
		}
		return withRoutes(run)
	}
	ccxtOrder := func(extraEnv ...string) processRun {
		run := runProcess(b, srv, slices.Concat(ccxtEnv, extraEnv), ccxtDir, "node", "order.mjs")
		if id := strings.TrimSpace(string(run.stdout)); id == "" || strings.ContainsAny(id, " \n") {
			b.Fatalf("the ccxt script printed no order id:\n%s", run.stdout)
		}
		return withRoutes(run)
	}

	cold := tradectlOrder()
	// An untimed ccxt run warms the page cache for node_modules and says
	// where ccxt's time goes.
	phases := ccxtOrder("CCXT_BENCH_PHASES=1")
	var tradectlRuns, ccxtRuns []processRun
	for b.Loop() {
		for range runs {
			tradectlRuns = append(tradectlRuns, tradectlOrder())
			ccxtRuns = append(ccxtRuns, ccxtOrder())
		}
	}

	// Every run must have placed a real order, and the warm tradectl runs
	// must not fetch the instrument rules again: the warm cache is what a
	// user's second order meets.
	if got, want := srv.OrdersPlaced(), 2+len(tradectlRuns)+len(ccxtRuns); got != want {
		b.Fatalf("the fake accepted %d orders, want %d", got, want)
	}
	for _, run := range tradectlRuns {
		if slices.Contains(run.routes, "GET /api/v3/exchangeInfo") {
			b.Fatalf("a warm tradectl run fetched exchangeInfo; it sent %q", run.routes)
		}
	}

	tradectlTime, ccxtTime := medianWall(tradectlRuns), medianWall(ccxtRuns)
	tradectlRSS, ccxtRSS := medianRSS(tradectlRuns), medianRSS(ccxtRuns)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	mb := func(n int64) float64 { return float64(n) / (1 << 20) }
	b.ReportMetric(ms(tradectlTime), "tradectl-ms")
	b.ReportMetric(ms(cold.wall), "tradectl-cold-ms")
	b.ReportMetric(ms(ccxtTime), "ccxt-ms")
	b.ReportMetric(mb(tradectlRSS), "tradectl-rss-MB")
	b.ReportMetric(mb(ccxtRSS), "ccxt-rss-MB")
	b.ReportMetric(float64(ccxtTime)/float64(tradectlTime), "ccxt/tradectl-time")
	b.ReportMetric(float64(tradectlRSS)/float64(ccxtRSS), "tradectl/ccxt-rss")
	// CPU time is less swayed than wall time by other work on the machine,
	// so its ratio is the one to trust on a busy one.
	tradectlCPU, ccxtCPU := medianCPU(tradectlRuns), medianCPU(ccxtRuns)
	b.ReportMetric(ms(tradectlCPU), "tradectl-cpu-ms")
	b.ReportMetric(ms(ccxtCPU), "ccxt-cpu-ms")
	b.ReportMetric(float64(ccxtCPU)/float64(tradectlCPU), "ccxt/tradectl-cpu")
	b.ReportMetric(float64(len(tradectlRuns[len(tradectlRuns)-1].routes)), "tradectl-requests")
	b.ReportMetric(float64(len(ccxtRuns[len(ccxtRuns)-1].routes)), "ccxt-requests")
	b.Logf("latency %s, medians of %d orders each: tradectl %.1f ms (cold first run %.1f ms), %.1f MB peak RSS; ccxt %s %.1f ms, %.1f MB peak RSS",
		latency, len(tradectlRuns), ms(tradectlTime), ms(cold.wall), mb(tradectlRSS), ccxtVersion, ms(ccxtTime), mb(ccxtRSS))
	b.Logf("tradectl sent %q (cold: %q); ccxt sent %q", tradectlRuns[len(tradectlRuns)-1].routes, cold.routes, ccxtRuns[len(ccxtRuns)-1].routes)
	b.Logf("ccxt, one run: %s", bytes.TrimSpace(phases.stderr))
}

// runProcess runs one process to its end and measures it. A failure ends
// the benchmark: a comparison with a failed order is no comparison.
func runProcess(b *testing.B, srv *fakebinance.Server, env []string, dir, name string, args ...string) processRun {
	b.Helper()
	firstRequest := len(srv.Requests())
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Skip("peak RSS needs getrusage (Linux, macOS)")
	}
	return processRun{wall: wall, maxRSS: maxRSSBytes(ru), cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		stdout: stdout.Bytes(), stderr: stderr.Bytes(), firstRequest: firstRequest}
}

func medianWall(runs []processRun) time.Duration {
	return median(runs, func(r processRun) time.Duration { return r.wall })
}

func medianCPU(runs []processRun) time.Duration {
	return median(runs, func(r processRun) time.Duration { return r.cpu })
}

func medianFaults(runs []processRun) int64 {
	return median(runs, func(r processRun) int64 { return r.minorFaults })
}

func medianRSS(runs []processRun) int64 {
	return median(runs, func(r processRun) int64 { return r.maxRSS })
}

// median is the middle value, or the mean of the two middle ones.
func median[T time.Duration | int64](runs []processRun, field func(processRun) T) T {
	vs := make([]T, len(runs))
	for i, r := range runs {
		vs[i] = field(r)
	}
	slices.Sort(vs)
	mid := len(vs) / 2
	if len(vs)%2 == 1 {
		return vs[mid]
	}
	return (vs[mid-1] + vs[mid]) / 2
}

func benchHex(b *testing.B, n int) string {
	buf := make([]byte, n/2)
	if _, err := rand.Read(buf); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(buf)
}

// ccxtInstall returns a directory holding order.mjs and the pinned ccxt in
// node_modules, installing it on first use:
//
//	$XDG_CACHE_HOME/tradectl/bench-ccxt/<hash of package.json and lock>/
//
// (os.UserCacheDir; ~/.cache on Linux) gets package.json and
// package-lock.json copied from testdata/ccxt and `npm ci --ignore-scripts`
// run in it, which needs the npm registry once. The directory is keyed by
// the lock file, so changing the pin installs afresh, and it lives outside
// the source tree so a fresh checkout reuses it. ccxt's install scripts
// (a banner, and an optional native WebSocket helper that HTTP calls do
// not use) are skipped. It skips the benchmark when node or npm is
// missing, the install fails, or the installed ccxt is not the pinned one.
func ccxtInstall(b *testing.B) string {
	b.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		b.Skipf("node not installed: %v", err)
	}
	if _, err := exec.LookPath("npm"); err != nil {
		b.Skipf("npm not installed: %v", err)
	}
	manifest := readTestdata(b, "package.json")
	lock := readTestdata(b, "package-lock.json")
	script := readTestdata(b, "order.mjs")
	cache, err := os.UserCacheDir()
	if err != nil {
		b.Skipf("no user cache directory to install ccxt into: %v", err)
	}
	sum := sha256.Sum256(append(append([]byte{}, manifest...), lock...))
	dir := filepath.Join(cache, "tradectl", "bench-ccxt", hex.EncodeToString(sum[:6]))
	stamp := filepath.Join(dir, "node_modules", ".tradectl-installed")
	if _, err := os.Stat(stamp); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		writeFile(b, filepath.Join(dir, "package.json"), manifest)
		writeFile(b, filepath.Join(dir, "package-lock.json"), lock)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		npm := exec.CommandContext(ctx, "npm", "ci", "--prefix", dir, "--ignore-scripts", "--no-audit", "--no-fund")
		if out, err := npm.CombinedOutput(); err != nil {
			b.Skipf("npm ci for ccxt %s failed (it needs the npm registry once): %v\n%s", ccxtVersion, err, lastLines(out, 20))
		}
		writeFile(b, stamp, nil)
	}
	// order.mjs is copied every time, so an edit to it counts at once.
	writeFile(b, filepath.Join(dir, "order.mjs"), script)

	// The installed package's own manifest says which release it is (the
	// version string ccxt 4.5.84 carries in its code says 4.5.83).
	var installed struct {
		Version string `json:"version"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", "ccxt", "package.json"))
	if err == nil {
		err = json.Unmarshal(data, &installed)
	}
	if err != nil || installed.Version != ccxtVersion {
		b.Skipf("ccxt in %s is %q (%v), want %s", dir, installed.Version, err, ccxtVersion)
	}
	check := exec.Command("node", "--input-type=module", "-e", "import ccxt from 'ccxt'; if (!ccxt.binance) process.exit(1)")
	check.Dir = dir
	if out, err := check.CombinedOutput(); err != nil {
		b.Skipf("node cannot load ccxt from %s: %v\n%s", dir, err, lastLines(out, 20))
	}
	return dir
}

func readTestdata(b *testing.B, name string) []byte {
	data, err := os.ReadFile(filepath.Join(ccxtTestdata, name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func writeFile(b *testing.B, path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
}

// lastLines keeps an install log's end, where npm says what went wrong.
func lastLines(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestCCXTPinned checks, without node or network, that the comparison
// installs exactly the ccxt it names: package.json pins the version with
// no range, and the lock file resolves ccxt to that version with an
// integrity hash, so `npm ci` cannot pick another.
func TestCCXTPinned(t *testing.T) {
	var manifest struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	var lock struct {
		LockfileVersion int `json:"lockfileVersion"`
		Packages        map[string]struct {
			Version      string            `json:"version"`
			Integrity    string            `json:"integrity"`
			Dependencies map[string]string `json:"dependencies"`
		} `json:"packages"`
	}
	for name, v := range map[string]any{"package.json": &manifest, "package-lock.json": &lock} {
		data, err := os.ReadFile(filepath.Join(ccxtTestdata, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if got := manifest.Dependencies["ccxt"]; got != ccxtVersion {
		t.Errorf("package.json: ccxt %q, want exactly %q", got, ccxtVersion)
	}
	if got := lock.Packages[""].Dependencies["ccxt"]; got != ccxtVersion {
		t.Errorf("package-lock.json: root depends on ccxt %q, want %q (run npm install in testdata/ccxt)", got, ccxtVersion)
	}
	installed := lock.Packages["node_modules/ccxt"]
	if installed.Version != ccxtVersion || installed.Integrity == "" {
		t.Errorf("package-lock.json: node_modules/ccxt is %q (integrity %q), want %s with an integrity hash",
			installed.Version, installed.Integrity, ccxtVersion)
	}
	if lock.LockfileVersion < 2 {
		t.Errorf("package-lock.json: lockfileVersion %d; npm ci needs 2 or later", lock.LockfileVersion)
	}
}

// maxRSSBytes converts ru_maxrss, which Linux reports in KiB and macOS in
// bytes.
func maxRSSBytes(ru *syscall.Rusage) int64 {
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}
