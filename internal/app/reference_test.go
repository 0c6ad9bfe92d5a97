package app

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/build"
	"github.com/tradectl/tradectl/internal/cmd/book"
	"github.com/tradectl/tradectl/internal/cmd/candles"
	"github.com/tradectl/tradectl/internal/cmd/configcmd"
	"github.com/tradectl/tradectl/internal/cmd/dashboard"
	deadmancmd "github.com/tradectl/tradectl/internal/cmd/deadman"
	"github.com/tradectl/tradectl/internal/cmd/doctor"
	"github.com/tradectl/tradectl/internal/cmd/events"
	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/cmd/fills"
	"github.com/tradectl/tradectl/internal/cmd/order/amend"
	"github.com/tradectl/tradectl/internal/cmd/order/create"
	"github.com/tradectl/tradectl/internal/cmd/order/expire"
	pnlcmd "github.com/tradectl/tradectl/internal/cmd/pnl"
	"github.com/tradectl/tradectl/internal/cmd/positions"
	"github.com/tradectl/tradectl/internal/cmd/watch"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/notify"
	"github.com/tradectl/tradectl/internal/pnl"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/twap"
	"github.com/tradectl/tradectl/internal/xdg"
)

// The README's reference sections are tables whose first column names
// JSON fields or configuration keys in backticks, one table per "####"
// heading. These tests compare them with the code both ways, so a field
// or key added, renamed or removed fails here until the README says so.

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// section returns the text under the heading line title (e.g. "### JSON
// output") up to the next heading of the same or a higher level.
func section(t *testing.T, doc, title string) string {
	t.Helper()
	level := strings.Index(title, " ")
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		if l != title {
			continue
		}
		var out []string
		for _, m := range lines[i+1:] {
			if n := headingLevel(m); n > 0 && n <= level {
				break
			}
			out = append(out, m)
		}
		return strings.Join(out, "\n")
	}
	t.Fatalf("README.md has no heading %q", title)
	return ""
}

func headingLevel(line string) int {
	n := len(line) - len(strings.TrimLeft(line, "#"))
	if n > 0 && strings.HasPrefix(line[n:], " ") {
		return n
	}
	return 0
}

// subsections splits text at its "#### " headings.
func subsections(text string) map[string]string {
	out := map[string]string{}
	var name string
	for _, l := range strings.Split(text, "\n") {
		if h, ok := strings.CutPrefix(l, "#### "); ok {
			name = h
			continue
		}
		if name != "" {
			out[name] += l + "\n"
		}
	}
	return out
}

var backticked = regexp.MustCompile("`([^`]+)`")

// tableNames lists the backticked names in the first column of the
// tables in text, sorted.
func tableNames(text string) []string {
	var names []string
	for _, l := range strings.Split(text, "\n") {
		cells := strings.Split(l, "|")
		if !strings.HasPrefix(l, "|") || len(cells) < 3 || strings.HasPrefix(cells[1], "---") {
			continue
		}
		for _, m := range backticked.FindAllStringSubmatch(cells[1], -1) {
			names = append(names, m[1])
		}
	}
	sort.Strings(names)
	return slices.Compact(names)
}

// jsonFields lists the JSON field names of the values' types, flattening
// embedded structs as encoding/json does.
func jsonFields(values ...any) []string {
	var names []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				walk(f.Type)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			names = append(names, name)
		}
	}
	for _, v := range values {
		walk(reflect.TypeOf(v))
	}
	sort.Strings(names)
	return slices.Compact(names)
}

func TestReadmeJSONSchemas(t *testing.T) {
	tables := subsections(section(t, readme(t), "### JSON output"))
	schemas := map[string][]string{
		"Order":                jsonFields(create.CreatedOrder{}, amend.AmendedOrder{}),
		"Amend dry run":        jsonFields(amend.DryRunResult{}),
		"Amend request":        jsonFields(trade.AmendRequest{}),
		"Amend plan":           jsonFields(exchange.AmendPlan{}),
		"Balance":              jsonFields(trade.Balance{}),
		"Quote":                jsonFields(trade.Quote{}),
		"Order book":           jsonFields(book.View{}),
		"Order book level":     jsonFields(book.Level{}),
		"Candle":               jsonFields(candles.Row{}),
		"Dry run":              jsonFields(create.DryRunResult{}),
		"Order request":        jsonFields(trade.OrderRequest{}),
		"Risk report":          jsonFields(risk.Report{}),
		"Risk override":        jsonFields(risk.Override{}),
		"Slippage estimate":    jsonFields(risk.Estimate{}),
		"Dashboard snapshot":   jsonFields(dashboard.Snapshot{}),
		"Dashboard account":    jsonFields(dashboard.Account{}),
		"Account error":        jsonFields(dashboard.AccountError{}),
		"Balance line":         jsonFields(dashboard.BalanceLine{}),
		"Position":             jsonFields(pnl.Valuation{}),
		"Position row":         jsonFields(positions.Position{}),
		"Close result":         jsonFields(positions.CloseResult{}),
		"Instrument":           jsonFields(trade.Instrument{}),
		"Totals":               jsonFields(dashboard.Totals{}),
		"P&L line":             jsonFields(pnlcmd.Row{}),
		"Watch events":         jsonFields(watch.QuoteEvent{}, watch.ConditionEvent{}, watch.StaleEvent{}),
		"Order events":         jsonFields(events.Event{}),
		"Dead-man events":      jsonFields(deadmancmd.Event{}),
		"Journal entry":        jsonFields(journal.Entry{}),
		"Fill":                 jsonFields(trade.Fill{}),
		"Fill history row":     jsonFields(fills.Row{}),
		"Doctor report":        jsonFields(doctor.Report{}),
		"Doctor check":         jsonFields(doctor.Check{}),
		"Config path":          jsonFields(configcmd.PathInfo{}),
		"Config show":          redactedKeys(t),
		"Set-secret result":    jsonFields(configcmd.SetSecretResult{}),
		"Config init result":   jsonFields(configcmd.InitResult{}),
		"Version":              jsonFields(build.Info{}),
		"Error":                jsonFields(ErrorJSON{}, ErrorBody{}),
		"Sliced order":         jsonFields(twap.Progress{}),
		"Slice":                jsonFields(twap.Child{}),
		"Sliced dry run":       jsonFields(create.SliceDryRun{}),
		"Scheduled slice":      jsonFields(create.ScheduledSlice{}),
		"Notification event":   jsonFields(notify.Event{}),
		"Notification quote":   jsonFields(notify.Quote{}),
		"Notification refusal": jsonFields(notify.Refusal{}),
		"Expire row":           jsonFields(expire.Row{}),
	}
	for name, want := range schemas {
		body, ok := tables[name]
		if !ok {
			t.Errorf("README.md: JSON output has no section %q", "#### "+name)
			continue
		}
		if diff := cmp.Diff(want, tableNames(body)); diff != "" {
			t.Errorf("README.md: the %q table and the code's JSON fields differ (-code +README):\n%s", name, diff)
		}
	}
	for name := range tables {
		if _, ok := schemas[name]; !ok {
			t.Errorf("README.md: JSON output section %q describes no type this test knows; add it to the test", name)
		}
	}
}

// redactedKeys are the top-level keys `config show -o json` prints.
func redactedKeys(t *testing.T) []string {
	t.Helper()
	cfg, err := config.Load(context.Background(), config.LoadOptions{Registry: factory.Registry(), Dirs: xdg.Dirs{ConfigHome: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range cfg.Redacted() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestReadmeConfigKeys(t *testing.T) {
	tables := subsections(section(t, readme(t), "### Configuration keys"))
	reg := factory.Registry()

	profile := []string{"exchange", "notify"}
	names := config.CredentialNames()
	for _, v := range reg.Names() {
		venue, _ := reg.Lookup(v)
		for _, n := range venue.Credentials {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	for _, n := range names {
		profile = append(profile, config.CredentialKeys(n)...)
	}
	want := map[string][]string{
		"Top level":     config.TopLevelKeys(),
		"Every profile": profile,
		"Safety":        config.SafetyKeys(),
		"notify":        config.NotifyKeys(),
	}
	for _, v := range reg.Names() {
		venue, _ := reg.Lookup(v)
		want[v] = venue.Keys
	}
	for name, keys := range want {
		body, ok := tables[name]
		if !ok {
			t.Errorf("README.md: Configuration keys has no section %q", "#### "+name)
			continue
		}
		sorted := slices.Sorted(slices.Values(keys))
		if diff := cmp.Diff(sorted, tableNames(body)); diff != "" {
			t.Errorf("README.md: the %q keys and the code's differ (-code +README):\n%s", name, diff)
		}
	}
	for name := range tables {
		if _, ok := want[name]; !ok {
			t.Errorf("README.md: Configuration keys section %q is neither a key group nor a registered exchange", name)
		}
	}
}

// TestReadmeParsing keeps the helpers honest on a small document, so a
// README that parses as empty cannot pass the tests above by accident.
func TestReadmeParsing(t *testing.T) {
	doc := "## A\n### JSON output\nintro\n| x | y |\n|---|---|\n| `no` | z |\n#### One\n| field | meaning |\n|---|---|\n| `a`, `b` | x `c` |\n| `d` | y |\n#### Two\n| `e` | z |\n### Next\n#### Three\n| `f` | |\n"
	tables := subsections(section(t, doc, "### JSON output"))
	got := map[string][]string{}
	for k, v := range tables {
		got[k] = tableNames(v)
	}
	want := map[string][]string{"One": {"a", "b", "d"}, "Two": {"e"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parsed (-want +got):\n%s", diff)
	}
	type inner struct {
		X string `json:"x"`
	}
	type outer struct {
		inner
		Y    int    `json:"y,omitempty"`
		Z    string `json:"-"`
		hide string
	}
	if diff := cmp.Diff([]string{"x", "y"}, jsonFields(outer{hide: ""})); diff != "" {
		t.Errorf("jsonFields (-want +got):\n%s", diff)
	}
}
