package cmdutil

import (
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
)

// CompletionSource is what the shell completions of a command read, taken
// from the Factory: the completion package knows no Factory.
func (f *Factory) CompletionSource() completion.Source {
	return completion.Source{
		// The configuration as the line typed so far sets it: the flags
		// cobra parsed into cmd (--config, --profile) are the ones the
		// config loader weighs.
		Config: func(cmd *cobra.Command) (*config.Config, error) {
			if f.SetFlags != nil {
				f.SetFlags(cmd.Flags())
			}
			return f.Config()
		},
		Registry: f.Registry,
		Dirs:     f.Dirs,
		Now:      f.Now,
	}
}
