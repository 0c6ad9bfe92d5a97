package iostreams

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// TestPaletteBasicColours renders every style of the palette with colour
// on and checks the codes: the 16 basic foreground colours, bold and
// faint only, so the terminal's theme picks shades that read on light and
// dark backgrounds; with colour off, plain text.
func TestPaletteBasicColours(t *testing.T) {
	sgr := regexp.MustCompile(`\x1b\[([0-9;]*)m`)
	for _, color := range []bool{true, false} {
		s, _, _, _ := Test()
		s.SetColor(color)
		p := reflect.ValueOf(s.Palette())
		for i := 0; i < p.NumField(); i++ {
			name := p.Type().Field(i).Name
			out := p.Field(i).Interface().(lipgloss.Style).Render("text")
			codes := sgr.FindAllStringSubmatch(out, -1)
			if !color {
				if out != "text" {
					t.Errorf("%s with colour off rendered %q", name, out)
				}
				continue
			}
			if len(codes) == 0 {
				t.Errorf("%s with colour on rendered no attribute: %q", name, out)
			}
			for _, m := range codes {
				for _, param := range strings.Split(m[1], ";") {
					n, _ := strconv.Atoi(param)
					if !(n <= 2 || n == 22 || n == 39 || (n >= 30 && n <= 37) || (n >= 90 && n <= 97)) {
						t.Errorf("%s uses \\x1b[%sm: attribute %d is not a basic foreground colour, bold or faint", name, m[1], n)
					}
				}
			}
		}
	}
}

// TestOnePalette keeps every colour in palette.go: no other file defines
// a lipgloss colour or writes a colour escape of its own.
func TestOnePalette(t *testing.T) {
	root := filepath.Join("..", "..")
	colour := regexp.MustCompile(`lipgloss\.(Color|AdaptiveColor|ANSIColor|CompleteColor)\b|\\x1b\[[0-9;]*m|\\033\[[0-9;]*m`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "dist") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if filepath.ToSlash(path) == "../../internal/iostreams/palette.go" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if loc := colour.FindIndex(b); loc != nil {
			t.Errorf("%s defines a colour (%q); colours live in internal/iostreams/palette.go", path, b[loc[0]:loc[1]])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
