package fakekraken_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestCancelAllOrdersAfter: the fake takes the timeout Kraken's spec
// allows (whole seconds below 86400, 0 to disarm) and answers with
// currentTime and triggerTime as RFC 3339 times, "0" once disarmed; an
// armed timer runs out on its own and cancels the working orders.
func TestCancelAllOrdersAfter(t *testing.T) {
	f := newFixture(t)
	nonce := uint64(time.Now().UnixMicro())
	call := func(path, params string) answer {
		nonce++
		return f.post(t, path, formType, form(nonce, params), nonce, f.key, f.secret)
	}
	for _, bad := range []string{"", "timeout=", "timeout=-1", "timeout=1.5", "timeout=abc", "timeout=86400"} {
		if a := call("/0/private/CancelAllOrdersAfter", bad); strings.Join(a.Errors, ",") != "EGeneral:Invalid arguments:timeout" {
			t.Errorf("CancelAllOrdersAfter %q: errors %q, want the invalid timeout", bad, a.Errors)
		}
	}
	if _, armed := f.srv.CancelAllAfterTrigger(); armed {
		t.Fatal("refused requests armed the timer")
	}
	type result struct{ CurrentTime, TriggerTime string }
	read := func(a answer) (time.Time, string) {
		t.Helper()
		if len(a.Errors) != 0 {
			t.Fatalf("errors %q", a.Errors)
		}
		var r result
		if err := json.Unmarshal(a.Result, &r); err != nil {
			t.Fatal(err)
		}
		now, err := time.Parse(time.RFC3339, r.CurrentTime)
		if err != nil {
			t.Fatalf("currentTime %q: %v", r.CurrentTime, err)
		}
		return now, r.TriggerTime
	}

	now, trigger := read(call("/0/private/CancelAllOrdersAfter", "timeout=86399"))
	if want := now.Add(86399 * time.Second).Format(time.RFC3339); trigger != want {
		t.Errorf("triggerTime %q, want %q (currentTime + timeout)", trigger, want)
	}
	if _, trigger = read(call("/0/private/CancelAllOrdersAfter", "timeout=0")); trigger != "0" {
		t.Errorf("disarmed triggerTime %q, want \"0\"", trigger)
	}

	if a := call("/0/private/AddOrder", "pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.001&price=1000"); len(a.Errors) != 0 {
		t.Fatalf("AddOrder: %q", a.Errors)
	}
	read(call("/0/private/CancelAllOrdersAfter", "timeout=1"))
	if !f.srv.WaitCancelAllAfterFired(0, 10*time.Second) {
		t.Fatal("a 1s timer did not run out within 10s")
	}
	var open struct{ Open map[string]json.RawMessage }
	if a := call("/0/private/OpenOrders", ""); json.Unmarshal(a.Result, &open) != nil || len(open.Open) != 0 {
		t.Errorf("open orders after the timer ran out: %s", a.Result)
	}
	if f.srv.FireCancelAllAfter() {
		t.Error("FireCancelAllAfter fired a timer that had already run out")
	}
}
