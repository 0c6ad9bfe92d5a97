package kraken

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/rulecache"
	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
)

// ProductionURL is Kraken's REST host. Kraken has no public Spot sandbox;
// dry runs use AddOrder's validate=true instead.
const ProductionURL = "https://api.kraken.com"

// ProductionWSURL is Kraken's public WebSocket v2 endpoint.
const ProductionWSURL = "wss://ws.kraken.com/v2"

// Option keys a kraken profile may set.
const (
	KeyBaseURL        = "base_url"
	KeyNonceFile      = "nonce_file"
	KeyInstrumentsTTL = "instruments_ttl"
	KeyRateTier       = "rate_tier"
	KeyNonceWindow    = "nonce_window"
	KeyWSURL          = "ws_url"
	KeyWSAuthURL      = "ws_auth_url"
)

const (
	venueName             = "kraken"
	defaultInstrumentsTTL = time.Hour
	// defaultRequestTimeout bounds each REST call. AddOrder's own deadline
	// parameter defaults to well under this on Kraken's side.
	defaultRequestTimeout = 15 * time.Second
	// maxBody bounds an answer; AssetPairs for every pair is the largest.
	maxBody = 32 << 20
)

// Venue registers Kraken Spot.
func Venue() exchange.Venue {
	return exchange.Venue{
		Name:        venueName,
		Keys:        []string{KeyBaseURL, KeyNonceFile, KeyInstrumentsTTL, KeyRateTier, KeyNonceWindow, KeyWSURL, KeyWSAuthURL},
		Credentials: []string{"api_key", "api_secret"},
		Summary:     "Kraken Spot (no sandbox: a dry run asks Kraken to validate without trading)",
		New: func(ctx context.Context, p exchange.Params) (exchange.Exchange, error) {
			return New(ctx, p)
		},
	}
}

// Exchange is one Kraken Spot account. It is safe for concurrent use.
type Exchange struct {
	config // endpoints (wsAuthURL "": no order stream), nonce file, tier

	// Venue and profile names, secret store, clock, logger, REST client,
	// Name and Close (file locks are held only during a call, so Close has
	// nothing to release); HTTP is the streams' (stream.go, userstream.go)
	// client for the handshake.
	venuebase.Base
	dataDir string

	// The quote and order streams' clocks.
	wsTiming venuews.Timing

	// cancelPoll is how long CancelOrder waits between reads of an order
	// whose cancel Kraken reported as pending.
	cancelPoll time.Duration

	limiter *counterLimiter

	creds venuehttp.Credentials[*credentials]

	// private bounds the signed calls of this Exchange in flight, from
	// nonce to answer. Kraken rejects a nonce lower than one it has
	// already seen, and two requests in flight on separate connections can
	// arrive in either order: so one at a time, unless the key has a nonce
	// window (nonce_window), within which Kraken accepts a lower nonce
	// arriving late; then up to signedInFlight. A channel, not a mutex, so
	// waiting honours ctx.
	private chan struct{}

	rules *rulecache.Cache[ruleSet, *ruleSet]
}

// credentials are what the first signed call resolves: the key, the
// decoded secret, and the per-key state files that hang off the key.
type credentials struct {
	apiKey  string
	secret  []byte
	nonces  *nonceSource
	idNames *clientIDMap
}

var (
	_ exchange.Exchange       = (*Exchange)(nil)
	_ exchange.OrderValidator = (*Exchange)(nil)
)

// New opens a Kraken account from a profile. It does no I/O: credentials,
// nonce state and instrument rules are read when first needed.
func New(_ context.Context, p exchange.Params) (*Exchange, error) {
	cfg, err := parseConfig(p)
	if err != nil {
		return nil, err
	}

	e := &Exchange{
		config:     cfg,
		Base:       venuebase.New(venueName, p),
		dataDir:    p.DataDir,
		wsTiming:   venuews.DefaultTiming(),
		cancelPoll: 250 * time.Millisecond,
		private:    make(chan struct{}, cfg.signedInFlight()),
	}
	e.Rest = e.newClient(e.HTTP)
	e.limiter = newCounterLimiter(e.Now, cfg.tier)
	e.limiter.onWait = func(wait time.Duration, counter, max float64) {
		e.Log.Info("kraken: API call counter near its limit, waiting",
			"profile", e.Profile, "counter", fmt.Sprintf("%.1f", counter), "max", max, "wait", wait.Round(time.Millisecond))
	}
	e.rules = &rulecache.Cache[ruleSet, *ruleSet]{
		Venue: venueName, What: "assetpairs", BaseURL: e.baseURL, Dir: p.CacheDir, TTL: e.instrumentsTTL,
		Version: cacheVersion, Now: func() time.Time { return e.Now() }, Log: e.Log, Fetch: e.fetchRules,
	}
	return e, nil
}

// keyHash names per-key state files without putting the key itself in a
// file name.
func keyHash(apiKey string) string {
	sum := sha256.Sum256([]byte("tradectl-kraken-key:" + apiKey))
	return hex.EncodeToString(sum[:8])
}

// credentialsFor resolves the API key and secret on the first signed call,
// so quotes and instruments work without keys.
func (e *Exchange) credentialsFor(ctx context.Context) (*credentials, error) {
	return e.creds.Get(func() (*credentials, error) { return e.readCredentials(ctx) })
}

// readCredentials reads the key pair, decodes the secret and opens the
// key's nonce and client-id files.
func (e *Exchange) readCredentials(ctx context.Context) (*credentials, error) {
	key, secretText, err := venuehttp.RequireKeyPair(ctx, e.Secret, venueName, e.Profile, "this call needs a Kraken API key")
	if err != nil {
		return nil, err
	}
	secret, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(secretText), ""))
	if err != nil || len(secret) == 0 {
		// Never quote the secret, not even in part.
		return nil, authError(fmt.Sprintf("profile %q: api_secret is not base64 (Kraken shows the private key base64-encoded; paste it unchanged)", e.Profile))
	}
	h := keyHash(key)
	noncePath := e.nonceFile
	if noncePath == "" && e.dataDir != "" {
		noncePath = filepath.Join(e.dataDir, "kraken-"+h+".nonce")
	}
	idsPath := ""
	if e.dataDir != "" {
		idsPath = filepath.Join(e.dataDir, "kraken-"+h+"-client-ids.jsonl")
	}
	return &credentials{
		apiKey:  key,
		secret:  secret,
		nonces:  newNonceSource(noncePath, e.Now),
		idNames: newClientIDMap(idsPath),
	}, nil
}

func authError(msg string) *exchange.Error {
	return &exchange.Error{Kind: exchange.ErrAuth, Venue: venueName, Message: msg}
}
