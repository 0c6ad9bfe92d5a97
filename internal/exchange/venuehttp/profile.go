package venuehttp

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
)

// HTTPSchemes are what a REST base URL may use.
var HTTPSchemes = []string{"http", "https"}

// CleanURL checks a URL option of a profile and drops a trailing path the
// adapter adds itself (venues' docs quote base URLs with their API prefix
// or version). Credentials, a query or a fragment have no place in a base
// URL and are refused rather than sent along.
func CleanURL(profile, key, raw string, schemes []string, dropSuffixes ...string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("profile %q: %s %q is not an absolute URL", profile, key, raw)
	}
	if !slices.Contains(schemes, u.Scheme) {
		return "", fmt.Errorf("profile %q: %s %q must use %s", profile, key, raw, strings.Join(schemes, " or "))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("profile %q: %s must be a plain base URL, without credentials, query or fragment", profile, key)
	}
	out := strings.TrimRight(raw, "/")
	for _, s := range dropSuffixes {
		out = strings.TrimRight(strings.TrimSuffix(out, s), "/")
	}
	return out, nil
}

// TTL reads a duration option that must not be negative, such as
// instruments_ttl.
func TTL(p exchange.Params, key string, def time.Duration) (time.Duration, error) {
	d, err := p.Duration(key, def)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("profile %q: %s must not be negative, got %s", p.Profile, key, d)
	}
	return d, nil
}

// Clock and log are the Params' own, or the real clock and a discarding
// logger when the caller gave none.
func ClockAndLog(p exchange.Params) (func() time.Time, *slog.Logger) {
	now, log := p.Now, p.Logger
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return now, log
}

// ReadSecret reads one credential of a profile, trimmed; "" when the
// profile has none (or no secret store was given). A failing store is an
// ErrAuth that names the credential, never its value.
func ReadSecret(ctx context.Context, p func(context.Context, string) (string, error), venue, profile, name string) (string, error) {
	if p == nil {
		return "", nil
	}
	v, err := p(ctx, name)
	if err != nil {
		return "", &exchange.Error{Kind: exchange.ErrAuth, Venue: venue,
			Message: fmt.Sprintf("reading %s for profile %q: %v", name, profile, err), Err: err}
	}
	return strings.TrimSpace(v), nil
}

// URLOption reads a URL option of a profile (def when unset) and cleans
// it as CleanURL does.
func URLOption(p exchange.Params, key, def string, schemes []string, dropSuffixes ...string) (string, error) {
	raw, err := p.String(key, def)
	if err != nil {
		return "", err
	}
	return CleanURL(p.Profile, key, raw, schemes, dropSuffixes...)
}

// HasSecrets reports whether the profile's secret store holds every one of
// names, not blank. A secret that does not resolve counts as absent: a
// venue's setup checks leave that finding to the caller's own secret
// checks, which say why.
func HasSecrets(ctx context.Context, p func(context.Context, string) (string, error), names ...string) bool {
	if p == nil {
		return false
	}
	for _, name := range names {
		v, err := p(ctx, name)
		if err != nil || strings.TrimSpace(v) == "" {
			return false
		}
	}
	return true
}
