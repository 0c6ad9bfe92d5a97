package binance

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/rulecache"
	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// Production and spot-testnet endpoints ([BN] rest-api.md, testnet docs).
const (
	ProductionURL   = "https://api.binance.com"
	TestnetURL      = "https://testnet.binance.vision"
	ProductionWSURL = "wss://stream.binance.com:9443"
	TestnetWSURL    = "wss://stream.testnet.binance.vision"
)

// Option keys a binance profile may set.
const (
	KeyBaseURL        = "base_url"
	KeySandbox        = "sandbox"
	KeyRecvWindow     = "recv_window"
	KeyKeyType        = "key_type"
	KeySyncClock      = "sync_clock"
	KeyWSURL          = "ws_url"
	KeyInstrumentsTTL = "instruments_ttl"
)

const (
	defaultRecvWindow     = 5000
	maxRecvWindow         = 60000
	defaultInstrumentsTTL = time.Hour
	defaultWeightLimit    = 6000
	// defaultRequestTimeout bounds each REST call; Binance itself gives up
	// on the matching engine after 10 s (-1007), so a little more.
	defaultRequestTimeout = 15 * time.Second
	defaultPollInterval   = 3 * time.Second
)

// Venue registers Binance Spot.
func Venue() exchange.Venue {
	return exchange.Venue{
		Name:        venueName,
		Keys:        []string{KeyBaseURL, KeySandbox, KeyRecvWindow, KeyKeyType, KeySyncClock, KeyWSURL, KeyWSAPIURL, KeyInstrumentsTTL},
		Credentials: []string{"api_key", "api_secret"},
		Summary:     "Binance Spot (sandbox: true for the spot testnet)",
		New: func(ctx context.Context, p exchange.Params) (exchange.Exchange, error) {
			return New(ctx, p)
		},
	}
}

// Exchange is one Binance Spot account. It is safe for concurrent use.
type Exchange struct {
	config // endpoints, recv_window, key_type, sync_clock

	// Venue and profile names, secret store, clock, logger, REST client,
	// Name and Close; HTTP serves the streams' handshakes too.
	venuebase.Base

	pollInterval   time.Duration
	wsBackoffMin   time.Duration
	wsBackoffMax   time.Duration
	wsDialAttempts int
	wsIdleTimeout  time.Duration

	limiter *weightLimiter

	creds venuehttp.Credentials[*credentials]

	offsetMS atomic.Int64 // venue clock minus local clock
	synced   atomic.Bool

	rules *rulecache.Cache[ruleSet, *ruleSet]
}

type credentials struct {
	apiKey string
	signer signer
}

var (
	_ exchange.Exchange       = (*Exchange)(nil)
	_ exchange.QuoteStreamer  = (*Exchange)(nil)
	_ exchange.OrderValidator = (*Exchange)(nil)
)

// New opens a Binance account from a profile. It does no I/O: credentials,
// clock sync and instrument rules are fetched when first needed.
func New(_ context.Context, p exchange.Params) (*Exchange, error) {
	cfg, err := parseConfig(p)
	if err != nil {
		return nil, err
	}

	e := &Exchange{
		config:         cfg,
		Base:           venuebase.New(venueName, p),
		pollInterval:   defaultPollInterval,
		wsBackoffMin:   500 * time.Millisecond,
		wsBackoffMax:   30 * time.Second,
		wsDialAttempts: 3,
		wsIdleTimeout:  3 * time.Minute,
	}
	if e.HTTP == nil {
		e.HTTP = &http.Client{}
	}
	e.Rest = e.newClient(e.HTTP)
	e.rules = &rulecache.Cache[ruleSet, *ruleSet]{
		Venue: venueName, What: "exchangeinfo", BaseURL: e.baseURL, Dir: p.CacheDir, TTL: e.instrumentsTTL,
		Version: cacheVersion, Now: func() time.Time { return e.Now() }, Log: e.Log, Fetch: e.fetchRules,
	}
	e.limiter = newWeightLimiter(e.venueNow, defaultWeightLimit)
	e.limiter.onWait = func(wait time.Duration, used, limit int) {
		e.Log.Info("binance: request weight near the limit, waiting for the next minute",
			"profile", e.Profile, "used", used, "limit", limit, "wait", wait.Round(time.Millisecond))
	}
	return e, nil
}

// venueNow is the local clock corrected by the last measured offset.
func (e *Exchange) venueNow() time.Time {
	return e.Now().Add(time.Duration(e.offsetMS.Load()) * time.Millisecond)
}

// credentialsFor resolves and caches the API key and signer on the first
// signed call, so public calls never ask for secrets.
func (e *Exchange) credentialsFor(ctx context.Context) (*credentials, error) {
	return e.creds.Get(func() (*credentials, error) { return e.readCredentials(ctx) })
}

// readCredentials reads the key pair and builds the signer key_type names.
func (e *Exchange) readCredentials(ctx context.Context) (*credentials, error) {
	key, secret, err := venuehttp.RequireKeyPair(ctx, e.Secret, venueName, e.Profile, "this call needs a Binance API key")
	if err != nil {
		return nil, err
	}
	c := &credentials{apiKey: key}
	if e.keyType == "ed25519" {
		k, err := parseEd25519Key(secret)
		if err != nil {
			return nil, &exchange.Error{Kind: exchange.ErrAuth, Venue: venueName,
				Message: fmt.Sprintf("profile %q: key_type is ed25519 but %v", e.Profile, err)}
		}
		c.signer = ed25519Signer{key: k}
	} else {
		c.signer = hmacSigner{secret: []byte(secret)}
	}
	return c, nil
}

// acceptMargin covers the venue's clock running ahead of ours and the
// time a request spends between its gateway and the matching engine.
const acceptMargin = 2 * time.Second

// AcceptWindow is how long after sending Binance may still act on an
// order request: it refuses one whose timestamp is more than recvWindow
// old. Until then "not found" may mean "not yet", so the placement logic
// (internal/placement) looks again before it sends under the same client
// id; after it, absent means absent.
func (e *Exchange) AcceptWindow() time.Duration {
	return time.Duration(e.recvWindow)*time.Millisecond + acceptMargin
}
