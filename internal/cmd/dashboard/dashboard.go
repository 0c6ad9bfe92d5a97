// Package dashboard implements `tradectl dashboard`: balances, positions,
// open orders and P&L of many accounts at once, fetched concurrently.
package dashboard

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/xdg"
)

// DashboardOptions is a parsed `dashboard`.
type DashboardOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	Now          func() time.Time
	Config       func() (*config.Config, error)
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	Printer      func() (*render.Printer, error)
	Dirs         func() (xdg.Dirs, error)

	Profiles      []string // empty: the selected profile
	AllProfiles   bool
	Currency      string
	TargetTimeout time.Duration
	Refresh       time.Duration
	// TimeoutGiven says --timeout was given: the root command then bounds
	// the run already, refreshing or not.
	TimeoutGiven bool
}

// NewCmdDashboard builds the command; runF replaces the run step in tests.
func NewCmdDashboard(f *cmdutil.Factory, runF func(*DashboardOptions) error) *cobra.Command {
	opts := &DashboardOptions{
		IO:           f.IOStreams,
		Now:          f.Now,
		Config:       f.Config,
		OpenExchange: f.OpenExchange,
		Printer:      f.Printer,
		Dirs:         f.Dirs,
	}
	cmd := &cobra.Command{
		Use:   "dashboard [--profile a,b,…] [--all-profiles] [--in USD] [--refresh 5s]",
		Short: "Balances, positions, open orders and P&L across accounts",
		Long: heredoc.Doc(`
			Show every chosen account at once: balances (free, locked, total and value),
			positions (quantity, average cost, last price, market value, unrealised P&L),
			open orders, and totals per account and overall (realised P&L from fills,
			unrealised P&L, equity) valued in --in.

			Accounts are fetched concurrently, each under --target-timeout inside the
			command's --timeout, so the wait is that of the slowest account, not the
			sum. An account that fails or times out is shown as a row saying why, the
			others still render, and the exit code is 8.

			--profile takes a comma-separated list; --all-profiles shows every profile
			in the configuration. On a terminal, --refresh redraws every interval until
			q or Ctrl-C; piped or with -o json it prints one snapshot, or with --refresh
			one NDJSON line per refresh.
		`),
		Example: heredoc.Doc(`
			$ tradectl dashboard
			$ tradectl dashboard --all-profiles --in USD
			$ tradectl dashboard --profile paper,rehearsal -o json --jq .totals.equity

			# redraw every second until q or Ctrl-C; piped, one JSON line a second (here for 3 s)
			$ tradectl dashboard --refresh 1s --timeout 3s -o ndjson --jq .totals.equity
		`),
		Args:        cobra.NoArgs,
		GroupID:     "account",
		Annotations: map[string]string{"tradectl/long-running": "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Profiles = f.ProfileList(cmd)
			if opts.AllProfiles && len(opts.Profiles) > 0 {
				return cmdutil.Usagef("--all-profiles and --profile cannot be combined")
			}
			cur, err := trade.ParseSymbol(opts.Currency)
			if err != nil || cur.IsPair() {
				return cmdutil.Usagef("--in %q: give an asset such as USD or USDT", opts.Currency)
			}
			opts.Currency = cur.Base
			if opts.TargetTimeout <= 0 {
				return cmdutil.Usagef("--target-timeout must be above 0")
			}
			if opts.Refresh < 0 || (opts.Refresh > 0 && opts.Refresh < time.Second) {
				return cmdutil.Usagef("--refresh must be at least 1s")
			}
			opts.TimeoutGiven = cmd.Flags().Changed("timeout")
			if runF != nil {
				return runF(opts)
			}
			return dashboardRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.AllProfiles, "all-profiles", false, "show every profile in the configuration")
	cmd.Flags().StringVar(&opts.Currency, "in", "USD", "value holdings in this asset")
	cmd.Flags().DurationVar(&opts.TargetTimeout, "target-timeout", 5*time.Second, "give up on one account after this long")
	cmd.Flags().DurationVar(&opts.Refresh, "refresh", 0, "redraw every interval (0: one snapshot)")
	return cmd
}

func dashboardRun(ctx context.Context, o *DashboardOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	var profiles []Profile
	switch {
	case o.AllProfiles:
		for _, name := range cfg.ProfileNames() {
			profiles = append(profiles, Profile{Name: name, Exchange: cfg.Profiles[name].Exchange})
		}
	case len(o.Profiles) > 0:
		for _, name := range o.Profiles {
			p, err := cfg.Lookup(name)
			if err != nil {
				return err
			}
			profiles = append(profiles, Profile{Name: p.Name, Exchange: p.Exchange})
		}
	default:
		p, err := cfg.Selected()
		if err != nil {
			return err
		}
		profiles = []Profile{{Name: p.Name, Exchange: p.Exchange}}
	}
	col := &Collector{
		Profiles:      profiles,
		Currency:      o.Currency,
		TargetTimeout: o.TargetTimeout,
		Now:           o.Now,
		Hints:         hints(o.Dirs),
		Open: func(ctx context.Context, name string) (exchange.Exchange, error) {
			ex, _, err := o.OpenExchange(ctx, name)
			return ex, err
		},
	}
	// One snapshot is bounded by --timeout like any command; a refreshing
	// dashboard runs until stopped, each round bounded by --target-timeout.
	if o.Refresh == 0 && cfg.Timeout > 0 && !o.TimeoutGiven {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	if o.Refresh > 0 && o.IO.IsStdoutTTY() && printer.Format == render.Table {
		return runLive(ctx, o.IO, o.Now, col, o.Refresh)
	}
	for {
		snap := col.Collect(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := printSnapshot(o.IO, o.Now, printer, snap, o.Refresh > 0); err != nil {
			return err
		}
		if o.Refresh == 0 {
			return partial(snap)
		}
		select {
		case <-ctx.Done():
			// Ctrl-C (SIGINT) is exit 130 piped as on a terminal; the
			// --timeout running out ends the stream as asked.
			if errors.Is(ctx.Err(), context.Canceled) {
				return ctx.Err()
			}
			return nil
		case <-time.After(o.Refresh):
		}
	}
}

func hints(dirsOf func() (xdg.Dirs, error)) Hints {
	dirs, err := dirsOf()
	if err != nil {
		return &FileHints{}
	}
	return &FileHints{Dir: dirs.CacheDir()}
}

// partial is the error that makes the exit code 8 when accounts failed.
func partial(s Snapshot) error {
	if s.Failed == 0 {
		return nil
	}
	return &cmdutil.SilentError{Err: &cmdutil.PartialError{Failed: s.Failed, Total: len(s.Accounts)}}
}

func printSnapshot(ios *iostreams.IOStreams, now func() time.Time, p *render.Printer, snap Snapshot, stream bool) error {
	switch {
	case p.Format == render.Table:
		_, err := fmt.Fprint(ios.Out, View(ios, snap, now()))
		return err
	case p.Format == render.CSV:
		return p.Print(snap, func() *render.TableData { return balancesCSV(snap) })
	case stream:
		return p.PrintEvent(snap)
	}
	return p.Print(snap, nil)
}
