package ordertest

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// FlagsFactory is the factory a flag-parsing test builds a command over:
// test streams and default globals, nothing opened. Tests set Now or
// Getenv on it where the command reads them while parsing.
func FlagsFactory() *cmdutil.Factory {
	ios, _, _, _ := iostreams.Test()
	return &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.GlobalOptions{}}
}

// ParseFlags runs the command newCmd builds over f with args, as the
// command line would, with its run step replaced, and returns the options
// that step received. With wantUsage set it checks instead that the
// command refused with a usage error (exit 2) containing wantUsage before
// reaching the run step, and returns nil: the caller's case ends there.
func ParseFlags[O any](t testing.TB, f *cmdutil.Factory, newCmd func(*cmdutil.Factory, func(*O) error) *cobra.Command, args []string, wantUsage string) *O {
	t.Helper()
	var got *O
	cmd := newCmd(f, func(o *O) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err := cmd.Execute()
	if wantUsage != "" {
		var usage *cmdutil.UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), wantUsage) {
			t.Fatalf("error = %v (%T), want a usage error containing %q", err, err, wantUsage)
		}
		if got != nil {
			t.Fatal("run step was reached with invalid input")
		}
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if got == nil {
		t.Fatal("the command succeeded without reaching its run step")
	}
	return got
}
