package gendocs_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/cmd/gendocs"
	"github.com/tradectl/tradectl/internal/cmd/root"
	"github.com/tradectl/tradectl/internal/iostreams"
)

func newRoot() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	return root.NewCmdRoot(factory.New(ios, func(string) string { return "" }, nil))
}

// TestWriteMan writes the pages and checks there is one per visible
// command, each with its summary and examples, none for hidden commands,
// and that two runs with one date are byte for byte the same.
func TestWriteMan(t *testing.T) {
	date := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	n, err := gendocs.WriteMan(newRoot(), dir, date)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c.HasParent() {
			if _, err := os.Stat(filepath.Join(dir, pageName(c))); err == nil {
				t.Errorf("hidden command %s has a man page", c.CommandPath())
			}
			return
		}
		want = append(want, c.CommandPath())
		page, err := os.ReadFile(filepath.Join(dir, pageName(c)))
		if err != nil {
			t.Errorf("%s: %v", c.CommandPath(), err)
			return
		}
		text := string(page)
		for _, s := range []string{`.TH "TRADECTL" "1" "Nov 2026" "tradectl `, ".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION"} {
			if !strings.Contains(text, s) {
				t.Errorf("%s: the page lacks %q", c.CommandPath(), s)
			}
		}
		if c.Example != "" && !strings.Contains(text, ".SH EXAMPLE") {
			t.Errorf("%s: the page lacks its examples", c.CommandPath())
		}
		if strings.Contains(text, "Auto generated") {
			t.Errorf("%s: the page carries a generation date footer", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot())
	if n != len(want) {
		t.Errorf("wrote %d pages for %d visible commands", n, len(want))
	}

	again := t.TempDir()
	if _, err := gendocs.WriteMan(newRoot(), again, date); err != nil {
		t.Fatal(err)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	for _, p := range pages {
		a, _ := os.ReadFile(p)
		b, err := os.ReadFile(filepath.Join(again, filepath.Base(p)))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", filepath.Base(p))
		}
	}
}

func pageName(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
}
