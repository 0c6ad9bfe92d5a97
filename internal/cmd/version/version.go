// Package version implements `tradectl version`.
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/build"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/render"
)

// NewCmdVersion builds the command. It reads no config and opens nothing,
// so it stays as fast as the bare binary.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Show version, commit, build date and Go version",
		Long:    "Show the version, commit and build date this binary was built from, and the Go version that built it.",
		Example: "$ tradectl version\n$ tradectl version -o json --jq .version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			info := build.Current()
			p, err := render.NewPrinter(f.IOStreams, f.Globals.Output, f.Globals.JQ, f.Now)
			if err != nil {
				return &cmdutil.UsageError{Err: err}
			}
			if p.Format == render.Table {
				_, err := fmt.Fprintf(f.IOStreams.Out, "tradectl %s\ncommit: %s\nbuilt:  %s\ngo:     %s\n",
					info.Version, orUnknown(info.Commit), orUnknown(info.Date), info.GoVersion)
				return err
			}
			return p.Print(info, func() *render.TableData {
				t := &render.TableData{Columns: []render.Column{{Header: "version"}, {Header: "commit"}, {Header: "date"}, {Header: "go version"}}}
				t.AddRow(render.T(info.Version), render.T(info.Commit), render.T(info.Date), render.T(info.GoVersion))
				return t
			})
		},
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
