package config

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tradectl/tradectl/internal/notify"
)

// NotifyKeys are the keys allowed under a profile's notify:.
func NotifyKeys() []string {
	return []string{"command", "desktop", "on", "webhook_url_env", "webhook_url_file"}
}

// Notify is a profile's notify: section, the defaults of --notify,
// --webhook, --desktop-notify and --notify-on. The zero value notifies
// nobody.
type Notify struct {
	// Command is run with `sh -c` for each event.
	Command string
	// Webhook says where the webhook URL comes from (Kind SourceEnv or
	// SourceFile; zero: no webhook). The URL carries a token, so, unlike
	// an API key, it is never accepted in plain text in the file.
	Webhook SecretSource
	Desktop bool
	// On keeps only these event kinds; empty: every kind.
	On []notify.Kind
}

// IsZero reports whether the section sets nothing.
func (n Notify) IsZero() bool {
	return n.Command == "" && n.Webhook.Kind == "" && !n.Desktop && len(n.On) == 0
}

// WebhookURL resolves the webhook URL with the rules of API keys: an
// environment variable must be set and non-empty, a file must be mode
// 0600 or stricter. "" with no error when the profile sets no webhook.
// Errors say where the URL was looked for, never what it is.
func (n Notify) WebhookURL(profile string, getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	src := n.Webhook
	fail := func(msg string) (string, error) {
		return "", &Error{Msg: fmt.Sprintf("profile %q: notify: %s", profile, msg)}
	}
	switch src.Kind {
	case "":
		return "", nil
	case SourceEnv:
		v := strings.TrimSpace(getenv(src.Value))
		if v == "" {
			return fail(fmt.Sprintf("environment variable %s (from webhook_url_env) is not set or empty", src.Value))
		}
		return v, nil
	case SourceFile:
		v, err := readSecretFile(src.Value, func(_ error, msg string) (string, error) { return fail("webhook_url_file: " + msg) })
		return strings.TrimSpace(v), err
	}
	return fail("unknown webhook source " + src.Kind)
}

// redacted is the section as config show prints it: where the webhook
// URL comes from, never the URL.
func (n Notify) redacted() map[string]any {
	on := make([]any, 0, len(n.On))
	for _, k := range n.On {
		on = append(on, string(k))
	}
	m := map[string]any{"command": n.Command, "desktop": n.Desktop, "on": on}
	if n.Webhook.Kind != "" {
		m["webhook_url"] = n.Webhook.Kind + ":" + n.Webhook.Value
	}
	return m
}

// notify reads a profile's notify: mapping; every key is checked here,
// so a mistake is an error at load naming its line, not a silent default.
func (p *parser) notify(profile string, e entry) (Notify, error) {
	var n Notify
	if isNull(e.val) {
		return n, nil
	}
	where := fmt.Sprintf("profile %q: notify: ", profile)
	if resolve(e.val).Kind != yaml.MappingNode {
		return n, p.errf(e.line, "profile %q: notify must be a mapping (%s), got %s", profile, strings.Join(NotifyKeys(), ", "), describe(e.val))
	}
	entries, err := p.entries(resolve(e.val), where, 0)
	if err != nil {
		return n, err
	}
	var webhookLine int
	for _, m := range entries {
		switch m.key {
		case "command":
			s, ok := scalar(m.val)
			if !ok || strings.TrimSpace(s) == "" {
				return n, p.errf(m.line, "%scommand must be a shell command, got %s", where, describe(m.val))
			}
			n.Command = s
		case "desktop":
			s, ok := scalar(m.val)
			b, err := strconv.ParseBool(s)
			if !ok || err != nil || resolve(m.val).ShortTag() != "!!bool" {
				return n, p.errf(m.line, "%sdesktop must be true or false, got %s", where, describe(m.val))
			}
			n.Desktop = b
		case "on":
			kinds, err := p.notifyKinds(where, m)
			if err != nil {
				return n, err
			}
			n.On = kinds
		case "webhook_url_env", "webhook_url_file":
			if webhookLine != 0 {
				return n, p.errf(m.line, "%sthe webhook URL is set twice (lines %d and %d); keep one", where, webhookLine, m.line)
			}
			kind := SourceEnv
			if m.key == "webhook_url_file" {
				kind = SourceFile
			}
			src, err := p.secretSource(profile, entry{key: "notify: " + m.key, line: m.line, val: m.val}, kind)
			if err != nil {
				return n, err
			}
			n.Webhook, webhookLine = src, m.line
		case "webhook_url":
			// Not echoed: the value is the secret.
			return n, p.errf(m.line, "%swebhook_url is not read from the config file: the URL carries a token, which is a secret; "+
				"put it in an environment variable (webhook_url_env) or a file of mode 0600 (webhook_url_file)", where)
		default:
			return n, p.errf(m.line, "%s", unknownKeyMsg(where+"unknown key %q", m.key, NotifyKeys(),
				"allowed: "+strings.Join(NotifyKeys(), ", ")))
		}
	}
	return n, nil
}

// notifyKinds reads on: a list of event kinds (or one kind).
func (p *parser) notifyKinds(where string, m entry) ([]notify.Kind, error) {
	n := resolve(m.val)
	var names []string
	switch {
	case n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			s, ok := scalar(item)
			if !ok {
				return nil, p.errf(item.Line, "%son must list event kinds (%s), got %s", where, strings.Join(notify.KindNames(), ", "), describe(item))
			}
			names = append(names, s)
		}
	default:
		s, ok := scalar(n)
		if !ok {
			return nil, p.errf(m.line, "%son must list event kinds (%s), got %s", where, strings.Join(notify.KindNames(), ", "), describe(n))
		}
		names = []string{s}
	}
	if len(names) == 0 {
		return nil, p.errf(m.line, "%son is an empty list: remove it to be notified of every kind", where)
	}
	kinds, err := notify.ParseKinds(names)
	if err != nil {
		return nil, p.errf(m.line, "%s%v", where, err)
	}
	return kinds, nil
}
