// Package confirm asks a person to confirm a live order before it is
// sent.
//
// The rules: the paper exchange never asks. A live order (any other
// exchange) is sent without asking when --yes is given or the profile
// says confirm: false. Otherwise, on a terminal, a one-screen summary goes
// to stderr and the order is sent only on "y" or "yes"; without a terminal
// nobody can answer, so the order is refused with a usage error (exit 2)
// that says how to allow it. A cron job therefore never hangs on a prompt
// and never places a live order nobody agreed to.
package confirm

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/trade"
)

// Summary is what the confirmation screen shows.
type Summary struct {
	Profile  string
	Exchange string
	Request  trade.OrderRequest
	// EstimatedValue is qty × price (or × the reference price of a market
	// order); zero when unknown.
	EstimatedValue decimal.Decimal
	Currency       string
	// Limits are the limits in force (config.Safety.Limits).
	Limits []string
	// Notes are extra lines: an override, a market order sent as a limit
	// IOC, a slippage estimate.
	Notes []string
}

// Options are the answers that can be given without a prompt.
type Options struct {
	IO *iostreams.IOStreams
	// Yes is --yes.
	Yes bool
	// Safety carries the profile's confirm setting.
	Safety config.Safety
}

// Live reports whether orders on exchange need confirmation at all: every
// exchange but paper.
func Live(exchange string) bool { return exchange != paper.Name }

// NeedsPrompt reports whether Order would ask a person about an order on
// exchange: the caller gives the placement a fresh deadline afterwards,
// since the time spent reading the screen is not the venue's.
func NeedsPrompt(o Options, exchange string) bool {
	return Live(exchange) && !o.Yes && o.Safety.ConfirmLive() && o.IO != nil && o.IO.CanPrompt()
}

// Order decides whether the order in s may be sent, asking on the
// terminal when it must. It returns nil to go ahead; a *cmdutil.UsageError
// when nobody can answer or the answer was no (nothing was sent either
// way); ctx.Err() when ctx ends while waiting for the answer.
func Order(ctx context.Context, o Options, s Summary) error {
	if !Live(s.Exchange) || o.Yes || !o.Safety.ConfirmLive() {
		return nil
	}
	if o.IO == nil || !o.IO.CanPrompt() {
		return cmdutil.Usagef("profile %q trades on %s: a live order needs confirmation and there is no terminal to ask on; pass --yes, or set confirm: false in the profile",
			s.Profile, s.Exchange)
	}
	if err := Render(o.IO.ErrOut, s); err != nil {
		return err
	}
	if _, err := io.WriteString(o.IO.ErrOut, "Place this order? [y/N] "); err != nil {
		return err
	}
	type answer struct {
		line string
		err  error
	}
	done := make(chan answer, 1)
	// The read cannot be interrupted, so it runs aside and ctx (Ctrl-C, a
	// deadline) decides how long to wait; the process ends soon after.
	// Only the read runs there: every write stays on this goroutine.
	go func() {
		line, err := bufio.NewReader(o.IO.In).ReadString('\n')
		done <- answer{line, err}
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(o.IO.ErrOut)
		return ctx.Err()
	case a := <-done:
		if a.err != nil && a.line == "" {
			return cmdutil.Usagef("order not placed: no answer to the confirmation (%v); nothing was sent", a.err)
		}
		// Anything but y/yes is no, so a stray Enter never sends an order.
		switch strings.ToLower(strings.TrimSpace(a.line)) {
		case "y", "yes":
			return nil
		}
		return cmdutil.Usagef("order not placed: not confirmed; nothing was sent")
	}
}

// Render writes the one-screen summary.
func Render(w io.Writer, s Summary) error {
	r := s.Request
	var b strings.Builder
	row := func(k, v string) { fmt.Fprintf(&b, "  %-11s %s\n", k, v) }
	fmt.Fprintf(&b, "Live order on %s — check before it is sent:\n", s.Exchange)
	row("profile", s.Profile)
	row("exchange", s.Exchange)
	row("symbol", r.Symbol.String())
	row("side", string(r.Side))
	typ := string(r.Type)
	if r.Type != trade.Market || r.TimeInForce != "" {
		typ += ", " + string(r.EffectiveTIF())
	}
	if r.PostOnly {
		typ += ", post-only"
	}
	row("type", typ)
	row("qty", r.Qty.String())
	if r.Price.Valid {
		row("price", r.Price.Decimal.String())
	}
	if r.StopPrice.Valid {
		row("stop price", r.StopPrice.Decimal.String())
	}
	value := "unknown"
	if s.EstimatedValue.IsPositive() {
		value = "about " + s.EstimatedValue.StringFixed(2)
		if s.Currency != "" {
			value += " " + s.Currency
		}
	}
	row("value", value)
	if r.ClientID != "" {
		row("client id", r.ClientID)
	}
	limits := "none set in the profile"
	if len(s.Limits) > 0 {
		limits = strings.Join(s.Limits, ", ")
	}
	row("limits", limits)
	for _, n := range s.Notes {
		row("note", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
