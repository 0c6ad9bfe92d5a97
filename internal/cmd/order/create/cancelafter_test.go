package create

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/orderplan"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestCancelAfterFlags(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 250_000_000, time.UTC)
	tests := []struct {
		name        string
		args        string
		wantExpiry  string // RFC 3339 as FormatTime writes it; "" for none
		wantTimeout bool
		wantUsage   string
	}{
		{name: "limit, rounded up to the second", args: "--price 1000 --cancel-after 10m", wantExpiry: "2026-11-27T12:10:01.000Z"},
		{name: "stop-limit", args: "--price 1000 --stop-price 1001 --cancel-after 90s", wantExpiry: "2026-11-27T12:01:31.000Z"},
		{name: "none", args: "--price 1000"},
		{name: "cancel on timeout", args: "--price 1000 --wait --wait-timeout 1m --cancel-on-timeout", wantTimeout: true},
		{name: "market", args: "--cancel-after 10m", wantUsage: "--cancel-after is not allowed on market orders"},
		{name: "ioc", args: "--price 1000 --tif ioc --cancel-after 10m", wantUsage: "--cancel-after cannot be combined with time in force ioc"},
		{name: "day", args: "--price 1000 --tif day --cancel-after 10m", wantUsage: "--cancel-after cannot be combined with time in force day"},
		{name: "zero", args: "--price 1000 --cancel-after 0s", wantUsage: "--cancel-after must be a duration above 0"},
		{name: "negative", args: "--price 1000 --cancel-after -1m", wantUsage: "--cancel-after must be a duration above 0"},
		{name: "cancel on timeout without a wait", args: "--price 1000 --cancel-on-timeout", wantUsage: "--cancel-on-timeout needs --wait and --wait-timeout"},
		{name: "cancel on timeout without a deadline", args: "--price 1000 --wait --cancel-on-timeout", wantUsage: "--cancel-on-timeout needs --wait and --wait-timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ordertest.FlagsFactory()
			f.Now = func() time.Time { return now }
			got := ordertest.ParseFlags(t, f, NewCmdCreate, append([]string{"BTC-USD", "--side", "buy", "--qty", "0.01"}, strings.Fields(tt.args)...), tt.wantUsage)
			if got == nil {
				return
			}
			expiry := ""
			if e, ok := got.Request.Expiry(); ok {
				expiry = trade.FormatTime(e)
			}
			if diff := cmp.Diff(tt.wantExpiry, expiry); diff != "" {
				t.Errorf("expiry (-want +got):\n%s", diff)
			}
			if got.CancelOnTimeout != tt.wantTimeout {
				t.Errorf("CancelOnTimeout = %v, want %v", got.CancelOnTimeout, tt.wantTimeout)
			}
		})
	}
}

// Ctrl-C during the wait is not a timeout: nothing is canceled (the
// exchange is never called), the order is reported as it stood, and
// stderr says it is still working and how to cancel it.
func TestCancelOnTimeoutLeavesOrderOnInterrupt(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	o := &CreateOptions{IO: ios}
	open := trade.Order{ID: "7", Status: trade.StatusOpen}
	w := &WaitResult{Outcome: string(open.Status)}
	got, err := o.cancelOnTimeout(context.Background(), nil, open, context.Canceled, time.Second, w)
	if !errors.Is(err, context.Canceled) || got.Status != trade.StatusOpen || w.CanceledOnTimeout {
		t.Errorf("interrupted wait: %s, %v, canceled_on_timeout %v; want the open order, context.Canceled, false", got.Status, err, w.CanceledOnTimeout)
	}
	if want := "interrupted: order 7 is still working"; !strings.Contains(errOut.String(), want) || !strings.Contains(errOut.String(), "tradectl order cancel 7") {
		t.Errorf("stderr = %q, want %q and how to cancel it", errOut.String(), want)
	}
}

// A live order's confirmation names its expiry, so the person agreeing
// sees when the venue will end it.
func TestConfirmShowsExpiry(t *testing.T) {
	expires := time.Date(2026, 11, 27, 12, 10, 0, 0, time.UTC)
	req := trade.OrderRequest{Symbol: trade.MustSymbol("BTC-USD"), Side: trade.Buy, Type: trade.Limit,
		Qty: trade.Dec("0.01"), Price: trade.OptDec("1000")}
	plain := confirmSummary(config.Profile{Name: "kr"}, "kraken", orderplan.Plan{Request: req}, config.Safety{})
	s := confirmSummary(config.Profile{Name: "kr"}, "kraken", orderplan.Plan{Request: req.WithExpiry(expires)}, config.Safety{})
	want := append(plain.Notes, "good till 2026-11-27T12:10:00.000Z: kraken ends it then")
	if diff := cmp.Diff(want, s.Notes); diff != "" {
		t.Errorf("confirmation notes (-want +got):\n%s", diff)
	}
}
