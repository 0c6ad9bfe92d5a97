package events

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

var btcusdt = trade.MustSymbol("BTC-USDT")

// lineClock is stdout that notes when each line was written.
type lineClock struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines []stamped
	added chan struct{}
}

type stamped struct {
	at   time.Time
	line []byte
}

func newLineClock() *lineClock { return &lineClock{added: make(chan struct{}, 10000)} }

func (w *lineClock) Write(p []byte) (int, error) {
	at := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		i := bytes.IndexByte(w.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		line := slices.Clone(w.buf.Next(i + 1))
		w.lines = append(w.lines, stamped{at: at, line: line})
		w.added <- struct{}{}
	}
	return len(p), nil
}

// waitLine waits for a line that match accepts, after the first skip lines.
func (w *lineClock) waitLine(t testing.TB, from int, match func(Event) bool) (stamped, int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		w.mu.Lock()
		for i := from; i < len(w.lines); i++ {
			var ev Event
			if err := json.Unmarshal(w.lines[i].line, &ev); err != nil {
				w.mu.Unlock()
				t.Fatalf("line %q: %v", w.lines[i].line, err)
			}
			if match(ev) {
				l := w.lines[i]
				w.mu.Unlock()
				return l, i + 1
			}
		}
		w.mu.Unlock()
		select {
		case <-w.added:
		case <-deadline:
			t.Fatal("no matching event line within 10s")
		}
	}
}

func openBinance(t testing.TB) (*binance.Exchange, *fakebinance.Server) {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	key, secret := hex.EncodeToString(b[:16]), hex.EncodeToString(b[16:])
	srv := fakebinance.New(key, secret)
	t.Cleanup(srv.Close)
	ex, err := binance.New(context.Background(), exchange.Params{
		Profile: "bn", Exchange: "binance",
		Options: map[string]any{binance.KeyBaseURL: srv.URL(), binance.KeyWSURL: srv.WSURL(), binance.KeyWSAPIURL: srv.WSAPIURL()},
		Secret: func(_ context.Context, name string) (string, error) {
			if name == "api_key" {
				return key, nil
			}
			return secret, nil
		},
		CacheDir: t.TempDir(), HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ex, srv
}

// startEvents runs `events -o ndjson` on ex in the background.
func startEvents(t testing.TB, ex exchange.Exchange) *lineClock {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	out := newLineClock()
	ios.Out = out
	opts := &EventsOptions{
		IO: ios,
		OpenExchange: func(context.Context, string) (exchange.Exchange, config.Profile, error) {
			return ex, config.Profile{Name: "bn", Exchange: ex.Name()}, nil
		},
		Printer:  func() (*render.Printer, error) { return render.NewPrinter(ios, "ndjson", "", time.Now) },
		Logger:   func() *slog.Logger { return slog.New(slog.DiscardHandler) },
		Interval: time.Second,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eventsRun(ctx, opts) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("events after Ctrl-C returned %v, want nil (exit 0)", err)
		}
	})
	return out
}

func marketBuy(clientID string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Market, Qty: decimal.RequireFromString("0.001"), ClientID: clientID}
}

// fillsToOutput places n market orders one after another and measures,
// for each, the time from sending it to `events` writing its fill line.
// The fake pushes the execution report as it answers the placement, so
// the figure bounds push → output from above by one loopback round trip.
func fillsToOutput(t testing.TB, n int) []time.Duration {
	ex, _ := openBinance(t)
	out := startEvents(t, ex)
	ctx := context.Background()
	// The first order proves the stream is connected and its baseline
	// taken: orders placed before then are history and never printed.
	next := 0
	var warm trade.Order
	for attempt := 0; ; attempt++ {
		o, err := ex.PlaceOrder(ctx, marketBuy("warm-"+hex.EncodeToString([]byte{byte(attempt)})))
		if err != nil {
			t.Fatal(err)
		}
		out.mu.Lock()
		got := slices.ContainsFunc(out.lines, func(l stamped) bool { return bytes.Contains(l.line, []byte(`"order_id":"`+o.ID+`"`)) })
		out.mu.Unlock()
		if got {
			warm = o
			break
		}
		time.Sleep(50 * time.Millisecond)
		if attempt > 100 {
			t.Fatal("events never printed the warm-up fill")
		}
	}
	_, next = out.waitLine(t, 0, func(ev Event) bool { return ev.Fill != nil && ev.Fill.OrderID == warm.ID })
	var lat []time.Duration
	for i := range n {
		start := time.Now()
		o, err := ex.PlaceOrder(ctx, marketBuy("lat-"+hex.EncodeToString([]byte{byte(i), byte(i >> 8)})))
		if err != nil {
			t.Fatal(err)
		}
		var l stamped
		l, next = out.waitLine(t, next, func(ev Event) bool { return ev.Kind == "fill" && ev.Fill.OrderID == o.ID })
		lat = append(lat, l.at.Sub(start))
	}
	return lat
}

// TestFillToEventLatency reports the median time from a fill to its
// `events` line on loopback; the issue asks for under 50 ms. The bound
// asserted here is loose (a loaded CI machine), the figure is logged.
func TestFillToEventLatency(t *testing.T) {
	lat := fillsToOutput(t, 30)
	slices.Sort(lat)
	median, worst := lat[len(lat)/2], lat[len(lat)-1]
	t.Logf("fill → events line on loopback: median %s, worst %s over %d fills", median, worst, len(lat))
	if median > 500*time.Millisecond {
		t.Errorf("median fill → events line %s: the stream is not pushing", median)
	}
}

// BenchmarkFillToEvent: ns/op is one fill's way from placement to its
// `events` line.
func BenchmarkFillToEvent(b *testing.B) {
	lat := fillsToOutput(b, b.N)
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
}

// Each line is one JSON object with the documented fields.
func TestEventLineFields(t *testing.T) {
	ex, _ := openBinance(t)
	out := startEvents(t, ex)
	ctx := context.Background()
	var o trade.Order
	for attempt := 0; ; attempt++ {
		var err error
		if o, err = ex.PlaceOrder(ctx, marketBuy("fields-"+hex.EncodeToString([]byte{byte(attempt)}))); err != nil {
			t.Fatal(err)
		}
		out.mu.Lock()
		n := len(out.lines)
		out.mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
		if attempt > 100 {
			t.Fatal("no events")
		}
	}
	l, _ := out.waitLine(t, 0, func(ev Event) bool { return ev.Fill != nil && ev.Fill.OrderID == o.ID })
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(l.line, &fields); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if diff := cmp.Diff([]string{"fill", "kind", "profile", "time", "venue"}, keys); diff != "" {
		t.Errorf("fill line fields (-want +got):\n%s\nline: %s", diff, l.line)
	}
	var ev Event
	if err := json.Unmarshal(l.line, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Profile != "bn" || ev.Venue != "binance" || ev.Kind != "fill" || ev.Fill.Symbol != btcusdt || !ev.Fill.Qty.Equal(decimal.RequireFromString("0.001")) {
		t.Errorf("fill line %s: want profile bn, venue binance, a BTC-USDT fill of 0.001", l.line)
	}
}
