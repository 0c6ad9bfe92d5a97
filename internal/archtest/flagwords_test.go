package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// flagOwners may name command-line flags in their messages: the commands,
// the layer that runs them (app, cmdutil's Classify), and config, which
// reads the --config and --profile flags itself (it is handed the flag
// set) and says which of flag, variable or file chose a value.
var flagOwners = []string{"cmd/", "internal/cmd/", "internal/app/", "internal/cmdutil/", "internal/config/"}

// flagDecl finds a flag's name where a command declares one with pflag:
// fl.StringVar(&v, "name", …), cmd.Flags().BoolP("name", "n", …).
var flagDecl = regexp.MustCompile(`\.(?:String|Bool|Int|Int64|Uint|Duration|Float64|StringSlice|StringArray|Count)(?:Var)?P?\((?:&[\w.\[\]]+, )?"([a-z][a-z0-9-]*)"`)

// flagWord is a flag as a message would name it.
var flagWord = regexp.MustCompile(`--([a-z][a-z0-9-]*)`)

// TestNoFlagWordsBelowTheCommands checks that no package below the
// commands names one of tradectl's flags in a string: a domain or venue
// package returns a typed error or a message in the domain's words, and
// the command layer, which knows which flag asked for what, words it.
func TestNoFlagWordsBelowTheCommands(t *testing.T) {
	root := moduleRoot(t)
	flags := map[string]bool{}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || strings.HasPrefix(name, ".") && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if owner(rel) {
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range flagDecl.FindAllStringSubmatch(string(src), -1) {
				flags[m[1]] = true
			}
			return nil
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The scan must see the commands' flags: a check against no flags
	// passes.
	for _, want := range []string{"qty", "quote-qty", "symbol", "take-profit", "jq", "once"} {
		if !flags[want] {
			t.Fatalf("the scan found no declaration of --%s; it is not reading the commands", want)
		}
	}
	var found []string
	fset := token.NewFileSet()
	for _, rel := range files {
		f, err := parser.ParseFile(fset, filepath.Join(root, rel), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, m := range flagWord.FindAllStringSubmatch(s, -1) {
				if flags[m[1]] {
					found = append(found, fset.Position(lit.Pos()).String()+": --"+m[1])
				}
			}
			return true
		})
	}
	sort.Strings(found)
	for _, f := range found {
		rel, _ := filepath.Rel(root, f)
		t.Errorf("%s: a package below the commands names a flag; say it in the domain's words and let the command word it", rel)
	}
}

func owner(rel string) bool {
	for _, p := range flagOwners {
		if strings.HasPrefix(rel, p) {
			return true
		}
	}
	return false
}
