// Package version implements `tradectl version`.
package version

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/build"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
)

// VersionOptions is a parsed `version`.
type VersionOptions struct {
	IO  *iostreams.IOStreams
	Now func() time.Time
	// Output and JQ are the global -o and --jq as given: version reads no
	// configuration, so the file's output setting does not apply.
	Output string
	JQ     string
	// Info is what the binary was built from.
	Info build.Info
}

// NewCmdVersion builds the command; runF replaces the run step in tests.
// It reads no config and opens nothing, so it stays as fast as the bare
// binary.
func NewCmdVersion(f *cmdutil.Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IOStreams, Now: f.Now}
	return &cobra.Command{
		Use:     "version",
		Short:   "Show version, commit, build date and Go version",
		Long:    "Show the version, commit and build date this binary was built from, and the Go version that built it.",
		Example: "$ tradectl version\n$ tradectl version -o json --jq .version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Output, opts.JQ = f.Globals.Output, f.Globals.JQ
			opts.Info = build.Current()
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(o *VersionOptions) error {
	info := o.Info
	p, err := render.NewPrinter(o.IO, o.Output, o.JQ, o.Now)
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	if p.Format == render.Table {
		_, err := fmt.Fprintf(o.IO.Out, "tradectl %s\ncommit: %s\nbuilt:  %s\ngo:     %s\n",
			info.Version, orUnknown(info.Commit), orUnknown(info.Date), info.GoVersion)
		return err
	}
	return p.Print(info, func() *render.TableData {
		t := &render.TableData{Columns: []render.Column{{Header: "version"}, {Header: "commit"}, {Header: "date"}, {Header: "go version"}}}
		t.AddRow(render.T(info.Version), render.T(info.Commit), render.T(info.Date), render.T(info.GoVersion))
		return t
	})
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
