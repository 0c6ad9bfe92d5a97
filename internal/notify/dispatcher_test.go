package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// recorder is a notifier that records what it got, optionally waiting on
// a gate or failing; it stands for a destination, not for the dispatcher.
type recorder struct {
	name string
	gate chan struct{} // nil: deliver at once
	fail error

	mu    sync.Mutex
	kinds []Kind
}

func (r *recorder) Name() string { return r.name }

func (r *recorder) Notify(ctx context.Context, ev Event, _ []byte) error {
	if r.gate != nil {
		select {
		case <-r.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if r.fail != nil {
		return r.fail
	}
	r.mu.Lock()
	r.kinds = append(r.kinds, ev.Kind)
	r.mu.Unlock()
	return nil
}

func (r *recorder) got() []Kind {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Kind(nil), r.kinds...)
}

func TestDispatcherDeliversInOrderAndFilters(t *testing.T) {
	r := &recorder{name: "rec"}
	d := New(Options{Notifiers: []Notifier{r}, On: []Kind{KindAlert, KindOrderFilled}})
	for _, k := range []Kind{KindAlert, KindUntil, KindOrderFilled, KindAlert, KindRiskRefused} {
		d.Send(Event{Kind: k})
	}
	stats := d.Close()
	if diff := cmp.Diff([]Kind{KindAlert, KindOrderFilled, KindAlert}, r.got()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Stat{{Notifier: "rec", Delivered: 3}}, stats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	d.Send(Event{Kind: KindAlert}) // after Close: ignored, no panic
	if n := len(r.got()); n != 3 {
		t.Errorf("an event sent after Close was delivered (%d)", n)
	}
}

// A notifier that never answers must not hold up Send (the trading path)
// nor another notifier; Close gives up on it after the drain time and
// says what was lost.
func TestDispatcherSlowNotifierBlocksNothing(t *testing.T) {
	stuck := &recorder{name: "stuck", gate: make(chan struct{})}
	quick := &recorder{name: "quick"}
	var log bytes.Buffer
	d := New(Options{Notifiers: []Notifier{stuck, quick}, Queue: 2, Drain: 300 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&log, nil))})

	sent := make(chan struct{})
	go func() {
		for range 10 {
			d.Send(Event{Kind: KindAlert})
		}
		close(sent)
	}()
	select {
	case <-sent:
	case <-time.After(10 * time.Second):
		t.Fatal("Send blocked behind a notifier that does not answer")
	}
	// The quick lane may also have dropped some (its queue holds two),
	// but it received while the stuck one held nothing.
	deadline := time.Now().Add(5 * time.Second)
	for len(quick.got()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(quick.got()) == 0 {
		t.Fatal("the quick notifier got nothing while the other was stuck")
	}

	stats := d.Close()
	byName := map[string]Stat{}
	for _, s := range stats {
		byName[s.Notifier] = s
	}
	st := byName["stuck"]
	if st.Delivered != 0 || st.Failed+st.Dropped != 10 {
		t.Errorf("stuck notifier: %+v, want 0 delivered and 10 lost", st)
	}
	q := byName["quick"]
	if q.Delivered+q.Dropped != 10 || q.Failed != 0 {
		t.Errorf("quick notifier: %+v, want every event delivered or dropped", q)
	}
	if !strings.Contains(log.String(), "notify: stuck: 10 of 10 events not delivered") {
		t.Errorf("Close did not report the undelivered events:\n%s", log.String())
	}
}

func TestDispatcherReportsFailures(t *testing.T) {
	var log bytes.Buffer
	bad := &recorder{name: "bad", fail: errors.New("answered 500")}
	d := New(Options{Notifiers: []Notifier{bad}, Log: slog.New(slog.NewTextHandler(&log, nil))})
	d.Send(Event{Kind: KindOrderFilled})
	d.Send(Event{Kind: KindOrderDone})
	stats := d.Close()
	if diff := cmp.Diff([]Stat{{Notifier: "bad", Failed: 2}}, stats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	for _, want := range []string{"notify: bad: order_filled event not delivered: answered 500", "notify: bad: 2 of 2 events not delivered"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
}

func TestNilDispatcher(t *testing.T) {
	d := New(Options{})
	if d != nil {
		t.Fatal("New with no notifiers: want nil")
	}
	d.Send(Event{Kind: KindAlert})
	if d.Wants(KindAlert) {
		t.Error("a nil dispatcher wants nothing")
	}
	if s := d.Close(); s != nil {
		t.Errorf("Close on nil = %v", s)
	}
}

// The JSON form is a contract: every field present, null when unused.
func TestEventJSON(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ev := Event{Kind: KindAlert, Time: trade.JSONTime(at), Command: "watch", Profile: "paper", Venue: "paper", Symbol: "BTC-USD",
		Message: "alert: BTC-USD.last > 1", Expr: StrPtr("BTC-USD.last > 1"),
		Quote: QuoteOf(trade.Quote{Symbol: trade.Symbol{Base: "BTC", Quote: "USD"}, Bid: decimal.RequireFromString("99.5"),
			Ask: decimal.RequireFromString("100.5"), Last: decimal.RequireFromString("100"), Time: at})}
	b, err := Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"alert","time":"2026-11-27T12:00:00.000Z","command":"watch","profile":"paper","venue":"paper","symbol":"BTC-USD",` +
		`"message":"alert: BTC-USD.last > 1","expr":"BTC-USD.last > 1",` +
		`"quote":{"symbol":"BTC-USD","bid":"99.5","ask":"100.5","last":"100","time":"2026-11-27T12:00:00.000Z"},` +
		`"order":null,"fill":null,"refusal":null}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	b, err = json.Marshal(Event{Kind: KindRiskRefused, Refusal: &Refusal{Reason: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"refusal":{"limits":[],"reason":"x","request":null}`) {
		t.Errorf("an empty limits list must stay a list: %s", b)
	}
}

func TestParseKinds(t *testing.T) {
	got, err := ParseKinds([]string{"alert", " ORDER_FILLED", "alert"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Kind{KindAlert, KindOrderFilled}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = ParseKinds([]string{"filled"})
	if err == nil || !strings.Contains(err.Error(), `unknown event kind "filled" (kinds: alert, until, order_filled`) {
		t.Errorf("error = %v", err)
	}
}

func BenchmarkSend(b *testing.B) {
	r := &recorder{name: "rec"}
	d := New(Options{Notifiers: []Notifier{r}, Queue: 1 << 20})
	ev := Event{Kind: KindOrderEvent, Command: "events", Profile: "paper", Venue: "paper", Symbol: "BTC-USD", Message: "fill"}
	b.ReportAllocs()
	for b.Loop() {
		d.Send(ev)
	}
	b.StopTimer()
	d.Close()
}

// BenchmarkSendStuckNotifier measures Send while the only notifier never
// answers: the queue fills and every further event is dropped, at the
// same cost, never waited for.
func BenchmarkSendStuckNotifier(b *testing.B) {
	stuck := &recorder{name: "stuck", gate: make(chan struct{})}
	d := New(Options{Notifiers: []Notifier{stuck}, Drain: 10 * time.Millisecond})
	ev := Event{Kind: KindAlert, Command: "watch", Profile: "paper", Venue: "paper", Symbol: "BTC-USD", Message: "alert"}
	b.ReportAllocs()
	for b.Loop() {
		d.Send(ev)
	}
	b.StopTimer()
	d.Close()
}
