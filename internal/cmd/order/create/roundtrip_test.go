package create_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmd/order/create"
	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
)

type venueTest struct{ *ordertest.Venue }

func newVenueTest(t *testing.T) venueTest { return venueTest{ordertest.NewVenue(t)} }

// run runs `order create args` as a fresh process would, and returns the
// requests the venue received meanwhile.
func (v *venueTest) run(t *testing.T, yes bool, args string) ([]string, error) {
	t.Helper()
	got, _, err := v.runTTY(t, yes, false, "", args)
	return got, err
}

// runTTY is run with a terminal (tty) that answers input; it returns
// stderr too.
func (v *venueTest) runTTY(t *testing.T, yes, tty bool, input, args string) ([]string, string, error) {
	t.Helper()
	ios, in, _, errOut := iostreams.Test()
	ios.SetTTY(tty, tty, tty)
	ios.SetTerminalWidth(60)
	in.WriteString(input)
	f := v.Factory(ios)
	f.Globals.Yes = yes
	f.Globals.Output = "json"
	defer f.RunExitHooks()
	before := len(v.Server.Requests())
	cmd := create.NewCmdCreate(f, nil)
	cmd.SetArgs(strings.Fields(args))
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return v.Since(before), errOut.String(), err
}

// TestRoundTrips counts what one order costs at the venue, once the
// instrument rules are cached (they are kept between runs): no pre-trade
// quote unless a check needs one, no look-up of a client id nobody has
// used, and nothing at all for an order refused before it could be asked
// about.
func TestRoundTrips(t *testing.T) {
	send := []string{"POST /api/v3/order"}
	tests := []struct {
		name string
		yes  bool
		args string
		want []string
		fail bool
	}{
		{name: "plain market order, no limits", yes: true, args: "BTC-USDT --side buy --qty 0.001", want: send},
		{name: "limit order", yes: true, args: "BTC-USDT --side buy --qty 0.001 --price 50000", want: send},
		{name: "fresh idempotency key", yes: true, args: "BTC-USDT --side buy --qty 0.001 --idempotency-key fresh-key-1", want: send},
		{name: "live order, no terminal, no --yes: refused", args: "BTC-USDT --side buy --qty 0.001", fail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVenueTest(t)
			if !tt.fail {
				// Warm the instrument cache as any earlier command would.
				if _, err := v.run(t, true, "BTC-USDT --side buy --qty 0.001 --price 50000"); err != nil {
					t.Fatalf("warm-up order: %v", err)
				}
			}
			got, err := v.run(t, tt.yes, tt.args)
			if (err != nil) != tt.fail {
				t.Fatalf("order create %s: err = %v, want failure %v", tt.args, err, tt.fail)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeclineOnTerminal: a live market order's screen shows its value from
// a quote and that real money is at stake, fits the terminal, and a "no"
// exits 12 (declined) with nothing sent.
func TestDeclineOnTerminal(t *testing.T) {
	v := newVenueTest(t)
	got, stderr, err := v.runTTY(t, false, true, "n\n", "BTC-USDT --side buy --qty 0.001")
	if c := cmdutil.Classify(context.Background(), err); c.Exit != cmdutil.ExitDeclined || c.Code != "declined" {
		t.Errorf("declined: err %v classified %+v, want exit %d", err, c, cmdutil.ExitDeclined)
	}
	for _, r := range got {
		if r == "POST /api/v3/order" {
			t.Errorf("a declined order was sent: %v", got)
		}
	}
	for _, want := range []string{"(REAL MONEY)", "value       about ", "Place this order? [y/N]"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("confirmation screen lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "value       unknown") {
		t.Errorf("a market order's value is estimated from a quote:\n%s", stderr)
	}
	for _, line := range strings.Split(stderr, "\n") {
		if n := len([]rune(line)); n > 60 {
			t.Errorf("line %q is %d columns on a 60-column terminal", line, n)
		}
	}
}
