// Package pnl implements `tradectl pnl`: realised P&L, fees and volume per
// day, week or month and per symbol, from each account's whole fill
// history.
package pnl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	// --tz takes IANA zone names on every system tradectl ships for,
	// Windows included, which has no zone database of its own.
	_ "time/tzdata"

	"github.com/MakeNowJust/heredoc"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/order/orderview"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/fanout"
	"github.com/tradectl/tradectl/internal/pnl"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// PnLOptions is a parsed `pnl`.
type PnLOptions struct {
	// What the command works with, each built on first use.
	Config       func() (*config.Config, error)
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	// FillHistory returns a profile's fills, oldest first (the Factory's).
	FillHistory func(ctx context.Context, ex exchange.Exchange, profile string, f exchange.FillFilter) ([]trade.Fill, error)
	Printer     func() (*render.Printer, error)
	// Logger warns on stderr about accounts that could not be read: JSON
	// log lines when the output is JSON, as every warning.
	Logger func() *slog.Logger

	Profiles []string // empty: the selected profile
	By       pnl.Period
	Location *time.Location
	// Since and Until bound what is reported; Until (exclusive) also
	// bounds what is read, Since does not: the cost basis needs every
	// fill before it.
	Since, Until time.Time
	Symbol       trade.Symbol
}

// zoneChoices are what --tz completes to; any IANA Area/City name works.
var zoneChoices = []string{"UTC", "Local"}

// NewCmdPnL builds the command; runF replaces the run step in tests.
func NewCmdPnL(f *cmdutil.Factory, runF func(*PnLOptions) error) *cobra.Command {
	opts := &PnLOptions{
		Config:       f.Config,
		OpenExchange: f.OpenExchange,
		FillHistory:  f.FillHistory,
		Printer:      f.Printer,
		Logger:       f.Logger,
	}
	var by, since, until, symbol, tz string
	cmd := &cobra.Command{
		Use:   "pnl [--by day|week|month] [--since T] [--until T] [--symbol S] [--profile a,b] [--tz ZONE]",
		Short: "Realised P&L, fees and volume per day, week or month",
		Long: heredoc.Doc(`
			Show, per period and symbol, the P&L that closing trades realised, the fees
			paid, the volume traded (Σ quantity × price) and the number of fills, with a
			total line per period and currency: amounts in different currencies are
			never added together.

			P&L is computed from the account's whole fill history by the average-cost
			method, fees in the cost basis, as tradectl dashboard does: a position
			bought in March and sold in April shows its P&L in April. --since only
			hides earlier periods; the fills before it still make up the cost basis.
			Fees paid in another asset (BNB) are listed apart and not in the P&L.

			--by is day, week (ISO weeks, from Monday) or month, in the time zone --tz:
			UTC (the default), Local, or an Area/City name such as Europe/Berlin.
			--since and --until take a duration back from now (7d, 24h) or a time
			(2026-03, 2026-03-01, 2026-03-01T09:30:00Z); dates and times without an
			offset are in --tz. --until is exclusive.

			--profile takes a comma-separated list. The accounts are read together; one
			that fails is named on stderr, the others are shown, and the exit code is 8.
		`),
		Example: heredoc.Doc(`
			$ tradectl pnl
			$ tradectl pnl --by month --since 2026-01 --tz Europe/Berlin
			$ tradectl pnl --by week --symbol BTC-USD
			$ tradectl pnl --profile paper,rehearsal -o csv > pnl.csv
			$ tradectl pnl --by month -o json --jq 'map(select(.currency == "USD") | .realized_pnl)'
		`),
		Args:    cobra.NoArgs,
		GroupID: "account",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.parse(cmd, f, by, since, until, symbol, tz); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return pnlRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&by, "by", string(pnl.Day), "period: day, week or month")
	cmd.Flags().StringVar(&since, "since", "", "report from this time, or this duration ago")
	cmd.Flags().StringVar(&until, "until", "", "report up to this time (exclusive), or this duration ago")
	cmd.Flags().StringVar(&symbol, "symbol", "", "only this symbol")
	cmd.Flags().StringVar(&tz, "tz", "UTC", "time zone of the periods: UTC, Local or Area/City")
	_ = cmd.RegisterFlagCompletionFunc("by", completion.Fixed(pnl.Periods))
	_ = cmd.RegisterFlagCompletionFunc("tz", completion.Fixed(zoneChoices))
	_ = cmd.RegisterFlagCompletionFunc("symbol", completion.SymbolFlag(f.CompletionSource()))
	return cmd
}

// parse checks the flags, with no I/O: a mistake is exit 2 with nothing read.
func (o *PnLOptions) parse(cmd *cobra.Command, f *cmdutil.Factory, by, since, until, symbol, tz string) error {
	o.Profiles = f.ProfileList(cmd)
	period, err := pnl.ParsePeriod(by)
	if err != nil {
		return cmdutil.Usagef("--by %q: use day, week or month", by)
	}
	o.By = period
	if o.Location, err = loadZone(tz); err != nil {
		return err
	}
	now := f.Now()
	if o.Since, err = parseTime("--since", since, now, o.Location); err != nil {
		return err
	}
	if o.Until, err = parseTime("--until", until, now, o.Location); err != nil {
		return err
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Until.After(o.Since) {
		return cmdutil.Usagef("--until %s must be after --since %s", trade.FormatTime(o.Until), trade.FormatTime(o.Since))
	}
	if symbol != "" {
		if o.Symbol, err = trade.ParseSymbol(symbol); err != nil {
			return cmdutil.Usagef("--symbol: %v", err)
		}
	}
	return nil
}

// loadZone reads --tz: UTC, Local or an IANA name.
func loadZone(name string) (*time.Location, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "utc", "":
		return time.UTC, nil
	case "local":
		return time.Local, nil
	}
	loc, err := time.LoadLocation(strings.TrimSpace(name))
	if err != nil {
		return nil, cmdutil.Usagef("--tz %q: not a time zone; use UTC, Local or an Area/City name such as Europe/Berlin", name)
	}
	return loc, nil
}

// parseTime reads --since or --until: a duration back from now (90m, 2h,
// 7d) or a time. A time without an offset (2026-03, 2026-03-01,
// 2026-03-01T09:30) is in loc, so a date in --tz is the start of that
// day there: the boundary of a period as the report shows it.
func parseTime(flag, s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02", "2006-01"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	// cmdutil.ParseSince knows durations ("90m", "7d"); its times are UTC
	// only, so it is asked only once no time layout fitted.
	if t, err := cmdutil.ParseSince(s, now); err == nil {
		return t, nil
	}
	return time.Time{}, cmdutil.Usagef("%s %q: use a duration back from now such as 7d or 24h, or a time such as 2026-03, 2026-03-01 or 2026-03-01T09:30:00Z (without an offset, in --tz)", flag, s)
}

// Row is one line of the output: one symbol's trading in one period of one
// account. Its JSON form is documented in the README; keep the two in step.
type Row struct {
	// Start is the period's first instant (written in UTC, as every
	// tradectl time); Period names it in --tz.
	Start       trade.JSONTime             `json:"start"`
	Period      string                     `json:"period"`
	Profile     string                     `json:"profile"`
	Symbol      trade.Symbol               `json:"symbol"`
	Currency    string                     `json:"currency"`
	RealizedPnL decimal.Decimal            `json:"realized_pnl"`
	Fees        decimal.Decimal            `json:"fees"`
	OtherFees   map[string]decimal.Decimal `json:"other_fees"`
	Volume      decimal.Decimal            `json:"volume"`
	BuyQty      decimal.Decimal            `json:"buy_qty"`
	SellQty     decimal.Decimal            `json:"sell_qty"`
	Fills       int                        `json:"fills"`
}

func rowOf(l pnl.PeriodLine) Row {
	other := l.OtherFees
	if other == nil {
		other = map[string]decimal.Decimal{}
	}
	return Row{Start: trade.JSONTime(l.Start), Period: l.Period, Profile: l.Account, Symbol: l.Symbol, Currency: l.Currency,
		RealizedPnL: l.RealizedPnL, Fees: l.Fees, OtherFees: other, Volume: l.Volume, BuyQty: l.BuyQty, SellQty: l.SellQty, Fills: l.Fills}
}

// account is what one profile's read brings back.
type account struct {
	lines []pnl.PeriodLine
	prec  render.Precision
}

func pnlRun(ctx context.Context, o *PnLOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	profiles, err := o.profiles()
	if err != nil {
		return err
	}
	// The command's --timeout bounds every account; an account has no
	// deadline of its own, since a long history takes as long as it takes.
	results := fanout.Run(ctx, profiles, 0, o.read)
	var (
		lines   []pnl.PeriodLine
		precs   = map[string]render.Precision{}
		failed  int
		lastErr error
	)
	for _, r := range results {
		if r.Err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed++
			lastErr = fmt.Errorf("%s: %w", r.Target, r.Err)
			continue
		}
		lines = append(lines, r.Value.lines...)
		precs[r.Target] = r.Value.prec
	}
	if len(profiles) == 1 && lastErr != nil {
		return results[0].Err
	}
	sortLines(lines)
	err = printer.Print(Rows(lines), func() *render.TableData { return Table(lines, len(profiles) > 1, precs) })
	if err != nil {
		return err
	}
	if failed == 0 {
		return nil
	}
	for _, r := range results {
		if r.Err != nil {
			o.Logger().Warn("profile could not be read", "profile", r.Target, "err", r.Err)
		}
	}
	return &cmdutil.SilentError{Err: errors.Join(&cmdutil.PartialError{Failed: failed, Total: len(profiles)}, lastErr)}
}

// profiles names the accounts to read: --profile's list, or the selected
// profile. An unknown name is a usage error before anything is read.
func (o *PnLOptions) profiles() ([]string, error) {
	cfg, err := o.Config()
	if err != nil {
		return nil, err
	}
	if len(o.Profiles) == 0 {
		p, err := cfg.Selected()
		if err != nil {
			return nil, err
		}
		return []string{p.Name}, nil
	}
	names := make([]string, 0, len(o.Profiles))
	for _, name := range o.Profiles {
		p, err := cfg.Lookup(name)
		if err != nil {
			return nil, err
		}
		names = append(names, p.Name)
	}
	return names, nil
}

// read reads one profile's history and reports it per period.
func (o *PnLOptions) read(ctx context.Context, profile string) (account, error) {
	ex, _, err := o.OpenExchange(ctx, profile)
	if err != nil {
		return account{}, err
	}
	defer ex.Close()
	fills, err := o.FillHistory(ctx, ex, profile, exchange.FillFilter{Symbol: o.Symbol, Until: o.Until})
	if err != nil {
		return account{}, err
	}
	// The rules already held give each ticker its currency (AAPL: USD) and
	// the table its precision, without a request.
	cached := exchange.CachedRulesOnly(context.WithoutCancel(ctx))
	quoteAsset := map[trade.Symbol]string{}
	if ins, err := ex.Instruments(cached); err == nil {
		for _, in := range ins {
			quoteAsset[in.Symbol] = in.QuoteAsset
		}
	}
	lines, err := pnl.ByPeriod(fills, pnl.PeriodOptions{
		Account:  profile,
		By:       o.By,
		Location: o.Location,
		Since:    o.Since,
		Until:    o.Until,
		Currency: func(s trade.Symbol) string { return quoteAsset[s] },
	})
	if err != nil {
		return account{}, err
	}
	if !o.Symbol.IsZero() {
		lines = onlySymbol(lines, o.Symbol)
	}
	return account{lines: lines, prec: orderview.CachedPrecisionOf(ctx, ex)}, nil
}

// onlySymbol keeps sym's lines: a venue may take --symbol as a hint only.
func onlySymbol(lines []pnl.PeriodLine, sym trade.Symbol) []pnl.PeriodLine {
	out := lines[:0]
	for _, l := range lines {
		if l.Symbol == sym {
			out = append(out, l)
		}
	}
	return out
}
