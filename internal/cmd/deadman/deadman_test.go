package deadman

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/deadman"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/kraken"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestFlags(t *testing.T) {
	hb := filepath.Join(t.TempDir(), "hb")
	if err := os.WriteFile(hb, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	type parsed struct {
		Timeout   time.Duration
		Heartbeat string
		Once      bool
	}
	tests := []struct {
		name      string
		args      []string
		want      parsed
		wantUsage string
	}{
		{name: "defaults", want: parsed{Timeout: time.Minute}},
		{name: "heartbeat", args: []string{"--timeout", "30s", "--heartbeat-file", hb}, want: parsed{Timeout: 30 * time.Second, Heartbeat: hb}},
		{name: "once", args: []string{"--once", "--timeout", "90s"}, want: parsed{Timeout: 90 * time.Second, Once: true}},
		{name: "disarm", args: []string{"--once", "--timeout", "0"}, want: parsed{Once: true}},
		{name: "negative", args: []string{"--timeout", "-5s"}, wantUsage: "must not be negative"},
		{name: "zero without once", args: []string{"--timeout", "0"}, wantUsage: "only goes with --once"},
		{name: "disarm with a heartbeat", args: []string{"--once", "--timeout", "0", "--heartbeat-file", hb}, wantUsage: "nothing to do with it"},
		{name: "missing heartbeat", args: []string{"--heartbeat-file", hb + ".nope"}, wantUsage: "does not exist"},
		{name: "heartbeat is a directory", args: []string{"--heartbeat-file", filepath.Dir(hb)}, wantUsage: "is a directory"},
		{name: "not a duration", args: []string{"--timeout", "soon"}, wantUsage: "invalid argument"},
		{name: "no arguments", args: []string{"paper"}, wantUsage: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.GlobalOptions{}}
			var got *DeadmanOptions
			cmd := NewCmdDeadman(f, func(o *DeadmanOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantUsage != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantUsage) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantUsage)
				}
				// Cobra's own errors become usage errors in internal/app.
				var u *cmdutil.UsageError
				if !strings.HasPrefix(err.Error(), "invalid argument") && !strings.HasPrefix(err.Error(), "unknown command") && !errors.As(err, &u) {
					t.Errorf("error %v is not a usage error (exit 2)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, parsed{got.Timeout, got.Heartbeat, got.Once}); diff != "" {
				t.Errorf("parsed (-want +got):\n%s", diff)
			}
		})
	}
}

func openPaper(t *testing.T) exchange.Exchange {
	t.Helper()
	ex, err := paper.New(context.Background(), exchange.Params{Profile: "paper", Exchange: paper.Name, Options: map[string]any{},
		DataDir: t.TempDir(), CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func options(t *testing.T, ios *iostreams.IOStreams, format string, ex exchange.Exchange) *DeadmanOptions {
	return &DeadmanOptions{
		IO: ios,
		OpenExchange: func(context.Context, string) (exchange.Exchange, config.Profile, error) {
			return ex, config.Profile{Name: "test", Exchange: ex.Name()}, nil
		},
		Printer: func() (*render.Printer, error) { return render.NewPrinter(ios, format, "", time.Now) },
		Now:     time.Now,
	}
}

// TestRunPrintsEvents: piped, one JSON object per event with the
// documented fields; on a terminal, one line per event. Either way the
// switch that fired exits 13 (ErrTriggered) and the order is canceled.
func TestRunPrintsEvents(t *testing.T) {
	for _, tty := range []bool{false, true} {
		ios, _, out, _ := iostreams.Test()
		ios.SetTTY(false, tty, tty)
		ex := openPaper(t)
		o, err := ex.PlaceOrder(context.Background(), trade.OrderRequest{Symbol: trade.MustSymbol("BTC-USD"), Side: trade.Buy,
			Type: trade.Limit, TimeInForce: trade.GTC, Qty: trade.Dec("0.01"), Price: trade.OptDec("1000"), ClientID: "dm-cmd"})
		if err != nil {
			t.Fatal(err)
		}
		opts := options(t, ios, "table", ex)
		opts.Timeout = time.Second
		opts.Heartbeat = filepath.Join(t.TempDir(), "hb")
		if err := os.WriteFile(opts.Heartbeat, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		err = deadmanRun(context.Background(), opts)
		if !errors.Is(err, cmdutil.ErrTriggered) || cmdutil.Classify(context.Background(), err).Exit != cmdutil.ExitTriggered {
			t.Fatalf("tty=%v: %v; want the triggered error (exit 13)", tty, err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 3 {
			t.Fatalf("tty=%v: %d lines, want armed, triggered, canceled:\n%s", tty, len(lines), out)
		}
		if tty {
			for i, want := range []string{"armed", "triggered", "canceled"} {
				if !strings.Contains(lines[i], "  "+want+" ") {
					t.Errorf("line %d %q: want %s", i, lines[i], want)
				}
			}
			if !strings.Contains(lines[2], "order "+o.ID+" BTC-USD buy 0.01 limit, canceled") {
				t.Errorf("canceled line %q does not name the order", lines[2])
			}
			continue
		}
		var evs []Event
		for _, l := range lines {
			var ev Event
			if err := json.Unmarshal([]byte(l), &ev); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			evs = append(evs, ev)
		}
		type brief struct{ Kind, Profile, Venue, Mode, Reason, By, OrderID string }
		var got []brief
		for _, ev := range evs {
			b := brief{ev.Kind, ev.Profile, ev.Venue, ev.Mode, ev.Reason, ev.By, ""}
			if ev.Order != nil {
				b.OrderID = ev.Order.ID + " " + string(ev.Order.Status)
			}
			got = append(got, b)
		}
		want := []brief{
			{"armed", "test", "paper", "client", "", "", ""},
			{"triggered", "test", "paper", "client", deadman.ReasonStale, deadman.ByTradectl, ""},
			{"canceled", "test", "paper", "client", "", deadman.ByTradectl, o.ID + " canceled"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		if evs[0].Deadline == nil || evs[0].HeartbeatAt == nil || evs[0].TimeoutSeconds != 1 {
			t.Errorf("armed event %+v: want a deadline, the heartbeat and timeout_seconds 1", evs[0])
		}
		var doc *cmdutil.InDocumentError
		if !errors.As(err, &doc) {
			t.Errorf("piped, the error %v should not add a JSON document after the events", err)
		}
	}
}

// TestVenueLimitsBeforeAnyRequest: the venue's own limits and what a
// client-side switch needs are checked once the profile is open, before
// anything is sent.
func TestVenueLimitsBeforeAnyRequest(t *testing.T) {
	secret := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 64))
	srv := fakekraken.New("key", secret)
	defer srv.Close()
	kr, err := kraken.New(context.Background(), exchange.Params{Profile: "kraken", Exchange: "kraken",
		Options: map[string]any{kraken.KeyBaseURL: srv.URL()}, DataDir: t.TempDir(), CacheDir: t.TempDir(), HTTPClient: srv.Client(),
		Secret: func(_ context.Context, name string) (string, error) {
			if name == "api_key" {
				return "key", nil
			}
			return secret, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	hb := filepath.Join(t.TempDir(), "hb")
	if err := os.WriteFile(hb, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		ex        exchange.Exchange
		timeout   time.Duration
		heartbeat string
		once      bool
		want      string
	}{
		{"kraken below its minimum", kr, 5 * time.Second, "", false, "kraken's timer takes 12s to 23h59m59s in whole multiples of 1s"},
		{"kraken above its maximum", kr, 24 * time.Hour, "", true, "takes 12s to 23h59m59s"},
		{"kraken in fractions of a second", kr, 12500 * time.Millisecond, "", false, "whole multiples of 1s"},
		{"paper --once", openPaper(t), time.Minute, "", true, "nothing for --once to refresh"},
		{"paper without a heartbeat", openPaper(t), time.Minute, "", false, "needs --heartbeat-file"},
		{"paper below a second", openPaper(t), 500 * time.Millisecond, hb, false, "from 1s to 24h0m0s"},
	}
	for _, tt := range tests {
		ios, _, out, _ := iostreams.Test()
		opts := options(t, ios, "ndjson", tt.ex)
		opts.Timeout, opts.Heartbeat, opts.Once = tt.timeout, tt.heartbeat, tt.once
		err := deadmanRun(context.Background(), opts)
		var u *cmdutil.UsageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want a usage error saying %q", tt.name, err, tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("%s: printed %q", tt.name, out)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("refused runs sent %d requests to Kraken", n)
	}
}
