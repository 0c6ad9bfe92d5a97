package watch

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/alpaca"
	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/coinbase"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/kraken"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// The watch-path benchmarks: 100 symbols streamed from a venue's fake at a
// fixed rate, through the adapter and its decoder alone ("adapter") or
// through the whole watch — tracker, conditions, staleness, NDJSON
// written to a discard ("watch"). The fake runs in a child process, so
// the CPU this process uses is the client's alone:
//
//	go test -run '^$' -bench 'Watch.*Stream' -benchtime 2000x ./internal/cmd/watch/
//
// Alpaca: 100 stocks on the Market Data stream, rate quotes a second
// (batched by the fake every 5 ms, as Alpaca batches for a busy client).
// Binance: 100 pairs on the combined stream, bookTicker and miniTicker
// each, every stream resent every interval (200 messages per interval).
// Kraken: 100 pairs on the v2 ticker channel, each resent every interval
// (one message per pair). Coinbase: 100 products on the ticker channel,
// each resent every interval (one message carrying all 100 tickers).
//
// Metrics: quotes/s handled, cpu%/core (this process's user+system time
// over wall time), heap-MB (live heap at the end), rss-MB (resident set
// at the end), and per-quote allocations. quotes/s below the rate means
// the client could not keep up.
func BenchmarkWatchAlpacaStream(b *testing.B) {
	for _, rate := range []int{200, 1000, 5000, 20000} {
		for _, path := range []string{"adapter", "watch"} {
			b.Run(fmt.Sprintf("rate=%d/%s", rate, path), func(b *testing.B) {
				benchStream(b, "alpaca", rate, path)
			})
		}
	}
}

func BenchmarkWatchKrakenStream(b *testing.B) {
	for _, rate := range []int{200, 2000, 10000} {
		for _, path := range []string{"adapter", "watch"} {
			b.Run(fmt.Sprintf("rate=%d/%s", rate, path), func(b *testing.B) {
				benchStream(b, "kraken", rate, path)
			})
		}
	}
}

func BenchmarkWatchCoinbaseStream(b *testing.B) {
	for _, rate := range []int{200, 2000, 10000} {
		for _, path := range []string{"adapter", "watch"} {
			b.Run(fmt.Sprintf("rate=%d/%s", rate, path), func(b *testing.B) {
				benchStream(b, "coinbase", rate, path)
			})
		}
	}
}

func BenchmarkWatchBinanceStream(b *testing.B) {
	for _, rate := range []int{200, 2000, 20000} {
		for _, path := range []string{"adapter", "watch"} {
			b.Run(fmt.Sprintf("rate=%d/%s", rate, path), func(b *testing.B) {
				benchStream(b, "binance", rate, path)
			})
		}
	}
}

// benchSymbols are 100 tickers: TAA, TAB, … TDV.
func benchSymbols() []string {
	var out []string
	for i := 0; len(out) < 100; i++ {
		out = append(out, "T"+string(rune('A'+i/26))+string(rune('A'+i%26)))
	}
	return out
}

// fakeProcessEnv, when set to "venue rate", makes TestFakeVenueProcess
// the fake of a benchmark: it serves until its stdin closes.
const fakeProcessEnv = "TRADECTL_BENCH_FAKE_VENUE"

// fakeEndpoints is what the child tells the benchmark: the profile's
// options and a key made for the run.
type fakeEndpoints struct {
	Options     map[string]any
	Key, Secret string
}

// TestFakeVenueProcess is the benchmarks' fake in a process of its own;
// run as a test it has nothing to do.
func TestFakeVenueProcess(t *testing.T) {
	venue, rateText, _ := strings.Cut(os.Getenv(fakeProcessEnv), " ")
	if venue == "" {
		t.Skip("the fake venue of the Watch*Stream benchmarks; runs only in their child process")
	}
	rate, err := strconv.Atoi(rateText)
	if err != nil {
		t.Fatal(err)
	}
	key, secret := "PKBENCH"+venuetest.RandHex(t, 8), venuetest.RandHex(t, 20)
	var ep fakeEndpoints
	switch venue {
	case "alpaca":
		var specs []fakealpaca.AssetSpec
		for i, sym := range benchSymbols() {
			bid := trade.Dec(strconv.Itoa(100 + i))
			specs = append(specs, fakealpaca.AssetSpec{Symbol: sym, Class: "us_equity", Exchange: "NASDAQ", Name: sym, Tradable: true, Fractionable: true,
				Bid: bid.String(), Ask: bid.Add(trade.Dec("0.02")).String(), Last: bid.Add(trade.Dec("0.01")).String()})
		}
		srv := fakealpaca.New(key, secret, fakealpaca.WithAssets(specs...), fakealpaca.WithDataRate(rate), fakealpaca.WithRateLimit(1000000))
		defer srv.Close()
		ep.Options = map[string]any{alpaca.KeyBaseURL: srv.URL(), alpaca.KeyDataURL: srv.DataURL(), alpaca.KeyDataStreamURL: srv.DataStreamURL()}
	case "binance":
		var specs []fakebinance.SymbolSpec
		for i, base := range benchSymbols() {
			bid := trade.Dec(strconv.Itoa(100 + i))
			specs = append(specs, fakebinance.SymbolSpec{Symbol: base + "USDT", Base: base, Quote: "USDT",
				MinPrice: "0.01", MaxPrice: "1000000", TickSize: "0.01", MinQty: "0.00001", MaxQty: "9000", StepSize: "0.00001",
				MarketMinQty: "0", MarketMaxQty: "100", MarketStep: "0", MinNotional: "5",
				Bid: bid.String(), Ask: bid.Add(trade.Dec("0.02")).String(), Last: bid.Add(trade.Dec("0.01")).String()})
		}
		// Every interval each of the 200 streams is sent once.
		every := time.Duration(float64(time.Second) * 200 / float64(rate))
		srv := fakebinance.New(key, secret, fakebinance.WithSymbols(specs...), fakebinance.WithStreamInterval(every), fakebinance.WithWeightLimit(1000000))
		defer srv.Close()
		ep.Options = map[string]any{binance.KeyBaseURL: srv.URL(), binance.KeyWSURL: srv.WSURL()}
	case "kraken":
		assets := []fakekraken.AssetSpec{}
		var pairs []fakekraken.PairSpec
		for i, base := range benchSymbols() {
			bid := trade.Dec(strconv.Itoa(100 + i))
			assets = append(assets, fakekraken.AssetSpec{ID: base, AltName: base, Decimals: 10})
			pairs = append(pairs, fakekraken.PairSpec{ID: base + "USD", AltName: base + "USD", WSName: base + "/USD", Base: base, Quote: "ZUSD",
				PairDecimals: 2, LotDecimals: 8, CostDecimals: 5, OrderMin: "0.01", CostMin: "0.5", TickSize: "0.01", Status: "online",
				Bid: bid.StringFixed(2), Ask: bid.Add(trade.Dec("0.02")).StringFixed(2), Last: bid.Add(trade.Dec("0.01")).StringFixed(2)})
		}
		secret = base64.StdEncoding.EncodeToString(venuetest.RandBytes(t, 64))
		srv := fakekraken.New(key, secret, fakekraken.WithPairs(assets, pairs...), fakekraken.WithStreamRepeat(time.Duration(float64(time.Second)*100/float64(rate))))
		defer srv.Close()
		ep.Options = map[string]any{kraken.KeyBaseURL: srv.URL(), kraken.KeyWSURL: srv.WSURL()}
	case "coinbase":
		var products []fakecoinbase.ProductSpec
		for i, base := range benchSymbols() {
			bid := trade.Dec(strconv.Itoa(100 + i))
			products = append(products, fakecoinbase.ProductSpec{ID: base + "-USD", BaseIncrement: "0.001", QuoteIncrement: "0.01", BaseMinSize: "0.001",
				BaseMaxSize: "100000", QuoteMinSize: "1", QuoteMaxSize: "50000000",
				Bid: bid.String(), Ask: bid.Add(trade.Dec("0.02")).String(), Last: bid.Add(trade.Dec("0.01")).String()})
		}
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		key, secret = "organizations/bench/apiKeys/"+venuetest.RandHex(t, 8), string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
		srv := fakecoinbase.New(key, &k.PublicKey, fakecoinbase.WithProducts(products...), fakecoinbase.WithStreamRepeat(time.Duration(float64(time.Second)*100/float64(rate))))
		defer srv.Close()
		ep.Options = map[string]any{coinbase.KeyBaseURL: srv.URL(), coinbase.KeyWSURL: srv.WSURL()}
	case "floor":
		// Not a venue: a plain TCP socket sending a 200-byte line every
		// 5 ms, as the Alpaca fake paces its frames (see BenchmarkStreamFloor).
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go serveFloor(ln)
		ep.Options = map[string]any{"addr": ln.Addr().String()}
	default:
		t.Fatalf("no fake for %q", venue)
	}
	ep.Key, ep.Secret = key, secret
	if err := json.NewEncoder(os.Stdout).Encode(ep); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, os.Stdin) // until the benchmark is done
}

// serveFloor writes a 200-byte line every 5 ms to each connection.
func serveFloor(ln net.Listener) {
	line := []byte(strings.Repeat("x", 199) + "\n")
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for range tick.C {
				if _, err := c.Write(line); err != nil {
					return
				}
			}
		}()
	}
}

// BenchmarkStreamFloor is what the Alpaca stream's pacing costs a Go
// process that does nothing with what it reads: a plain TCP socket
// carrying a 200-byte line every 5 ms, read line by line, the sender in
// a child process as for the Watch*Stream benchmarks. Every line wakes
// the reader (the poller, the runtime's monitor thread), so its
// cpu%/core is the floor, on the machine it runs on, for any client woken
// once per frame; the Alpaca stream reads a steady stream a few frames at
// a time (venuews.Timing.ReadEvery) to get below it:
//
//	go test -run '^$' -bench 'StreamFloor|WatchAlpacaStream/rate=200$' -benchtime 2000x ./internal/cmd/watch/
func BenchmarkStreamFloor(b *testing.B) {
	ep := startFakeProcess(b, "floor", 200)
	addr, _ := ep.Options["addr"].(string)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for range 200 { // a second of warm-up, as the stream benchmarks have
		if _, err := r.ReadSlice('\n'); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	cpu0, wall0 := cpuTime(), time.Now()
	b.ResetTimer()
	for range b.N {
		if _, err := r.ReadSlice('\n'); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	wall, cpu := time.Since(wall0), cpuTime()-cpu0
	b.ReportMetric(float64(b.N)/wall.Seconds(), "lines/s")
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu%/core")
}

// startFakeProcess runs venue's fake in a child process, pushing rate
// quotes a second.
func startFakeProcess(b *testing.B, venue string, rate int) fakeEndpoints {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestFakeVenueProcess$")
	cmd.Env = append(os.Environ(), fakeProcessEnv+"="+venue+" "+strconv.Itoa(rate))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		b.Fatalf("fake process: %v", err)
	}
	var ep fakeEndpoints
	if err := json.Unmarshal(line, &ep); err != nil {
		b.Fatalf("fake process said %q: %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return ep
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rssMB is the resident set now (Linux), else the peak.
func rssMB() float64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return kb / 1024
			}
		}
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024
}

func benchStream(b *testing.B, venue string, rate int, path string) {
	ep := startFakeProcess(b, venue, rate)
	log, logger := venuetest.NewLog()
	p := exchange.Params{Profile: "bench", Exchange: venue, Logger: logger, Options: ep.Options,
		Secret: venuetest.Secrets(ep.Key, ep.Secret), CacheDir: b.TempDir(), DataDir: b.TempDir()}
	var ex interface {
		exchange.Exchange
		exchange.QuoteStreamer
	}
	var err error
	var symbols []trade.Symbol
	switch venue {
	case "alpaca":
		ex, err = alpaca.New(context.Background(), p)
		for _, s := range benchSymbols() {
			symbols = append(symbols, trade.MustSymbol(s))
		}
	case "binance":
		ex, err = binance.New(context.Background(), p)
		for _, s := range benchSymbols() {
			symbols = append(symbols, trade.MustSymbol(s+"-USDT"))
		}
	case "kraken", "coinbase":
		if venue == "kraken" {
			ex, err = kraken.New(context.Background(), p)
		} else {
			ex, err = coinbase.New(context.Background(), p)
		}
		for _, s := range benchSymbols() {
			symbols = append(symbols, trade.MustSymbol(s+"-USD"))
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	defer ex.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	// Warm up: every symbol quoted once, so the measure starts on a
	// steady stream.
	seen := map[trade.Symbol]bool{}
	warm, stopWarm := context.WithCancel(ctx)
	_ = ex.StreamQuotes(warm, symbols, func(q trade.Quote) error {
		seen[q.Symbol] = true
		if len(seen) == len(symbols) {
			stopWarm()
		}
		return nil
	})
	stopWarm()
	// The fake lets one connection per endpoint in, as Alpaca does: give
	// it a moment to see the warm-up's go.
	time.Sleep(300 * time.Millisecond)

	b.ReportAllocs()
	runtime.GC()
	cpu0, wall0 := cpuTime(), time.Now()
	b.ResetTimer()
	switch path {
	case "adapter":
		n := 0
		sctx, stop := context.WithCancel(ctx)
		err = ex.StreamQuotes(sctx, symbols, func(trade.Quote) error {
			n++
			if n >= b.N {
				stop()
			}
			return nil
		})
		stop()
		if n < b.N {
			b.Fatalf("stream ended after %d of %d quotes: %v", n, b.N, err)
		}
	case "watch":
		ios, _, _, _ := iostreams.Test()
		ios.Out = io.Discard
		p, perr := render.NewPrinter(ios, "ndjson", "", nil)
		if perr != nil {
			b.Fatal(perr)
		}
		alert, perr := parseExpr("--alert", symbols[0].String()+".bid > 1000000")
		if perr != nil {
			b.Fatal(perr)
		}
		o := &WatchOptions{IO: ios, Symbols: symbols, Interval: time.Second, Count: b.N, StaleAfter: DefaultStaleAfter,
			Now: time.Now, Since: time.Since, Logger: func() *slog.Logger { return slog.New(slog.DiscardHandler) }}
		o.Alerts = append(o.Alerts, alert)
		if err := follow(ctx, o, ex, p, nil, nil, conditionNotifier{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	wall, cpu := time.Since(wall0), cpuTime()-cpu0
	if strings.Contains(log.String(), "polling") {
		b.Fatalf("the stream fell back to polling; the numbers would not be the stream's:\n%s", log.String())
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(b.N)/wall.Seconds(), "quotes/s")
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu%/core")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	b.ReportMetric(rssMB(), "rss-MB")
}
