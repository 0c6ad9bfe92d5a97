package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkProcess measures whole processes, start to exit, as a person
// or a cron job meets them: `tradectl version`, and a paper market order
// (config, SQLite open, migration check, write) — each next to a bare Go
// hello-world built in the same run on the same machine. The ratios are
// the numbers to watch; targets: version ≤ 2× hello, order ≤ 4× hello.
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

	home := filepath.Join(dir, "home")
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home+"/config", "XDG_DATA_HOME="+home+"/data",
		"XDG_STATE_HOME="+home+"/state", "XDG_CACHE_HOME="+home+"/cache", "TRADECTL_CONFIG=", "TRADECTL_PROFILE=", "NO_COLOR=1")
	run := func(name string, args ...string) time.Duration {
		cmd := exec.Command(name, args...)
		cmd.Env = env
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return time.Since(start)
	}
	// Warm the page cache and create the paper database outside the timing.
	run(hello)
	run(tradectl, "version")
	run(tradectl, "quote", "BTC-USD")

	var tHello, tVersion, tOrder time.Duration
	sides := []string{"buy", "sell"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tHello += run(hello)
		tVersion += run(tradectl, "version")
		tOrder += run(tradectl, "order", "create", "BTC-USD", "--side", sides[i%2], "--qty", "0.001", "-o", "json")
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(tHello.Microseconds())/n, "hello-µs")
	b.ReportMetric(float64(tVersion.Microseconds())/n, "version-µs")
	b.ReportMetric(float64(tOrder.Microseconds())/n, "order-µs")
	b.ReportMetric(float64(tVersion)/float64(tHello), "version/hello")
	b.ReportMetric(float64(tOrder)/float64(tHello), "order/hello")
}
