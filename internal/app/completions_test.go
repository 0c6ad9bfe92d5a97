package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// TestCompletionFilesFresh generates every shell's completion script in
// process, exactly as `tradectl completion SHELL` prints it, and compares
// it with the file in completions/ that release archives ship.
func TestCompletionFilesFresh(t *testing.T) {
	files := map[string]string{
		"bash":       "tradectl.bash",
		"zsh":        "_tradectl",
		"fish":       "tradectl.fish",
		"powershell": "tradectl.ps1",
	}
	for shell, name := range files {
		t.Run(shell, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			f := factory.New(ios, func(string) string { return "" }, nil)
			if code := Run(context.Background(), f, []string{"completion", shell}); code != 0 {
				t.Fatalf("tradectl completion %s: exit %d: %s", shell, code, errOut)
			}
			if out.Len() == 0 {
				t.Fatalf("tradectl completion %s printed nothing", shell)
			}
			path := filepath.Join("..", "..", "completions", name)
			have, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run `make completions` to create it)", err)
			}
			if !bytes.Equal(have, out.Bytes()) {
				t.Errorf("completions/%s is stale: it differs from what `tradectl completion %s` prints; run `make completions`", name, shell)
			}
		})
	}
}
