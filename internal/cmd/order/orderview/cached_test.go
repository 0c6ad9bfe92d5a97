package orderview_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/create"
	"github.com/tradectl/tradectl/internal/cmd/order/get"
	"github.com/tradectl/tradectl/internal/cmd/order/list"
	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// run runs one order command as a fresh process would, printing a table
// to a pipe, and returns the venue's requests meanwhile and stdout.
func run(t *testing.T, v *ordertest.Venue, build func(*cmdutil.Factory) *cobra.Command, args string) ([]string, string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := v.Factory(ios)
	defer f.RunExitHooks()
	f.Globals.Yes = true
	before := len(v.Server.Requests())
	cmd := build(f)
	cmd.SetArgs(strings.Fields(args))
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("%s %s: %v\n%s", cmd.Name(), args, err, errOut)
	}
	return v.Since(before), out.String()
}

// TestTablesCostNoRequest: order list and order get show an order at its
// instrument's tick and step when the rules are cached, and when they are
// not, show it exact rather than ask the venue for them: either way the
// command sends only its own request.
func TestTablesCostNoRequest(t *testing.T) {
	v := ordertest.NewVenue(t)
	newCreate := func(f *cmdutil.Factory) *cobra.Command { return create.NewCmdCreate(f, nil) }
	newList := func(f *cmdutil.Factory) *cobra.Command { return list.NewCmdList(f, nil) }
	newGet := func(f *cmdutil.Factory) *cobra.Command { return get.NewCmdGet(f, nil) }

	// Placing the order caches the rules, as any order would.
	_, placed := run(t, v, newCreate, "BTC-USDT --side buy --qty 0.001 --price 50000")
	var order struct{ ID string }
	for _, line := range strings.Split(placed, "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "id" {
			order.ID = f[1]
		}
	}
	if order.ID == "" {
		t.Fatalf("order create printed no id:\n%s", placed)
	}
	forgetRules := func(t *testing.T) {
		ios, _, _, _ := iostreams.Test()
		dirs, err := v.Factory(ios).Dirs()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(dirs.CacheDir()); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name     string
		cold     bool
		build    func(*cmdutil.Factory) *cobra.Command
		args     string
		requests []string
		want     []string // fields of the order's line, in order
	}{
		{"list, rules cached", false, newList, "--symbol BTC-USDT", []string{"GET /api/v3/openOrders"}, []string{"0.00100", "0.00000", "50000.00"}},
		{"get, rules cached", false, newGet, order.ID + " --symbol BTC-USDT", []string{"GET /api/v3/order"}, []string{"0.00100", "0.00000", "50000.00"}},
		{"list, no rules cached: exact", true, newList, "--symbol BTC-USDT", []string{"GET /api/v3/openOrders"}, []string{"0.001", "0", "50000"}},
		{"get, no rules cached: exact", true, newGet, order.ID + " --symbol BTC-USDT", []string{"GET /api/v3/order"}, []string{"0.001", "0", "50000"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cold {
				forgetRules(t)
			}
			requests, out := run(t, v, tc.build, tc.args)
			if diff := cmp.Diff(tc.requests, requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if got := numbersIn(out); !cmp.Equal(tc.want, got[:min(len(got), len(tc.want))]) {
				t.Errorf("numbers %q, want them to start %q; output:\n%s", got, tc.want, out)
			}
		})
	}
}

// numbersIn lists the words of out that are decimal numbers, in order;
// ids ("BTCUSDT:1") and times are not.
func numbersIn(out string) []string {
	var nums []string
	for _, w := range strings.Fields(out) {
		if _, err := decimal.NewFromString(w); err == nil {
			nums = append(nums, w)
		}
	}
	return nums
}
