package dashboard

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/fanout"
	"github.com/tradectl/tradectl/internal/pnl"
	"github.com/tradectl/tradectl/internal/trade"
)

// Snapshot is one dashboard view. Every account is valued with its own
// venue's quotes only, in Currency where that venue can price it (directly
// or through a stated Conversion), else in the venue's quote asset.
// Totals adds up exactly the accounts valued in Currency; accounts left in
// another currency are added up per currency in OtherTotals, never into
// Totals. Its JSON form is documented in the README; keep the two in step.
type Snapshot struct {
	// Time is when the snapshot was taken, written as every tradectl time
	// is (trade.JSONTime).
	Time     trade.JSONTime `json:"time"`
	Currency string         `json:"currency"`
	Accounts []Account      `json:"accounts"`
	Totals   Totals         `json:"totals"`
	// OtherTotals sums, per currency, the accounts whose venue could not
	// value them in Currency; empty when every account is in Currency.
	OtherTotals []CurrencyTotals `json:"other_totals"`
	// Failed counts accounts that could not be read; the command exits 8
	// when it is above zero.
	Failed int `json:"failed"`
}

// CurrencyTotals is the sum of the accounts valued in one currency.
type CurrencyTotals struct {
	Currency string   `json:"currency"`
	Accounts []string `json:"accounts"`
	Totals
}

// Account is one profile's part of the view. When OK is false only the
// identifying fields and Error are set.
type Account struct {
	Profile  string        `json:"profile"`
	Exchange string        `json:"exchange"`
	OK       bool          `json:"ok"`
	Error    *AccountError `json:"error,omitempty"`
	// Currency is what the balances' prices and values and Totals are in.
	Currency string `json:"currency"`
	// Conversion is set when the venue priced the account in its own quote
	// asset and one of its instruments converted that into Currency.
	Conversion *Conversion     `json:"conversion"`
	ElapsedMS  int64           `json:"elapsed_ms"`
	Balances   []BalanceLine   `json:"balances"`
	Positions  []pnl.Valuation `json:"positions"`
	OpenOrders []trade.Order   `json:"open_orders"`
	Totals     Totals          `json:"totals"`
	// instruments format the account's numbers; not part of the JSON.
	instruments []trade.Instrument
}

// AccountError says why an account is missing from the view.
type AccountError struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	TimedOut bool   `json:"timed_out"`
}

// BalanceLine is a balance with its price and value in its account's
// currency; Price and Value are null when the asset has no price there
// (it is then listed in the account's Totals.Unvalued).
type BalanceLine struct {
	trade.Balance
	Price decimal.NullDecimal `json:"price"`
	Value decimal.NullDecimal `json:"value"`
}

// Totals sums an account, or accounts, in one currency. Realised and
// unrealised P&L cover positions quoted in the currency the account's
// venue prices it in; Unvalued lists assets that had no price on their own
// venue and are left out of Equity — never counted as 0.
type Totals struct {
	Equity        decimal.Decimal `json:"equity"`
	Cash          decimal.Decimal `json:"cash"`
	Holdings      decimal.Decimal `json:"holdings"`
	RealizedPnL   decimal.Decimal `json:"realized_pnl"`
	UnrealizedPnL decimal.Decimal `json:"unrealized_pnl"`
	Fees          decimal.Decimal `json:"fees"`
	Unvalued      []string        `json:"unvalued"`
}

// accountData is what one target's fetch brings back.
type accountData struct {
	balances    []trade.Balance
	orders      []trade.Order
	positions   []pnl.Position
	quotes      []trade.Quote
	instruments []trade.Instrument
	plan        plan
}

// Collector fetches snapshots. Open opens a profile's exchange; tests and
// benchmarks give it fakes.
type Collector struct {
	Profiles      []Profile
	Currency      string
	TargetTimeout time.Duration
	Open          func(ctx context.Context, profile string) (exchange.Exchange, error)
	Now           func() time.Time
	// Hints remembers which quotes valued each account, and which
	// symbols' fills gave its positions, to fetch them together with the
	// balances next time; nil fetches them after.
	Hints Hints
}

// Hint is what one account needed last time, beyond its balances.
type Hint struct {
	// Quotes are the symbols whose quotes valued it.
	Quotes []trade.Symbol `json:"quotes"`
	// Fills are the symbols whose fills gave its positions, on a venue
	// that lists fills only per symbol (Binance).
	Fills []trade.Symbol `json:"fills,omitempty"`
}

// Hints stores a Hint per profile.
type Hints interface {
	Load(profile string) Hint
	Save(profile string, h Hint)
}

// Profile names one account to show.
type Profile struct {
	Name     string
	Exchange string
}

// Collect fetches every account at once, each under its own deadline, and
// builds the snapshot. A failed account is a row saying why; it never
// stops the others.
func (c *Collector) Collect(ctx context.Context) Snapshot {
	names := make([]string, len(c.Profiles))
	for i, p := range c.Profiles {
		names[i] = p.Name
	}
	results := fanout.Run(ctx, names, c.TargetTimeout, c.fetch)
	snap := Snapshot{Time: trade.JSONTime(c.Now()), Currency: c.Currency, Accounts: make([]Account, 0, len(results)),
		Totals: Totals{Unvalued: []string{}}, OtherTotals: []CurrencyTotals{}}
	for i, r := range results {
		acct := Account{Profile: r.Target, Exchange: c.Profiles[i].Exchange, ElapsedMS: r.Elapsed.Milliseconds(),
			Balances: []BalanceLine{}, Positions: []pnl.Valuation{}, OpenOrders: []trade.Order{}}
		if r.Err != nil {
			lead := r.Err
			var ae *accountError
			if errors.As(lead, &ae) {
				lead = ae.errs[0]
			}
			class := cmdutil.Classify(ctx, lead)
			code := class.Code
			if r.TimedOut {
				code = "timeout"
			}
			acct.Error = &AccountError{Code: code, Message: r.Err.Error(), TimedOut: r.TimedOut}
			acct.Totals.Unvalued = []string{}
			snap.Failed++
			snap.Accounts = append(snap.Accounts, acct)
			continue
		}
		acct.OK = true
		d := r.Value
		acct.OpenOrders = d.orders
		acct.instruments = d.instruments
		valueAccount(c.Currency, d.plan, d, &acct)
		snap.Accounts = append(snap.Accounts, acct)
	}
	snap.Totals, snap.OtherTotals = sumAccounts(c.Currency, snap.Accounts)
	return snap
}

// sumAccounts adds up the accounts that could be read: those in currency
// into one Totals, the others per currency — amounts in different
// currencies are never added together.
func sumAccounts(currency string, accounts []Account) (Totals, []CurrencyTotals) {
	main := Totals{Unvalued: []string{}}
	others := map[string]*CurrencyTotals{}
	var order []string
	for _, a := range accounts {
		if !a.OK {
			continue
		}
		if a.Currency == currency {
			main.add(a.Totals)
			continue
		}
		ct := others[a.Currency]
		if ct == nil {
			ct = &CurrencyTotals{Currency: a.Currency, Accounts: []string{}, Totals: Totals{Unvalued: []string{}}}
			others[a.Currency] = ct
			order = append(order, a.Currency)
		}
		ct.Accounts = append(ct.Accounts, a.Profile)
		ct.add(a.Totals)
	}
	sort.Strings(order)
	out := make([]CurrencyTotals, 0, len(order))
	for _, cur := range order {
		out = append(out, *others[cur])
	}
	return main, out
}

// fetch reads one account: balances, open orders, positions (from fills
// where the venue lists them, so average cost and realised P&L are known)
// and instruments at once, then the quotes that value what it holds —
// together with the fills of a venue that lists them only per symbol.
func (c *Collector) fetch(ctx context.Context, profile string) (accountData, error) {
	var d accountData
	ex, err := c.Open(ctx, profile)
	if err != nil {
		return d, err
	}
	defer ex.Close()

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	run := func(what string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", what, err))
				mu.Unlock()
			}
		}()
	}
	perSymbol := false
	run("balances", func() (err error) { d.balances, err = ex.Balances(ctx); return })
	run("open orders", func() (err error) {
		d.orders, err = ex.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListOpen})
		return
	})
	run("instruments", func() (err error) { d.instruments, err = ex.Instruments(ctx); return })
	run("positions", func() (err error) { perSymbol, err = fetchPositions(ctx, ex, profile, &d); return })
	// The quotes that valued this account last time, and the fills of
	// the symbols it held, are fetched alongside, so a steady account
	// costs one round trip instead of two; a failure here only means they
	// are fetched again below.
	var (
		guessed      []trade.Quote
		hintedFills  []trade.Fill
		fillsFetched map[trade.Symbol]bool
	)
	sf, bySymbol := ex.(symbolFiller)
	if c.Hints != nil {
		hint := c.Hints.Load(profile)
		if len(hint.Quotes) > 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				guessed, _ = ex.Quotes(ctx, hint.Quotes)
			}()
		}
		if bySymbol && len(hint.Fills) > 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if fills, err := sf.FillsFor(ctx, hint.Fills); err == nil {
					hintedFills, fillsFetched = fills, setOf(hint.Fills)
				}
			}()
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		return d, primary(errs)
	}
	d.plan = planFor(c.Currency, d)
	have := map[trade.Symbol]trade.Quote{}
	for _, q := range guessed {
		have[q.Symbol] = q
	}
	var missing []trade.Symbol
	for _, s := range d.plan.Symbols {
		if q, ok := have[s]; ok {
			d.quotes = append(d.quotes, q)
		} else {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		run("quotes", func() error {
			qs, err := ex.Quotes(ctx, missing)
			mu.Lock()
			d.quotes = append(d.quotes, qs...)
			mu.Unlock()
			return err
		})
	}
	if perSymbol && bySymbol && len(d.plan.FillSymbols) > 0 {
		// Fills fetched on the hint count for the symbols still held; the
		// others are fetched now.
		var fills []trade.Fill
		held := setOf(d.plan.FillSymbols)
		for _, f := range hintedFills {
			if held[f.Symbol] {
				fills = append(fills, f)
			}
		}
		var unfetched []trade.Symbol
		for _, s := range d.plan.FillSymbols {
			if !fillsFetched[s] {
				unfetched = append(unfetched, s)
			}
		}
		run("fills", func() error {
			if len(unfetched) > 0 {
				more, err := sf.FillsFor(ctx, unfetched)
				if err != nil {
					return err
				}
				fills = append(fills, more...)
			}
			var err error
			d.positions, err = pnl.FromFills(profile, fills)
			return err
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return d, primary(errs)
	}
	if c.Hints != nil {
		hint := Hint{Quotes: d.plan.Symbols}
		if perSymbol && bySymbol {
			hint.Fills = d.plan.FillSymbols
		}
		c.Hints.Save(profile, hint)
	}
	return d, nil
}

func setOf(syms []trade.Symbol) map[trade.Symbol]bool {
	m := make(map[trade.Symbol]bool, len(syms))
	for _, s := range syms {
		m[s] = true
	}
	return m
}

// symbolFiller is implemented by venues that list executions only per
// symbol (Binance): FillsFor reads every fill of several symbols at once,
// within the venue's own rate limits.
type symbolFiller interface {
	FillsFor(ctx context.Context, symbols []trade.Symbol) ([]trade.Fill, error)
}

// accountError is an account's failures, led by the one that explains the
// others: an unreachable venue makes every call fail, and "unavailable"
// says more than the auth or validation errors that ride along.
type accountError struct{ errs []error }

func primary(errs []error) error {
	rank := func(err error) int {
		switch {
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, exchange.ErrUnavailable):
			return 0
		case errors.Is(err, exchange.ErrAuth):
			return 1
		case errors.Is(err, exchange.ErrRateLimited):
			return 2
		}
		return 3
	}
	sort.SliceStable(errs, func(i, j int) bool { return rank(errs[i]) < rank(errs[j]) })
	return &accountError{errs: errs}
}

func (e *accountError) Error() string {
	msgs := make([]string, len(e.errs))
	for i, err := range e.errs {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap exposes the leading error first, so classification follows it.
func (e *accountError) Unwrap() []error { return e.errs }

// fetchPositions reads positions from fills, or as the venue reports
// them. perSymbol is true when the venue lists fills only per symbol: the
// caller asks for them once it knows what the account holds.
func fetchPositions(ctx context.Context, ex exchange.Exchange, profile string, d *accountData) (perSymbol bool, err error) {
	// A venue that keeps positions of its own (Alpaca) is right about
	// them whatever its fill listing holds: the listing is bounded, and a
	// position older than it would be shown short.
	if pl, ok := ex.(exchange.PositionLister); ok && !exchange.IsSimulated(ex) {
		return false, venuePositions(ctx, pl, profile, d)
	}
	if fl, ok := ex.(exchange.FillLister); ok {
		fills, err := fl.Fills(ctx, exchange.FillFilter{})
		switch {
		case errors.Is(err, exchange.ErrInvalidOrder):
			// The venue lists executions only per symbol (Binance).
			if _, ok := ex.(symbolFiller); ok {
				return true, nil
			}
		case err != nil:
			return false, err
		default:
			d.positions, err = pnl.FromFills(profile, fills)
			return false, err
		}
	}
	if pl, ok := ex.(exchange.PositionLister); ok {
		return false, venuePositions(ctx, pl, profile, d)
	}
	return false, nil
}

// venuePositions reads the positions the venue reports.
func venuePositions(ctx context.Context, pl exchange.PositionLister, profile string, d *accountData) error {
	ps, err := pl.Positions(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		d.positions = append(d.positions, pnl.Position{Account: profile, Symbol: p.Symbol, Qty: p.Qty, AvgCost: p.AvgCost, CostBasis: p.Qty.Mul(p.AvgCost)})
	}
	return nil
}

// valuePrices maps assets to their price in currency, from pairs quoted in
// it and from tickers whose instrument says they trade in it.
func valuePrices(currency string, quotes []trade.Quote, instruments []trade.Instrument) pnl.Prices {
	p := pnl.PricesFromQuotes(currency, quotes)
	quoteAsset := map[trade.Symbol]string{}
	for _, in := range instruments {
		quoteAsset[in.Symbol] = in.QuoteAsset
	}
	for _, q := range quotes {
		if !q.Symbol.IsPair() && quoteAsset[q.Symbol] == currency {
			if m, ok := pnl.Mark(q); ok {
				p[q.Symbol.Base] = m
			}
		}
	}
	return p
}

func priceOf(currency, asset string, p pnl.Prices) (decimal.Decimal, bool) {
	if asset == currency {
		return decimal.NewFromInt(1), true
	}
	v, ok := p[asset]
	return v, ok
}

func tradePositions(ps []pnl.Position) []trade.Position {
	out := make([]trade.Position, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Trade())
	}
	return out
}

// totalsOf adds P&L of positions that are quoted in currency to an
// account's equity subtotal.
func totalsOf(currency string, eq pnl.Subtotal, vals []pnl.Valuation, instruments []trade.Instrument) Totals {
	t := Totals{Equity: eq.Total, Cash: eq.Cash, Holdings: eq.Holdings, Unvalued: eq.Unvalued}
	quoteAsset := map[trade.Symbol]string{}
	for _, in := range instruments {
		quoteAsset[in.Symbol] = in.QuoteAsset
	}
	for _, v := range vals {
		cur := v.Symbol.Quote
		if cur == "" {
			cur = quoteAsset[v.Symbol]
		}
		if cur != currency {
			continue
		}
		t.RealizedPnL = t.RealizedPnL.Add(v.RealizedPnL)
		t.Fees = t.Fees.Add(v.Fees)
		if v.UnrealizedPnL.Valid {
			t.UnrealizedPnL = t.UnrealizedPnL.Add(v.UnrealizedPnL.Decimal)
		}
	}
	return t
}
