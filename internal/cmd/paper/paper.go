// Package paper implements `tradectl paper`, the commands that manage the
// embedded paper exchange's local account.
package paper

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// NewCmdPaper builds `tradectl paper`.
func NewCmdPaper(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "paper <command>",
		Short: "Manage the paper exchange's local account",
		Long: heredoc.Doc(`
			The paper exchange is simulated on this machine: prices follow a
			deterministic path (the same for every process with the same seed), and each
			paper profile's account lives in a SQLite file under
			$XDG_DATA_HOME/tradectl/. These commands manage that account.
		`),
		Example: heredoc.Doc(`
			$ tradectl paper reset --yes
		`),
		GroupID: "account",
	}
	cmd.AddCommand(NewCmdReset(f, nil))
	return cmd
}

// ResetOptions is a parsed `paper reset`.
type ResetOptions struct {
	// What the command works with.
	IO           *iostreams.IOStreams
	OpenExchange func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error)
	// Yes is the global --yes, read when the command runs.
	Yes func() bool
}

// NewCmdReset builds `tradectl paper reset`.
func NewCmdReset(f *cmdutil.Factory, runF func(*ResetOptions) error) *cobra.Command {
	opts := &ResetOptions{
		IO:           f.IOStreams,
		OpenExchange: f.OpenExchange,
		Yes:          func() bool { return f.Globals.Yes },
	}
	return &cobra.Command{
		Use:   "reset",
		Short: "Start the profile's paper account over",
		Long: heredoc.Doc(`
			Delete every order and fill of the selected paper profile and restore its
			starting balances (starting_balances, else 100000 USD). Asks first on a
			terminal; without one, --yes is required (exit 2 otherwise), so a stray
			script line cannot wipe an account. Only paper profiles can be reset.
		`),
		Example: heredoc.Doc(`
			$ tradectl paper reset --yes
			$ tradectl paper reset --profile rehearsal --yes
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return resetRun(cmd.Context(), opts)
		},
	}
}

// resetter is an account that can start over. The command asks the opened
// exchange for this capability, and for being simulated, instead of naming
// the paper adapter: commands reach venues only through the registry, and
// only an account that trades no real money may be wiped.
type resetter interface {
	Reset(ctx context.Context) error
}

func resetRun(ctx context.Context, o *ResetOptions) error {
	ex, prof, err := o.OpenExchange(ctx, "")
	if err != nil {
		return err
	}
	defer ex.Close()
	pe, ok := ex.(resetter)
	if !ok || !exchange.IsSimulated(ex) {
		return cmdutil.Usagef("profile %q uses %s, not the paper exchange; only paper accounts can be reset", prof.Name, prof.Exchange)
	}
	if !o.Yes() {
		if !o.IO.CanPrompt() {
			return cmdutil.Usagef("paper reset deletes every order and fill of profile %q: pass --yes to confirm", prof.Name)
		}
		ok, err := o.IO.Confirm(fmt.Sprintf("Delete every order and fill of paper profile %q and restore its starting balances?", prof.Name))
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.Usagef("reset canceled; nothing changed")
		}
	}
	if err := pe.Reset(ctx); err != nil {
		return fmt.Errorf("reset paper profile %q: %w", prof.Name, err)
	}
	fmt.Fprintf(o.IO.ErrOut, "paper profile %q reset to its starting balances\n", prof.Name)
	return nil
}
