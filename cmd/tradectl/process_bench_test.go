package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
)

// BenchmarkProcess measures whole processes, start to exit, as a person
// or a cron job meets them: `tradectl version`, and a paper market order
// (config, SQLite open, migration check, write) — each next to a bare Go
// hello-world built in the same run on the same machine. The ratios are
// the numbers to watch; targets: version ≤ 2× hello, order ≤ 4× hello.
//
// Each figure is the median of b.N runs, not the mean: on a shared machine
// a few runs stall behind other processes or a slow fsync, and one such
// run moves a mean of twenty by more than the changes being measured. The
// minor page faults are reported too: a process this short spends much of
// its life faulting in pages of its binary, heap and stacks, and the count,
// unlike the time, does not depend on what else the machine is doing.
func BenchmarkProcess(b *testing.B) {
	dir := b.TempDir()
	hello := filepath.Join(dir, "hello")
	tradectl := filepath.Join(dir, "tradectl")
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	build := func(out string, args ...string) {
		cmd := exec.Command("go", append([]string{"build", "-trimpath", "-ldflags=-s -w", "-o", out}, args...)...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("build %s: %v\n%s", out, err, msg)
		}
	}
	build(hello, src)
	build(tradectl, ".")
	// The floor: a hello-world linked with the libraries tradectl is built
	// on (cobra, viper, lipgloss, SQLite, decimal, net/http). What they do
	// before main is start-up no command can avoid; floor/hello says how
	// much of the version/hello ratio is theirs.
	floor := filepath.Join(dir, "floor")
	build(floor, "./testdata/floor")

	home := filepath.Join(dir, "home")
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home+"/config", "XDG_DATA_HOME="+home+"/data",
		"XDG_STATE_HOME="+home+"/state", "XDG_CACHE_HOME="+home+"/cache", "TRADECTL_CONFIG=", "TRADECTL_PROFILE=", "NO_COLOR=1")
	run := func(name string, args ...string) processRun {
		cmd := exec.Command(name, args...)
		cmd.Env = env
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		r := processRun{wall: time.Since(start)}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.minorFaults = ru.Minflt
		}
		return r
	}
	// Warm the page cache and create the paper database outside the timing.
	run(hello)
	run(floor)
	run(tradectl, "version")
	run(tradectl, "quote", "BTC-USD")

	var hellos, floors, versions, orders []processRun
	sides := []string{"buy", "sell"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hellos = append(hellos, run(hello))
		floors = append(floors, run(floor))
		versions = append(versions, run(tradectl, "version"))
		orders = append(orders, run(tradectl, "order", "create", "BTC-USD", "--side", sides[i%2], "--qty", "0.001", "-o", "json"))
	}
	b.StopTimer()
	tHello, tFloor, tVersion, tOrder := medianWall(hellos), medianWall(floors), medianWall(versions), medianWall(orders)
	b.ReportMetric(float64(tHello.Microseconds()), "hello-µs")
	b.ReportMetric(float64(tFloor.Microseconds()), "floor-µs")
	b.ReportMetric(float64(tFloor)/float64(tHello), "floor/hello")
	b.ReportMetric(float64(tVersion.Microseconds()), "version-µs")
	b.ReportMetric(float64(tOrder.Microseconds()), "order-µs")
	b.ReportMetric(float64(tVersion)/float64(tHello), "version/hello")
	b.ReportMetric(float64(tOrder)/float64(tHello), "order/hello")
	b.ReportMetric(float64(medianFaults(hellos)), "hello-minflt")
	b.ReportMetric(float64(medianFaults(floors)), "floor-minflt")
	b.ReportMetric(float64(medianFaults(versions)), "version-minflt")
	b.ReportMetric(float64(medianFaults(orders)), "order-minflt")
}

// BenchmarkWatch100Symbols runs `tradectl watch` on 100 symbols streamed
// by a fake Binance (a bookTicker and a miniTicker message per symbol
// every second, as NDJSON to a pipe) and reports the process's CPU use as
// a percentage of one core and its peak resident memory. Targets: under
// 2% of a core and under 40 MB. The run lasts 60 s;
// TRADECTL_BENCH_WATCH=10s shortens it.
func BenchmarkWatch100Symbols(b *testing.B) {
	span := 60 * time.Second
	if v := os.Getenv("TRADECTL_BENCH_WATCH"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		span = d
	}
	var specs []fakebinance.SymbolSpec
	var args []string
	for i := range 100 {
		base := fmt.Sprintf("SYM%d", i)
		specs = append(specs, fakebinance.SymbolSpec{Symbol: base + "USDT", Base: base, Quote: "USDT",
			MinPrice: "0.01", MaxPrice: "100000", TickSize: "0.01", MinQty: "0.001", MaxQty: "100000", StepSize: "0.001",
			MinNotional: "5", Bid: "100.00", Ask: "100.01", Last: "100.00"})
		args = append(args, base+"-USDT")
	}
	srv := fakebinance.New("bench-key", "bench-secret", fakebinance.WithSymbols(specs...), fakebinance.WithStreamInterval(time.Second))
	b.Cleanup(srv.Close)
	bin := tradectlBinary(b)
	home := b.TempDir()
	cfg := filepath.Join(home, "config.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("profiles:\n  bn:\n    exchange: binance\n    base_url: %s\n    ws_url: %s\n", srv.URL(), srv.WSURL())), 0o600); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		cmd := exec.Command(bin, append([]string{"watch", "--profile", "bn", "--timeout", span.String(), "-o", "ndjson"}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CACHE_HOME="+home+"/cache", "XDG_DATA_HOME="+home+"/data",
			"XDG_STATE_HOME="+home+"/state", "TRADECTL_CONFIG="+cfg)
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		lines := 0
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines++
		}
		if err := cmd.Wait(); err != nil {
			b.Fatalf("watch: %v", err)
		}
		wall := time.Since(start)
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu-%")
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-rss-MB")
		b.ReportMetric(float64(lines)/wall.Seconds(), "updates/s")
	}
}
