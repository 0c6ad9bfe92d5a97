// Package gendocs implements the hidden `tradectl gen-docs` command, which
// writes the man pages (`make man`, the release's before hook) from the
// command tree itself, so they say exactly what --help says.
package gendocs

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/tradectl/tradectl/internal/build"
	"github.com/tradectl/tradectl/internal/cmdutil"
)

// GenDocsOptions is a parsed `gen-docs`.
type GenDocsOptions struct {
	Factory *cmdutil.Factory
	ManDir  string
}

// NewCmdGenDocs builds `tradectl gen-docs`. It is hidden: it is a build
// step, not something a trader runs.
func NewCmdGenDocs(f *cmdutil.Factory) *cobra.Command {
	opts := &GenDocsOptions{Factory: f}
	cmd := &cobra.Command{
		Use:    "gen-docs --man DIR",
		Short:  "Write the man pages",
		Hidden: true,
		Long: heredoc.Doc(`
			Write one man page (section 1) per command into DIR, creating it. The
			pages are dated SOURCE_DATE_EPOCH when it is set, else the build date,
			else today, so a release build is reproducible.
		`),
		Example:     "$ tradectl gen-docs --man man",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{"tradectl/no-config": "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.ManDir == "" {
				return cmdutil.Usagef("--man DIR is required")
			}
			date, err := docDate(f)
			if err != nil {
				return err
			}
			n, err := WriteMan(cmd.Root(), opts.ManDir, date)
			if err != nil {
				return err
			}
			fmt.Fprintf(f.IOStreams.ErrOut, "wrote %d man pages to %s\n", n, opts.ManDir)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.ManDir, "man", "", "directory to write the man pages into")
	return cmd
}

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

// docDate picks the pages' date; see the command's help.
func docDate(f *cmdutil.Factory) (time.Time, error) {
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
