package exchange

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// Params is everything a constructor gets: the profile's settings and the
// injected environment. Constructors read no environment variables and no
// global state of their own.
type Params struct {
	// Profile is the profile's name; Exchange its exchange name.
	Profile  string
	Exchange string
	// Options holds the profile's venue keys (base_url, sandbox, seed …),
	// already checked against the venue's Keys.
	Options map[string]any
	// Secret resolves a credential by its base name ("api_key",
	// "api_secret") from whichever source the profile configured. It
	// returns "", nil when the profile has none.
	Secret func(ctx context.Context, name string) (string, error)
	// DataDir is where the profile may keep durable state (the paper
	// database); CacheDir where it may keep re-fetchable data (instrument
	// rules). Both exist when the constructor runs.
	DataDir  string
	CacheDir string
	// Now is the clock; tests pin it.
	Now func() time.Time
	// HTTPClient carries timeouts, proxies and test transports.
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// String returns Options[key] as a string, or def when unset.
func (p Params) String(key, def string) (string, error) {
	v, ok := p.Options[key]
	if !ok || v == nil {
		return def, nil
	}
	switch t := v.(type) {
	case string:
		return t, nil
	case int, int64, float64, bool:
		return fmt.Sprint(t), nil
	}
	return "", fmt.Errorf("profile %q: %s must be a string, got %T", p.Profile, key, v)
}

// Bool returns Options[key] as a bool, or def when unset.
func (p Params) Bool(key string, def bool) (bool, error) {
	v, ok := p.Options[key]
	if !ok || v == nil {
		return def, nil
	}
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		b, err := strconv.ParseBool(t)
		if err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("profile %q: %s must be true or false, got %v", p.Profile, key, v)
}

// Int returns Options[key] as an int, or def when unset.
func (p Params) Int(key string, def int) (int, error) {
	v, ok := p.Options[key]
	if !ok || v == nil {
		return def, nil
	}
	switch t := v.(type) {
	case int:
		return t, nil
	case int64:
		return int(t), nil
	case float64:
		if t == float64(int(t)) {
			return int(t), nil
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(t)); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("profile %q: %s must be a whole number, got %v", p.Profile, key, v)
}

// Decimal returns Options[key] as a decimal, or def when unset. YAML numbers
// arrive as float64 and are read back through their shortest text form.
func (p Params) Decimal(key string, def decimal.Decimal) (decimal.Decimal, error) {
	v, ok := p.Options[key]
	if !ok || v == nil {
		return def, nil
	}
	var text string
	switch t := v.(type) {
	case string:
		text = t
	case int:
		text = strconv.Itoa(t)
	case int64:
		text = strconv.FormatInt(t, 10)
	case float64:
		text = strconv.FormatFloat(t, 'f', -1, 64)
	default:
		return def, fmt.Errorf("profile %q: %s must be a number, got %T", p.Profile, key, v)
	}
	d, err := trade.ParseDecimal(text)
	if err != nil {
		return def, fmt.Errorf("profile %q: %s: %v", p.Profile, key, err)
	}
	return d, nil
}

// Duration returns Options[key] as a duration ("500ms", "5s"), or def when unset.
func (p Params) Duration(key string, def time.Duration) (time.Duration, error) {
	s, err := p.String(key, "")
	if err != nil || s == "" {
		return def, err
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return def, fmt.Errorf("profile %q: %s: %v", p.Profile, key, err)
	}
	return d, nil
}

// Constructor opens an exchange for a profile.
type Constructor func(ctx context.Context, p Params) (Exchange, error)

// Venue describes one registered exchange.
type Venue struct {
	Name string
	// Keys are the profile keys this venue reads besides the common ones
	// (exchange and the credential sources); any other key is an error.
	Keys []string
	// Credentials lists the base names of the secrets it needs ("api_key",
	// "api_secret"); empty for venues that need none.
	Credentials []string
	// Summary is one line for help text.
	Summary string
	// Simulated is true for venues that trade no real money (paper): they
	// never ask for confirmation and need no credentials. It matches what
	// the opened exchange's IsSimulated reports.
	Simulated bool
	New       Constructor
}

// Registry maps exchange names to venues. It is built by the application's
// factory; there is no package-level registry.
type Registry struct {
	venues map[string]Venue
}

// NewRegistry returns a registry holding the given venues.
func NewRegistry(venues ...Venue) *Registry {
	r := &Registry{venues: make(map[string]Venue)}
	for _, v := range venues {
		r.Register(v)
	}
	return r
}

// Register adds a venue; a second venue of the same name replaces the first.
func (r *Registry) Register(v Venue) { r.venues[v.Name] = v }

// Lookup finds a venue by name.
func (r *Registry) Lookup(name string) (Venue, bool) {
	v, ok := r.venues[name]
	return v, ok
}

// Names lists the registered names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.venues))
	for n := range r.venues {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// AllowsKey reports whether venue name reads the profile key.
func (r *Registry) AllowsKey(name, key string) bool {
	v, ok := r.venues[name]
	return ok && slices.Contains(v.Keys, key)
}

// Open constructs the exchange named by p.Exchange.
func (r *Registry) Open(ctx context.Context, p Params) (Exchange, error) {
	v, ok := r.venues[p.Exchange]
	if !ok {
		return nil, fmt.Errorf("profile %q: unknown exchange %q (known: %s)", p.Profile, p.Exchange, strings.Join(r.Names(), ", "))
	}
	return v.New(ctx, p)
}
