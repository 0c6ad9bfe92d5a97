package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/cmdutil"
)

// TestReadmeExitCodes keeps the README's exit-code table and the code's
// one table identical, so a script author never reads a stale contract.
func TestReadmeExitCodes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, c := range cmdutil.ExitCodes {
		row := fmt.Sprintf("| %d | %s | %s |", c.Code, c.Name, c.Meaning)
		if !strings.Contains(readme, row) {
			t.Errorf("README.md lacks the exit-code row\n%s", row)
		}
	}
	var rows int
	for _, line := range strings.Split(readme, "\n") {
		var code int
		if _, err := fmt.Sscanf(line, "| %d |", &code); err == nil && strings.Count(line, "|") == 4 {
			rows++
		}
	}
	if rows != len(cmdutil.ExitCodes) {
		t.Errorf("README.md has %d exit-code rows, the code documents %d", rows, len(cmdutil.ExitCodes))
	}
}
