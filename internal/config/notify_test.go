package config

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradectl/tradectl/internal/notify"
)

func TestLoadNotify(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Notify
	}{
		{"none", "profiles:\n  p: {exchange: paper}\n", Notify{}},
		{"empty", "profiles:\n  p:\n    exchange: paper\n    notify:\n", Notify{}},
		{"every key", `profiles:
  p:
    exchange: paper
    notify:
      command: ./page-me.sh
      webhook_url_env: HOOK_URL
      desktop: true
      on: [order_filled, risk_refused]
`, Notify{Command: "./page-me.sh", Webhook: SecretSource{Kind: SourceEnv, Value: "HOOK_URL", Line: 6}, Desktop: true,
			On: []notify.Kind{notify.KindOrderFilled, notify.KindRiskRefused}}},
		{"one kind, flow style", "profiles:\n  p: {exchange: paper, notify: {on: alert}}\n", Notify{On: []notify.Kind{notify.KindAlert}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "config.yaml", tt.body, 0o600)
			c, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry()})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c.Profiles["p"].Notify); diff != "" {
				t.Errorf("Notify (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadNotifyErrors(t *testing.T) {
	const head = "profiles:\n  p:\n    exchange: paper\n    notify:\n"
	tests := []struct {
		name string
		body string
		line int
		msg  string
	}{
		{"not a mapping", "profiles:\n  p: {exchange: paper, notify: yes}\n", 2,
			`profile "p": notify must be a mapping (command, desktop, on, webhook_url_env, webhook_url_file), got "yes"`},
		{"plain webhook url refused", head + "      webhook_url: https://hooks.example.com/T0KEN\n", 5,
			`profile "p": notify: webhook_url is not read from the config file: the URL carries a token, which is a secret; put it in an environment variable (webhook_url_env) or a file of mode 0600 (webhook_url_file)`},
		{"two webhook sources", head + "      webhook_url_env: A\n      webhook_url_file: /x\n", 6,
			`profile "p": notify: the webhook URL is set twice (lines 5 and 6); keep one`},
		{"bad env name", head + "      webhook_url_env: ${HOOK}\n", 5,
			`profile "p": notify: webhook_url_env must name an environment variable; write HOOK, not ${HOOK}`},
		{"unknown kind", head + "      on: [filled]\n", 5,
			`profile "p": notify: unknown event kind "filled" (kinds: alert, until, order_filled, order_done, wait_timeout, order_event, risk_refused)`},
		{"empty on", head + "      on: []\n", 5, `profile "p": notify: on is an empty list: remove it to be notified of every kind`},
		{"desktop not a bool", head + "      desktop: yes please\n", 5, `profile "p": notify: desktop must be true or false, got "yes please"`},
		{"empty command", head + "      command: \"\"\n", 5, `profile "p": notify: command must be a shell command, got ""`},
		{"misspelt key", head + "      comand: x\n", 5, `profile "p": notify: unknown key "comand" (did you mean "command"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "config.yaml", tt.body, 0o600)
			_, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry()})
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Load() error = %v (%T), want *Error", err, err)
			}
			want := &Error{Path: path, Line: tt.line, Msg: tt.msg}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Error{}, "Err")); diff != "" {
				t.Errorf("Load() error (-want +got):\n%s", diff)
			}
			if strings.Contains(err.Error(), "T0KEN") {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}

func TestNotifyWebhookURL(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "hook", "https://hooks.example.com/T0KEN\n", 0o600)
	open := writeFile(t, dir, "open", "https://hooks.example.com/T0KEN\n", 0o644)
	env := mapEnv(map[string]string{"HOOK": "https://hooks.example.com/T0KEN"})
	tests := []struct {
		name    string
		src     SecretSource
		want    string
		wantErr string
	}{
		{"none", SecretSource{}, "", ""},
		{"env", SecretSource{Kind: SourceEnv, Value: "HOOK"}, "https://hooks.example.com/T0KEN", ""},
		{"env unset", SecretSource{Kind: SourceEnv, Value: "NOPE"}, "", `profile "p": notify: environment variable NOPE (from webhook_url_env) is not set or empty`},
		{"file", SecretSource{Kind: SourceFile, Value: good}, "https://hooks.example.com/T0KEN", ""},
		{"file others can read", SecretSource{Kind: SourceFile, Value: open}, "",
			`profile "p": notify: webhook_url_file: ` + open + ` has mode 0644, so other users can read it; run: chmod 600 ` + open},
		{"file missing", SecretSource{Kind: SourceFile, Value: filepath.Join(dir, "none")}, "",
			`profile "p": notify: webhook_url_file: read ` + filepath.Join(dir, "none") + `: no such file or directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Notify{Webhook: tt.src}.WebhookURL("p", env)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if strings.Contains(gotErr, "T0KEN") {
				t.Errorf("the error quotes the secret: %s", gotErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("URL (-want +got):\n%s", diff)
			}
		})
	}
}

// config show names where the webhook URL comes from, never the URL.
func TestNotifyRedacted(t *testing.T) {
	body := "profiles:\n  p:\n    exchange: paper\n    notify: {webhook_url_env: HOOK, on: [alert]}\n"
	path := writeFile(t, t.TempDir(), "config.yaml", body, 0o600)
	c, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Redacted()["profiles"].(map[string]any)["p"].(map[string]any)["notify"]
	want := map[string]any{"command": "", "desktop": false, "on": []any{"alert"}, "webhook_url": "env:HOOK"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
