// Package journal implements `tradectl journal`.
package journal

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	ledger "github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/xdg"
)

// JournalOptions is a parsed `journal`.
type JournalOptions struct {
	// What the command works with, each built on first use.
	Printer func() (*render.Printer, error)
	Config  func() (*config.Config, error)
	Dirs    func() (xdg.Dirs, error)
	Journal func() (*ledger.Journal, error)

	Query ledger.Query
	// ProfileChosen says --profile (or TRADECTL_PROFILE) picked one
	// profile; otherwise every profile's entries are shown.
	ProfileChosen bool
}

var statusChoices = []string{"pending", "placed", "failed", "not_placed", "all"}

// NewCmdJournal builds the command; runF replaces the run step in tests.
func NewCmdJournal(f *cmdutil.Factory, runF func(*JournalOptions) error) *cobra.Command {
	opts := &JournalOptions{
		Printer: f.Printer,
		Config:  f.Config,
		Dirs:    f.Dirs,
		Journal: f.Journal,
	}
	var status, since string
	cmd := &cobra.Command{
		Use:   "journal [flags]",
		Short: "Show what tradectl sent, and what became of it",
		Long: heredoc.Doc(`
			Show the local journal, oldest first: every order intent (written before the
			order is sent), its outcome, retries, reconciliation look-ups, risk-limit
			refusals and overrides, amendments, what order expire did with client-side
			deadlines, and the fills tradectl has seen — each with its time.

			An intent is pending while its outcome is unknown; placed when the venue has
			the order; failed when the venue refused it or it was never sent; not_placed
			when a look-up after a lost answer proved it absent. --status keeps the
			entries of intents now in that status (refusals and overrides belong to no
			intent and are shown only with --status all).

			Entries of every profile are shown unless --profile (or TRADECTL_PROFILE)
			names one. --since takes a duration back from now (90m, 2h, 7d) or a time
			(2026-11-27, 2026-11-27T09:30:00Z). The journal lives in
			$XDG_STATE_HOME/tradectl/journal.db.
		`),
		Example: heredoc.Doc(`
			$ tradectl journal --since 24h
			$ tradectl journal --status pending -o json --jq '.[].client_id'
			$ tradectl journal --profile paper --since 2026-11-27 -o csv > journal.csv
		`),
		Args:    cobra.NoArgs,
		GroupID: "trade",
		RunE: func(cmd *cobra.Command, args []string) error {
			switch status {
			case "all":
			case "pending", "placed", "failed", "not_placed":
				opts.Query.Status = ledger.Status(status)
			default:
				return cmdutil.Usagef("--status %q: use one of %s", status, strings.Join(statusChoices, ", "))
			}
			t, err := cmdutil.ParseSince(since, f.Now())
			if err != nil {
				return cmdutil.Usagef("%v", err)
			}
			opts.Query.Since = t
			if opts.Query.Limit < 0 {
				return cmdutil.Usagef("--limit must be 0 (no limit) or more, got %d", opts.Query.Limit)
			}
			if fl := cmd.Flags().Lookup("profile"); fl != nil && fl.Changed {
				opts.ProfileChosen = true
			} else if f.Getenv != nil && f.Getenv("TRADECTL_PROFILE") != "" {
				opts.ProfileChosen = true
			}
			if runF != nil {
				return runF(opts)
			}
			return journalRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&status, "status", "all", "pending, placed, failed, not_placed or all")
	cmd.Flags().StringVar(&since, "since", "", "only entries since this duration ago or time")
	cmd.Flags().IntVarP(&opts.Query.Limit, "limit", "n", 100, "at most this many entries, the newest (0: no limit)")
	_ = cmd.RegisterFlagCompletionFunc("status", completion.Fixed(statusChoices))
	return cmd
}

func journalRun(ctx context.Context, o *JournalOptions) error {
	printer, err := o.Printer()
	if err != nil {
		return err
	}
	if o.ProfileChosen {
		cfg, err := o.Config()
		if err != nil {
			return err
		}
		o.Query.Profile = cfg.Profile
	}
	dirs, err := o.Dirs()
	if err != nil {
		return err
	}
	entries := []ledger.Entry{}
	// Reading must not create the file: no journal means nothing was sent.
	if ledger.Exists(filepath.Join(dirs.StateDir(), ledger.FileName)) {
		j, err := o.Journal()
		if err != nil {
			return err
		}
		if entries, err = j.Entries(ctx, o.Query); err != nil {
			return err
		}
	}
	return printer.Print(entries, func() *render.TableData { return Table(entries) })
}

// Table lays out entries, one per row. The detail holds the reason of a
// failure or refusal, so a narrow terminal gives up every other column
// before it and never cuts it. Intents and fills show their
// quantity and price as numbers, aligned on the point; the journal is read
// without opening any venue, so they are shown as they were recorded.
func Table(entries []ledger.Entry) *render.TableData {
	t := &render.TableData{
		Columns: []render.Column{{Header: "time"}, {Header: "profile", Drop: 3}, {Header: "event"},
			{Header: "client id", Drop: 1}, {Header: "status", Keep: true}, {Header: "qty", Right: true, Drop: 2},
			{Header: "price", Right: true, Drop: 2}, {Header: "detail", Keep: true}},
		Empty: "no journal entries",
	}
	for _, e := range entries {
		qty, price := numbers(e)
		t.AddRow(render.At(e.Time), render.T(e.Profile), render.T(string(e.Kind)), render.S(e.ClientID, render.Muted),
			statusCell(e.Status), qty, price, render.T(Detail(e)))
	}
	return t
}

// numbers are an entry's quantity and price cells: the fill's, or the
// intent's request (a market order has no price); empty for other events.
func numbers(e ledger.Entry) (qty, price render.Cell) {
	switch {
	case e.Fill != nil:
		return render.Num(e.Fill.Qty, -1), render.Num(e.Fill.Price, -1)
	case e.Request != nil && e.Kind == ledger.KindIntent:
		price = render.S("market", render.Muted)
		if e.Request.Price.Valid {
			price = render.Num(e.Request.Price.Decimal, -1)
		}
		if e.Request.QuoteQty.Valid {
			// A quote-sized order has no base quantity until it fills
			// (its fill rows have one); DETAIL gives the quote amount.
			return render.S("-", render.Muted), price
		}
		return render.Num(e.Request.Qty, -1), price
	}
	return render.T(""), render.T("")
}

func statusCell(s ledger.Status) render.Cell {
	switch s {
	case ledger.Placed:
		return render.S(string(s), render.Good)
	case ledger.Pending:
		return render.S(string(s), render.Warn)
	case ledger.Failed, ledger.NotPlaced:
		return render.S(string(s), render.Bad)
	}
	return render.T("")
}

// Detail is an entry's one-line description.
func Detail(e ledger.Entry) string {
	switch e.Kind {
	case ledger.KindRetry:
		return fmt.Sprintf("send %d: %s", e.Attempt, e.Message)
	case ledger.KindOutcome:
		s := e.Result
		if e.ErrorCode != "" {
			s += " (" + e.ErrorCode + ")"
		}
		if e.Message != "" {
			s += ": " + e.Message
		}
		return s
	case ledger.KindReconcile:
		s := fmt.Sprintf("look-up %d: %s", e.Attempt, e.Result)
		if e.OrderID != "" {
			s += " order " + e.OrderID
		}
		if e.Message != "" && e.OrderID == "" {
			s += ": " + e.Message
		}
		return s
	case ledger.KindRefusal:
		return e.Limit + " refused: " + e.Message
	case ledger.KindOverride:
		return e.Limit + " lifted: " + e.Message
	case ledger.KindExpiry:
		return "deadline " + e.Result + ": " + e.Message
	case ledger.KindAmend:
		s := e.Result + " order " + e.OrderID
		if e.ErrorCode != "" {
			s += " (" + e.ErrorCode + ")"
		}
		return s + ": " + e.Message
	}
	return e.Message
}
