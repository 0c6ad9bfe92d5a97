package paper

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// account is an exchange that can start over; simulated says whether it
// trades real money. The paper adapter itself is covered end to end by
// testdata/script/paper_reset.txtar.
type account struct {
	exchange.Exchange
	simulated bool
	resets    int
}

func (a *account) Name() string                { return "venue" }
func (a *account) Simulated() bool             { return a.simulated }
func (a *account) Reset(context.Context) error { a.resets++; return nil }
func (a *account) Close() error                { return nil }

// liveAccount can start over but says nothing about being simulated.
type liveAccount struct {
	exchange.Exchange
	resets int
}

func (a *liveAccount) Reset(context.Context) error { a.resets++; return nil }
func (a *liveAccount) Close() error                { return nil }

// Only an account that trades no real money may be wiped, whatever
// methods its exchange has.
func TestResetOnlySimulated(t *testing.T) {
	sim := &account{simulated: true}
	live := &account{simulated: false}
	unmarked := &liveAccount{}
	unconfirmed := &account{simulated: true}
	tests := []struct {
		name       string
		ex         exchange.Exchange
		yes        bool
		resets     func() int
		wantUsage  bool
		wantResets int
	}{
		{"simulated", sim, true, func() int { return sim.resets }, false, 1},
		{"live", live, true, func() int { return live.resets }, true, 0},
		{"not marked simulated", unmarked, true, func() int { return unmarked.resets }, true, 0},
		// Nobody at a terminal to ask, and no --yes: refused, nothing wiped.
		{"simulated without --yes", unconfirmed, false, func() int { return unconfirmed.resets }, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			opts := &ResetOptions{
				IO:  ios,
				Yes: func() bool { return tt.yes },
				OpenExchange: func(context.Context, string) (exchange.Exchange, config.Profile, error) {
					return tt.ex, config.Profile{Name: "p", Exchange: "venue"}, nil
				},
			}
			err := resetRun(context.Background(), opts)
			var usage *cmdutil.UsageError
			if got := errors.As(err, &usage); got != tt.wantUsage {
				t.Fatalf("resetRun() = %v, want a usage error: %v", err, tt.wantUsage)
			}
			if diff := cmp.Diff(tt.wantResets, tt.resets()); diff != "" {
				t.Errorf("resets (-want +got):\n%s", diff)
			}
		})
	}
}
