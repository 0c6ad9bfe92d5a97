package notifycmd

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/notify"
)

// parse runs a command carrying the flags over args and returns what
// Parse made of them.
func parse(t *testing.T, args ...string) (Flags, error) {
	t.Helper()
	var got Flags
	var perr error
	cmd := &cobra.Command{Use: "x", RunE: func(cmd *cobra.Command, _ []string) error { return nil }}
	b := AddFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		got, perr = b.Parse(cmd)
		return nil
	}
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	return got, perr
}

func TestParseUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--notify", " "}, "--notify needs a shell command"},
		{[]string{"--webhook", "ftp://hooks.example.com/T0KEN"}, "--webhook: the webhook URL must start with http:// or https://"},
		{[]string{"--webhook", "https:///T0KEN"}, "--webhook: the webhook URL has no host"},
		{[]string{"--webhook", "http://a b/T0KEN"}, "--webhook: the webhook URL does not parse as a URL"},
		{[]string{"--notify-on", "filled"}, `--notify-on: unknown event kind "filled"`},
		{[]string{"--notify-on", ""}, "--notify-on needs at least one event kind"},
	}
	for _, tt := range tests {
		_, err := parse(t, tt.args...)
		var usage *cmdutil.UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error = %v, want a usage error containing %q", tt.args, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "T0KEN") {
			t.Errorf("%v: the error quotes the URL: %v", tt.args, err)
		}
	}
	f, err := parse(t, "--notify-on", "alert,until", "--notify-on", "alert")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]notify.Kind{notify.KindAlert, notify.KindUntil}, f.On); diff != "" {
		t.Errorf("--notify-on (-want +got):\n%s", diff)
	}
}

// hook is a real webhook receiver counting the events it got.
func hook(t *testing.T) (string, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var kinds []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		kinds = append(kinds, r.Header.Get("X-Tradectl-Event"))
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/T0KEN", func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), kinds...)
	}
}

func TestOpenMergesFlagsOverProfile(t *testing.T) {
	url, got := hook(t)
	ios, _, _, _ := iostreams.Test()
	deps := Deps{IO: ios, Getenv: func(k string) string {
		if k == "HOOK" {
			return url
		}
		return ""
	}}
	prof := config.Profile{Name: "p", Notify: config.Notify{
		Webhook: config.SecretSource{Kind: config.SourceEnv, Value: "HOOK"},
		On:      []notify.Kind{notify.KindRiskRefused},
	}}

	// The profile alone: its webhook, its kinds.
	f, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.Open(deps, prof)
	if err != nil {
		t.Fatal(err)
	}
	d.Send(notify.Event{Kind: notify.KindAlert})
	d.Send(notify.Event{Kind: notify.KindRiskRefused})
	d.Close()
	if diff := cmp.Diff([]string{"risk_refused"}, got()); diff != "" {
		t.Errorf("profile defaults (-want +got):\n%s", diff)
	}

	// --notify-on overrides the profile's kinds; the webhook stays.
	f, err = parse(t, "--notify-on", "alert")
	if err != nil {
		t.Fatal(err)
	}
	d, err = f.Open(deps, prof)
	if err != nil {
		t.Fatal(err)
	}
	d.Send(notify.Event{Kind: notify.KindAlert})
	d.Send(notify.Event{Kind: notify.KindRiskRefused})
	d.Close()
	if diff := cmp.Diff([]string{"risk_refused", "alert"}, got()); diff != "" {
		t.Errorf("with --notify-on (-want +got):\n%s", diff)
	}
}

func TestOpenProfileWebhookUnresolved(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	prof := config.Profile{Name: "p", Notify: config.Notify{Webhook: config.SecretSource{Kind: config.SourceEnv, Value: "HOOK"}}}
	f, _ := parse(t)
	_, err := f.Open(Deps{IO: ios}, prof)
	if err == nil || err.Error() != `profile "p": notify: environment variable HOOK (from webhook_url_env) is not set or empty` {
		t.Errorf("error = %v", err)
	}
	// A bad URL in the variable is named by where it came from, not shown.
	_, err = f.Open(Deps{IO: ios, Getenv: func(string) string { return "hooks.example.com/T0KEN" }}, prof)
	if err == nil || strings.Contains(err.Error(), "T0KEN") || !strings.Contains(err.Error(), "env:HOOK") {
		t.Errorf("error = %v", err)
	}
}

func TestOpenDesktopAbsentWarnsOnce(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var errOut bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&errOut, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	f, err := parse(t, "--desktop-notify")
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.Open(Deps{IO: ios, Logger: func() *slog.Logger { return logger }, GOOS: "linux",
		LookPath: func(string) (string, error) { return "", exec.ErrNotFound }}, config.Profile{Name: "p"})
	if err != nil {
		t.Fatalf("a missing desktop notifier must not fail the command: %v", err)
	}
	if d != nil {
		t.Error("with no notifier left, the dispatcher should be nil")
	}
	want := `level=WARN msg="desktop notifications are off: no desktop notifier: notify-send not found (install libnotify)"` + "\n"
	if diff := cmp.Diff(want, errOut.String()); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
}

func TestOpenNothingToNotify(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f, _ := parse(t)
	d, err := f.Open(Deps{IO: ios}, config.Profile{Name: "p"})
	if err != nil || d != nil {
		t.Errorf("Open = %v, %v; want nil, nil", d, err)
	}
}
