package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// RedactedValue replaces every secret in Redacted's output.
const RedactedValue = "[redacted]"

// Redacted returns the effective configuration for `config show`, in the
// file's shape, safe to print: a plain secret becomes "[redacted]" and
// any other source is shown as where it comes from ("env:BINANCE_SECRET",
// "file:/home/u/.secrets/binance", "cmd:pass show binance"), never
// resolved. Passwords inside URL options are masked too. The result holds
// only strings, numbers, bools, lists and string-keyed maps, so it
// marshals as JSON or YAML.
func (c *Config) Redacted() map[string]any {
	profiles := make(map[string]any, len(c.Profiles))
	for name, p := range c.Profiles {
		m := map[string]any{"exchange": p.Exchange}
		for k, v := range p.Options {
			m[k] = redactValue(v)
		}
		for k, v := range p.Safety {
			m[k] = redactValue(v) // also copies, so callers cannot alter the profile
		}
		for base, src := range p.Credentials {
			if src.Kind == SourcePlain {
				m[base] = RedactedValue
			} else {
				m[base] = src.Kind + ":" + src.Value
			}
		}
		if !p.Notify.IsZero() {
			m["notify"] = p.Notify.redacted()
		}
		profiles[name] = m
	}
	return map[string]any{
		"config_file":        c.Path,
		"config_file_exists": c.FileExists,
		"default_profile":    c.DefaultProfile,
		"profile":            c.Profile,
		"output":             c.Output,
		"timeout":            c.Timeout.String(),
		"color":              c.Color,
		"mcp":                map[string]any{"allow_live_orders": c.MCP.AllowLiveOrders},
		"profiles":           profiles,
	}
}

// redactValue masks the password of a URL with credentials in it
// ("https://user:pass@host"), the one way a venue option can carry a
// secret by accident.
func redactValue(v any) any {
	switch t := v.(type) {
	case string:
		if !strings.Contains(t, "@") {
			return t
		}
		u, err := url.Parse(t)
		if err != nil || u.User == nil {
			return t
		}
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), RedactedValue)
			return strings.Replace(u.String(), url.QueryEscape(RedactedValue), RedactedValue, 1)
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = redactValue(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = redactValue(x)
		}
		return out
	}
	return v
}

// Warnings lists problems worth telling the user that do not stop the
// run, sorted so the output is stable.
func (c *Config) Warnings() []string {
	var out []string
	plain := false
	for _, name := range c.ProfileNames() {
		p := c.Profiles[name]
		bases := make([]string, 0, len(p.Credentials))
		for b := range p.Credentials {
			bases = append(bases, b)
		}
		slices.Sort(bases)
		for _, b := range bases {
			if p.Credentials[b].Kind != SourcePlain {
				continue
			}
			plain = true
			out = append(out, fmt.Sprintf("profile %q: %s is stored in plain text in %s; move it to %s_env, %s_file or %s_cmd",
				name, b, c.Path, b, b, b))
		}
	}
	if plain && c.fileMode&0o077 != 0 {
		out = append(out, fmt.Sprintf("%s holds plain-text secrets and has mode %04o, so other users can read it; run: chmod 600 %s",
			c.Path, c.fileMode, shellQuote(c.Path)))
	}
	return out
}
