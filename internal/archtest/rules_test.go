// Package archtest holds the import rules of tradectl's layers (see
// docs/architecture.md) and the test that checks the module against them.
// It has only test files: nothing ships from it.
//
// The rules are plain functions over one import edge, so the test can feed
// them synthetic edges and prove each rule refuses what it must: a rule
// that accepts everything would otherwise pass silently.
package archtest

import (
	"fmt"
	"strings"
)

// Edge is one import: From (a package path relative to the module, such as
// "internal/risk") imports To (relative when it is in the module, the full
// path otherwise). Test is true when the import is made only by a _test.go
// file, which the rules about shipped code ignore.
type Edge struct {
	From, To string
	Test     bool
}

func (e Edge) String() string {
	kind := ""
	if e.Test {
		kind = " (test)"
	}
	return fmt.Sprintf("%s -> %s%s", e.From, e.To, kind)
}

// Rule is one import rule; Check returns why e breaks it, or "" when e is
// allowed.
type Rule struct {
	Name  string
	Check func(e Edge) string
}

// Rules are the import rules, in the order docs/architecture.md gives them.
var Rules = []Rule{
	{"commands-reach-venues-through-the-registry", commandsNoAdapters},
	{"adapters-know-no-cli", adaptersNoCLI},
	{"no-cmdutil-below-the-commands", noCmdutilBelowCommands},
	{"no-command-package-below-the-commands", noCommandsBelowCommands},
	{"venues-meet-only-in-the-factory", adaptersNoAdapters},
	{"no-fakes-in-shipped-code", noFakesInShippedCode},
}

// Violations returns, for each rule e breaks, "rule: reason".
func Violations(e Edge) []string {
	var out []string
	for _, r := range Rules {
		if why := r.Check(e); why != "" {
			out = append(out, r.Name+": "+why)
		}
	}
	return out
}

// adapters are the venue adapters. A package below one (a fake, the paper
// engine's simulator) counts as part of it.
var adapters = []string{
	"internal/exchange/alpaca",
	"internal/exchange/binance",
	"internal/exchange/coinbase",
	"internal/exchange/kraken",
	"internal/exchange/paper",
}

// adapterOf returns the adapter p belongs to, or "".
func adapterOf(p string) string {
	for _, a := range adapters {
		if within(p, a) {
			return a
		}
	}
	return ""
}

// within reports whether p is dir or a package below it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/")
}

// commandLayer reports whether p is part of the command layer: the
// commands, the factory, internal/app and the main packages.
func commandLayer(p string) bool {
	return within(p, "internal/cmd") || p == "internal/app" || within(p, "cmd")
}

// isFake reports whether p is a venue fake (internal/exchange/*/fake*) or
// the conformance suite: test helpers, never shipped.
func isFake(p string) bool {
	if within(p, "internal/exchange/exchangetest") {
		return true
	}
	parts := strings.Split(p, "/")
	return len(parts) >= 4 && parts[0] == "internal" && parts[1] == "exchange" && strings.HasPrefix(parts[3], "fake")
}

// commandsNoAdapters: a command gets its exchange from the Factory
// (OpenExchange over the registry) and asks it for properties and
// capabilities (exchange.IsSimulated, exchange.Diagnoser); only the factory
// that builds the registry names the venues. Tests may build a venue.
func commandsNoAdapters(e Edge) string {
	if e.Test || !within(e.From, "internal/cmd") || within(e.From, "internal/cmd/factory") {
		return ""
	}
	if a := adapterOf(e.To); a != "" {
		return fmt.Sprintf("a command imports the venue adapter %s; open venues through the Factory and ask for capabilities (only internal/cmd/factory builds the registry)", a)
	}
	return ""
}

// cliPackages are what only the command layer may use.
var cliPackages = []string{
	"internal/cmd",
	"internal/app",
	"internal/cmdutil",
	"internal/iostreams",
	"internal/render",
	"github.com/spf13/cobra",
	"github.com/spf13/pflag",
	"github.com/spf13/viper",
	"github.com/charmbracelet/lipgloss",
	"internal/livescreen",
}

// adaptersNoCLI: everything under internal/exchange (adapters, fakes, the
// shared venue HTTP core, the rule cache) speaks the venue's protocol and
// returns typed errors; it knows nothing of flags, terminals or output.
// This holds for its tests too.
func adaptersNoCLI(e Edge) string {
	if !within(e.From, "internal/exchange") {
		return ""
	}
	for _, c := range cliPackages {
		if within(e.To, c) {
			return fmt.Sprintf("code under internal/exchange imports CLI code %s", e.To)
		}
	}
	return ""
}

// noCmdutilBelowCommands: packages the commands use (risk, placement,
// confirm, orderplan, orderfollow, journal …) return their own typed errors;
// the commands translate them into cmdutil's vocabulary (usage error,
// refusal, exit codes). Only the commands and internal/app use it; the
// main packages go through internal/app or the factory. Tests of a lower
// package may still check how the command layer classifies its errors.
func noCmdutilBelowCommands(e Edge) string {
	if e.Test || within(e.From, "internal/cmd") || e.From == "internal/app" || e.From == "internal/cmdutil" || e.To != "internal/cmdutil" {
		return ""
	}
	return "a package below the commands imports internal/cmdutil; return a typed error and let the command translate it"
}

// noCommandsBelowCommands: dependencies point down. A package below the
// commands never imports a command package (internal/cmd/**) or internal/app.
func noCommandsBelowCommands(e Edge) string {
	if e.Test || commandLayer(e.From) {
		return ""
	}
	if within(e.To, "internal/cmd") || e.To == "internal/app" {
		return fmt.Sprintf("a package below the commands imports the command package %s", e.To)
	}
	return ""
}

// adaptersNoAdapters: venues meet only in the factory. An adapter imports
// no other adapter (the paper exchange gets its real price sources from
// the factory), and the packages shared by adapters (internal/exchange,
// its rule cache and HTTP core) import none. Tests may, to check one venue
// against another.
func adaptersNoAdapters(e Edge) string {
	if e.Test || !within(e.From, "internal/exchange") {
		return ""
	}
	to := adapterOf(e.To)
	if to == "" || to == adapterOf(e.From) {
		return ""
	}
	return fmt.Sprintf("%s imports the venue adapter %s; venues are put together in internal/cmd/factory", e.From, to)
}

// noFakesInShippedCode: the venue fakes and the conformance suite are test
// helpers; shipped code never imports them.
func noFakesInShippedCode(e Edge) string {
	if e.Test || !isFake(e.To) || within(e.From, e.To) {
		return ""
	}
	return fmt.Sprintf("shipped code imports the test helper %s", e.To)
}
