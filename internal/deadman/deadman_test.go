package deadman_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/deadman"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/kraken"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/trade"
)

var btcusd = trade.MustSymbol("BTC-USD")

// clock is the switch's clock: Sleep moves it on at once and then calls
// after, which plays the bot (touching the heartbeat) or the operator
// (ending the run).
type clock struct {
	mu    sync.Mutex
	now   time.Time
	after func(now time.Time)
}

func newClock() *clock { return &clock{now: time.Now().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	if c.after != nil {
		c.after(now)
	}
	return ctx.Err()
}

// recorder keeps the events.
type recorder struct{ events []deadman.Event }

func (r *recorder) emit(e deadman.Event) error { r.events = append(r.events, e); return nil }

func (r *recorder) kinds() []deadman.Kind {
	var out []deadman.Kind
	for _, e := range r.events {
		out = append(out, e.Kind)
	}
	return out
}

func (r *recorder) first(k deadman.Kind) deadman.Event {
	for _, e := range r.events {
		if e.Kind == k {
			return e
		}
	}
	return deadman.Event{}
}

func openPaper(t *testing.T) *paper.Exchange {
	t.Helper()
	ex, err := paper.New(context.Background(), exchange.Params{
		Profile: "paper", Exchange: paper.Name, Options: map[string]any{},
		DataDir: t.TempDir(), CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })
	return ex
}

// openKraken starts a fake Kraken and opens the adapter on it at the pro
// rate tier (a 3s minimum timeout). key overrides the key the adapter
// sends, for a refused one.
func openKraken(t *testing.T, key string) (*kraken.Exchange, *fakekraken.Server) {
	t.Helper()
	raw := make([]byte, 64+16)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	realKey, secret := hex.EncodeToString(raw[64:]), base64.StdEncoding.EncodeToString(raw[:64])
	srv := fakekraken.New(realKey, secret)
	t.Cleanup(srv.Close)
	if key == "" {
		key = realKey
	}
	ex, err := kraken.New(context.Background(), exchange.Params{
		Profile: "kraken", Exchange: "kraken",
		Options: map[string]any{kraken.KeyBaseURL: srv.URL(), kraken.KeyRateTier: "pro"},
		Secret: func(_ context.Context, name string) (string, error) {
			switch name {
			case "api_key":
				return key, nil
			case "api_secret":
				return secret, nil
			}
			return "", nil
		},
		DataDir: t.TempDir(), CacheDir: t.TempDir(), HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })
	return ex, srv
}

func restingBuys(t *testing.T, ex exchange.Exchange, n int) []trade.Order {
	t.Helper()
	var out []trade.Order
	for i := range n {
		req := trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
			Qty: trade.Dec("0.001"), Price: trade.OptDec(fmt.Sprint(40000 + i)), ClientID: fmt.Sprintf("dm-%d", i)}
		o, err := ex.PlaceOrder(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

func heartbeat(t *testing.T, at time.Time) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "heartbeat")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	touch(t, path, at)
	return path
}

func touch(t *testing.T, path string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

func statuses(t *testing.T, ex exchange.Exchange, orders []trade.Order) []trade.OrderStatus {
	t.Helper()
	var out []trade.OrderStatus
	for _, o := range orders {
		got, err := ex.GetOrder(context.Background(), exchange.OrderRef{ID: o.ID})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got.Status)
	}
	return out
}

// timeoutsSent lists the timeout of every CancelAllOrdersAfter the fake
// received, in seconds, as sent.
func timeoutsSent(srv *fakekraken.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Path != "/0/private/CancelAllOrdersAfter" {
			continue
		}
		for _, kv := range strings.Split(r.Body, "&") {
			if v, ok := strings.CutPrefix(kv, "timeout="); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// TestClientSideFiresWhenHeartbeatGoesStale: on paper (no timer of its
// own) a heartbeat nobody touches fires the switch one timeout after the
// start, and tradectl cancels every open order itself.
func TestClientSideFiresWhenHeartbeatGoesStale(t *testing.T) {
	ex := openPaper(t)
	orders := restingBuys(t, ex, 2)
	c := newClock()
	start := c.Now()
	rec := &recorder{}
	err := deadman.Run(context.Background(), deadman.Options{
		Exchange: ex, Timeout: 10 * time.Second, Heartbeat: heartbeat(t, start.Add(-time.Hour)),
		Emit: rec.emit, Now: c.Now, Sleep: c.Sleep,
	})
	if !errors.Is(err, deadman.ErrTriggered) {
		t.Fatalf("Run: %v; want ErrTriggered", err)
	}
	want := []deadman.Kind{deadman.Armed, deadman.Triggered, deadman.Canceled, deadman.Canceled}
	if diff := cmp.Diff(want, rec.kinds()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// The stale file counts from the start: the bot gets a whole timeout.
	tr := rec.first(deadman.Triggered)
	if !tr.Time.Equal(start.Add(10*time.Second)) || tr.Reason != deadman.ReasonStale || tr.By != deadman.ByTradectl {
		t.Errorf("triggered at %s (%s by %s); want at start+10s, heartbeat_stale by tradectl", tr.Time.Sub(start), tr.Reason, tr.By)
	}
	if diff := cmp.Diff([]trade.OrderStatus{trade.StatusCanceled, trade.StatusCanceled}, statuses(t, ex, orders)); diff != "" {
		t.Errorf("orders after the switch fired (-want +got):\n%s", diff)
	}
}

// TestClientSideHeartbeatKeepsItArmed: while the bot touches the file the
// switch holds; it fires one timeout after the last touch.
func TestClientSideHeartbeatKeepsItArmed(t *testing.T) {
	ex := openPaper(t)
	orders := restingBuys(t, ex, 1)
	c := newClock()
	start := c.Now()
	hb := heartbeat(t, start)
	var lastTouch time.Time
	c.after = func(now time.Time) {
		if now.Sub(start) <= 30*time.Second && now.Sub(lastTouch) >= 3*time.Second {
			touch(t, hb, now)
			lastTouch = now
		}
	}
	rec := &recorder{}
	err := deadman.Run(context.Background(), deadman.Options{
		Exchange: ex, Timeout: 5 * time.Second, Heartbeat: hb, Emit: rec.emit, Now: c.Now, Sleep: c.Sleep,
	})
	if !errors.Is(err, deadman.ErrTriggered) {
		t.Fatalf("Run: %v; want ErrTriggered", err)
	}
	tr := rec.first(deadman.Triggered)
	if !tr.Time.Equal(lastTouch.Add(5*time.Second)) || lastTouch.Sub(start) < 27*time.Second {
		t.Errorf("triggered %s after the start, last touch %s after it; want 5s after the last touch, about 30s in", tr.Time.Sub(start), lastTouch.Sub(start))
	}
	if !tr.HeartbeatAt.Equal(lastTouch) {
		t.Errorf("triggered event's heartbeat %s; want the last touch %s", tr.HeartbeatAt, lastTouch)
	}
	if diff := cmp.Diff([]trade.OrderStatus{trade.StatusCanceled}, statuses(t, ex, orders)); diff != "" {
		t.Errorf("orders (-want +got):\n%s", diff)
	}
}

// TestClientSideRefusals: without a heartbeat nothing could fire, and
// --once needs the venue's own timer.
func TestClientSideRefusals(t *testing.T) {
	ex := openPaper(t)
	rec := &recorder{}
	if err := deadman.Run(context.Background(), deadman.Options{Exchange: ex, Timeout: time.Minute, Emit: rec.emit}); !errors.Is(err, deadman.ErrNoFeed) {
		t.Errorf("without a heartbeat: %v; want ErrNoFeed", err)
	}
	if err := deadman.Run(context.Background(), deadman.Options{Exchange: ex, Timeout: time.Minute, Once: true, Emit: rec.emit}); err == nil {
		t.Error("--once on paper: no error")
	}
	if len(rec.events) != 0 {
		t.Errorf("refused runs emitted %v", rec.kinds())
	}
}

// TestNativeLivenessRefreshesAndDisarms: on Kraken the switch pushes the
// venue's timer back every third of the timeout while it runs; a
// deliberate stop (the context ends) disarms it with timeout 0.
func TestNativeLivenessRefreshesAndDisarms(t *testing.T) {
	ex, srv := openKraken(t, "")
	c := newClock()
	start := c.Now()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	c.after = func(now time.Time) {
		if now.Sub(start) >= 13*time.Second {
			stop()
		}
	}
	rec := &recorder{}
	if err := deadman.Run(ctx, deadman.Options{Exchange: ex, Timeout: 6 * time.Second, Emit: rec.emit, Now: c.Now, Sleep: c.Sleep}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Refreshes at 0, 2, 4, … 12s; the stop comes at 14s.
	want := []deadman.Kind{deadman.Armed, deadman.Refreshed, deadman.Refreshed, deadman.Refreshed, deadman.Refreshed, deadman.Refreshed, deadman.Refreshed, deadman.Disarmed}
	if diff := cmp.Diff(want, rec.kinds()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"6", "6", "6", "6", "6", "6", "6", "0"}, timeoutsSent(srv)); diff != "" {
		t.Errorf("timeouts sent (-want +got):\n%s", diff)
	}
	if _, armed := srv.CancelAllAfterTrigger(); armed {
		t.Error("the venue's timer is still armed after the stop")
	}
	if a := rec.first(deadman.Armed); a.TriggerAt.IsZero() || !a.Deadline.Equal(start.Add(6*time.Second)) {
		t.Errorf("armed event: trigger %s, deadline %s; want the venue's trigger and start+6s", a.TriggerAt, a.Deadline.Sub(start))
	}
}

// TestNativeHeartbeatSetsTheTimerToTheDeadline: with a heartbeat file the
// venue's timer is set to run out when the heartbeat turns a timeout old —
// pushed back only while the bot touches the file. When it goes stale the
// switch stops refreshing, waits out the venue's trigger and cancels
// whatever is still open.
func TestNativeHeartbeatSetsTheTimerToTheDeadline(t *testing.T) {
	ex, srv := openKraken(t, "")
	orders := restingBuys(t, ex, 1)
	c := newClock()
	start := c.Now()
	hb := heartbeat(t, start)
	var lastTouch time.Time
	c.after = func(now time.Time) {
		if now.Sub(start) <= 5*time.Second {
			touch(t, hb, now)
			lastTouch = now
		}
	}
	rec := &recorder{}
	err := deadman.Run(context.Background(), deadman.Options{
		Exchange: ex, Timeout: 6 * time.Second, Heartbeat: hb, Emit: rec.emit, Now: c.Now, Sleep: c.Sleep,
	})
	if !errors.Is(err, deadman.ErrTriggered) {
		t.Fatalf("Run: %v; want ErrTriggered", err)
	}
	tr := rec.first(deadman.Triggered)
	if !tr.Time.Equal(lastTouch.Add(6*time.Second)) || tr.By != deadman.ByVenue || tr.TriggerAt.IsZero() {
		t.Errorf("triggered %s after the last touch, by %s, trigger %s; want 6s, by the venue, with its trigger", tr.Time.Sub(lastTouch), tr.By, tr.TriggerAt)
	}
	// Every refresh aimed at the heartbeat's deadline, rounded up to the
	// second: the last one's target is within a second after it.
	var last deadman.Event
	for _, e := range rec.events {
		if e.Kind == deadman.Armed || e.Kind == deadman.Refreshed {
			last = e
		}
	}
	if d := last.Deadline.Sub(lastTouch.Add(6 * time.Second)); d < 0 || d >= time.Second {
		t.Errorf("the venue's timer runs out %s after the heartbeat's deadline; want within [0, 1s)", d)
	}
	sent := timeoutsSent(srv)
	if len(sent) < 3 || slices.ContainsFunc(sent, func(s string) bool { return s != "3" && s != "4" && s != "5" && s != "6" }) {
		t.Errorf("timeouts sent %v; want a few, each from the 3s minimum to the 6s timeout", sent)
	}
	// The fake's real timer has not run out (the clock here is not real):
	// the sweep after the trigger cancels the order the venue has left.
	if diff := cmp.Diff([]trade.OrderStatus{trade.StatusCanceled}, statuses(t, ex, orders)); diff != "" {
		t.Errorf("orders (-want +got):\n%s", diff)
	}
	if c := rec.first(deadman.Canceled); c.Order == nil || c.Order.ID != orders[0].ID || c.By != deadman.ByTradectl {
		t.Errorf("canceled event %+v; want order %s by tradectl", c, orders[0].ID)
	}
}

// TestNativeRefreshFailuresTrigger: refreshes the venue refuses are
// reported and retried; once the venue's trigger time passes without one,
// the switch has fired.
func TestNativeRefreshFailuresTrigger(t *testing.T) {
	ex, srv := openKraken(t, "")
	c := newClock()
	rec := &recorder{}
	armed := false
	err := deadman.Run(context.Background(), deadman.Options{
		Exchange: ex, Timeout: 6 * time.Second, Now: c.Now, Sleep: c.Sleep,
		Emit: func(e deadman.Event) error {
			if e.Kind == deadman.Armed && !armed {
				armed = true
				for range 50 {
					srv.ErrorNext("/0/private/CancelAllOrdersAfter", "EGeneral:Permission denied")
				}
			}
			return rec.emit(e)
		},
	})
	if !errors.Is(err, deadman.ErrTriggered) {
		t.Fatalf("Run: %v; want ErrTriggered", err)
	}
	kinds := rec.kinds()
	if kinds[0] != deadman.Armed || kinds[1] != deadman.RefreshFailed || !slices.Contains(kinds, deadman.Triggered) || slices.Contains(kinds, deadman.Refreshed) {
		t.Errorf("events %v; want armed, refresh_failed…, triggered", kinds)
	}
	tr := rec.first(deadman.Triggered)
	if tr.Reason != deadman.ReasonRefreshFailed || tr.Time.Before(rec.first(deadman.Armed).Deadline) {
		t.Errorf("triggered (%s) at %s; want refresh_failed once the armed deadline %s passed", tr.Reason, tr.Time, rec.first(deadman.Armed).Deadline)
	}
	if f := rec.first(deadman.RefreshFailed); f.Err == nil || !errors.Is(f.Err, exchange.ErrAuth) {
		t.Errorf("refresh_failed error %v; want the venue's refusal", f.Err)
	}
}

// TestNativeFirstArmFailureEndsRun: a switch that never armed protects
// nothing, so the first refusal is the run's error.
func TestNativeFirstArmFailureEndsRun(t *testing.T) {
	ex, srv := openKraken(t, "not-the-key")
	rec := &recorder{}
	err := deadman.Run(context.Background(), deadman.Options{Exchange: ex, Timeout: 6 * time.Second, Emit: rec.emit})
	if !errors.Is(err, exchange.ErrAuth) {
		t.Errorf("Run: %v; want ErrAuth", err)
	}
	if len(rec.events) != 0 {
		t.Errorf("events %v; want none", rec.kinds())
	}
	if _, armed := srv.CancelAllAfterTrigger(); armed {
		t.Error("the venue's timer is armed")
	}
}

// TestOnce: one refresh and back; timeout 0 disarms; a stale heartbeat is
// not refreshed.
func TestOnce(t *testing.T) {
	ex, srv := openKraken(t, "")
	rec := &recorder{}
	if err := deadman.Run(context.Background(), deadman.Options{Exchange: ex, Timeout: 30 * time.Second, Once: true, Emit: rec.emit}); err != nil {
		t.Fatal(err)
	}
	if _, armed := srv.CancelAllAfterTrigger(); !armed {
		t.Error("--once did not arm the venue's timer")
	}
	if err := deadman.Run(context.Background(), deadman.Options{Exchange: ex, Timeout: 0, Once: true, Emit: rec.emit}); err != nil {
		t.Fatal(err)
	}
	if _, armed := srv.CancelAllAfterTrigger(); armed {
		t.Error("--once --timeout 0 did not disarm the venue's timer")
	}
	stale := heartbeat(t, time.Now().Add(-time.Minute))
	err := deadman.Run(context.Background(), deadman.Options{Exchange: ex, Timeout: 30 * time.Second, Once: true, Heartbeat: stale, Emit: rec.emit})
	if !errors.Is(err, deadman.ErrTriggered) {
		t.Errorf("--once with a stale heartbeat: %v; want ErrTriggered", err)
	}
	if diff := cmp.Diff([]deadman.Kind{deadman.Armed, deadman.Disarmed, deadman.Triggered}, rec.kinds()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"30", "0"}, timeoutsSent(srv)); diff != "" {
		t.Errorf("timeouts sent (-want +got):\n%s", diff)
	}
}

// TestHeartbeatRemovedGoesStale: a heartbeat file that disappears feeds
// nothing from then on: the switch fires a timeout after its last touch,
// and the log says why, once.
func TestHeartbeatRemovedGoesStale(t *testing.T) {
	ex := openPaper(t)
	c := newClock()
	start := c.Now()
	hb := heartbeat(t, start)
	removed := false
	c.after = func(now time.Time) {
		if !removed && now.Sub(start) >= 3*time.Second {
			touch(t, hb, now)
			removed = true
			c.after = nil
		}
	}
	// The file is removed once the switch has read the touch.
	read := false
	var logBuf strings.Builder
	rec := &recorder{}
	err := deadman.Run(context.Background(), deadman.Options{
		Exchange: ex, Timeout: 5 * time.Second, Heartbeat: hb, Now: c.Now,
		Sleep: func(ctx context.Context, d time.Duration) error {
			err := c.Sleep(ctx, d)
			switch {
			case removed && read:
				os.Remove(hb)
			case removed:
				read = true
			}
			return err
		},
		Emit: rec.emit, Log: slog.New(slog.NewTextHandler(&logBuf, nil)),
	})
	if !errors.Is(err, deadman.ErrTriggered) {
		t.Fatalf("Run: %v; want ErrTriggered", err)
	}
	if tr := rec.first(deadman.Triggered); tr.Time.Sub(start) != 8*time.Second {
		t.Errorf("triggered %s after the start; want 8s (the last touch at 3s, plus 5s)", tr.Time.Sub(start))
	}
	if n := strings.Count(logBuf.String(), "cannot be read"); n != 1 {
		t.Errorf("the log said %d times that the file cannot be read; want once:\n%s", n, logBuf.String())
	}
}
