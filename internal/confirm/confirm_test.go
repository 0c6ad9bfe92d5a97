package confirm_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/confirm"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/trade"
)

func no() *bool { b := false; return &b }

var liveOrder = confirm.Summary{
	Profile:  "live",
	Exchange: "binance",
	Request: trade.OrderRequest{Symbol: trade.MustSymbol("BTC-USDT"), Side: trade.Buy, Type: trade.Limit,
		TimeInForce: trade.GTC, Qty: trade.Dec("0.5"), Price: trade.OptDec("50000"), ClientID: "nightly-1"},
	EstimatedValue: trade.Dec("25000"),
	Currency:       "USDT",
	Limits:         []string{"max_order_notional 30000", "max_order_qty 1"},
	Notes:          []string{"max_order_qty overridden for this command"},
}

const liveScreen = `Live order on binance (REAL MONEY) — check before it is sent:
  profile     live
  exchange    binance
  symbol      BTC-USDT
  side        buy
  type        limit, gtc
  qty         0.5
  price       50000
  value       about 25000.00 USDT
  client id   nightly-1
  limits      max_order_notional 30000, max_order_qty 1
  note        max_order_qty overridden for this command
Place this order? [y/N] `

func TestOrder(t *testing.T) {
	paperOrder := liveOrder
	paperOrder.Exchange = "paper"
	paperOrder.Simulated = true
	tests := []struct {
		name       string
		tty        bool
		input      string
		yes        bool
		safety     config.Safety
		summary    confirm.Summary
		wantErr    string // "" means go ahead
		wantIs     error
		wantStderr string
	}{
		{name: "paper never asks, terminal or not", tty: false, summary: paperOrder},
		{name: "paper never asks on a terminal either", tty: true, summary: paperOrder},
		{name: "--yes skips the prompt", tty: true, yes: true, summary: liveOrder},
		{name: "--yes allows a live order without a terminal", yes: true, summary: liveOrder},
		{name: "confirm: false allows it without a terminal", safety: config.Safety{Confirm: no()}, summary: liveOrder},
		{name: "confirm: false does not ask on a terminal", tty: true, safety: config.Safety{Confirm: no()}, summary: liveOrder},
		{
			name: "no terminal, no --yes: refused", summary: liveOrder,
			wantErr: `profile "live" trades on binance: a live order needs confirmation and there is no terminal to ask on`,
			wantIs:  confirm.ErrNeedsYes,
		},
		{name: "y confirms", tty: true, input: "y\n", summary: liveOrder, wantStderr: liveScreen},
		{name: "YES confirms", tty: true, input: " YES \n", summary: liveOrder, wantStderr: liveScreen},
		{
			name: "anything else is no", tty: true, input: "sure\n", summary: liveOrder, wantStderr: liveScreen,
			wantErr: "order not placed: not confirmed; nothing was sent", wantIs: confirm.ErrDeclined,
		},
		{
			name: "Enter is no", tty: true, input: "\n", summary: liveOrder, wantStderr: liveScreen,
			wantErr: "order not placed: not confirmed; nothing was sent", wantIs: confirm.ErrDeclined,
		},
		{
			name: "end of input is no", tty: true, input: "", summary: liveOrder, wantStderr: liveScreen,
			wantErr: "order not placed: no answer to the confirmation (EOF); nothing was sent: not confirmed", wantIs: confirm.ErrDeclined,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, out, errOut := iostreams.Test()
			ios.SetTTY(tt.tty, tt.tty, tt.tty)
			in.WriteString(tt.input)
			opts := confirm.Options{IO: ios, Yes: tt.yes, Safety: tt.safety}
			asks := confirm.NeedsPrompt(opts, tt.summary.Simulated)
			refuses := confirm.NeedsYes(opts, tt.summary.Simulated)
			err := confirm.Order(context.Background(), opts, tt.summary)
			if asks != (tt.wantStderr != "") {
				t.Errorf("NeedsPrompt = %v, but the prompt was shown: %v", asks, tt.wantStderr != "")
			}
			if refuses != errors.Is(err, confirm.ErrNeedsYes) {
				t.Errorf("NeedsYes = %v, but Order returned %v", refuses, err)
			}
			if tt.wantErr == "" && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got %v, want %q", err, tt.wantErr)
				}
				if !errors.Is(err, tt.wantIs) {
					t.Errorf("%v does not match %v", err, tt.wantIs)
				}
			}
			if diff := cmp.Diff(tt.wantStderr, errOut.String()); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if out.Len() != 0 {
				t.Errorf("stdout is for data, got %q", out)
			}
		})
	}
}

// TestOrderHonoursContext: Ctrl-C or the deadline ends the wait for an
// answer that never comes.
func TestOrderHonoursContext(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	r, w := io.Pipe()
	defer w.Close()
	ios.In = r
	ios.SetTTY(true, true, true)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := confirm.Order(ctx, confirm.Options{IO: ios}, liveOrder)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's error", err)
	}
}

func TestRenderMarketOrder(t *testing.T) {
	var b strings.Builder
	s := confirm.Summary{Profile: "live", Exchange: "binance",
		Request: trade.OrderRequest{Symbol: trade.MustSymbol("ETH-USDT"), Side: trade.Sell, Type: trade.Market, Qty: trade.Dec("2")}}
	if err := confirm.Render(&b, s, 0); err != nil {
		t.Fatal(err)
	}
	want := `Live order on binance (REAL MONEY) — check before it is sent:
  profile     live
  exchange    binance
  symbol      ETH-USDT
  side        sell
  type        market
  qty         2
  value       unknown
  limits      none set in the profile
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("screen (-want +got):\n%s", diff)
	}
}

func TestRenderSandboxFitsWidth(t *testing.T) {
	s := liveOrder
	s.Sandbox = true
	var b strings.Builder
	if err := confirm.Render(&b, s, 40); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if want := "Sandbox order on binance (testnet: no r…"; lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > 40 {
			t.Errorf("line %q is %d columns, want at most 40", l, n)
		}
	}
}
