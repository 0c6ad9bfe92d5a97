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

// Snapshot is one dashboard view: every account, valued in one currency.
// Its JSON form is documented in the README; keep the two in step.
type Snapshot struct {
	Time     time.Time `json:"time"`
	Currency string    `json:"currency"`
	Accounts []Account `json:"accounts"`
	Totals   Totals    `json:"totals"`
	// Failed counts accounts that could not be read; the command exits 8
	// when it is above zero.
	Failed int `json:"failed"`
}

// Account is one profile's part of the view. When OK is false only the
// identifying fields and Error are set.
type Account struct {
	Profile    string          `json:"profile"`
	Exchange   string          `json:"exchange"`
	OK         bool            `json:"ok"`
	Error      *AccountError   `json:"error,omitempty"`
	ElapsedMS  int64           `json:"elapsed_ms"`
	Balances   []BalanceLine   `json:"balances"`
	Positions  []pnl.Valuation `json:"positions"`
	OpenOrders []trade.Order   `json:"open_orders"`
	Totals     Totals          `json:"totals"`
}

// AccountError says why an account is missing from the view.
type AccountError struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	TimedOut bool   `json:"timed_out"`
}

// BalanceLine is a balance with its value in the view's currency; Price
// and Value are null when the asset has no price there.
type BalanceLine struct {
	trade.Balance
	Price decimal.NullDecimal `json:"price"`
	Value decimal.NullDecimal `json:"value"`
}

// Totals sums an account, or every account, in the view's currency.
// Realised and unrealised P&L cover positions quoted in that currency;
// Unvalued lists assets that had no price and are left out of Equity.
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
}

// Collector fetches snapshots. Open opens a profile's exchange; tests and
// benchmarks give it fakes.
type Collector struct {
	Profiles      []Profile
	Currency      string
	TargetTimeout time.Duration
	Open          func(ctx context.Context, profile string) (exchange.Exchange, error)
	Now           func() time.Time
	// Hints remembers which quotes valued each account, to fetch them
	// together with the balances next time; nil fetches them after.
	Hints Hints
}

// Hints stores, per profile, the symbols whose quotes valued it last time.
type Hints interface {
	Load(profile string) []trade.Symbol
	Save(profile string, symbols []trade.Symbol)
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
	snap := Snapshot{Time: c.Now().UTC(), Currency: c.Currency, Accounts: make([]Account, 0, len(results))}
	var all []pnl.Account
	prices := pnl.Prices{}
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
		p := valuePrices(c.Currency, d.quotes, d.instruments)
		for k, v := range p {
			prices[k] = v
		}
		acct.OpenOrders = d.orders
		vals := pnl.ValueAll(d.positions, symbolPrices(d.quotes))
		for _, v := range vals {
			// A flat position still carries realised P&L for the totals,
			// but there is nothing held to show.
			if !v.Qty.IsZero() {
				acct.Positions = append(acct.Positions, v)
			}
		}
		eq := pnl.ValueIn(c.Currency, []pnl.Account{{Name: r.Target, Balances: d.balances, Positions: tradePositions(d.positions)}}, p)
		for _, b := range d.balances {
			line := BalanceLine{Balance: b}
			if price, ok := priceOf(c.Currency, b.Asset, p); ok {
				line.Price = decimal.NewNullDecimal(price)
				line.Value = decimal.NewNullDecimal(b.Total.Mul(price))
			}
			acct.Balances = append(acct.Balances, line)
		}
		acct.Totals = totalsOf(c.Currency, eq.Subtotal, vals, d.instruments)
		all = append(all, pnl.Account{Name: r.Target, Balances: d.balances, Positions: tradePositions(d.positions)})
		snap.Accounts = append(snap.Accounts, acct)
	}
	eq := pnl.ValueIn(c.Currency, all, prices)
	snap.Totals = Totals{Equity: eq.Total, Cash: eq.Cash, Holdings: eq.Holdings, Unvalued: eq.Unvalued}
	for _, a := range snap.Accounts {
		snap.Totals.RealizedPnL = snap.Totals.RealizedPnL.Add(a.Totals.RealizedPnL)
		snap.Totals.UnrealizedPnL = snap.Totals.UnrealizedPnL.Add(a.Totals.UnrealizedPnL)
		snap.Totals.Fees = snap.Totals.Fees.Add(a.Totals.Fees)
	}
	return snap
}

// fetch reads one account: balances, open orders, positions (from fills
// where the venue lists them, so average cost and realised P&L are known)
// and instruments at once, then the quotes that value what it holds.
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
	run("balances", func() (err error) { d.balances, err = ex.Balances(ctx); return })
	run("open orders", func() (err error) {
		d.orders, err = ex.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListOpen})
		return
	})
	run("instruments", func() (err error) { d.instruments, err = ex.Instruments(ctx); return })
	run("positions", func() error { return fetchPositions(ctx, ex, profile, &d) })
	// The quotes that valued this account last time are fetched alongside,
	// so a steady account costs one round trip instead of two; a failure
	// here only means they are fetched again below.
	var guessed []trade.Quote
	if c.Hints != nil {
		if hint := c.Hints.Load(profile); len(hint) > 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				guessed, _ = ex.Quotes(ctx, hint)
			}()
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		return d, primary(errs)
	}
	symbols := quoteSymbols(c.Currency, d)
	have := map[trade.Symbol]trade.Quote{}
	for _, q := range guessed {
		have[q.Symbol] = q
	}
	var missing []trade.Symbol
	for _, s := range symbols {
		if q, ok := have[s]; ok {
			d.quotes = append(d.quotes, q)
		} else {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		qs, err := ex.Quotes(ctx, missing)
		if err != nil {
			return d, fmt.Errorf("quotes: %w", err)
		}
		d.quotes = append(d.quotes, qs...)
	}
	if c.Hints != nil {
		c.Hints.Save(profile, symbols)
	}
	return d, nil
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

func fetchPositions(ctx context.Context, ex exchange.Exchange, profile string, d *accountData) error {
	if fl, ok := ex.(exchange.FillLister); ok {
		fills, err := fl.Fills(ctx, exchange.FillFilter{})
		switch {
		case errors.Is(err, exchange.ErrInvalidOrder):
			// The venue lists executions only per symbol (Binance): fall
			// through to reported positions, or show balances alone.
		case err != nil:
			return err
		default:
			d.positions, err = pnl.FromFills(profile, fills)
			return err
		}
	}
	if pl, ok := ex.(exchange.PositionLister); ok {
		ps, err := pl.Positions(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			d.positions = append(d.positions, pnl.Position{Account: profile, Symbol: p.Symbol, Qty: p.Qty, AvgCost: p.AvgCost, CostBasis: p.Qty.Mul(p.AvgCost)})
		}
	}
	return nil
}

// quoteSymbols lists the instruments that price the account's assets and
// positions in currency: BASE-CURRENCY pairs and tickers quoted in it.
func quoteSymbols(currency string, d accountData) []trade.Symbol {
	want := map[string]bool{}
	for _, b := range d.balances {
		if b.Asset != currency && !b.Total.IsZero() {
			want[b.Asset] = true
		}
	}
	seen := map[trade.Symbol]bool{}
	var out []trade.Symbol
	add := func(s trade.Symbol) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, p := range d.positions {
		if !p.Qty.IsZero() {
			add(p.Symbol)
		}
	}
	for _, in := range d.instruments {
		if want[in.BaseAsset] && in.QuoteAsset == currency {
			add(in.Symbol)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
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

func symbolPrices(quotes []trade.Quote) map[trade.Symbol]decimal.Decimal {
	out := make(map[trade.Symbol]decimal.Decimal, len(quotes))
	for _, q := range quotes {
		if m, ok := pnl.Mark(q); ok {
			out[q.Symbol] = m
		}
	}
	return out
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
