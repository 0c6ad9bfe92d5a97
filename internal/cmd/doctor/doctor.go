// Package doctor implements `tradectl doctor`: it checks the setup a
// script or cron job depends on — the config file and its permissions,
// every secret source, the venue, and whatever the venue checks of itself
// (exchange.Diagnoser: its clock, the API key's permissions, the paper
// database) — and says what to fix, without ever printing a secret.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
)

// Status is one check's outcome.
type Status string

const (
	// OK: nothing to do.
	OK Status = "ok"
	// Warn: works, but should be fixed (a plain-text secret, a trading
	// key that can withdraw). Warnings do not change the exit code.
	Warn Status = "warn"
	// Fail: something a command will trip over. Any failure makes the
	// exit code 8.
	Fail Status = "fail"
	// Skip: the check does not apply, with the reason in the detail.
	Skip Status = "skip"
)

// Check is one line of the report. Detail never holds a secret.
type Check struct {
	Profile string `json:"profile,omitempty"`
	Name    string `json:"check"`
	Status  Status `json:"status"`
	Detail  string `json:"detail"`
}

// Report is what doctor prints with -o json.
type Report struct {
	OK       bool    `json:"ok"`
	Failed   int     `json:"failed"`
	Warnings int     `json:"warnings"`
	Checks   []Check `json:"checks"`
}

// DefaultCheckTimeout bounds each network check.
const DefaultCheckTimeout = 5 * time.Second

// DoctorOptions is a parsed `doctor`.
type DoctorOptions struct {
	// What the command works with, each built on first use.
	IO           *iostreams.IOStreams
	Getenv       func(string) string
	Now          func() time.Time
	Config       func() (*config.Config, error)
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	// Registry says which credentials each venue needs.
	Registry *exchange.Registry

	// Output and JQ are the global -o and --jq as given: doctor reads the
	// configuration itself (a broken file is a finding), so it builds its
	// printer itself too.
	Output string
	JQ     string
	// ColorChosen says --color was given: the file's colour then does not
	// apply.
	ColorChosen bool
	// ProfileChosen says --profile or TRADECTL_PROFILE named a profile:
	// only that one is checked, else every profile.
	ProfileChosen bool
	// CheckTimeout bounds each check that waits on the network or a
	// secret command.
	CheckTimeout time.Duration
}

// NewCmdDoctor builds the command; runF replaces the run step in tests.
func NewCmdDoctor(f *cmdutil.Factory, runF func(*DoctorOptions) error) *cobra.Command {
	opts := &DoctorOptions{
		IO:           f.IOStreams,
		Getenv:       f.Getenv,
		Now:          f.Now,
		Config:       f.Config,
		OpenExchange: f.OpenExchange,
		Registry:     f.Registry,
	}
	cmd := &cobra.Command{
		Use:   "doctor [--profile P]",
		Short: "Check the configuration, secrets, venues and paper databases",
		Long: heredoc.Doc(`
			Check what trading from scripts depends on, and say what to fix:

			  config file         parses; its permissions (a warning when others can read
			                      plain-text secrets in it, or change it)
			  secret NAME         every secret source resolves (the value is never shown);
			                      secret files must be mode 0600
			  venue               reachable: instruments and a quote, within --check-timeout
			  then what the venue checks of itself, one row each:
			    clock skew        this machine's clock against the venue's (Binance, Coinbase)
			    key permissions   what the API key may do: a warning when a trading key can
			                      withdraw or transfer (Binance, Coinbase, Kraken)
			    credentials       the key signs and its nonce is accepted (Kraken)
			    endpoint          paper or live money (Alpaca)
			    account status    the account is active and may trade (Alpaca)
			    paper database    SQLite integrity check, and locked balances equal to what
			                      the open orders reserve (paper)

			Without --profile (or TRADECTL_PROFILE) every profile is checked.

			Exit status: 0 when no check failed (warnings allowed), 8 when at least one
			failed. The config file is checked too, so a broken file is a failed check,
			not an error.
		`),
		Example: heredoc.Doc(`
			$ tradectl doctor
			$ tradectl doctor --profile paper -o json --jq '.checks[] | select(.status != "ok")'
		`),
		Args:    cobra.NoArgs,
		GroupID: "setup",
		// Doctor reads the config itself, so that a broken file is one of
		// its findings instead of an error before it starts.
		Annotations: map[string]string{"tradectl/no-config": "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.CheckTimeout <= 0 {
				return cmdutil.Usagef("--check-timeout must be above 0")
			}
			opts.Output, opts.JQ = f.Globals.Output, f.Globals.JQ
			opts.ColorChosen = cmd.Flags().Changed("color")
			opts.ProfileChosen = cmd.Flags().Changed("profile") || (f.Getenv != nil && f.Getenv(config.EnvProfile) != "")
			if runF != nil {
				return runF(opts)
			}
			return doctorRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().DurationVar(&opts.CheckTimeout, "check-timeout", DefaultCheckTimeout, "bound each network or secret-command check")
	return cmd
}

func doctorRun(ctx context.Context, o *DoctorOptions) error {
	d := &doctor{o: o}
	cfg, cfgErr := o.Config()
	printer, err := d.printer(cfg, cfgErr)
	if err != nil {
		return err
	}
	d.checkConfig(cfg, cfgErr)
	if cfgErr == nil {
		// Doctor runs without the root command's setup (it must survive a
		// broken file), so it applies the file's colour and --timeout here.
		if !o.ColorChosen {
			if m, ok := iostreams.ParseColorMode(cfg.Color); ok {
				o.IO.SetColorMode(m, o.Getenv)
			}
		}
		if cfg.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
			defer cancel()
		}
		names, err := d.profiles(cfg)
		if err != nil {
			return err
		}
		for _, name := range names {
			if ctx.Err() != nil {
				if errors.Is(ctx.Err(), context.Canceled) {
					return ctx.Err()
				}
				// Report what was found; the rest is a failure of its own.
				d.add(name, "not checked", Fail, "the command's --timeout (%s) ran out first", cfg.Timeout)
				continue
			}
			d.checkProfile(ctx, cfg, cfg.Profiles[name])
		}
	}
	rep := d.report()
	if err := printer.Print(rep, func() *render.TableData { return table(rep) }); err != nil {
		return err
	}
	w := o.IO.ErrOut
	switch {
	case rep.Failed > 0:
		fmt.Fprintf(w, "doctor: %d of %d checks failed, %s\n", rep.Failed, len(rep.Checks), plural(rep.Warnings, "warning"))
		return &cmdutil.SilentError{Err: &cmdutil.PartialError{Failed: rep.Failed, Total: len(rep.Checks)}}
	case rep.Warnings > 0:
		fmt.Fprintf(w, "doctor: no check failed, %s\n", plural(rep.Warnings, "warning"))
	default:
		fmt.Fprintln(w, "doctor: every check passed")
	}
	return nil
}

// doctor collects checks.
type doctor struct {
	o      *DoctorOptions
	checks []Check
	// secrets are the resolved credentials of the profile being checked;
	// add scrubs them from every detail, whatever reported it.
	secrets []string
}

func (d *doctor) add(profile, name string, st Status, format string, args ...any) {
	detail := fmt.Sprintf(format, args...)
	for _, s := range d.secrets {
		detail = strings.ReplaceAll(detail, s, config.RedactedValue)
	}
	d.checks = append(d.checks, Check{Profile: profile, Name: name, Status: st, Detail: detail})
}

func (d *doctor) report() Report {
	r := Report{Checks: d.checks}
	for _, c := range d.checks {
		switch c.Status {
		case Fail:
			r.Failed++
		case Warn:
			r.Warnings++
		}
	}
	r.OK = r.Failed == 0
	if r.Checks == nil {
		r.Checks = []Check{}
	}
	return r
}

// printer builds the output printer even when the config does not load:
// then only -o / TRADECTL_OUTPUT choose the format.
func (d *doctor) printer(cfg *config.Config, cfgErr error) (*render.Printer, error) {
	o := d.o
	format := o.Output
	if cfgErr == nil {
		format = cfg.Output
	} else if format == "" && o.Getenv != nil {
		format = o.Getenv(config.EnvOutput)
	}
	p, err := render.NewPrinter(o.IO, format, o.JQ, o.Now)
	if err != nil {
		return nil, &cmdutil.UsageError{Err: err}
	}
	return p, nil
}

// profiles are the ones to check: the selected one when --profile or
// TRADECTL_PROFILE names it, else all of them.
func (d *doctor) profiles(cfg *config.Config) ([]string, error) {
	if !d.o.ProfileChosen {
		return cfg.ProfileNames(), nil
	}
	p, err := cfg.Selected()
	if err != nil {
		return nil, err
	}
	return []string{p.Name}, nil
}

func table(r Report) *render.TableData {
	t := &render.TableData{Columns: []render.Column{{Header: "profile"}, {Header: "check"}, {Header: "status"}, {Header: "detail", Shrink: true}}}
	style := map[Status]render.Style{OK: render.Good, Warn: render.Warn, Fail: render.Bad, Skip: render.Muted}
	for _, c := range r.Checks {
		t.AddRow(render.T(c.Profile), render.T(c.Name), render.S(string(c.Status), style[c.Status]), render.T(c.Detail))
	}
	return t
}

// sortedKeys returns m's keys in order, for stable reports.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
