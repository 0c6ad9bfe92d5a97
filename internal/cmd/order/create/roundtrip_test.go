package create_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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
	got, _, stderr, err := v.exec(t, yes, tty, input, args)
	return got, stderr, err
}

// exec is runTTY returning stdout too.
func (v *venueTest) exec(t *testing.T, yes, tty bool, input, args string) (requests []string, stdout, stderr string, err error) {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
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
	err = cmd.ExecuteContext(context.Background())
	return v.Since(before), out.String(), errOut.String(), err
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

// TestMarketMinNotional: a market order has no price of its own, so the
// venue's minimum order value is checked locally only when the plan
// already fetched a quote for another check (here the confirmation
// screen's value); otherwise the order goes out and the venue judges it,
// with no request added to price it.
func TestMarketMinNotional(t *testing.T) {
	quote := []string{"GET /api/v3/ticker/bookTicker", "GET /api/v3/ticker/price"}
	tests := []struct {
		name     string
		tty      bool
		input    string
		want     []string
		wantExit int
		wantErr  string
	}{
		{name: "no check needs a quote: the venue refuses", want: []string{"POST /api/v3/order"},
			wantExit: cmdutil.ExitRejected, wantErr: "NOTIONAL"},
		{name: "the confirmation screen's quote values it: refused here", tty: true, input: "y\n", want: quote,
			wantExit: cmdutil.ExitUsage, wantErr: "order value 0.60 USDT (0.00001 × 60000.005) is below the minimum 5 USDT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVenueTest(t)
			if _, err := v.run(t, true, "BTC-USDT --side buy --qty 0.001 --price 50000"); err != nil {
				t.Fatalf("warm-up order: %v", err)
			}
			// 0.00001 BTC is the step and the minimum quantity; at 60000
			// it is worth 0.60 USDT, under the minimum of 5.
			got, _, stderr, err := v.exec(t, !tt.tty, tt.tty, tt.input, "BTC-USDT --side buy --qty 0.00001")
			if c := cmdutil.Classify(context.Background(), err); c.Exit != tt.wantExit {
				t.Errorf("exit %d (%v), want %d", c.Exit, err, tt.wantExit)
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want it to say %q\n%s", err, tt.wantErr, stderr)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestChosenClientID: an order under a client id the caller chose costs
// what the journal can settle. Placed before, the journal has it and the
// order is reported with one read, nothing sent; an idempotency key new
// to the journal is new (only tradectl derives its client id); a
// --client-id new to the journal may come from another machine, so the
// venue is asked once before the order is sent.
func TestChosenClientID(t *testing.T) {
	const order = "BTC-USDT --side buy --qty 0.001 --price 50000"
	tests := []struct {
		name         string
		flags        string
		placedBefore bool
		want         []string
		wantExisting bool
	}{
		{name: "client id new to the journal", flags: "--client-id chosen-1",
			want: []string{"GET /api/v3/order", "POST /api/v3/order"}},
		{name: "client id placed, in the journal", flags: "--client-id chosen-1", placedBefore: true,
			want: []string{"GET /api/v3/order"}, wantExisting: true},
		{name: "idempotency key new to the journal", flags: "--idempotency-key chosen-key-1",
			want: []string{"POST /api/v3/order"}},
		{name: "idempotency key placed, in the journal", flags: "--idempotency-key chosen-key-1", placedBefore: true,
			want: []string{"GET /api/v3/order"}, wantExisting: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVenueTest(t)
			if _, err := v.run(t, true, order); err != nil {
				t.Fatalf("warm-up order: %v", err)
			}
			if tt.placedBefore {
				if _, err := v.run(t, true, order+" "+tt.flags); err != nil {
					t.Fatalf("first run: %v", err)
				}
			}
			got, stdout, _, err := v.exec(t, true, false, "", order+" "+tt.flags)
			if err != nil {
				t.Fatalf("order create %s: %v", tt.flags, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			// The order is shown either way; an existing one says so.
			if existing := strings.Contains(stdout, "placed by an earlier run"); existing != tt.wantExisting || !strings.Contains(stdout, "BTC-USDT") {
				t.Errorf("existing = %v, want %v:\n%s", existing, tt.wantExisting, stdout)
			}
			if n := v.Server.OrdersPlaced(); n != 2 {
				t.Errorf("the venue holds %d orders, want 2 (the warm-up and this one)", n)
			}
		})
	}
}
