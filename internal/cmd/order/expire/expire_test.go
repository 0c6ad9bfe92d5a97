package expire

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/internal/cmd/order/cancel"
	"github.com/tradectl/tradectl/internal/cmd/order/create"
	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// run executes one command built over a fresh factory (a new process, as
// cron would start) and returns its stdout and exit code.
func run(t *testing.T, v *ordertest.Venue, build func(f *cmdutil.Factory) *cobra.Command, args ...string) (string, int) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := v.Factory(ios)
	f.Globals.Yes = true // live orders go out without a prompt, as with --yes
	defer f.RunExitHooks()
	cmd := build(f)
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	c := cmdutil.Classify(context.Background(), err)
	if c.Exit != 0 {
		t.Logf("%s: exit %d: %v; stderr:\n%s", cmd.Name(), c.Exit, err, errOut)
	}
	return out.String(), c.Exit
}

// expireAt runs order expire as if the clock read now.
func expireAt(t *testing.T, v *ordertest.Venue, now time.Time) ([]Row, int) {
	t.Helper()
	out, code := run(t, v, func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdExpire(f, func(o *ExpireOptions) error {
			o.Now = func() time.Time { return now }
			return expireRun(context.Background(), o)
		})
	})
	var rows []Row
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("order expire printed %q: %v", out, err)
	}
	return rows, code
}

// outcome is what a test compares of a row.
type outcome struct{ ClientID, Result, Status string }

func outcomes(rows []Row) []outcome {
	out := []outcome{}
	for _, r := range rows {
		out = append(out, outcome{r.ClientID, r.Result, r.Status})
	}
	return out
}

func deletes(v *ordertest.Venue) int {
	n := 0
	for _, r := range v.Server.Requests() {
		if r.Method == "DELETE" && r.Path == "/api/v3/order" {
			n++
		}
	}
	return n
}

// TestExpireCancelsSettlesAndRetries places four orders with client-side
// deadlines on a fake Binance: two resting (the first's cancel refused by
// the venue the first time), one that fills at once, one canceled by hand.
// Before the deadline nothing happens; after it each is handled once.
func TestExpireCancelsSettlesAndRetries(t *testing.T) {
	v := ordertest.NewVenue(t)
	v.Setenv("TRADECTL_OUTPUT", "json")
	newCreate := func(f *cmdutil.Factory) *cobra.Command { return create.NewCmdCreate(f, nil) }
	place := func(id, price string) string {
		t.Helper()
		out, code := run(t, v, newCreate, "BTC-USDT", "--side", "buy", "--qty", "0.001", "--price", price,
			"--cancel-after", "1h", "--client-expiry", "--client-id", id)
		if code != 0 {
			t.Fatalf("order create %s: exit %d", id, code)
		}
		var o struct {
			ID, Status, Expiry string
			ExpiresAt          *time.Time `json:"expires_at"`
		}
		if err := json.Unmarshal([]byte(out), &o); err != nil || o.Expiry != "client" || o.ExpiresAt == nil {
			t.Fatalf("order create %s printed %s (%v); want expiry client with expires_at", id, out, err)
		}
		return o.ID
	}
	place("rest", "50000")
	place("fill", "70000")
	manual := place("manual", "50000")
	place("flaky", "51000")
	if _, code := run(t, v, func(f *cmdutil.Factory) *cobra.Command { return cancel.NewCmdCancel(f, nil) }, manual); code != 0 {
		t.Fatalf("order cancel %s: exit %d", manual, code)
	}
	before := deletes(v)

	rows, code := expireAt(t, v, time.Now())
	if diff := cmp.Diff([]outcome{}, outcomes(rows)); diff != "" || code != 0 {
		t.Errorf("before the deadline: exit %d, rows (-want +got):\n%s", code, diff)
	}

	later := time.Now().Add(2 * time.Hour)
	// The venue refuses the first cancel sent: rest's (rows go by
	// deadline, then by placement).
	v.Server.Inject(fakebinance.Failure{Method: "DELETE", Path: "/api/v3/order", Mode: fakebinance.Reject, Status: 503,
		Body: `{"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}`, Times: 1})
	rows, code = expireAt(t, v, later)
	want := []outcome{
		{"rest", ResultFailed, "open"},
		{"fill", ResultSettled, "filled"},
		{"manual", ResultSettled, "canceled"},
		{"flaky", ResultCanceled, "canceled"},
	}
	if diff := cmp.Diff(want, outcomes(rows)); diff != "" {
		t.Errorf("after the deadline (-want +got):\n%s", diff)
	}
	if code != cmdutil.ExitPartial {
		t.Errorf("exit %d, want %d (one failed)", code, cmdutil.ExitPartial)
	}
	if got := deletes(v) - before; got != 2 {
		t.Errorf("cancel requests: %d, want 2 (rest's refused one, and flaky)", got)
	}
	for _, r := range rows {
		if r.OrderID == "" || r.Symbol != "BTC-USDT" || time.Time(r.Deadline).IsZero() {
			t.Errorf("row %+v lacks its order id, symbol or deadline", r)
		}
	}

	rows, code = expireAt(t, v, later)
	if diff := cmp.Diff([]outcome{{"rest", ResultCanceled, "canceled"}}, outcomes(rows)); diff != "" || code != 0 {
		t.Errorf("the next run retries only the failed one: exit %d (-want +got):\n%s", code, diff)
	}
	rows, code = expireAt(t, v, later)
	if len(rows) != 0 || code != 0 {
		t.Errorf("a third run: exit %d, rows %+v; want nothing", code, rows)
	}
	if got := deletes(v) - before; got != 3 {
		t.Errorf("cancel requests in all: %d, want 3", got)
	}
}

func TestExpireTakesNoArguments(t *testing.T) {
	v := ordertest.NewVenue(t)
	v.Setenv("TRADECTL_OUTPUT", "json")
	_, code := run(t, v, func(f *cmdutil.Factory) *cobra.Command { return NewCmdExpire(f, nil) }, "extra")
	if code == 0 {
		t.Error("order expire extra: exit 0, want an error")
	}
	if n := len(v.Server.Requests()); n != 0 {
		t.Errorf("requests: %d, want none", n)
	}
}

// TestExpireTableOnATerminal: on a terminal the rows are a table, and a
// run with nothing to do says so on stderr, leaving stdout empty.
func TestExpireTableOnATerminal(t *testing.T) {
	v := ordertest.NewVenue(t)
	if _, code := run(t, v, func(f *cmdutil.Factory) *cobra.Command { return create.NewCmdCreate(f, nil) },
		"BTC-USDT", "--side", "buy", "--qty", "0.001", "--price", "50000", "--cancel-after", "1m", "--client-expiry"); code != 0 {
		t.Fatalf("order create: exit %d", code)
	}
	for _, tc := range []struct {
		name       string
		now        time.Time
		wantOut    []string
		wantErrOut string
	}{
		{"nothing due", time.Now(), nil, "no client-side deadline has passed"},
		{"one canceled", time.Now().Add(time.Hour), []string{"PROFILE", "DEADLINE", "RESULT", "BTC-USDT", "canceled"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			ios.SetTTY(true, true, true)
			f := v.Factory(ios)
			defer f.RunExitHooks()
			cmd := NewCmdExpire(f, func(o *ExpireOptions) error {
				o.Now = func() time.Time { return tc.now }
				return expireRun(context.Background(), o)
			})
			cmd.SetArgs(nil)
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			if err := cmd.ExecuteContext(context.Background()); err != nil {
				t.Fatalf("order expire: %v; stderr:\n%s", err, errOut)
			}
			if len(tc.wantOut) == 0 && out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(strings.ToUpper(out.String()), strings.ToUpper(w)) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if !strings.Contains(errOut.String(), tc.wantErrOut) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantErrOut, errOut)
			}
		})
	}
}
