// Package configcmd implements `tradectl config`: where the configuration
// lives and what it says once every default and override is applied.
package configcmd

import (
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
)

// NewCmdConfig builds `tradectl config`.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Write, locate and show the configuration; store secrets",
		Long: heredoc.Doc(`
			tradectl works without a configuration file: the built-in paper profile is
			used. A file ($XDG_CONFIG_HOME/tradectl/config.yaml, or --config, or
			TRADECTL_CONFIG) adds profiles for real venues and more paper accounts, and
			sets the defaults of -o, --timeout and --color.

			config init writes a commented file to start from, config path says where it
			is, config show prints what tradectl makes of it (secrets redacted), and
			config set-secret stores a credential in a private file.
		`),
		Example: heredoc.Doc(`
			$ tradectl config path
			$ tradectl config show --profile rehearsal
		`),
		GroupID: "setup",
	}
	cmd.AddCommand(newCmdPath(f, nil), newCmdShow(f, nil))
	cmd.AddCommand(NewCmdSetSecret(f, nil))
	cmd.AddCommand(NewCmdInit(f, nil))
	return cmd
}

// PathInfo is what `config path` prints as JSON.
type PathInfo struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
}

// PathOptions is a parsed `config path`.
type PathOptions struct {
	// What the command works with, each built on first use.
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Printer func() (*render.Printer, error)
}

func newCmdPath(f *cmdutil.Factory, runF func(*PathOptions) error) *cobra.Command {
	opts := &PathOptions{IO: f.IOStreams, Config: f.Config, Printer: f.Printer}
	return &cobra.Command{
		Use:   "path",
		Short: "Print the configuration file's path",
		Long: heredoc.Doc(`
			Print the path of the configuration file tradectl reads: --config, else
			TRADECTL_CONFIG, else $XDG_CONFIG_HOME/tradectl/config.yaml. The file need
			not exist: without one, the built-in paper profile is used.
		`),
		Example: "$ tradectl config path\n$ tradectl config path -o json --jq .exists\n$ $EDITOR \"$(tradectl config path)\"",
		Args:    cobra.NoArgs,
		RunE:    runStep(opts, runF, pathRun),
	}
}

func pathRun(o *PathOptions) error {
	cfg, p, err := load(o.Config, o.Printer)
	if err != nil {
		return err
	}
	info := PathInfo{Path: cfg.Path, Exists: cfg.FileExists}
	if p.Format == render.Table {
		_, err := fmt.Fprintln(o.IO.Out, info.Path)
		if !info.Exists && o.IO.IsStdoutTTY() {
			fmt.Fprintln(o.IO.ErrOut, "(the file does not exist yet; the built-in paper profile is in use)")
		}
		return err
	}
	return p.Print(info, nil)
}

// ShowOptions is a parsed `config show`.
type ShowOptions struct {
	// What the command works with, each built on first use.
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Printer func() (*render.Printer, error)
}

func newCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IOStreams, Config: f.Config, Printer: f.Printer}
	return &cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration, secrets redacted",
		Long: heredoc.Doc(`
			Print the configuration as tradectl sees it after flags, TRADECTL_*
			environment variables, the file and the defaults are combined. Every secret
			is replaced by [redacted]; secrets read from the environment, a file or a
			command show only where they come from.
		`),
		Example: "$ tradectl config show\n$ tradectl config show -o json --jq '.profiles | keys'",
		Args:    cobra.NoArgs,
		RunE:    runStep(opts, runF, showRun),
	}
}

func showRun(o *ShowOptions) error {
	cfg, p, err := load(o.Config, o.Printer)
	if err != nil {
		return err
	}
	doc := cfg.Redacted()
	if p.Format == render.Table || p.Format == render.CSV {
		b, err := yaml.Marshal(doc)
		if err != nil {
			return err
		}
		_, err = o.IO.Out.Write(b)
		return err
	}
	return p.Print(doc, nil)
}

// runStep is the RunE of a config subcommand: the test's runF when given,
// else the command's own run step.
func runStep[O any](opts *O, runF, run func(*O) error) func(*cobra.Command, []string) error {
	return func(*cobra.Command, []string) error {
		if runF != nil {
			return runF(opts)
		}
		return run(opts)
	}
}

// load builds what a read-only config subcommand prints from: the config
// first, so a broken file is what is reported, then the printer.
func load(cfgF func() (*config.Config, error), printerF func() (*render.Printer, error)) (*config.Config, *render.Printer, error) {
	cfg, err := cfgF()
	if err != nil {
		return nil, nil, err
	}
	p, err := printerF()
	if err != nil {
		return nil, nil, err
	}
	return cfg, p, nil
}
