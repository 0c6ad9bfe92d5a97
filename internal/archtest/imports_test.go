package archtest

import (
	"bufio"
	"errors"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const modulePath = "github.com/tradectl/tradectl"

// allowed are today's breaches of the rules, each with the work that
// removes it. An entry must match a real import that breaks a rule: the
// test fails on a stale entry, so the list only ever shrinks. Today every
// rule holds with no exception.
var allowed = map[Edge]string{}

// TestImportRules checks every import in the module, test files included,
// against Rules.
func TestImportRules(t *testing.T) {
	edges := moduleEdges(t)
	// The scan must see the module: a rule checked against nothing passes.
	for _, want := range []Edge{
		{From: "internal/cmd/factory", To: "internal/exchange/binance"},
		{From: "internal/exchange/binance", To: "internal/exchange/binance/fakebinance", Test: true},
		{From: "internal/cmd/root", To: "github.com/spf13/cobra"},
	} {
		if !edges[want] {
			t.Fatalf("the scan of the module did not find the import %v; it is not reading the module", want)
		}
	}

	used := map[Edge]bool{}
	for _, e := range sortedEdges(edges) {
		v := Violations(e)
		if len(v) == 0 {
			continue
		}
		key := Edge{From: e.From, To: e.To}
		if rule, ok := allowed[key]; ok && len(v) == 1 && strings.HasPrefix(v[0], rule+":") {
			used[key] = true
			continue
		}
		for _, why := range v {
			t.Errorf("%v breaks %s", e, why)
		}
	}
	for e := range allowed {
		if !used[e] {
			t.Errorf("allow-list entry %v is stale: nothing breaks the rule there any more; delete it", e)
		}
	}
}

// TestRules feeds the rules synthetic imports, so a rule that accepts
// everything (or refuses everything) fails here.
func TestRules(t *testing.T) {
	tests := []struct {
		edge Edge
		want []string // names of the rules broken; nil: allowed
	}{
		// A command and the venues.
		{Edge{From: "internal/cmd/order/create", To: "internal/exchange"}, nil},
		{Edge{From: "internal/cmd/order/create", To: "internal/exchange/binance"}, []string{"commands-reach-venues-through-the-registry"}},
		{Edge{From: "internal/cmd/doctor", To: "internal/exchange/paper"}, []string{"commands-reach-venues-through-the-registry"}},
		{Edge{From: "internal/cmd/paper", To: "internal/exchange/paper/sim"}, []string{"commands-reach-venues-through-the-registry"}},
		{Edge{From: "internal/cmd/dashboard", To: "internal/exchange/kraken/fakekraken"}, []string{"commands-reach-venues-through-the-registry", "no-fakes-in-shipped-code"}},
		{Edge{From: "internal/cmd/dashboard", To: "internal/exchange/binance/fakebinance", Test: true}, nil},
		{Edge{From: "internal/cmd/factory", To: "internal/exchange/coinbase"}, nil},
		{Edge{From: "internal/cmd/factory", To: "internal/exchange/alpaca"}, nil},
		{Edge{From: "internal/cmd/factoryish", To: "internal/exchange/alpaca"}, []string{"commands-reach-venues-through-the-registry"}},
		{Edge{From: "internal/cmd/quote", To: "internal/exchange/rulecache"}, nil},
		{Edge{From: "internal/cmd/quote", To: "internal/exchange/venuehttp"}, nil},
		{Edge{From: "internal/cmd/quote", To: "internal/exchange/papers"}, nil},

		// Adapters and CLI code, tests included.
		{Edge{From: "internal/exchange/kraken", To: "internal/cmdutil"}, []string{"adapters-know-no-cli", "no-cmdutil-below-the-commands"}},
		{Edge{From: "internal/exchange/kraken", To: "internal/cmdutil", Test: true}, []string{"adapters-know-no-cli"}},
		{Edge{From: "internal/exchange/binance", To: "github.com/spf13/cobra"}, []string{"adapters-know-no-cli"}},
		{Edge{From: "internal/exchange/venuehttp", To: "github.com/spf13/viper"}, []string{"adapters-know-no-cli"}},
		{Edge{From: "internal/exchange/paper", To: "github.com/charmbracelet/lipgloss"}, []string{"adapters-know-no-cli"}},
		{Edge{From: "internal/exchange/paper/sim", To: "internal/render"}, []string{"adapters-know-no-cli"}},
		{Edge{From: "internal/exchange/alpaca/fakealpaca", To: "internal/iostreams", Test: true}, []string{"adapters-know-no-cli"}},
		{Edge{From: "internal/exchange", To: "internal/cmd/root"}, []string{"adapters-know-no-cli", "no-command-package-below-the-commands"}},
		{Edge{From: "internal/exchange/coinbase", To: "github.com/spf13/cobra/doc"}, []string{"adapters-know-no-cli"}},
		{Edge{From: "internal/exchange/coinbase", To: "github.com/spf13/cobrax"}, nil},
		{Edge{From: "internal/exchange/coinbase", To: "internal/exchange/venuehttp"}, nil},

		// cmdutil stays in the command layer.
		{Edge{From: "internal/risk", To: "internal/cmdutil"}, []string{"no-cmdutil-below-the-commands"}},
		{Edge{From: "internal/placement", To: "internal/cmdutil"}, []string{"no-cmdutil-below-the-commands"}},
		{Edge{From: "internal/orderplan", To: "internal/cmdutil"}, []string{"no-cmdutil-below-the-commands"}},
		{Edge{From: "internal/completion", To: "internal/cmdutil"}, []string{"no-cmdutil-below-the-commands"}},
		{Edge{From: "internal/completion", To: "internal/cmdutil", Test: true}, nil},
		{Edge{From: "internal/cmdx", To: "internal/cmdutil"}, []string{"no-cmdutil-below-the-commands"}},
		{Edge{From: "internal/app/appx", To: "internal/cmdutil"}, []string{"no-cmdutil-below-the-commands"}},
		{Edge{From: "cmd/tradectl", To: "internal/cmdutil"}, []string{"no-cmdutil-below-the-commands"}},
		{Edge{From: "internal/cmd/factory", To: "internal/cmdutil"}, nil},
		{Edge{From: "internal/cmdutil", To: "internal/completion"}, nil},
		{Edge{From: "internal/risk", To: "internal/cmdutil", Test: true}, nil},
		{Edge{From: "internal/cmd/order/create", To: "internal/cmdutil"}, nil},
		{Edge{From: "internal/app", To: "internal/cmdutil"}, nil},
		{Edge{From: "cmd/gendocs", To: "internal/cmdutil"}, []string{"no-cmdutil-below-the-commands"}},
		{Edge{From: "cmd/tradectl", To: "internal/cmdutil", Test: true}, nil},
		{Edge{From: "internal/cmdutil", To: "internal/journal"}, nil},
		{Edge{From: "internal/risk", To: "internal/cmdutilx"}, nil},
		{Edge{From: "internal/risk", To: "internal/exchange"}, nil},

		// Dependencies point down.
		{Edge{From: "internal/orderfollow", To: "internal/cmd/order/watch"}, []string{"no-command-package-below-the-commands"}},
		{Edge{From: "internal/cmdutil", To: "internal/cmd/factory"}, []string{"no-command-package-below-the-commands"}},
		{Edge{From: "internal/journal", To: "internal/app"}, []string{"no-command-package-below-the-commands"}},
		{Edge{From: "internal/completion", To: "internal/cmd/factory", Test: true}, nil},
		{Edge{From: "cmd/gendocs", To: "internal/cmd/root"}, nil},
		{Edge{From: "internal/cmd/order", To: "internal/cmd/order/create"}, nil},
		{Edge{From: "internal/orderplan", To: "internal/trade"}, nil},

		// Venues meet in the factory.
		{Edge{From: "internal/exchange/paper", To: "internal/exchange/binance"}, []string{"venues-meet-only-in-the-factory"}},
		{Edge{From: "internal/exchange/venuehttp", To: "internal/exchange/kraken"}, []string{"venues-meet-only-in-the-factory"}},
		{Edge{From: "internal/exchange/paper", To: "internal/exchange/binance/fakebinance", Test: true}, nil},
		{Edge{From: "internal/exchange/paper", To: "internal/exchange/paper/sim"}, nil},
		{Edge{From: "internal/exchange/kraken", To: "internal/exchange/rulecache"}, nil},

		// Fakes and the conformance suite are for tests only.
		{Edge{From: "internal/placement", To: "internal/exchange/binance/fakebinance"}, []string{"no-fakes-in-shipped-code"}},
		{Edge{From: "internal/exchange/binance", To: "internal/exchange/binance/fakebinance"}, []string{"no-fakes-in-shipped-code"}},
		{Edge{From: "cmd/tradectl", To: "internal/exchange/exchangetest"}, []string{"no-fakes-in-shipped-code"}},
		{Edge{From: "internal/exchange/exchangetest", To: "internal/exchange/kraken/fakekraken"}, []string{"venues-meet-only-in-the-factory", "no-fakes-in-shipped-code"}},
		{Edge{From: "cmd/tradectl", To: "internal/exchange/kraken/fakekraken", Test: true}, nil},
		{Edge{From: "internal/exchange/alpaca", To: "internal/exchange/exchangetest", Test: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.edge.String(), func(t *testing.T) {
			got := ruleNames(Violations(tt.edge))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rules broken by %v (-want +got):\n%s", tt.edge, diff)
			}
		})
	}
}

// TestAllowedAreBreaches keeps the allow-list honest: an entry that breaks
// no rule, or another rule than it says, excuses nothing and must go.
func TestAllowedAreBreaches(t *testing.T) {
	for e, rule := range allowed {
		if diff := cmp.Diff([]string{rule}, ruleNames(Violations(e))); diff != "" {
			t.Errorf("allow-list entry %v (-want +got):\n%s", e, diff)
		}
	}
}

func ruleNames(vs []string) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v[:strings.Index(v, ":")])
	}
	return out
}

// moduleEdges reads the import declarations of every Go file in the module.
// It parses the files itself rather than asking go/build, so files behind
// build constraints (another OS, a build tag) are checked too.
func moduleEdges(t *testing.T) map[Edge]bool {
	t.Helper()
	root := moduleRoot(t)
	fset := token.NewFileSet()
	prod := map[Edge]bool{}
	test := map[Edge]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if p != root {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(p))
		if err != nil {
			return err
		}
		from := filepath.ToSlash(rel)
		isTest := strings.HasSuffix(name, "_test.go")
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			to := imp
			if imp == modulePath {
				to = "."
			} else if rest, ok := strings.CutPrefix(imp, modulePath+"/"); ok {
				to = rest
			}
			e := Edge{From: from, To: to}
			if isTest {
				test[e] = true
			} else {
				prod[e] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// An import made by shipped code is a shipped import, even when a test
	// file repeats it.
	edges := map[Edge]bool{}
	for e := range prod {
		// A test-support package (exchangetest, venuetest, ordertest) is
		// imported only by tests: its imports count as test imports.
		e.Test = testSupport(e.From)
		edges[e] = true
	}
	for e := range test {
		if !prod[e] {
			e.Test = true
			edges[e] = true
		}
	}
	return edges
}

// moduleRoot finds the directory of tradectl's go.mod above the test.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if mod, err := modulePathOf(filepath.Join(dir, "go.mod")); err == nil {
			if mod != modulePath {
				t.Fatalf("go.mod in %s declares module %q, want %q", dir, mod, modulePath)
			}
			return dir
		} else if !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

func modulePathOf(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	if err := s.Err(); err != nil {
		return "", err
	}
	return "", errors.New(gomod + ": no module line")
}

func sortedEdges(m map[Edge]bool) []Edge {
	out := make([]Edge, 0, len(m))
	for e := range m {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].From != out[j].From {
			return out[i].From < out[j].From
		}
		return out[i].To < out[j].To
	})
	return out
}

// testSupport reports whether pkg exists only to serve tests: its name ends
// in "test" (internal/exchange/exchangetest, internal/cmd/order/ordertest).
func testSupport(pkg string) bool {
	return strings.HasSuffix(path.Base(pkg), "test") && path.Base(pkg) != "archtest"
}
