package cmdutil

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/spf13/pflag"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/xdg"
)

// Factory hands commands their dependencies. Everything that costs
// something (config, exchanges, HTTP) is a func called on demand, so
// `--help` and `version` never read a file or open a database.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Getenv    func(string) string
	Now       func() time.Time
	Registry  *exchange.Registry

	// Flags are the root command's parsed persistent flags; config
	// precedence (flag > env > file > default) reads them.
	Flags    func() *pflag.FlagSet
	SetFlags func(*pflag.FlagSet)
	Globals  *GlobalOptions

	Dirs       func() (xdg.Dirs, error)
	Config     func() (*config.Config, error)
	HTTPClient func() *http.Client
	Logger     func() *slog.Logger
	// OpenExchange opens the named profile's exchange ("" for the selected
	// profile). It has no side effects; the caller closes it.
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	// ReconcilePending settles the orders an earlier process left pending
	// on the profile. Commands that place or show orders call it; it never
	// fails the command, problems are logged as warnings.
	ReconcilePending func(ctx context.Context, ex exchange.Exchange, profile string)
	// Journal opens the order journal ($XDG_STATE_HOME/tradectl/journal.db)
	// on first use; it is closed when the command ends.
	Journal func() (*journal.Journal, error)
	// FillHistory returns the profile's fills in f's range, oldest first:
	// the whole history, as the venue reports it, for positions, fills and
	// pnl.
	FillHistory func(ctx context.Context, ex exchange.Exchange, profile string, f exchange.FillFilter) ([]trade.Fill, error)

	onExit []func()
}

// OnExit registers fn to run when the command has finished (timers,
// contexts); internal/app calls RunExitHooks once.
func (f *Factory) OnExit(fn func()) { f.onExit = append(f.onExit, fn) }

// RunExitHooks runs the registered hooks, last first.
func (f *Factory) RunExitHooks() {
	for i := len(f.onExit) - 1; i >= 0; i-- {
		f.onExit[i]()
	}
	f.onExit = nil
}

// GlobalOptions are the root command's persistent flags.
type GlobalOptions struct {
	ConfigPath string
	Profile    string
	Output     string
	JQ         string
	Timeout    time.Duration
	Yes        bool
	Verbose    bool
	LogFormat  string
	Color      string
}

// Printer builds the output printer from -o/--jq and the config's default
// output format.
func (f *Factory) Printer() (*render.Printer, error) {
	format := ""
	if cfg, err := f.Config(); err == nil {
		format = cfg.Output
	} else {
		return nil, err
	}
	p, err := render.NewPrinter(f.IOStreams, format, f.Globals.JQ, f.Now)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return p, nil
}

// Reconcile runs ReconcilePending when the factory has one (test
// factories may not).
func (f *Factory) Reconcile(ctx context.Context, ex exchange.Exchange, profile string) {
	if f.ReconcilePending != nil {
		f.ReconcilePending(ctx, ex, profile)
	}
}
