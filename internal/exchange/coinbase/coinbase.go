package coinbase

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/rulecache"
	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
)

// Production and sandbox REST hosts (reference §3, "Base URLs"). The API
// prefix /api/v3/brokerage is added by the adapter.
const (
	ProductionURL = "https://api.coinbase.com"
	SandboxURL    = "https://api-sandbox.coinbase.com"
	apiPrefix     = "/api/v3/brokerage"
	// ProductionWSURL is the Advanced Trade market-data WebSocket; the
	// sandbox has none, so sandbox profiles stream from it too.
	ProductionWSURL = "wss://advanced-trade-ws.coinbase.com"
)

// Option keys a coinbase profile may set.
const (
	KeyBaseURL        = "base_url"
	KeySandbox        = "sandbox"
	KeyInstrumentsTTL = "instruments_ttl"
	KeyWSURL          = "ws_url"
	KeyWSUserURL      = "ws_user_url"
)

const (
	venueName             = "coinbase"
	defaultInstrumentsTTL = time.Hour
	// defaultRequestTimeout bounds each REST call when the caller's context
	// allows longer.
	defaultRequestTimeout = 15 * time.Second
	// Published limits (reference §3, "Errors and rate limits"; marked
	// unverified there): 30 requests/s per key on private endpoints, 10/s
	// per IP on public ones.
	privateRatePerSecond = 30
	publicRatePerSecond  = 10
)

// Venue registers Coinbase Advanced Trade.
func Venue() exchange.Venue {
	return exchange.Venue{
		Name:        venueName,
		Keys:        []string{KeyBaseURL, KeySandbox, KeyInstrumentsTTL, KeyWSURL, KeyWSUserURL},
		Credentials: []string{"api_key", "api_secret"},
		Summary:     "Coinbase Advanced Trade (api_key: CDP key name, api_secret: its EC private key PEM; sandbox: true for the static sandbox)",
		New: func(ctx context.Context, p exchange.Params) (exchange.Exchange, error) {
			return New(ctx, p)
		},
	}
}

// Exchange is one Coinbase Advanced Trade account. It is safe for
// concurrent use.
type Exchange struct {
	// The profile's options. baseURL serves accounts and orders,
	// marketURL the public /market endpoints: they differ only in sandbox
	// mode, whose static mock has no market data.
	config
	// Venue and profile names, secret store, clock, logger, REST client,
	// Name and Close; HTTP is the streams' (stream.go, userstream.go)
	// client for the handshake.
	venuebase.Base

	private *bucket
	public  *bucket

	// The quote and user streams' clocks.
	wsTiming venuews.Timing

	creds venuehttp.Credentials[*credentials] // nil once resolved: sandbox, unsigned

	// How Quotes reads prices, decided once; see useBook.
	quoteMu                 sync.Mutex
	quoteModeSet, quoteBook bool

	rules *rulecache.Cache[ruleSet, *ruleSet]
}

// credentials are the resolved CDP key: its name and the parsed key.
// A nil *credentials with a nil error means "send unsigned" (sandbox).
type credentials struct {
	keyName string
	key     *ecdsa.PrivateKey
}

var (
	_ exchange.Exchange       = (*Exchange)(nil)
	_ exchange.OrderValidator = (*Exchange)(nil)
)

// New opens a Coinbase account from a profile. It does no I/O: keys and
// products are fetched when first needed.
func New(_ context.Context, p exchange.Params) (*Exchange, error) {
	cfg, err := parseConfig(p)
	if err != nil {
		return nil, err
	}

	e := &Exchange{
		config:   cfg,
		Base:     venuebase.New(venueName, p),
		wsTiming: venuews.DefaultTiming(),
	}
	e.Rest = e.newClient(e.HTTP)
	e.private = newBucket(privateRatePerSecond, e.Now, venuehttp.Sleep)
	e.public = newBucket(publicRatePerSecond, e.Now, venuehttp.Sleep)
	e.rules = &rulecache.Cache[ruleSet, *ruleSet]{
		Venue: venueName, What: "products", BaseURL: e.marketURL, Dir: p.CacheDir, TTL: e.instrumentsTTL,
		Version: cacheVersion, Now: func() time.Time { return e.Now() }, Log: e.Log, Fetch: e.fetchRules,
	}
	return e, nil
}

// errNoCredentials marks an ErrAuth caused by a profile without keys, so
// Quotes can fall back to public endpoints.
var errNoCredentials = errors.New("no credentials")

// credentialsFor resolves and caches the key on the first private call, so
// public calls never ask for secrets.
func (e *Exchange) credentialsFor(ctx context.Context) (*credentials, error) {
	return e.creds.Get(func() (*credentials, error) { return e.readCredentials(ctx) })
}

// readCredentials reads the CDP key name and parses its private key; in
// the sandbox, a profile with neither resolves to nil: send unsigned.
func (e *Exchange) readCredentials(ctx context.Context) (*credentials, error) {
	get := func(name string) (string, error) {
		return venuehttp.ReadSecret(ctx, e.Secret, venueName, e.Profile, name)
	}
	name, err := get("api_key")
	if err != nil {
		return nil, err
	}
	secret, err := get("api_secret")
	if err != nil {
		return nil, err
	}
	if name == "" && secret == "" && e.sandbox {
		// The sandbox needs no authentication (reference §3).
		return nil, nil
	}
	for _, missing := range []struct{ name, v string }{{"api_key", name}, {"api_secret", secret}} {
		if missing.v == "" {
			return nil, &exchange.Error{Kind: exchange.ErrAuth, Venue: venueName, Err: errNoCredentials,
				Message: fmt.Sprintf("profile %q has no %s: set %s for this profile (this call needs a Coinbase CDP API key: api_key is its name organizations/…/apiKeys/…, api_secret its EC private key)", e.Profile, missing.name, missing.name)}
		}
	}
	if !strings.HasPrefix(name, "organizations/") || !strings.Contains(name, "/apiKeys/") {
		e.Log.Warn("coinbase: api_key does not look like a CDP key name (organizations/{org_id}/apiKeys/{key_id})", "profile", e.Profile)
	}
	key, err := parsePrivateKey(secret)
	if err != nil {
		return nil, &exchange.Error{Kind: exchange.ErrAuth, Venue: venueName,
			Message: fmt.Sprintf("profile %q: api_secret: %v", e.Profile, err)}
	}
	return &credentials{keyName: name, key: key}, nil
}
