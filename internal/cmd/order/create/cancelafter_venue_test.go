package create_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
)

// detail reads the order table `order create` prints: field → value.
func detail(out string) map[string]string {
	rows := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "  "); ok {
			rows[k] = strings.TrimSpace(v)
		}
	}
	return rows
}

const restingWait = "BTC-USDT --side buy --qty 0.01 --price 1000 --wait --wait-timeout 1200ms --cancel-on-timeout"

// --cancel-on-timeout is a normal cancel (DELETE /api/v3/order on Binance):
// the order is shown canceled on timeout with what had filled, and the
// exit code stays the wait's timeout (10). The JSON document is pinned by
// the order_cancel_after testscript.
func TestCancelOnTimeoutCancels(t *testing.T) {
	v := newVenueTest(t)
	requests, stdout, _, err := v.exec(t, true, false, "", restingWait)
	if !errors.Is(err, cmdutil.ErrConditionTimeout) {
		t.Fatalf("error = %v, want the wait's timeout (exit 10)", err)
	}
	if code := cmdutil.Classify(context.Background(), err).Exit; code != 10 {
		t.Errorf("exit code %d, want 10", code)
	}
	rows := detail(stdout)
	got := map[string]string{"status": rows["status"], "filled qty": rows["filled qty"], "wait": rows["wait"]}
	want := map[string]string{"status": "canceled", "filled qty": "0.00000", "wait": "timed out; canceled by --cancel-on-timeout"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order shown (-want +got):\n%s\n%s", diff, stdout)
	}
	if n := countRoute(requests, "DELETE /api/v3/order"); n != 1 {
		t.Errorf("cancel requests = %d, want 1; requests: %v", n, requests)
	}
}

// A cancel that fails is an error naming the order, with the venue's
// error kind (so its exit code), and the order is not shown canceled.
func TestCancelOnTimeoutCancelFails(t *testing.T) {
	v := newVenueTest(t)
	v.Server.Inject(fakebinance.Failure{Method: "DELETE", Path: "/api/v3/order", Status: 400,
		Body: `{"code":-1013,"msg":"Filter failure: whatever the venue says"}`, Times: 1})
	_, stdout, _, err := v.exec(t, true, false, "", restingWait)
	rows := detail(stdout)
	id := rows["id"]
	if err == nil || id == "" || !strings.Contains(err.Error(), "canceling order "+id+" failed") || !strings.Contains(err.Error(), "tradectl order cancel "+id) {
		t.Fatalf("error = %v, want one naming order %q and how to cancel it", err, id)
	}
	if !errors.Is(err, exchange.ErrInvalidOrder) || errors.Is(err, cmdutil.ErrConditionTimeout) {
		t.Errorf("error = %v, want the cancel's own kind, not the timeout", err)
	}
	if rows["status"] != "open" || rows["wait"] != "" {
		t.Errorf("order shown as %q with wait %q; want open, no cancel claimed", rows["status"], rows["wait"])
	}
}

func countRoute(requests []string, route string) int {
	n := 0
	for _, r := range requests {
		if r == route {
			n++
		}
	}
	return n
}
