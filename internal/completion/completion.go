// Package completion answers the shell's questions about values: which
// profiles the configuration has, which symbols the selected profile
// trades, which of its orders are open, and the fixed choices of enum
// flags.
//
// A completion runs on every Tab press, so every function here is quiet
// and quick:
//
//   - An error means no suggestions. Nothing is printed: whatever a
//     completion writes becomes part of what the shell offers.
//   - Nothing is sent over the network. Exchanges are opened with an HTTP
//     client that refuses every request and without credentials (no
//     secret command ever runs on Tab). The paper exchange answers from
//     its local database; a venue answers symbols only from its on-disk
//     instrument cache — written whenever a command reads the venue's
//     rules (order create, --dry-run included; doctor; quote on some
//     venues) and used while fresh (instruments_ttl) — and order ids not
//     at all, since a venue's open orders live at the venue.
//   - Everything is bounded by Timeout, in case a database is locked.
//
// The package knows nothing of the CLI's Factory: the commands hand it a
// Source, the few things a completion reads.
package completion

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/xdg"
)

// Timeout bounds one completion: a shell that waits longer than this for
// suggestions feels broken, and none is better than a late one.
const Timeout = 1500 * time.Millisecond

// maxOrders bounds the order ids offered: beyond a screenful a list of
// ids helps nobody.
const maxOrders = 50

// noFiles is the directive for values that are never file names.
const noFiles = cobra.ShellCompDirectiveNoFileComp

// Source is what completions read. Every field is used only when the
// shell asks, so building one costs nothing.
type Source struct {
	// Config loads the configuration as cmd's command line sets it so
	// far: cobra has parsed the flags already typed (--config, --profile)
	// into cmd by the time it asks for completions.
	Config func(cmd *cobra.Command) (*config.Config, error)
	// Registry lists the venues and opens them.
	Registry *exchange.Registry
	// Dirs are where exchanges keep their data and caches.
	Dirs func() (xdg.Dirs, error)
	// Now is the clock exchanges are opened with (nil: the wall clock).
	Now func() time.Time
}

// offline refuses every request; see the package comment.
type offline struct{}

func (offline) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("completion never uses the network")
}

// Fixed completes a flag or argument with fixed values, as the enum flags
// (sides, order types, formats …) do.
func Fixed[T ~string](values []T) cobra.CompletionFunc {
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = string(v)
	}
	return cobra.FixedCompletions(names, noFiles)
}

// Profiles completes profile names from the configuration, with each
// one's exchange as the description. A value with commas (dashboard's
// --profile a,b) completes its last element.
func Profiles(src Source) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		cfg, err := src.config(cmd)
		if err != nil {
			return nil, noFiles
		}
		done, last := "", toComplete
		if i := strings.LastIndex(toComplete, ","); i >= 0 {
			done, last = toComplete[:i+1], toComplete[i+1:]
		}
		taken := strings.Split(done, ",")
		var out []cobra.Completion
		for _, name := range cfg.ProfileNames() {
			if !strings.HasPrefix(name, last) || slices.Contains(taken, name) {
				continue
			}
			out = append(out, cobra.CompletionWithDesc(done+name, cfg.Profiles[name].Exchange))
		}
		return out, noFiles
	}
}

// ProfileArgs completes a command's first argument with profile names
// (config set-secret PROFILE).
func ProfileArgs(src Source) cobra.CompletionFunc {
	profiles := Profiles(src)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, noFiles
		}
		return profiles(cmd, args, toComplete)
	}
}

// Exchanges completes the registered exchange names, with their summaries.
func Exchanges(src Source) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if src.Registry == nil {
			return nil, noFiles
		}
		var out []cobra.Completion
		for _, name := range src.Registry.Names() {
			v, _ := src.Registry.Lookup(name)
			if strings.HasPrefix(name, toComplete) {
				out = append(out, cobra.CompletionWithDesc(name, v.Summary))
			}
		}
		return out, noFiles
	}
}

// Symbols completes symbol arguments from the selected profile's
// instruments. max is how many symbol arguments the command takes (0: any
// number); symbols already on the line are not offered again.
func Symbols(src Source, max int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if max > 0 && len(args) >= max {
			return nil, noFiles
		}
		return symbols(src, cmd, args, toComplete), noFiles
	}
}

// SymbolFlag completes a --symbol flag from the selected profile's
// instruments.
func SymbolFlag(src Source) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return symbols(src, cmd, nil, toComplete), noFiles
	}
}

func symbols(src Source, cmd *cobra.Command, args []string, toComplete string) []cobra.Completion {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	ex, err := open(ctx, src, cmd)
	if err != nil {
		return nil
	}
	defer ex.Close()
	instruments, err := ex.Instruments(ctx)
	if err != nil {
		return nil
	}
	given := make(map[string]bool, len(args))
	for _, a := range args {
		if s, err := trade.ParseSymbol(a); err == nil {
			given[s.String()] = true
		}
	}
	prefix := strings.ToUpper(toComplete)
	var out []cobra.Completion
	for _, in := range instruments {
		s := in.Symbol.String()
		if given[s] || !strings.HasPrefix(s, prefix) {
			continue
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// OrderIDs completes order ids with the selected profile's open orders,
// described by what they are ("buy 0.5 ETH-USD @ 2000"). max is how many
// ids the command takes (0: any number). Only simulated venues (paper)
// answer: they keep their orders locally, while a real venue's orders are
// at the venue, and completion makes no network call.
func OrderIDs(src Source, max int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if max > 0 && len(args) >= max {
			return nil, noFiles
		}
		return orderIDs(src, cmd, args, toComplete), noFiles
	}
}

func orderIDs(src Source, cmd *cobra.Command, args []string, toComplete string) []cobra.Completion {
	cfg, err := src.config(cmd)
	if err != nil {
		return nil
	}
	prof, err := cfg.Selected()
	if err != nil {
		return nil
	}
	if src.Registry == nil {
		return nil
	}
	if v, ok := src.Registry.Lookup(prof.Exchange); !ok || !v.Simulated {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	ex, err := open(ctx, src, cmd)
	if err != nil {
		return nil
	}
	defer ex.Close()
	orders, err := ex.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListOpen, Limit: maxOrders})
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, o := range orders {
		if slices.Contains(args, o.ID) || !strings.HasPrefix(o.ID, toComplete) {
			continue
		}
		out = append(out, cobra.CompletionWithDesc(o.ID, describe(o)))
	}
	return out
}

// describe is an order in a few words, for the shell to show beside its id.
func describe(o trade.Order) string {
	s := fmt.Sprintf("%s %s %s %s", o.Side, o.Qty, o.Symbol, o.Type)
	if o.Price.Valid {
		s += " @ " + o.Price.Decimal.String()
	}
	if o.StopPrice.Valid {
		s += ", trigger " + o.StopPrice.Decimal.String()
	}
	return s + " (" + string(o.Status) + ")"
}

// errIncomplete is a Source without what a completion needs: no
// suggestions, as for any other error.
var errIncomplete = errors.New("completion: the source lacks what this completion reads")

func (src Source) config(cmd *cobra.Command) (*config.Config, error) {
	if src.Config == nil {
		return nil, errIncomplete
	}
	return src.Config(cmd)
}

// open opens the selected profile's exchange for a completion: offline,
// without credentials, logging nowhere (see the package comment).
func open(ctx context.Context, src Source, cmd *cobra.Command) (exchange.Exchange, error) {
	cfg, err := src.config(cmd)
	if err != nil {
		return nil, err
	}
	prof, err := cfg.Selected()
	if err != nil {
		return nil, err
	}
	if src.Dirs == nil || src.Registry == nil {
		return nil, errIncomplete
	}
	dirs, err := src.Dirs()
	if err != nil {
		return nil, err
	}
	dataDir, cacheDir := dirs.DataDir(), dirs.CacheDir()
	for _, d := range []string{dataDir, cacheDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	now := src.Now
	if now == nil {
		now = time.Now
	}
	return src.Registry.Open(ctx, exchange.Params{
		Profile:    prof.Name,
		Exchange:   prof.Exchange,
		Options:    prof.Options,
		Secret:     func(context.Context, string) (string, error) { return "", nil },
		DataDir:    dataDir,
		CacheDir:   cacheDir,
		Now:        now,
		HTTPClient: &http.Client{Transport: offline{}, Timeout: Timeout},
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}
