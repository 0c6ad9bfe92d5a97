// Package factory wires the real dependencies into a cmdutil.Factory: the
// one place that knows every venue and reads the process environment.
package factory

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/alpaca"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/coinbase"
	"github.com/tradectl/tradectl/internal/exchange/kraken"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/placement"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/xdg"
)

// Registry lists every venue tradectl can open. The paper exchange may
// take its prices from any real venue (price_source); it gets them here so
// that it imports none of the adapters.
func Registry() *exchange.Registry { return registry(false) }

// registry is Registry with the paper exchange told whether TRADECTL_NOW
// pins the clock: a pinned clock never changes a paper account that lives
// in real time (paper.WithPinnedClock).
func registry(pinnedClock bool) *exchange.Registry {
	paperOpts := []paper.Option{paper.WithPriceSources(binance.Venue(), alpaca.Venue(), coinbase.Venue(), kraken.Venue())}
	if pinnedClock {
		paperOpts = append(paperOpts, paper.WithPinnedClock())
	}
	return exchange.NewRegistry(
		paper.Venue(paperOpts...),
		binance.Venue(),
		alpaca.Venue(),
		coinbase.Venue(),
		kraken.Venue(),
	)
}

// New builds a factory over the given streams and environment. now is the
// clock (nil: the wall clock).
func New(ios *iostreams.IOStreams, getenv func(string) string, now func() time.Time) *cmdutil.Factory {
	var clockErr error
	pinned := false
	if now == nil {
		now, clockErr = clockFromEnv(getenv)
		pinned = clockErr == nil && getenv("TRADECTL_NOW") != ""
	}
	f := &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    getenv,
		Now:       now,
		Registry:  registry(pinned),
		Globals:   &cmdutil.GlobalOptions{},
	}
	var flags *pflag.FlagSet
	f.Flags = func() *pflag.FlagSet { return flags }
	f.SetFlags = func(fs *pflag.FlagSet) { flags = fs }

	f.Dirs = sync.OnceValues(func() (xdg.Dirs, error) {
		d, err := xdg.FromEnv(getenv)
		if err != nil {
			return d, &cmdutil.SetupError{Err: err}
		}
		return d, nil
	})
	f.Logger = sync.OnceValue(func() *slog.Logger { return newLogger(f) })
	f.HTTPClient = sync.OnceValue(func() *http.Client {
		return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	})
	loadConfig := sync.OnceValues(func() (*config.Config, error) {
		if clockErr != nil {
			return nil, clockErr
		}
		dirs, err := f.Dirs()
		if err != nil {
			return nil, err
		}
		return config.Load(context.Background(), config.LoadOptions{
			Path:     f.Globals.ConfigPath,
			Getenv:   getenv,
			Flags:    f.Flags(),
			Registry: f.Registry,
			Dirs:     dirs,
		})
	})
	var decideOutput sync.Once
	f.Config = func() (*config.Config, error) {
		cfg, err := loadConfig()
		if err == nil {
			// The output format is decided once, here: the config has
			// weighed -o, TRADECTL_OUTPUT and the file's output. Everything
			// after (printer, error envelope, logger) reads the result.
			// Config is called from concurrent fetches (dashboard), so the
			// write happens once.
			decideOutput.Do(func() { f.Globals.Output = cfg.Output })
		}
		return cfg, err
	}
	f.OpenExchange = func(ctx context.Context, name string) (exchange.Exchange, config.Profile, error) {
		return openExchange(ctx, f, name)
	}
	f.ReconcilePending = func(ctx context.Context, ex exchange.Exchange, profile string) {
		reconcilePending(ctx, f, ex, profile)
	}
	f.FillHistory = newFillHistory(f)
	f.Journal = sync.OnceValues(func() (*journal.Journal, error) {
		dirs, err := f.Dirs()
		if err != nil {
			return nil, err
		}
		j, err := journal.Open(context.Background(), filepath.Join(dirs.StateDir(), journal.FileName), journal.WithClock(f.Now))
		if err != nil {
			return nil, &cmdutil.SetupError{Err: err}
		}
		f.OnExit(func() { _ = j.Close() })
		return j, nil
	})
	return f
}

// reconcileOptions keep the check every command makes cheap: one look-up
// per pending intent, a short attempt; whatever stays unknown is left for
// the next command, with a warning.
func reconcileOptions() placement.Options {
	return placement.Options{
		AttemptTimeout: 5 * time.Second,
		Retry:          placement.Retry{Sends: 1, Lookups: 1, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, MaxRetryAfter: time.Second},
	}
}

// reconcilePending settles the orders an earlier process left pending on
// the profile — the next command on a profile reconciles first. It never
// fails the command: problems are warnings. Without a journal file nothing
// was ever placed from this machine, and none is created.
func reconcilePending(ctx context.Context, f *cmdutil.Factory, ex exchange.Exchange, profile string) {
	dirs, err := f.Dirs()
	if err != nil || !journal.Exists(filepath.Join(dirs.StateDir(), journal.FileName)) {
		return
	}
	j, err := f.Journal()
	if err != nil {
		f.Logger().Warn("the order journal cannot be opened; earlier pending orders were not checked", "err", err)
		return
	}
	deps := placement.Deps{Exchange: ex, Journal: j, Profile: profile, LockDir: placement.LockDir(dirs.StateDir()), Logger: f.Logger()}
	if _, err := placement.Reconcile(ctx, deps, reconcileOptions()); err != nil {
		f.Logger().Warn("earlier pending orders could not be checked", "profile", profile, "err", err)
	}
}

// clockFromEnv pins the clock to TRADECTL_NOW (RFC 3339) when it is set:
// the paper exchange's prices are a function of time, so a pinned clock
// replays the same market — for tests, demos and reproducing a problem.
// It never changes a paper account that lives in real time: that account
// is a read-only replay under it (see registry).
func clockFromEnv(getenv func(string) string) (func() time.Time, error) {
	v := getenv("TRADECTL_NOW")
	if v == "" {
		return time.Now, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Now, &cmdutil.SetupError{Err: fmt.Errorf("TRADECTL_NOW=%q: want an RFC 3339 time such as 2026-11-27T12:00:00Z", v)}
	}
	return func() time.Time { return t }, nil
}

func newLogger(f *cmdutil.Factory) *slog.Logger {
	level := slog.LevelWarn
	if f.Globals.Verbose {
		level = slog.LevelDebug
	}
	if JSONStderr(f) {
		return slog.New(JSONLogHandler(f.IOStreams.ErrOut, level))
	}
	return slog.New(slog.NewTextHandler(f.IOStreams.ErrOut, &slog.HandlerOptions{Level: level}))
}

// OutputFormat is the output format the command runs with: the config's
// decision once it is loaded (flag > TRADECTL_OUTPUT > file), else -o,
// else TRADECTL_OUTPUT — so an error before or while reading the config
// still honours what the command line and environment asked for.
func OutputFormat(f *cmdutil.Factory) render.Format {
	for _, v := range []string{f.Globals.Output, getenv(f, config.EnvOutput)} {
		if v == "" {
			continue
		}
		if format, err := render.ParseFormat(v); err == nil {
			return format
		}
		return render.Table
	}
	return render.Table
}

// JSONStderr reports whether stderr carries JSON (logs and the error):
// with --log-format json, or when the output is json or ndjson, so that
// `-o json >> log 2>&1` leaves a log made of JSON lines only.
func JSONStderr(f *cmdutil.Factory) bool {
	return f.Globals.LogFormat == "json" || OutputFormat(f).Machine()
}

// JSONLogHandler writes JSON log lines with the time the way every
// tradectl document writes times (trade.FormatTime).
func JSONLogHandler(w io.Writer, level slog.Leveler) slog.Handler {
	return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
			return slog.String(slog.TimeKey, trade.FormatTime(a.Value.Time()))
		}
		return a
	}})
}

func getenv(f *cmdutil.Factory, key string) string {
	if f.Getenv == nil {
		return ""
	}
	return f.Getenv(key)
}

func openExchange(ctx context.Context, f *cmdutil.Factory, name string) (exchange.Exchange, config.Profile, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, config.Profile{}, err
	}
	var prof config.Profile
	if name == "" {
		prof, err = cfg.Selected()
	} else {
		prof, err = cfg.Lookup(name)
	}
	if err != nil {
		return nil, prof, err
	}
	dirs, err := f.Dirs()
	if err != nil {
		return nil, prof, err
	}
	dataDir, cacheDir := dirs.DataDir(), dirs.CacheDir()
	for _, d := range []string{dataDir, cacheDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, prof, &cmdutil.SetupError{Err: fmt.Errorf("cannot create directory %s: %w", d, err)}
		}
	}
	ex, err := f.Registry.Open(ctx, exchange.Params{
		Profile:    prof.Name,
		Exchange:   prof.Exchange,
		Options:    prof.Options,
		Secret:     prof.SecretResolver(f.Getenv, config.ShellRunner(f.IOStreams.ErrOut)),
		DataDir:    dataDir,
		CacheDir:   cacheDir,
		Now:        f.Now,
		HTTPClient: f.HTTPClient(),
		Logger:     f.Logger().With(slog.String("profile", prof.Name)),
	})
	if err != nil {
		return nil, prof, fmt.Errorf("open profile %q (%s): %w", prof.Name, prof.Exchange, err)
	}
	return ex, prof, nil
}
