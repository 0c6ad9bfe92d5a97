package ordercmd

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		name             string
		args             []string
		clientID, symbol string
		want             exchange.OrderRef
		wantUsage        string
	}{
		{name: "id", args: []string{"7"}, want: exchange.OrderRef{ID: "7"}},
		{name: "client id and symbol", clientID: "c-1", symbol: "BTC-USDT", want: exchange.OrderRef{ClientID: "c-1", Symbol: trade.MustSymbol("BTC-USDT")}},
		{name: "neither", wantUsage: "give exactly one of an order ID or --client-id"},
		{name: "both", args: []string{"7"}, clientID: "c-1", wantUsage: "give exactly one of an order ID or --client-id"},
		{name: "bad client id", clientID: "a/b", wantUsage: "--client-id: "},
		{name: "bad symbol", args: []string{"7"}, symbol: "???", wantUsage: "--symbol: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRef(tt.args, tt.clientID, tt.symbol)
			if tt.wantUsage != "" {
				var usage *cmdutil.UsageError
				if !errors.As(err, &usage) || !strings.HasPrefix(err.Error(), tt.wantUsage) {
					t.Fatalf("error = %v (%T), want a usage error starting %q", err, err, tt.wantUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ref (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWithTimeout(t *testing.T) {
	for _, tt := range []struct {
		d            time.Duration
		wantDeadline bool
	}{{0, false}, {-time.Second, false}, {time.Hour, true}} {
		ctx, cancel := WithTimeout(context.Background(), tt.d)
		_, has := ctx.Deadline()
		cancel()
		if has != tt.wantDeadline {
			t.Errorf("WithTimeout(%s): deadline set = %v, want %v", tt.d, has, tt.wantDeadline)
		}
		if ctx.Err() == nil {
			t.Errorf("WithTimeout(%s): cancel did not cancel", tt.d)
		}
	}
}

func TestRefFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    exchange.OrderRef
		wantErr string
	}{
		{name: "id argument", args: []string{"7"}, want: exchange.OrderRef{ID: "7"}},
		{name: "flags", args: []string{"--client-id", "c-1", "--symbol", "BTC-USDT"}, want: exchange.OrderRef{ClientID: "c-1", Symbol: trade.MustSymbol("BTC-USDT")}},
		{name: "two ids", args: []string{"7", "8"}, wantErr: "accepts at most 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var refFlags RefFlags
			var got exchange.OrderRef
			cmd := &cobra.Command{Use: "x", RunE: func(_ *cobra.Command, args []string) error {
				var err error
				got, err = refFlags.Ref(args)
				return err
			}}
			refFlags.Register(cmd, completion.Source{}, "the client id")
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ref (-want +got):\n%s", diff)
			}
		})
	}
}
