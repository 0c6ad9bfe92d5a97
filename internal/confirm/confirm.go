// Package confirm asks a person to confirm a live order before it is
// sent.
//
// The rules: a simulated exchange (paper) never asks. A live order is sent
// without asking when the caller says it was agreed in advance (Options.Yes)
// or the profile says confirm: false. Otherwise, on a terminal, a
// one-screen summary goes to stderr and the order is sent only on "y" or
// "yes"; without a terminal nobody can answer, so the order is refused
// with ErrNeedsYes. A cron job therefore never hangs on a prompt and never
// places a live order nobody agreed to. The command layer words these
// errors in its own flags and sets the exit codes.
package confirm

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/trade"
)

// ErrNeedsYes means the order needs a confirmation and there is no
// terminal to ask on: nothing was sent.
var ErrNeedsYes = errors.New("confirmation needed and no terminal to ask on")

// ErrDeclined means the person asked did not agree (or gave no answer):
// nothing was sent.
var ErrDeclined = errors.New("not confirmed")

// NeedsYesError names the profile of a refused live order; it matches
// ErrNeedsYes.
type NeedsYesError struct {
	Profile, Exchange string
}

func (e *NeedsYesError) Error() string {
	return fmt.Sprintf("profile %q trades on %s: a live order needs confirmation and there is no terminal to ask on", e.Profile, e.Exchange)
}

// Is makes errors.Is(err, ErrNeedsYes) true.
func (e *NeedsYesError) Is(target error) bool { return target == ErrNeedsYes }

// Summary is what the confirmation screen shows.
type Summary struct {
	Profile  string
	Exchange string
	// Simulated is exchange.IsSimulated of the order's exchange: such
	// orders are never confirmed.
	Simulated bool
	// Sandbox says the live venue is a testnet (profile option sandbox):
	// the screen says whether real money is at stake.
	Sandbox bool
	Request trade.OrderRequest
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
	// Yes says the order was agreed in advance (the command's --yes).
	Yes bool
	// Safety carries the profile's confirm setting.
	Safety config.Safety
}

// NeedsPrompt reports whether Order would ask a person about an order on
// an exchange (simulated: exchange.IsSimulated): the caller gives the
// placement a fresh deadline afterwards, since the time spent reading the
// screen is not the venue's.
func NeedsPrompt(o Options, simulated bool) bool {
	return !simulated && !o.Yes && o.Safety.ConfirmLive() && o.IO != nil && o.IO.CanPrompt()
}

// NeedsYes reports whether Order would refuse for want of a terminal:
// callers check it before any I/O, so the refusal costs no request.
func NeedsYes(o Options, simulated bool) bool {
	return !simulated && !o.Yes && o.Safety.ConfirmLive() && (o.IO == nil || !o.IO.CanPrompt())
}

// Order decides whether the order in s may be sent, asking on the
// terminal when it must. It returns nil to go ahead; a *NeedsYesError
// when nobody can answer; an error matching ErrDeclined when the answer
// was no (nothing was sent either way); ctx.Err() when ctx ends while
// waiting for the answer.
func Order(ctx context.Context, o Options, s Summary) error {
	if s.Simulated || o.Yes || !o.Safety.ConfirmLive() {
		return nil
	}
	if o.IO == nil || !o.IO.CanPrompt() {
		return &NeedsYesError{Profile: s.Profile, Exchange: s.Exchange}
	}
	if err := Render(o.IO.ErrOut, s, o.IO.TerminalWidth()); err != nil {
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
			return fmt.Errorf("order not placed: no answer to the confirmation (%v); nothing was sent: %w", a.err, ErrDeclined)
		}
		// Anything but y/yes is no, so a stray Enter never sends an order.
		switch strings.ToLower(strings.TrimSpace(a.line)) {
		case "y", "yes":
			return nil
		}
		return fmt.Errorf("order not placed: %w; nothing was sent", ErrDeclined)
	}
}

// Render writes the one-screen summary, each line cut to width columns
// (0: no limit) so a narrow terminal does not wrap it into a puzzle.
func Render(w io.Writer, s Summary, width int) error {
	r := s.Request
	var b strings.Builder
	line := func(text string) { b.WriteString(fit(text, width) + "\n") }
	row := func(k, v string) { line(fmt.Sprintf("  %-11s %s", k, v)) }
	if s.Sandbox {
		line(fmt.Sprintf("Sandbox order on %s (testnet: no real money) — check before it is sent:", s.Exchange))
	} else {
		line(fmt.Sprintf("Live order on %s (REAL MONEY) — check before it is sent:", s.Exchange))
	}
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
	if r.QuoteSized() {
		row("qty", "worked out by the venue as it fills")
		row("quote qty", r.QuoteQty.Decimal.String()+" "+r.Symbol.Quote)
	} else {
		row("qty", r.Qty.String())
	}
	if r.Price.Valid {
		row("price", r.Price.Decimal.String())
	}
	if r.StopPrice.Valid {
		row("stop price", r.StopPrice.Decimal.String())
	}
	if trail := r.TrailText(); trail != "" {
		row("trail", trail+" behind the best price since placement")
	}
	for _, l := range r.ExitLines() {
		row(l[0], l[1])
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

// fit cuts text to width columns, marking the cut with "…".
func fit(text string, width int) string {
	if width <= 0 || utf8.RuneCountInString(text) <= width {
		return text
	}
	if width == 1 {
		return "…"
	}
	r := []rune(text)
	return string(r[:width-1]) + "…"
}
