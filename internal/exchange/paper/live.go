package paper

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

// baseURLKey is the key every venue adapter reads its API's base URL from;
// price_source_url is passed to the source under it.
const baseURLKey = "base_url"

// priceSource is the venue a live-priced account reads its market from.
type priceSource struct {
	name string
	url  string // as configured; "" for the venue's default
	ex   exchange.Exchange
}

// describe names the source for messages: the venue, and the URL when the
// profile chose one, since "cannot be reached" is about that address.
func (ps *priceSource) describe() string {
	if ps.url == "" {
		return ps.name
	}
	return ps.name + " (" + ps.url + ")"
}

// openSource opens the profile's price source, or returns nil for the
// simulated market. The source gets the paper profile's own name (its
// caches are per profile), credentials, directories, clock, HTTP client and
// logger, and as options price_source_options plus base_url =
// price_source_url.
func openSource(ctx context.Context, p exchange.Params, st settings) (*priceSource, error) {
	name, err := p.String(KeyPriceSource, "")
	if err != nil {
		return nil, err
	}
	name = strings.ToLower(strings.TrimSpace(name))
	url, err := p.String(KeyPriceSourceURL, "")
	if err != nil {
		return nil, err
	}
	url = strings.TrimSpace(url)
	raw := p.Options[KeyPriceSourceOptions]
	if name == "" {
		if url != "" || raw != nil {
			return nil, fmt.Errorf("profile %q: %s and %s configure a price source: set %s too (known: %s)",
				p.Profile, KeyPriceSourceURL, KeyPriceSourceOptions, KeyPriceSource, st.known())
		}
		return nil, nil
	}
	if p.Options[KeySeed] != nil {
		// A seed that silently does nothing would mislead whoever reads
		// the profile.
		return nil, fmt.Errorf("profile %q: %s applies to simulated prices only, and %s is %s: remove one of them", p.Profile, KeySeed, KeyPriceSource, name)
	}
	v, ok := st.sources[name]
	if !ok {
		return nil, fmt.Errorf("profile %q: %s %q is not a venue the paper exchange can take prices from (known: %s)", p.Profile, KeyPriceSource, name, st.known())
	}
	opts, err := sourceOptions(p.Profile, v, raw)
	if err != nil {
		return nil, err
	}
	if url != "" {
		if !slices.Contains(v.Keys, baseURLKey) {
			return nil, fmt.Errorf("profile %q: %s: %s takes no %s", p.Profile, KeyPriceSourceURL, name, baseURLKey)
		}
		if _, dup := opts[baseURLKey]; dup {
			return nil, fmt.Errorf("profile %q: the source's %s is set twice, by %s and in %s; keep one", p.Profile, baseURLKey, KeyPriceSourceURL, KeyPriceSourceOptions)
		}
		opts[baseURLKey] = url
	}
	ex, err := v.New(ctx, exchange.Params{
		Profile:    p.Profile,
		Exchange:   name,
		Options:    opts,
		Secret:     p.Secret,
		DataDir:    p.DataDir,
		CacheDir:   p.CacheDir,
		Now:        p.Now,
		HTTPClient: p.HTTPClient,
		Logger:     p.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("profile %q: price source %s: %w", p.Profile, name, err)
	}
	return &priceSource{name: name, url: url, ex: ex}, nil
}

// known lists the venues price_source may name.
func (st settings) known() string {
	names := make([]string, 0, len(st.sources))
	for n := range st.sources {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none in this build"
	}
	return strings.Join(names, ", ")
}

// sourceOptions reads price_source_options, accepting only keys the source
// venue reads, as a profile of that venue would.
func sourceOptions(profile string, v exchange.Venue, raw any) (map[string]any, error) {
	out := map[string]any{}
	var in map[string]any
	switch t := raw.(type) {
	case nil:
		return out, nil
	case map[string]any:
		in = t
	case map[any]any:
		in = make(map[string]any, len(t))
		for k, x := range t {
			in[fmt.Sprint(k)] = x
		}
	default:
		return nil, fmt.Errorf("profile %q: %s must be a map of %s settings, got %T", profile, KeyPriceSourceOptions, v.Name, raw)
	}
	for k, x := range in {
		if !slices.Contains(v.Keys, k) {
			keys := slices.Clone(v.Keys)
			slices.Sort(keys)
			return nil, fmt.Errorf("profile %q: %s: %s reads no key %q (it reads: %s)", profile, KeyPriceSourceOptions, v.Name, k, strings.Join(keys, ", "))
		}
		out[k] = x
	}
	return out, nil
}

// sourceError turns a price source's failure into the paper exchange's
// own: the profile takes its prices from a venue that cannot give them.
// An unknown symbol stays the source's ErrNotFound and an interrupt stays
// context.Canceled; everything else names the venue, keeping the cause.
func (e *Exchange) sourceError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil || errors.Is(err, exchange.ErrNotFound) {
		return err
	}
	src := e.source.describe()
	switch {
	case errors.Is(err, exchange.ErrAuth):
		return &exchange.Error{Kind: exchange.ErrAuth, Venue: Name, Err: err,
			Message: fmt.Sprintf("paper profile %q takes its prices from %s, which refused its credentials (%v)", e.profile, src, err)}
	case errors.Is(err, exchange.ErrRateLimited):
		wait, _ := exchange.RetryAfter(err)
		return &exchange.Error{Kind: exchange.ErrRateLimited, Venue: Name, Err: err, RetryAfter: wait,
			Message: fmt.Sprintf("paper profile %q takes its prices from %s, which asks it to slow down (%v)", e.profile, src, err)}
	}
	what := "cannot be reached"
	var netErr net.Error
	if !errors.Is(err, exchange.ErrUnavailable) && !errors.Is(err, context.DeadlineExceeded) && !errors.As(err, &netErr) {
		what = "gave no usable prices"
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: Name, Err: err,
		Message: fmt.Sprintf("paper profile %q takes its prices from %s, which %s (%v)", e.profile, src, what, err)}
}

// snapshot is what one call knows of the source's market. It is read
// before the call's transaction begins, so that no network wait ever holds
// the database's write lock.
type snapshot struct {
	rules  map[trade.Symbol]trade.Instrument
	quotes map[trade.Symbol]trade.Quote
	books  map[trade.Symbol]trade.Book // depth, where the source shows it
	// working says quotes include symbols of working orders, so a
	// catch-up has something to check.
	working bool
}

func (sn *snapshot) instrument(sym trade.Symbol, venue string) (trade.Instrument, error) {
	if sn == nil {
		return trade.Instrument{}, &exchange.Error{Kind: exchange.ErrUnavailable, Venue: Name, Message: "no prices were read from " + venue}
	}
	in, ok := sn.rules[sym]
	if !ok {
		return trade.Instrument{}, &exchange.Error{Kind: exchange.ErrNotFound, Venue: Name,
			Message: fmt.Sprintf("unknown symbol %s: %s, the price source, does not list it", sym, venue)}
	}
	return in, nil
}

// view is sym's market as the engine uses it: the source's book where it
// shows depth, else its top of book (see touchBook).
func (sn *snapshot) view(sym trade.Symbol, venue string) (marketView, error) {
	in, err := sn.instrument(sym, venue)
	if err != nil {
		return marketView{}, err
	}
	q, ok := sn.quotes[sym]
	if !ok {
		return marketView{}, &exchange.Error{Kind: exchange.ErrUnavailable, Venue: Name, Message: fmt.Sprintf("%s gave no quote for %s", venue, sym)}
	}
	mv := marketView{in: in, class: classOf(sym), ref: q.Mid()}
	if b, ok := sn.books[sym]; ok {
		mv.book = sim.Book{Symbol: sym, Time: b.Time, Bids: simLevels(b.Bids), Asks: simLevels(b.Asks)}
	} else {
		mv.book = touchBook(q, touchDepth(in))
	}
	return mv, nil
}

// observed is sym's market when this snapshot has both its rules and a
// quote; a catch-up leaves other symbols' orders as they are.
func (sn *snapshot) observed(sym trade.Symbol) (marketView, bool) {
	if sn == nil {
		return marketView{}, false
	}
	if _, ok := sn.quotes[sym]; !ok {
		return marketView{}, false
	}
	mv, err := sn.view(sym, "")
	return mv, err == nil
}

// classOf decides a live symbol's trading day: a symbol without a quote
// asset is a stock (AAPL), a pair is crypto.
func classOf(sym trade.Symbol) sim.Class {
	if sym.IsPair() {
		return sim.Crypto
	}
	return sim.Stock
}

// touchDepth is the size a depthless source's top of book is taken to
// have: enough for any order the instrument accepts (its maximum
// quantity), or practically unbounded when it names none. A quote carries
// no size, and inventing a smaller one would expire market orders that the
// venue would have filled.
func touchDepth(in trade.Instrument) decimal.Decimal {
	if in.MaxQty.IsPositive() {
		return in.MaxQty
	}
	return decimal.New(1, 15)
}

// touchBook is the one-level book of a quote. A side without a positive
// price is empty: a missing price is never read as zero.
func touchBook(q trade.Quote, depth decimal.Decimal) sim.Book {
	b := sim.Book{Symbol: q.Symbol, Time: q.Time}
	if q.Bid.IsPositive() {
		b.Bids = []sim.Level{{Price: q.Bid, Qty: depth}}
	}
	if q.Ask.IsPositive() {
		b.Asks = []sim.Level{{Price: q.Ask, Qty: depth}}
	}
	return b
}

func simLevels(in []trade.BookLevel) []sim.Level {
	out := make([]sim.Level, 0, len(in))
	for _, l := range in {
		if l.Price.IsPositive() && l.Qty.IsPositive() {
			out = append(out, sim.Level{Price: l.Price, Qty: l.Qty})
		}
	}
	return out
}

// observe reads the source's rules and quotes for symbols plus, when
// working is set, the symbols of the account's working orders, and the
// depth of bookFor when it is set, the source shows depth and needBook
// (nil: always) says bookFor's quote calls for it. Symbols the source
// does not list are not asked for: the caller reports them, and working
// orders on them are left alone.
func (e *Exchange) observe(ctx context.Context, working bool, symbols []trade.Symbol, bookFor trade.Symbol, needBook func(trade.Quote) bool) (*snapshot, error) {
	var open []trade.Symbol
	if working {
		var err error
		if open, err = e.workingSymbols(ctx); err != nil {
			return nil, err
		}
	}
	snap := &snapshot{rules: map[trade.Symbol]trade.Instrument{}, quotes: map[trade.Symbol]trade.Quote{}, books: map[trade.Symbol]trade.Book{}}
	if len(open) == 0 && len(symbols) == 0 && bookFor.IsZero() {
		return snap, nil
	}
	ins, err := e.source.ex.Instruments(ctx)
	if err != nil {
		return nil, e.sourceError(ctx, err)
	}
	for _, in := range ins {
		snap.rules[in.Symbol] = in
	}
	var ask []trade.Symbol
	seen := map[trade.Symbol]bool{}
	add := func(s trade.Symbol) bool {
		if _, listed := snap.rules[s]; !listed {
			return false
		}
		if !seen[s] {
			seen[s] = true
			ask = append(ask, s)
		}
		return true
	}
	for _, s := range symbols {
		add(s)
	}
	for _, s := range open {
		if add(s) {
			snap.working = true
		}
	}
	if len(ask) > 0 {
		qs, err := e.source.ex.Quotes(ctx, ask)
		if err == nil && len(qs) != len(ask) {
			err = fmt.Errorf("asked for %d quotes, got %d", len(ask), len(qs))
		}
		if err != nil {
			return nil, e.sourceError(ctx, err)
		}
		for i, q := range qs {
			snap.quotes[ask[i]] = q
		}
	}
	if r, ok := e.source.ex.(exchange.OrderBookReader); ok && seen[bookFor] && (needBook == nil || needBook(snap.quotes[bookFor])) {
		b, err := r.OrderBook(ctx, bookFor, 0)
		if err != nil {
			return nil, e.sourceError(ctx, err)
		}
		if !b.TopOnly { // a top-only book is the quote already read
			snap.books[bookFor] = b
		}
	}
	return snap, nil
}

// workingSymbols lists the symbols of working orders, read outside any
// transaction: an order placed meanwhile was checked when it was placed.
func (e *Exchange) workingSymbols(ctx context.Context) ([]trade.Symbol, error) {
	rows, err := e.db.QueryContext(ctx, "SELECT DISTINCT symbol FROM orders WHERE status IN "+workingStatuses+" ORDER BY symbol")
	if err != nil {
		return nil, e.wrap("read working orders", err)
	}
	defer rows.Close()
	var out []trade.Symbol
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			return nil, e.wrap("read working orders", err)
		}
		sym, err := trade.ParseSymbol(text)
		if err != nil {
			return nil, e.wrap("read working orders", err)
		}
		out = append(out, sym)
	}
	return out, e.wrap("read working orders", rows.Err())
}

// takes reports whether req takes liquidity at quote q as it arrives: a
// market order, or a limit at or through the touch. Only such an order
// needs the source's depth to fill; one that rests (or a stop waiting for
// its trigger) is placed on the quote alone, so it costs the source no
// request beyond the quote. A stop triggered later fills against the
// touch of the quote that triggered it.
func takes(req trade.OrderRequest, q trade.Quote) bool {
	if req.StopPrice.Valid {
		return false
	}
	if req.Type == trade.Market || !req.Price.Valid {
		return true
	}
	if req.Side == trade.Buy {
		return q.Ask.IsPositive() && req.Price.Decimal.GreaterThanOrEqual(q.Ask)
	}
	return q.Bid.IsPositive() && req.Price.Decimal.LessThanOrEqual(q.Bid)
}

// observeFor is the market a placement needs: nil with simulated prices;
// with a price source the order's symbol (with depth where shown) and the
// working orders' symbols. A request that is invalid on its face is
// refused before any network call.
func (e *Exchange) observeFor(ctx context.Context, req trade.OrderRequest) (*snapshot, error) {
	if e.source == nil {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, invalidOrder(err)
	}
	return e.observe(ctx, true, []trade.Symbol{req.Symbol}, req.Symbol, func(q trade.Quote) bool { return takes(req, q) })
}

// account runs fn in a catch-up transaction. With a price source the
// working orders are priced first; when the source cannot give prices the
// call runs all the same — balances, orders and cancels must stay usable
// offline — applying due expiries only, and a warning says the resting
// orders were not checked.
func (e *Exchange) account(ctx context.Context, op string, fn func(*session) error) error {
	var snap *snapshot
	if e.source != nil && ctx.Err() == nil {
		octx, cancel := context.WithTimeout(ctx, checkTimeout)
		var err error
		snap, err = e.observe(octx, true, nil, trade.Symbol{}, nil)
		cancel()
		if err != nil && ctx.Err() == nil {
			e.log.Warn("paper: resting orders were not checked against the market", "op", op, "err", err)
		}
	}
	return e.txWith(ctx, op, snap, true, true, fn)
}

// checkTimeout bounds the price check of a call that can do without it: a
// venue that does not answer in time costs the check, not the balances.
const checkTimeout = 5 * time.Second

// catchUpLive applies what the observed market means for the working
// orders: every due expiry at its own time first (it happened before
// anything observed now), then, in order of placement, every stop the
// quote triggers and every limit it crosses, at now. There is no history
// to replay: a crossing nobody observed did not happen.
func (s *session) catchUpLive() error {
	orders, err := s.working("")
	if err != nil || len(orders) == 0 {
		return err
	}
	nowMs := s.now.UnixMilli()
	rows := make(map[int64]*orderRow, len(orders))
	for _, o := range orders {
		rows[o.id] = o
	}
	for _, o := range orders {
		if o.expiresAt != 0 && o.expiresAt <= nowMs {
			if err := s.handle(event{at: o.expiresAt, kind: evExpire, o: o}); err != nil {
				return err
			}
		}
	}
	for _, o := range orders {
		if !o.status.Working() {
			continue
		}
		if err := s.ctx.Err(); err != nil {
			return err
		}
		mk, ok := s.snap.observed(o.symbol)
		if ok && o.untriggeredTrail() {
			if err := s.followLive(o, mk, nowMs); err != nil {
				return err
			}
			continue
		}
		if !ok || !crossedNow(o, mk.book) {
			continue
		}
		// Exits a bracket entry's fill places now are looked at from the
		// next observation on.
		if _, err := s.handleLinked(event{at: nowMs, kind: evCross, o: o}, rows); err != nil {
			return err
		}
	}
	_, err = s.tx.ExecContext(s.ctx, "UPDATE orders SET checked_at = ? WHERE status IN "+workingStatuses+" AND checked_at < ?", nowMs, nowMs)
	if err != nil {
		return fmt.Errorf("record catch-up: %w", err)
	}
	return nil
}

// crossedNow reports whether book moves the working order on: an
// untriggered stop whose stop the touch reached, or a limit the touch
// crossed (the conditions of package sim's crossings).
func crossedNow(o *orderRow, book sim.Book) bool {
	if o.untriggeredTrail() {
		return trailDueNow(o, book)
	}
	if (o.typ == trade.Stop || o.typ == trade.StopLimit) && !o.triggered {
		return stopTriggered(o, book)
	}
	if !o.price.Valid {
		return false
	}
	top := topOf(book, o.side)
	return top.Valid && withinLimit(o.side, top.Decimal, o.price.Decimal)
}

// dueOn reports whether q moves any working order on, or an expiry is due,
// from a plain read: the write transaction is opened only when something
// changes, so a busy stream costs one read per quote.
func (e *Exchange) dueOn(ctx context.Context, q trade.Quote) (bool, error) {
	nowMs := e.clock().UnixMilli()
	rows, err := e.db.QueryContext(ctx, "SELECT "+orderColumns+" FROM orders WHERE status IN "+workingStatuses+
		" AND (symbol = ? OR (expires_at IS NOT NULL AND expires_at <= ?))", q.Symbol.String(), nowMs)
	if err != nil {
		return false, e.wrap("read working orders", err)
	}
	defer rows.Close()
	book := touchBook(q, decimal.NewFromInt(1))
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return false, e.wrap("read working orders", err)
		}
		if o.expiresAt != 0 && o.expiresAt <= nowMs || o.symbol == q.Symbol && crossedNow(o, book) {
			return true, nil
		}
	}
	return false, e.wrap("read working orders", rows.Err())
}

// checkQuote acts on the working orders q moves on as soon as it is seen.
// A failure costs the check, never the quote: it is logged.
func (e *Exchange) checkQuote(ctx context.Context, rules map[trade.Symbol]trade.Instrument, q trade.Quote) {
	due, err := e.dueOn(ctx, q)
	if err == nil && due {
		snap := &snapshot{rules: rules, quotes: map[trade.Symbol]trade.Quote{q.Symbol: q}, working: true}
		err = e.txWith(ctx, "check resting orders", snap, true, true, func(*session) error { return nil })
	}
	if err != nil && ctx.Err() == nil {
		e.log.Warn("paper: resting orders were not checked against a quote", "symbol", q.Symbol.String(), "err", err)
	}
}

func (e *Exchange) liveInstruments(ctx context.Context) ([]trade.Instrument, error) {
	ins, err := e.source.ex.Instruments(ctx)
	if err != nil {
		return nil, e.sourceError(ctx, err)
	}
	return ins, nil
}

// liveQuotes reads the source's quotes for symbols and, in the same
// request, for the working orders' symbols, and checks those orders
// against them: asking for a price is using the exchange.
func (e *Exchange) liveQuotes(ctx context.Context, symbols []trade.Symbol) ([]trade.Quote, error) {
	if len(symbols) == 0 {
		return []trade.Quote{}, nil
	}
	snap, err := e.observe(ctx, true, symbols, trade.Symbol{}, nil)
	if err != nil {
		return nil, err
	}
	out := make([]trade.Quote, len(symbols))
	for i, sym := range symbols {
		if _, err := snap.instrument(sym, e.source.name); err != nil {
			return nil, err
		}
		q, ok := snap.quotes[sym]
		if !ok {
			return nil, &exchange.Error{Kind: exchange.ErrUnavailable, Venue: Name, Message: fmt.Sprintf("%s gave no quote for %s", e.source.name, sym)}
		}
		out[i] = q
	}
	if snap.working {
		err := e.txWith(ctx, "check resting orders", snap, true, true, func(*session) error { return nil })
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err != nil {
			e.log.Warn("paper: resting orders were not checked against the market", "err", err)
		}
	}
	return out, nil
}

// liveBook is the source's book where it shows depth, else the one-level
// book of its quote that market orders fill against.
func (e *Exchange) liveBook(ctx context.Context, sym trade.Symbol, depth int) (trade.Book, error) {
	snap, err := e.observe(ctx, false, []trade.Symbol{sym}, sym, nil)
	if err != nil {
		return trade.Book{}, err
	}
	mk, err := snap.view(sym, e.source.name)
	if err != nil {
		return trade.Book{}, err
	}
	return trade.Book{Symbol: sym, Time: mk.book.Time, Bids: bookLevels(mk.book.Bids, depth), Asks: bookLevels(mk.book.Asks, depth)}, nil
}

// fnFailed carries the caller's callback error through the source's stream
// untouched, so it comes back as the caller's own.
type fnFailed struct{ err error }

func (f *fnFailed) Error() string { return f.err.Error() }
func (f *fnFailed) Unwrap() error { return f.err }

// streamLive relays the source's quotes — its stream where it has one,
// else a poll every tick_interval — checking the working orders against
// each quote before fn sees it.
func (e *Exchange) streamLive(ctx context.Context, symbols []trade.Symbol, fn func(trade.Quote) error) error {
	if len(symbols) == 0 {
		return errors.New("paper: stream quotes: no symbols")
	}
	ins, err := e.liveInstruments(ctx)
	if err != nil {
		return err
	}
	rules := make(map[trade.Symbol]trade.Instrument, len(ins))
	for _, in := range ins {
		rules[in.Symbol] = in
	}
	for _, sym := range symbols {
		if _, ok := rules[sym]; !ok {
			return &exchange.Error{Kind: exchange.ErrNotFound, Venue: Name,
				Message: fmt.Sprintf("unknown symbol %s: %s, the price source, does not list it", sym, e.source.name)}
		}
	}
	relay := func(q trade.Quote) error {
		e.checkQuote(ctx, rules, q)
		if err := fn(q); err != nil {
			return &fnFailed{err}
		}
		return nil
	}
	if st, ok := e.source.ex.(exchange.QuoteStreamer); ok {
		err = st.StreamQuotes(ctx, symbols, relay)
	} else {
		err = e.pollLive(ctx, symbols, relay)
	}
	var ff *fnFailed
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ff):
		return ff.err
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return err
	}
	return e.sourceError(ctx, err)
}

// pollLive asks the source for quotes every tick_interval. A first failure
// ends the stream (the source cannot be reached); later transient ones
// wait — as long as the venue asks — and try again.
func (e *Exchange) pollLive(ctx context.Context, symbols []trade.Symbol, fn func(trade.Quote) error) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	delivered := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		wait := e.tick
		qs, err := e.source.ex.Quotes(ctx, symbols)
		switch {
		case err == nil:
			delivered = true
			for _, q := range qs {
				if err := fn(q); err != nil {
					return err
				}
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case !delivered || !exchange.Retryable(err):
			return err
		default:
			if d, ok := exchange.RetryAfter(err); ok && d > wait {
				wait = d
			}
			e.log.Warn("paper: price source quote poll failed; retrying", "price_source", e.source.name, "wait", wait, "err", err)
		}
		timer.Reset(wait)
	}
}

// startingBalances is what a new or reset account holds. With a price
// source and no starting_balances it is 100000 of the source's most common
// quote asset, read once from its instruments.
func (e *Exchange) startingBalances(ctx context.Context) ([]startBalance, error) {
	e.startMu.Lock()
	defer e.startMu.Unlock()
	if !e.startFromSource || e.starting != nil {
		return e.starting, nil
	}
	ins, err := e.source.ex.Instruments(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w; a new account's starting balance follows that venue's quote asset: set %s to create it offline",
			e.sourceError(ctx, err), KeyStartingBalances)
	}
	e.starting = []startBalance{{asset: mostCommonQuote(ins), amount: decimal.NewFromInt(defaultStartingAmount)}}
	return e.starting, nil
}

// mostCommonQuote is the quote asset most instruments trade against, the
// alphabetically first on a tie, USD when none has one.
func mostCommonQuote(ins []trade.Instrument) string {
	count := map[string]int{}
	for _, in := range ins {
		if in.QuoteAsset != "" {
			count[in.QuoteAsset]++
		}
	}
	best, n := "USD", 0
	for asset, c := range count {
		if c > n || c == n && asset < best {
			best, n = asset, c
		}
	}
	return best
}
