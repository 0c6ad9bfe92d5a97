package alpaca

import (
	"context"
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

const venueName = "alpaca"

// Alpaca's endpoints (reference section 4). Paper trading has its own
// trading host and its own keys; market data has one host for both.
const (
	ProductionURL = "https://api.alpaca.markets"
	PaperURL      = "https://paper-api.alpaca.markets"
	DataURL       = "https://data.alpaca.markets"
)

// Option keys an alpaca profile may set.
const (
	KeyBaseURL        = "base_url"
	KeyDataURL        = "data_url"
	KeyPaper          = "paper"
	KeyFeed           = "feed"
	KeyExtendedHours  = "extended_hours"
	KeyInstrumentsTTL = "instruments_ttl"
	KeyStreamURL      = "stream_url"
	KeyDataStreamURL  = "data_stream_url"
)

// Stock quote feeds: IEX is free, SIP needs a market data subscription.
const (
	FeedIEX = "iex"
	FeedSIP = "sip"
)

const (
	defaultInstrumentsTTL = time.Hour
	// defaultRequestTimeout bounds each HTTP exchange; the caller's ctx
	// may end it sooner.
	defaultRequestTimeout = 15 * time.Second
	// defaultRateLimit is Alpaca's documented 200 requests per minute per
	// account; the data API has its own allowance of the same size.
	defaultRateLimit = 200
	// maxBody bounds one answer; the full asset list (~12k assets) is a
	// few MB.
	maxBody = 32 << 20
	// Alpaca may answer a cancel with pending_cancel; CancelOrder reads
	// the order back for this long, every cancelPoll, until it settles.
	defaultCancelSettle = 2 * time.Second
	defaultCancelPoll   = 200 * time.Millisecond
)

// Venue registers Alpaca (US stocks and crypto).
func Venue() exchange.Venue {
	return exchange.Venue{
		Name:        venueName,
		Keys:        []string{KeyBaseURL, KeyDataURL, KeyPaper, KeyFeed, KeyExtendedHours, KeyInstrumentsTTL, KeyStreamURL, KeyDataStreamURL},
		Credentials: []string{"api_key", "api_secret"},
		Summary:     "Alpaca US stocks and crypto (paper: true, the default, for paper trading)",
		New: func(ctx context.Context, p exchange.Params) (exchange.Exchange, error) {
			return New(ctx, p)
		},
	}
}

// Exchange is one Alpaca account. It is safe for concurrent use.
type Exchange struct {
	config // trading and data hosts, feed, extended_hours, streams
	// Venue and profile names, secret store, clock, logger, REST client,
	// Name and Close; HTTP is the trading stream's (userstream.go) client
	// for the handshake.
	venuebase.Base

	ttl time.Duration

	cancelSettle time.Duration
	cancelPoll   time.Duration
	sleep        func(ctx context.Context, d time.Duration) error

	// Alpaca counts trading and market-data requests separately.
	tradeLimiter *limiter
	dataLimiter  *limiter

	creds venuehttp.Credentials[*credentials]

	rules *rulecache.Cache[assetSet, *assetSet]

	// The trading stream's clocks (userstream.go); its endpoint is
	// config's.
	streamTiming venuews.Timing

	// The market data stream (datastream.go): one lock per endpoint
	// (stocks, crypto), since Alpaca allows one connection to each per
	// account; its host ("" polls) is config's.
	dataStreamBusy [2]sync.Mutex
}

type credentials struct {
	keyID  string
	secret string
}

var (
	_ exchange.Exchange       = (*Exchange)(nil)
	_ exchange.PositionLister = (*Exchange)(nil)
)

// New opens an Alpaca account from a profile. It does no I/O: keys and the
// asset list are fetched when first needed.
func New(_ context.Context, p exchange.Params) (*Exchange, error) {
	cfg, err := parseConfig(p)
	if err != nil {
		return nil, err
	}

	e := &Exchange{
		config:       cfg,
		Base:         venuebase.New(venueName, p),
		ttl:          cfg.instrumentsTTL,
		cancelSettle: defaultCancelSettle,
		cancelPoll:   defaultCancelPoll,
		sleep:        venuehttp.Sleep,
		streamTiming: venuews.DefaultTiming(),
	}
	e.Rest = e.newClient(e.HTTP)
	e.tradeLimiter = newLimiter(e.Now, defaultRateLimit)
	e.dataLimiter = newLimiter(e.Now, defaultRateLimit)
	for _, l := range []*limiter{e.tradeLimiter, e.dataLimiter} {
		l.onWait = func(wait time.Duration) {
			e.Log.Info("alpaca: pacing requests under the rate limit", "profile", e.Profile, "wait", wait.Round(time.Millisecond))
		}
	}
	e.rules = &rulecache.Cache[assetSet, *assetSet]{
		Venue: venueName, What: "assets", BaseURL: e.baseURL, Dir: p.CacheDir, TTL: e.ttl,
		Version: cacheVersion, Now: func() time.Time { return e.Now() }, Log: e.Log, Fetch: e.fetchAssets,
	}
	return e, nil
}

// credentialsFor resolves the key id and secret on the first call. Every
// Alpaca endpoint, market data included, needs both.
func (e *Exchange) credentialsFor(ctx context.Context) (*credentials, error) {
	return e.creds.Get(func() (*credentials, error) { return e.readCredentials(ctx) })
}

// readCredentials reads the key id and the secret, each checked before the
// next is read.
func (e *Exchange) readCredentials(ctx context.Context) (*credentials, error) {
	get := func(name string) (string, error) {
		v, err := venuehttp.RequireSecret(ctx, e.Secret, venueName, e.Profile, name, "every Alpaca call, quotes included, needs a key")
		// A header value cannot carry line breaks; saying so beats a
		// transport error that might echo the value.
		if err == nil && strings.ContainsAny(v, "\r\n") {
			err = &exchange.Error{Kind: exchange.ErrAuth, Venue: venueName,
				Message: fmt.Sprintf("profile %q: %s contains a line break", e.Profile, name)}
		}
		return v, err
	}
	key, err := get("api_key")
	if err != nil {
		return nil, err
	}
	secret, err := get("api_secret")
	if err != nil {
		return nil, err
	}
	return &credentials{keyID: key, secret: secret}, nil
}
