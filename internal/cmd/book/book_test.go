package book

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

var btc = trade.MustSymbol("BTC-USD")

var jsonTimeEqual = cmp.Comparer(func(a, b trade.JSONTime) bool { return time.Time(a).Equal(time.Time(b)) })

func TestFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    BookOptions
		wantErr string
	}{
		{"defaults", []string{"btc/usd"}, BookOptions{Symbol: btc, Depth: 10, Interval: 2 * time.Second}, ""},
		{"watch", []string{"BTC-USD", "--depth", "3", "--watch", "--interval", "5s"}, BookOptions{Symbol: btc, Depth: 3, Watch: true, Interval: 5 * time.Second}, ""},
		{"depth 0", []string{"BTC-USD", "--depth", "0"}, BookOptions{}, "--depth must be between 1 and 500"},
		{"depth too deep", []string{"BTC-USD", "--depth", "501"}, BookOptions{}, "--depth must be between 1 and 500"},
		{"interval without watch", []string{"BTC-USD", "--interval", "5s"}, BookOptions{}, "--interval applies with --watch only"},
		{"interval too short", []string{"BTC-USD", "--watch", "--interval", "100ms"}, BookOptions{}, "--interval must be at least 1s"},
		{"bad symbol", []string{"BTC USD"}, BookOptions{}, "symbol"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *BookOptions
			f := &cmdutil.Factory{Globals: &cmdutil.GlobalOptions{}}
			cmd := NewCmdBook(f, func(o *BookOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&strings.Builder{})
			cmd.SetErr(&strings.Builder{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *cmdutil.UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want a usage error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g := BookOptions{Symbol: got.Symbol, Depth: got.Depth, Watch: got.Watch, Interval: got.Interval}
			if diff := cmp.Diff(tt.want, g); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewView: prices at the tick and quantities at the step, trailing
// zeros kept, cumulative quantities down each side, the mid one place
// finer than the tick; a value off the tick keeps its own digits.
func TestNewView(t *testing.T) {
	d := trade.Dec
	prec := render.NewPrecision([]trade.Instrument{{Symbol: btc, BaseAsset: "BTC", QuoteAsset: "USD", TickSize: d("0.01"), StepSize: d("0.001")}})
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	b := trade.Book{Symbol: btc, Time: at,
		Bids: []trade.BookLevel{{Price: d("100"), Qty: d("1.5")}, {Price: d("99.9"), Qty: d("0.25")}},
		Asks: []trade.BookLevel{{Price: d("100.01"), Qty: d("2")}, {Price: d("100.015"), Qty: d("1")}}}
	got := NewView(b, "binance", prec)
	s := func(v string) *string { return &v }
	want := View{Symbol: btc, Exchange: "binance", Time: trade.JSONTime(at),
		BestBid: s("100.00"), BestAsk: s("100.01"), Spread: s("0.01"), Mid: s("100.005"),
		Bids: []Level{{"100.00", "1.500", "1.500"}, {"99.90", "0.250", "1.750"}},
		Asks: []Level{{"100.01", "2.000", "2.000"}, {"100.015", "1.000", "3.000"}}}
	if diff := cmp.Diff(want, got, jsonTimeEqual); diff != "" {
		t.Errorf("NewView (-want +got):\n%s", diff)
	}
	header, rows := got.CSVTable()
	if diff := cmp.Diff(CSVColumns, header); diff != "" {
		t.Errorf("CSV header (-want +got):\n%s", diff)
	}
	wantRows := [][]string{
		{"BTC-USD", "2026-01-02T03:04:05.000Z", "bid", "1", "100.00", "1.500", "1.500"},
		{"BTC-USD", "2026-01-02T03:04:05.000Z", "bid", "2", "99.90", "0.250", "1.750"},
		{"BTC-USD", "2026-01-02T03:04:05.000Z", "ask", "1", "100.01", "2.000", "2.000"},
		{"BTC-USD", "2026-01-02T03:04:05.000Z", "ask", "2", "100.015", "1.000", "3.000"},
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("CSV rows (-want +got):\n%s", diff)
	}
	// One side empty: no spread or mid, and JSON says null.
	empty := NewView(trade.Book{Symbol: btc, Time: at, Asks: b.Asks}, "paper", prec)
	raw, _ := json.Marshal(empty)
	if !strings.Contains(string(raw), `"spread":null`) || !strings.Contains(string(raw), `"bids":[]`) {
		t.Errorf("one-sided book JSON %s: want spread null and bids []", raw)
	}
}

func openPaper(t *testing.T, at time.Time) func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error) {
	dir := t.TempDir()
	return func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error) {
		ex, err := paper.New(ctx, exchange.Params{Profile: "paper", Exchange: "paper", Options: map[string]any{},
			DataDir: dir, CacheDir: dir, Now: func() time.Time { return at }})
		return ex, config.Profile{Name: "paper", Exchange: "paper"}, err
	}
}

// TestRunSameOnEveryFormat: the table, the JSON and the CSV of one book
// show the same numbers, written the same way.
func TestRunSameOnEveryFormat(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	outputs := map[string]string{}
	for _, format := range []string{"table", "json", "csv"} {
		ios, _, out, _ := iostreams.Test()
		o := &BookOptions{IO: ios, OpenExchange: openPaper(t, at), Now: func() time.Time { return at },
			Printer: func() (*render.Printer, error) {
				return render.NewPrinter(ios, format, "", func() time.Time { return at })
			},
			Config: func() (*config.Config, error) { return &config.Config{Timeout: time.Minute}, nil },
			Symbol: btc, Depth: 3, Interval: time.Second}
		if err := bookRun(context.Background(), o); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		outputs[format] = out.String()
	}
	var v View
	if err := json.Unmarshal([]byte(outputs["json"]), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Bids) != 3 || len(v.Asks) != 3 {
		t.Fatalf("depth 3 gave %d bids and %d asks", len(v.Bids), len(v.Asks))
	}
	for _, l := range append(v.Bids, v.Asks...) {
		for _, format := range []string{"table", "csv"} {
			for _, text := range []string{l.Price, l.Qty, l.CumQty} {
				if !strings.Contains(outputs[format], text) {
					t.Errorf("%s output lacks %s, which the JSON shows:\n%s", format, text, outputs[format])
				}
			}
		}
	}
	if !strings.HasPrefix(outputs["table"], "BTC-USD on paper · spread "+*v.Spread+" · mid "+*v.Mid+"\n") {
		t.Errorf("table summary:\n%s", outputs["table"])
	}
}

// TestStream: piped --watch writes one JSON line per refresh until the
// context ends; --timeout running out is exit 0, Ctrl-C is not.
func TestStream(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ios, _, out, _ := iostreams.Test()
	o := &BookOptions{IO: ios, OpenExchange: openPaper(t, at), Now: func() time.Time { return at },
		Printer: func() (*render.Printer, error) { return render.NewPrinter(ios, "ndjson", "", nil) },
		Symbol:  btc, Depth: 2, Watch: true, Interval: time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := bookRun(ctx, o); err != nil {
		t.Fatalf("a watch ended by its deadline: %v, want nil", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 2 {
		t.Fatalf("%d lines, want one per refresh:\n%s", len(lines), out.String())
	}
	for _, l := range lines {
		var v View
		if err := json.Unmarshal([]byte(l), &v); err != nil || v.Symbol != btc || len(v.Bids) != 2 {
			t.Errorf("line %q: %v", l, err)
		}
	}

	canceled, stop := context.WithCancel(context.Background())
	stop()
	printer, _ := o.Printer()
	if err := stream(canceled, o, printer, &feed{poll: func(context.Context) (View, error) { return View{}, context.Canceled }}); !errors.Is(err, context.Canceled) {
		t.Errorf("Ctrl-C: %v, want context.Canceled (exit 130)", err)
	}
}

func TestFrame(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	o := &BookOptions{IO: ios, Symbol: btc, Interval: 2 * time.Second, Now: time.Now}
	if got := frame(o, 80, nil, nil, false); !strings.Contains(got, "loading the BTC-USD book") {
		t.Errorf("before the first read: %q", got)
	}
	d := trade.Dec
	v := NewView(trade.Book{Symbol: btc, Time: time.Now(), Bids: []trade.BookLevel{{Price: d("1"), Qty: d("2")}}, Asks: []trade.BookLevel{{Price: d("1.5"), Qty: d("3")}}}, "paper", render.Precision{})
	got := frame(o, 80, &v, errors.New("venue unavailable"), false)
	for _, want := range []string{"BTC-USD on paper · spread 0.5 · mid 1.25", "BID QTY", "refresh failed: venue unavailable", "every 2s · r refresh · q quit"} {
		if !strings.Contains(got, want) {
			t.Errorf("frame lacks %q:\n%s", want, got)
		}
	}
}

// streamingPaper is the paper exchange with a pushed book: it pushes
// three one-level books (bid 1, 2, 3) and then its stream breaks.
type streamingPaper struct {
	exchange.Exchange
	pushed chan struct{}
}

func (s streamingPaper) OrderBook(ctx context.Context, sym trade.Symbol, depth int) (trade.Book, error) {
	return s.Exchange.(exchange.OrderBookReader).OrderBook(ctx, sym, depth)
}

func (s streamingPaper) StreamBook(ctx context.Context, sym trade.Symbol, depth int, fn func(trade.Book) error) error {
	for i := 1; i <= 3; i++ {
		b, err := trade.NewBook(sym, time.Now(), []trade.BookLevel{{Price: trade.Dec(strconv.Itoa(i)), Qty: trade.Dec("1")}},
			[]trade.BookLevel{{Price: trade.Dec("1000"), Qty: trade.Dec("1")}}, depth)
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
		<-s.pushed // the next push waits until this one was handed out
	}
	return errors.New("connection reset")
}

// TestStreamedBook: with a venue that pushes its book, --watch writes the
// pushed books as they come (no REST read), and when the stream breaks it
// says so once and reads the book every --interval instead.
func TestStreamedBook(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ios, _, out, _ := iostreams.Test()
	var logs strings.Builder
	pushed := make(chan struct{}, 3)
	open := openPaper(t, at)
	o := &BookOptions{IO: ios, Now: func() time.Time { return at },
		OpenExchange: func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error) {
			ex, p, err := open(ctx, profile)
			return streamingPaper{Exchange: ex, pushed: pushed}, p, err
		},
		Logger:  func() *slog.Logger { return slog.New(slog.NewTextHandler(&logs, nil)) },
		Printer: func() (*render.Printer, error) { return render.NewPrinter(ios, "ndjson", "", nil) },
		Symbol:  btc, Depth: 2, Watch: true, Interval: 50 * time.Millisecond}
	// Each line written lets the stream push its next book.
	ios.Out = writerFunc(func(p []byte) (int, error) {
		select {
		case pushed <- struct{}{}:
		default: // polled lines, after the stream is gone
		}
		return out.Write(p)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := bookRun(ctx, o); err != nil {
		t.Fatalf("a watch ended by its deadline: %v, want nil", err)
	}
	var bids []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var v View
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		bids = append(bids, v.Bids[0].Price)
	}
	if len(bids) < 4 {
		t.Fatalf("%d books, want the 3 pushed and then polled ones: %v", len(bids), bids)
	}
	if diff := cmp.Diff([]string{"1.00", "2.00", "3.00"}, bids[:3]); diff != "" {
		t.Errorf("pushed books (-want +got):\n%s", diff)
	}
	if bids[3] == "3.00" || len(bids[3]) < 6 {
		t.Errorf("after the stream broke the book was not read from paper: bid %s", bids[3])
	}
	if n := strings.Count(logs.String(), "order book stream stopped"); n != 1 {
		t.Errorf("fallback warnings = %d, want 1:\n%s", n, logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }
