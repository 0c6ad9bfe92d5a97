package kraken

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestCancelAllAfterLimitsFollowTheRateTier(t *testing.T) {
	f := adapter.Fixture(t)
	for tier, want := range map[string]time.Duration{"starter": 12 * time.Second, "intermediate": 6 * time.Second, "pro": 3 * time.Second} {
		e := f.Open(t, map[string]any{KeyRateTier: tier})
		got := e.CancelAllAfterLimits()
		if diff := cmp.Diff(exchange.CancelAllAfterLimits{Min: want, Max: 86399 * time.Second, Step: time.Second}, got); diff != "" {
			t.Errorf("%s: limits (-want +got):\n%s", tier, diff)
		}
	}
}

// TestCancelAllAfterArmsAndDisarms: the timeout goes out in whole seconds,
// the trigger comes back from Kraken's answer, and 0 disarms.
func TestCancelAllAfterArmsAndDisarms(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, map[string]any{KeyRateTier: "pro"})
	ctx := ctxT(t)
	before := time.Now().Truncate(time.Second)
	trigger, err := e.CancelAllAfter(ctx, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if trigger.Before(before.Add(60*time.Second)) || trigger.After(time.Now().Add(61*time.Second)) {
		t.Errorf("trigger %s: want about 60s after %s", trigger, before)
	}
	if got, ok := f.Srv.CancelAllAfterTrigger(); !ok || !got.Truncate(time.Second).Equal(trigger) {
		t.Errorf("the venue's timer: %s armed=%v; want %s", got, ok, trigger)
	}
	if body := f.Srv.LastRequest().Body; !containsParam(body, "timeout=60") {
		t.Errorf("request body %q: want timeout=60", body)
	}
	trigger, err = e.CancelAllAfter(ctx, 0)
	if err != nil || !trigger.IsZero() {
		t.Fatalf("disarm: trigger %s, err %v; want zero, nil", trigger, err)
	}
	if _, ok := f.Srv.CancelAllAfterTrigger(); ok {
		t.Error("the venue's timer is still armed after timeout 0")
	}
}

func containsParam(body, kv string) bool { return slices.Contains(strings.Split(body, "&"), kv) }

// TestCancelAllAfterFires: an armed timer nobody refreshes cancels the
// account's working orders on the fake's own, real timer.
func TestCancelAllAfterFires(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, map[string]any{KeyRateTier: "pro"})
	ctx := ctxT(t)
	o, err := e.PlaceOrder(ctx, restingBuy("dm-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.CancelAllAfter(ctx, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if !f.Srv.WaitCancelAllAfterFired(0, 10*time.Second) {
		t.Fatal("the timer did not fire within 10s of a 3s timeout")
	}
	got, err := e.GetOrder(ctx, exchange.OrderRef{ID: o.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != trade.StatusCanceled {
		t.Errorf("order after the timer fired: %s; want canceled", got.Status)
	}
	if _, ok := f.Srv.CancelAllAfterTrigger(); ok {
		t.Error("the timer stays armed after firing; Kraken disarms it")
	}
}

// TestCancelAllAfterRefusesBadTimeouts before any request.
func TestCancelAllAfterRefusesBadTimeouts(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil) // starter: 12s at least
	for _, d := range []time.Duration{-time.Second, time.Second, 11 * time.Second, 12500 * time.Millisecond, 86400 * time.Second} {
		if _, err := e.CancelAllAfter(ctxT(t), d); err == nil {
			t.Errorf("CancelAllAfter(%s): no error", d)
		}
	}
	if n := f.Srv.Count(pathCancelAllOrdersAfter); n != 0 {
		t.Errorf("%d requests sent for refused timeouts", n)
	}
}

func TestReadCancelAfter(t *testing.T) {
	at := func(s string) time.Time { return time.Date(2023, 3, 24, 17, 41, 56, 0, time.UTC).Add(mustDur(s)) }
	tests := []struct {
		name    string
		res     cancelAfterResult
		armed   bool
		want    time.Time
		wantErr bool
	}{
		{"armed", cancelAfterResult{"2023-03-24T17:41:56Z", "2023-03-24T17:42:56Z"}, true, at("60s"), false},
		{"disarmed with 0", cancelAfterResult{"2023-03-24T17:41:56Z", "0"}, false, time.Time{}, false},
		{"disarmed with the current time", cancelAfterResult{"2023-03-24T17:41:56Z", "2023-03-24T17:41:56Z"}, false, time.Time{}, false},
		{"fractional seconds", cancelAfterResult{"2023-03-24T17:41:56.5Z", "2023-03-24T17:42:56.5Z"}, true, at("60.5s"), false},
		{"armed without a trigger", cancelAfterResult{"2023-03-24T17:41:56Z", "0"}, true, time.Time{}, true},
		{"disarmed with a trigger", cancelAfterResult{"2023-03-24T17:41:56Z", "2023-03-24T17:42:56Z"}, false, time.Time{}, true},
		{"bad current time", cancelAfterResult{"yesterday", "0"}, false, time.Time{}, true},
		{"bad trigger", cancelAfterResult{"2023-03-24T17:41:56Z", "soon"}, true, time.Time{}, true},
	}
	for _, tc := range tests {
		got, err := readCancelAfter(tc.res, tc.armed)
		if (err != nil) != tc.wantErr || !got.Equal(tc.want) {
			t.Errorf("%s: got %s, %v; want %s, error %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

func mustDur(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

func FuzzReadCancelAfter(f *testing.F) {
	f.Add("2023-03-24T17:41:56Z", "2023-03-24T17:42:56Z", true)
	f.Add("2023-03-24T17:41:56Z", "0", false)
	f.Fuzz(func(t *testing.T, current, trigger string, armed bool) {
		got, err := readCancelAfter(cancelAfterResult{current, trigger}, armed)
		if err != nil {
			return
		}
		if armed == got.IsZero() {
			t.Errorf("armed=%v but trigger %s", armed, got)
		}
	})
}

// BenchmarkCancelAllAfter measures one refresh of the switch against the
// fake across a 20ms network: what a refresh costs in time, to set
// against the third of a timeout it has. The call counter is emptied
// before each call: a switch refreshes far less often than this loop, and
// the limiter's waits are not the refresh's cost.
func BenchmarkCancelAllAfter(b *testing.B) {
	f := adapter.Fixture(b, fakekraken.WithLatency(20*time.Millisecond))
	e := f.Open(b, map[string]any{KeyRateTier: "pro"})
	ctx := context.Background()
	for b.Loop() {
		e.limiter.mu.Lock()
		e.limiter.counter = 0
		e.limiter.mu.Unlock()
		if _, err := e.CancelAllAfter(ctx, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}
