// Package paper is tradectl's embedded paper exchange: a matching engine and
// the account's state in one SQLite file per profile, safe to share between
// processes. Its prices come from the simulated market of package sim or,
// with price_source, from a real venue's public market data (see Live
// prices below); orders are simulated either way.
//
// # Profile keys
//
//	seed                  int      price path seed (default 1); every process with
//	                               the same seed sees the same prices (simulated
//	                               prices only)
//	starting_balances     map      asset → amount for a new or reset account
//	                               (default {USD: 100000}, or 100000 of the price
//	                               source's most common quote asset); also
//	                               "USD=100000,BTC=1"
//	maker_fee_pct         decimal  percent of value charged to resting fills (default 0.10)
//	taker_fee_pct         decimal  percent of value charged to taking fills (default 0.10)
//	tick_interval         duration quote stream interval (default 1s); with a
//	                               price source that does not stream, how often
//	                               it is polled
//	db_path               path     database file (default DataDir/<profile>.db;
//	                               a relative path is taken inside DataDir)
//	price_source          string   binance, coinbase, kraken or alpaca: take prices
//	                               from that venue (default: simulated prices)
//	price_source_url      URL      the source venue's base_url (default: the
//	                               venue's production URL)
//	price_source_options  map      further keys of the source venue, e.g.
//	                               {ws_url: …} for binance, {data_url: …, feed: sip}
//	                               for alpaca, {sandbox: true}; only keys that
//	                               venue reads
//
// Starting balances are written when the database is created and again by
// Reset; changing them later does not touch an existing account.
//
// # Matching
//
// Prices come from the simulated book at the instant that matters (see
// package sim): a buy takes asks best first, a sell takes bids. Fills that
// take liquidity pay the taker fee, resting fills the maker fee, both in the
// quote asset and computed exactly (no rounding); an order keeps the fee
// rates in force when it was placed.
//
//   - Market orders take the book now. Whatever the ten levels cannot fill
//     is dropped and the order ends "expired" (with filled_qty > 0), as a
//     venue's market order that ran out of liquidity does. FOK fills
//     completely or ends "expired" with nothing filled.
//   - Limit orders first take every level at or better than the limit
//     (taker). With IOC the rest is dropped ("expired"); with FOK the order
//     fills completely or ends "expired" with nothing filled and no funds
//     moved. With GTC and DAY the rest rests and reserves funds: a buy locks
//     rest·price·(1+maker fee) of the quote asset, a sell locks rest of the
//     base asset. A resting order fills completely, as maker, at its own
//     price, at the first whole second its limit becomes marketable in the
//     simulated quote: ask ≤ price for a buy, bid ≥ price for a sell. The
//     fill's time is that second, not the time the engine noticed.
//   - A post-only limit that would take any liquidity is refused with
//     ErrInvalidOrder and nothing is stored.
//   - A buy stop triggers when ask ≥ stop, a sell stop when bid ≤ stop
//     (immediately when that already holds on arrival). At the trigger
//     second a stop becomes a market order and a stop-limit a limit order
//     at its price, and runs the rules above with its time in force, at
//     that second's book. Until then it reserves funds: qty of the base
//     asset for a sell; for a buy stop qty·stop·(1+taker fee), for a buy
//     stop-limit qty·price·(1+max(maker, taker fee)) of the quote asset.
//     If at the trigger second the order needs more than its reservation
//     plus the free balance (a buy stop whose book gapped up), it ends
//     "rejected" with a reject_reason and its reservation is released.
//   - A trailing stop starts from the best bid (sell) or ask (buy) on
//     arrival and, at every whole second, first moves to a better bid
//     (ask), then triggers as a stop when the bid falls to (the ask rises
//     to) the stop: the best price less (plus) the trail, an amount or a
//     percentage of it, rounded to the tick away from the market. Its
//     stop_price is the current trigger, stored with the best price; its
//     updated_at is the second the trail last moved. It reserves as a
//     stop at its current trigger: a buy's trigger only falls, and the
//     difference is released as it does.
//   - DAY orders expire at the first cut-off after they were placed: 00:00
//     UTC for crypto, 21:00 UTC for stocks (16:00 New York in summer). The
//     simulated stocks trade around the clock; there are no sessions or
//     holidays.
//   - An order with an expiry (OrderRequest.ExpiresAt, --cancel-after)
//     ends "expired" at that time, checked like a DAY order's cut-off
//     whenever the engine runs; it is reported as the order's ExpiresAt.
//     Any order but a market order takes one; one already past is refused.
//   - "canceled" is only ever the trader's doing (CancelOrder, CancelAll);
//     what the venue ends is "expired" or "rejected".
//   - Funds are checked against exactly what the order spends now plus what
//     it leaves reserved; a shortfall is ErrInsufficientFunds and nothing is
//     stored.
//
// # Catch-up
//
// Every call that reads or changes the account first replays what happened
// since the last call, in one immediate transaction: every working order's
// next event (fill, trigger or expiry) between the time it was last checked
// and now is found, and events are applied in time order (ties by order
// id) until none is left, so balances evolve as they would have live. Only
// the last 30 days (sim.MaxScan) before now are searched for crossings; an
// order idle longer than that fills at its first crossing within those 30
// days or keeps working, which keeps a long-idle database quick to open and
// never leaves a resting order marketable at now. Expiries are applied at
// their own time, however long ago.
//
// # Live prices
//
// With price_source the instruments (symbols and their rules), quotes and
// order book are the source venue's own — BTC-USDT on binance, BTC-USD on
// coinbase — read through its adapter with the profile's own credentials
// (api_key_env …, which only Alpaca needs for market data). Orders,
// balances, fills, fees and reservations stay local and follow the rules
// above, with these differences, which all come from having no price
// history:
//
//   - Market orders and the taking part of limit orders fill against the
//     source's order book when its adapter shows depth
//     (exchange.OrderBookReader; Binance, Kraken, Coinbase and Alpaca's
//     crypto do: an order that takes liquidity, a market order or a limit
//     at or through the touch, reads the book after the quote, one request
//     more; an order that rests costs the quote alone),
//     else against its top of book, taken to be deep enough for the whole
//     order: a buy fills completely at the ask, a sell at the bid. A book
//     the source marks TopOnly (Alpaca's stocks) is such a top of book.
//     OrderBook shows the same one-level book.
//   - Candles are the source's own (exchange.CandleReader). With
//     simulated prices they are read off the symbol's price path
//     (sim.Path.Candle): the same on every run with the same seed.
//   - Resting limits and untriggered stops are checked against the live
//     quote at the moment tradectl observes it: at every call that reads
//     or changes the account, at every Quotes call, and at every quote of
//     StreamQuotes (watch). A crossed limit fills completely, as maker, at
//     its own price; a triggered stop becomes a market order (a stop-limit
//     a limit order) against the touch of that quote. Fills carry the time
//     they were observed. A limit the market crossed and left again while
//     nothing ran does not fill; nothing is replayed. A trailing stop
//     follows the quotes observed, and only those.
//   - DAY orders expire at the same cut-offs as above, at their own time;
//     a symbol is a stock when it has no quote asset (AAPL), else crypto.
//   - When starting_balances is not set, a new account starts with 100000
//     of the source's most common quote asset (USDT on binance, USD on
//     coinbase, kraken and alpaca), read from its instruments when the
//     database is created and again by Reset.
//   - Working orders on symbols the source does not list (placed under
//     another price source) are left as they are, cancelable.
//
// Prices are never invented. A call that needs one — Quotes, OrderBook,
// Instruments, PlaceOrder, ValidateOrder, StreamQuotes, Reset and the
// creation of an account without starting_balances — fails with
// ErrUnavailable saying which venue cannot be reached (ErrAuth when it
// refuses the credentials, ErrRateLimited when it asks to wait). Calls that
// only read or cancel (balances, orders, fills, positions, cancel) still
// work, so an account stays readable offline; they skip the check of the
// resting orders (after 5 s at most) and log a warning that they were not
// checked. Every
// network read happens before the database transaction, so a slow venue
// never holds the account's lock.
//
// # Positions
//
// Positions are derived from fills since the last reset with the average
// cost method: fills that grow a position re-average its cost by fill
// price (fees excluded); fills that shrink it leave the average unchanged;
// a fill through zero opens the other side at that fill's price. Base
// assets held from the starting balances are not positions.
//
// # Storage
//
// SQLite (modernc.org/sqlite, pure Go) in WAL mode with a 10 s busy
// timeout, foreign keys on and every transaction BEGIN IMMEDIATE, so
// several processes can place orders at once and each sees the others'
// committed state. Decimals are stored as TEXT, times as unix milliseconds.
// The schema is versioned with PRAGMA user_version.
package paper

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

// Name is the registry name of the paper exchange.
const Name = "paper"

// Option keys a profile may set.
const (
	KeySeed             = "seed"
	KeyStartingBalances = "starting_balances"
	KeyMakerFeePct      = "maker_fee_pct"
	KeyTakerFeePct      = "taker_fee_pct"
	KeyTickInterval     = "tick_interval"
	KeyDBPath           = "db_path"
	// KeyPriceSource names the venue whose market data prices the account;
	// unset means the simulated market.
	KeyPriceSource = "price_source"
	// KeyPriceSourceURL is the source venue's base_url.
	KeyPriceSourceURL = "price_source_url"
	// KeyPriceSourceOptions holds further keys for the source venue.
	KeyPriceSourceOptions = "price_source_options"
)

// Defaults for the option keys.
const (
	DefaultSeed         = 1
	DefaultTickInterval = time.Second
	// DefaultListLimit is ListOrders' page when the filter sets no limit.
	DefaultListLimit = 1000
)

// defaultFeePct is both fee defaults: 0.10 %.
func defaultFeePct() decimal.Decimal { return decimal.New(10, -2) }

// defaultStartingAmount is what a new account holds of its one default
// asset.
const defaultStartingAmount = 100000

// DefaultStartingBalances is the account a new simulated-price profile
// starts with.
func DefaultStartingBalances() map[string]decimal.Decimal {
	return map[string]decimal.Decimal{"USD": decimal.NewFromInt(defaultStartingAmount)}
}

// Option configures the paper exchange with what the application wires in,
// as opposed to what a profile says.
type Option func(*settings)

type settings struct {
	sources map[string]exchange.Venue
	pinned  bool
}

// WithPinnedClock tells the exchange that its clock is pinned to a fixed
// moment (TRADECTL_NOW) rather than running. A pinned clock never changes
// an account that lives in real time: such an account opens as a
// read-only replay — reads show it brought up to the pinned moment,
// nothing is stored, and placing, canceling and resetting are refused. An
// account created under a pinned clock is a replay account: the pinned
// clock is the only one it has known, so it takes writes (tests, demos).
func WithPinnedClock() Option {
	return func(s *settings) { s.pinned = true }
}

// WithPriceSources makes venues available to price_source under their
// names. The application's factory passes the real adapters' venues: this
// package imports none of them, so the dependency runs one way only.
func WithPriceSources(venues ...exchange.Venue) Option {
	return func(s *settings) {
		if s.sources == nil {
			s.sources = map[string]exchange.Venue{}
		}
		for _, v := range venues {
			s.sources[v.Name] = v
		}
	}
}

// Venue describes the paper exchange for the registry; opts reach every
// exchange it opens.
func Venue(opts ...Option) exchange.Venue {
	return exchange.Venue{
		Name: Name,
		Keys: []string{KeySeed, KeyStartingBalances, KeyMakerFeePct, KeyTakerFeePct, KeyTickInterval, KeyDBPath,
			KeyPriceSource, KeyPriceSourceURL, KeyPriceSourceOptions},
		Summary:   "embedded paper exchange: simulated orders on simulated or a real venue's prices (price_source), account kept in a local SQLite file",
		Simulated: true,
		New: func(ctx context.Context, p exchange.Params) (exchange.Exchange, error) {
			return New(ctx, p, opts...)
		},
	}
}

// Exchange is one paper account. Its methods are safe for concurrent use,
// and other processes may use the same database at the same time.
type Exchange struct {
	db       *sql.DB
	path     string
	profile  string
	market   *sim.Market // nil with a price source
	now      func() time.Time
	log      *slog.Logger
	makerFee decimal.Decimal // fraction, 0.001 = 0.1 %
	takerFee decimal.Decimal
	tick     time.Duration

	// source prices the account instead of market when set.
	source *priceSource

	// startMu guards starting: with a price source and no
	// starting_balances it is learnt from the source on first need.
	startMu         sync.Mutex
	starting        []startBalance
	startFromSource bool

	// pinned is set by WithPinnedClock; readOnly when, in addition, the
	// account lives in real time (see WithPinnedClock).
	pinned   bool
	readOnly bool
}

type startBalance struct {
	asset  string
	amount decimal.Decimal
}

var (
	_ exchange.Exchange       = (*Exchange)(nil)
	_ exchange.PositionLister = (*Exchange)(nil)
	_ exchange.FillLister     = (*Exchange)(nil)
	_ exchange.QuoteStreamer  = (*Exchange)(nil)
	_ exchange.OrderValidator = (*Exchange)(nil)
)

// New opens (creating or migrating as needed) the profile's paper account
// and brings its working orders up to now. With a price source it does no
// network I/O, except to learn the default starting balance of a new
// account (see the package documentation).
func New(ctx context.Context, p exchange.Params, opts ...Option) (*Exchange, error) {
	var st settings
	for _, o := range opts {
		o(&st)
	}
	e := &Exchange{profile: p.Profile, now: p.Now, log: p.Logger, pinned: st.pinned}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	src, err := openSource(ctx, p, st)
	if err != nil {
		return nil, err
	}
	e.source = src
	ok := false
	defer func() {
		if !ok && src != nil {
			src.ex.Close()
		}
	}()
	if src == nil {
		seed, err := p.Int(KeySeed, DefaultSeed)
		if err != nil {
			return nil, err
		}
		e.market = sim.NewDefault(int64(seed))
	}
	if e.makerFee, err = feeOption(p, KeyMakerFeePct); err != nil {
		return nil, err
	}
	if e.takerFee, err = feeOption(p, KeyTakerFeePct); err != nil {
		return nil, err
	}
	if e.tick, err = p.Duration(KeyTickInterval, DefaultTickInterval); err != nil {
		return nil, err
	}
	if e.tick <= 0 {
		return nil, fmt.Errorf("profile %q: %s must be positive, got %s", p.Profile, KeyTickInterval, e.tick)
	}
	e.startFromSource = src != nil && p.Options[KeyStartingBalances] == nil
	if !e.startFromSource {
		start, err := parseBalances(p.Options[KeyStartingBalances])
		if err != nil {
			return nil, fmt.Errorf("profile %q: %s: %w", p.Profile, KeyStartingBalances, err)
		}
		e.starting = sortedBalances(start)
	}

	if e.path, err = dbPath(p); err != nil {
		return nil, err
	}
	if e.db, err = openDB(ctx, e.path); err != nil {
		return nil, err
	}
	if e.startFromSource && !e.accountExists(ctx) {
		// Only a new account needs the source's quote asset; an existing
		// one opens offline.
		if _, err := e.startingBalances(ctx); err != nil {
			e.db.Close()
			return nil, err
		}
	}
	if err := e.initialise(ctx); err != nil {
		e.db.Close()
		return nil, err
	}
	// With a price source this applies due expiries only: prices are
	// fetched by the call that needs them, not on open.
	if err := e.write(ctx, func(*session) error { return nil }); err != nil {
		e.db.Close()
		return nil, err
	}
	ok = true
	return e, nil
}

func sortedBalances(m map[string]decimal.Decimal) []startBalance {
	out := make([]startBalance, 0, len(m))
	for asset, amt := range m {
		out = append(out, startBalance{asset, amt})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].asset < out[j].asset })
	return out
}

func feeOption(p exchange.Params, key string) (decimal.Decimal, error) {
	pct, err := p.Decimal(key, defaultFeePct())
	if err != nil {
		return decimal.Zero, err
	}
	if pct.IsNegative() || pct.GreaterThanOrEqual(decimal.NewFromInt(100)) {
		return decimal.Zero, fmt.Errorf("profile %q: %s must be at least 0 and below 100 (percent), got %s", p.Profile, key, pct)
	}
	return pct.Shift(-2), nil
}

func dbPath(p exchange.Params) (string, error) {
	path, err := p.String(KeyDBPath, "")
	if err != nil {
		return "", err
	}
	if path == "" {
		if p.DataDir == "" {
			return "", fmt.Errorf("profile %q: paper exchange needs a data directory", p.Profile)
		}
		if p.Profile == "" || strings.ContainsAny(p.Profile, `/\`) || p.Profile == "." || p.Profile == ".." {
			return "", fmt.Errorf("paper: profile name %q cannot name a database file; set %s", p.Profile, KeyDBPath)
		}
		path = filepath.Join(p.DataDir, p.Profile+".db")
	} else if !filepath.IsAbs(path) {
		if p.DataDir == "" {
			return "", fmt.Errorf("profile %q: relative %s %q needs a data directory", p.Profile, KeyDBPath, path)
		}
		path = filepath.Join(p.DataDir, path)
	}
	if strings.Contains(path, "?") {
		return "", fmt.Errorf("paper: database path %q must not contain '?'", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("paper: database path %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return "", fmt.Errorf("paper: cannot create data directory %s: %w", filepath.Dir(abs), err)
	}
	return abs, nil
}

// parseBalances reads starting_balances as a YAML/JSON map or as
// "USD=100000,BTC=1". Unset means the default.
func parseBalances(v any) (map[string]decimal.Decimal, error) {
	if v == nil {
		return DefaultStartingBalances(), nil
	}
	raw := map[string]any{}
	switch t := v.(type) {
	case map[string]any:
		raw = t
	case map[any]any:
		for k, val := range t {
			raw[fmt.Sprint(k)] = val
		}
	case map[string]string:
		for k, val := range t {
			raw[k] = val
		}
	case map[string]float64:
		for k, val := range t {
			raw[k] = val
		}
	case map[string]int:
		for k, val := range t {
			raw[k] = val
		}
	case string:
		for _, part := range strings.Split(t, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			k, val, ok := strings.Cut(part, "=")
			if !ok {
				k, val, ok = strings.Cut(part, ":")
			}
			if !ok {
				return nil, fmt.Errorf("%q is not ASSET=AMOUNT", part)
			}
			raw[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
	default:
		return nil, fmt.Errorf("must be a map of asset to amount, got %T", v)
	}
	out := make(map[string]decimal.Decimal, len(raw))
	for k, val := range raw {
		asset := strings.ToUpper(strings.TrimSpace(k))
		if err := checkAsset(asset); err != nil {
			return nil, err
		}
		var text string
		switch n := val.(type) {
		case string:
			text = n
		case int:
			text = fmt.Sprint(n)
		case int64:
			text = fmt.Sprint(n)
		case float64:
			text = decimal.NewFromFloat(n).String()
		default:
			return nil, fmt.Errorf("%s: amount must be a number, got %T", asset, val)
		}
		d, err := trade.ParseDecimal(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", asset, err)
		}
		if d.IsNegative() {
			return nil, fmt.Errorf("%s: amount %s is negative", asset, d)
		}
		if _, dup := out[asset]; dup {
			return nil, fmt.Errorf("asset %s is listed twice", asset)
		}
		out[asset] = d
	}
	return out, nil
}

func checkAsset(a string) error {
	if a == "" || len(a) > 12 {
		return fmt.Errorf("asset %q must be 1 to 12 characters", a)
	}
	for _, r := range a {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("asset %q has invalid character %q", a, r)
		}
	}
	return nil
}

// Name returns "paper".
func (e *Exchange) Name() string { return Name }

// Simulated reports that the paper exchange trades no real money, even on a
// real venue's prices.
func (e *Exchange) Simulated() bool { return true }

// Path is the database file.
func (e *Exchange) Path() string { return e.path }

// Market is the simulated market the exchange trades in; nil when a price
// source prices it.
func (e *Exchange) Market() *sim.Market { return e.market }

// PriceSource names the venue that prices the account, "" for the
// simulated market.
func (e *Exchange) PriceSource() string {
	if e.source == nil {
		return ""
	}
	return e.source.name
}

// Close closes the database and the price source.
func (e *Exchange) Close() error {
	err := e.db.Close()
	if e.source != nil {
		err = errors.Join(err, e.source.ex.Close())
	}
	return err
}

func (e *Exchange) clock() time.Time {
	return time.UnixMilli(e.now().UnixMilli()).UTC()
}

func (e *Exchange) pathOf(sym trade.Symbol) (*sim.Path, error) {
	if e.market == nil {
		return nil, exchange.UnknownSymbol(Name, sym)
	}
	p, ok := e.market.Path(sym)
	if !ok {
		return nil, exchange.UnknownSymbol(Name, sym)
	}
	return p, nil
}

// Instruments lists every simulated instrument, or the price source's.
func (e *Exchange) Instruments(ctx context.Context) ([]trade.Instrument, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if e.source != nil {
		return e.liveInstruments(ctx)
	}
	return e.market.Instruments(), nil
}

// Quotes returns the simulated quotes now, or the price source's (checking
// the resting orders against them).
func (e *Exchange) Quotes(ctx context.Context, symbols []trade.Symbol) ([]trade.Quote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if e.source != nil {
		return e.liveQuotes(ctx, symbols)
	}
	paths, err := e.paths(symbols)
	if err != nil {
		return nil, err
	}
	now := e.clock()
	out := make([]trade.Quote, len(paths))
	for i, p := range paths {
		out[i] = p.Quote(now)
	}
	return out, nil
}

func (e *Exchange) paths(symbols []trade.Symbol) ([]*sim.Path, error) {
	out := make([]*sim.Path, len(symbols))
	for i, s := range symbols {
		p, err := e.pathOf(s)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// StreamQuotes calls fn with a quote per symbol at once and then every
// tick_interval, priced at the clock's time, until ctx is done or fn fails.
// With a price source it relays the source's stream (or polls it every
// tick_interval) and checks the resting orders against every quote first.
func (e *Exchange) StreamQuotes(ctx context.Context, symbols []trade.Symbol, fn func(trade.Quote) error) error {
	if e.source != nil {
		return e.streamLive(ctx, symbols, fn)
	}
	paths, err := e.paths(symbols)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return errors.New("paper: stream quotes: no symbols")
	}
	ticker := time.NewTicker(e.tick)
	defer ticker.Stop()
	for {
		now := e.clock()
		for _, p := range paths {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(p.Quote(now)); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

// newClientID names an order placed without a client id. Random rather
// than derived from the order id so that it cannot collide with an id a
// trader chose from the same pattern on another order.
func newClientID() string {
	var b [8]byte
	_, _ = crand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	return "paper-" + hex.EncodeToString(b[:])
}
