// Package gendocs writes the man pages (`make man`, the release's before
// hook, through cmd/gendocs) from the command tree itself, so they say
// exactly what --help says. Pages are dated SOURCE_DATE_EPOCH when it is
// set, else the build date, else today, so a release build is
// reproducible.
package gendocs

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/tradectl/tradectl/internal/build"
	"github.com/tradectl/tradectl/internal/cmdutil"
)

// WriteMan writes the man pages of root and every visible command under it
// into dir and returns how many it wrote.
func WriteMan(root *cobra.Command, dir string, date time.Time) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, &cmdutil.SetupError{Err: err}
	}
	// The generated footer would carry today's date, which makes two
	// builds of one commit differ.
	root.DisableAutoGenTag = true
	header := &doc.GenManHeader{
		Title:   "TRADECTL",
		Section: "1",
		Date:    &date,
		Source:  "tradectl " + build.Current().Version,
		Manual:  "tradectl manual",
	}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return 0, fmt.Errorf("write man pages: %w", err)
	}
	pages, err := filepath.Glob(filepath.Join(dir, "*.1"))
	return len(pages), err
}

// DocDate picks the pages' date: SOURCE_DATE_EPOCH, else the build date,
// else today.
func DocDate(f *cmdutil.Factory) (time.Time, error) {
	if v := f.Getenv("SOURCE_DATE_EPOCH"); v != "" {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, cmdutil.Usagef("SOURCE_DATE_EPOCH=%q: want seconds since 1970", v)
		}
		return time.Unix(secs, 0).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, build.Current().Date); err == nil {
		return t.UTC(), nil
	}
	return f.Now().UTC(), nil
}
