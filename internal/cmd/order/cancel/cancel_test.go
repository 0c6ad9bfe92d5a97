package cancel

import (
	"context"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// TestCancelAllConfirms: cancel --all on a live profile asks on a
// terminal (a "no" exits 12) and refuses without one (exit 2); either way
// before any request.
func TestCancelAllConfirms(t *testing.T) {
	tests := []struct {
		name     string
		tty      bool
		input    string
		wantExit int
	}{
		{name: "declined on a terminal", tty: true, input: "n\n", wantExit: cmdutil.ExitDeclined},
		{name: "no terminal, no --yes", wantExit: cmdutil.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ordertest.NewVenue(t)
			ios, in, _, errOut := iostreams.Test()
			ios.SetTTY(tt.tty, tt.tty, tt.tty)
			in.WriteString(tt.input)
			f := v.Factory(ios)
			defer f.RunExitHooks()
			cmd := NewCmdCancel(f, nil)
			cmd.SetArgs([]string{"--all"})
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.ExecuteContext(context.Background())
			if c := cmdutil.Classify(context.Background(), err); c.Exit != tt.wantExit {
				t.Errorf("exit %d (%v), want %d", c.Exit, err, tt.wantExit)
			}
			if got := v.Server.Requests(); len(got) != 0 {
				t.Errorf("requests before the answer: %v", got)
			}
			if asked := strings.Contains(errOut.String(), "[y/N]"); asked != tt.tty {
				t.Errorf("asked = %v, want %v; stderr:\n%s", asked, tt.tty, errOut)
			}
		})
	}
}
