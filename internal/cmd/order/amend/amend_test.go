package amend

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/xdg"
)

// lossy is the paper exchange with an amend answer lost on the way back:
// after it applied the amendment (applied), or before it did, with the
// look-ups after it failing too (the venue unreachable).
type lossy struct {
	*paper.Exchange
	applied     bool
	unreachable bool
	amends      int
}

func (l *lossy) AmendOrder(ctx context.Context, o trade.Order, a trade.AmendRequest, id string) (exchange.AmendResult, error) {
	l.amends++
	lost := &exchange.Error{Kind: exchange.ErrUnknownOutcome, Venue: "paper", Message: "connection reset after the request was sent"}
	if l.applied {
		if _, err := l.Exchange.AmendOrder(ctx, o, a, id); err != nil {
			return exchange.AmendResult{}, err
		}
		return exchange.AmendResult{}, lost
	}
	l.unreachable = true
	return exchange.AmendResult{}, lost
}

// Close leaves the account open: each run closes what it opened, and the
// test runs several.
func (l *lossy) Close() error { return nil }

func (l *lossy) GetOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	if l.unreachable {
		return trade.Order{}, &exchange.Error{Kind: exchange.ErrUnavailable, Venue: "paper", Message: "connection refused"}
	}
	return l.Exchange.GetOrder(ctx, ref)
}

type harness struct {
	ex   *lossy
	j    *journal.Journal
	out  *bytes.Buffer
	opts func(a trade.AmendRequest) *AmendOptions
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	px, err := paper.New(ctx, exchange.Params{Profile: "paper", Exchange: paper.Name, Options: map[string]any{},
		DataDir: dir, CacheDir: dir, Now: func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	j, err := journal.Open(ctx, filepath.Join(dir, journal.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	cfg, err := config.Load(ctx, config.LoadOptions{Registry: factory.Registry(), Dirs: xdg.Dirs{ConfigHome: dir}})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{ex: &lossy{Exchange: px}, j: j}
	h.opts = func(a trade.AmendRequest) *AmendOptions {
		ios, _, out, _ := iostreams.Test()
		h.out = out
		return &AmendOptions{
			IO:     ios,
			Config: func() (*config.Config, error) { return cfg, nil },
			OpenExchange: func(context.Context, string) (exchange.Exchange, config.Profile, error) {
				return h.ex, config.Profile{Name: "paper", Exchange: paper.Name}, nil
			},
			Reconcile: func(context.Context, exchange.Exchange, string) {},
			Journal:   func() (*journal.Journal, error) { return j, nil },
			Logger:    func() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) },
			Printer:   func() (*render.Printer, error) { return render.NewPrinter(ios, "json", "", time.Now) },
			Yes:       func() bool { return false },
			Ref:       exchange.OrderRef{ID: "1"},
			Amend:     a,
		}
	}
	return h
}

func qty(s string) trade.AmendRequest {
	return trade.AmendRequest{Qty: decimal.NewNullDecimal(decimal.RequireFromString(s))}
}

// TestAmendLostAnswerIsLookedUpNotResent: an answer lost after the venue
// amended the order is settled by looking it up — reported as amended,
// journaled with its outcome — and the amendment is sent once.
func TestAmendLostAnswerIsLookedUpNotResent(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	placeResting(t, h)
	h.ex.applied = true
	if err := amendRun(ctx, h.opts(qty("0.005"))); err != nil {
		t.Fatalf("amend with the answer lost after applying: %v", err)
	}
	if h.ex.amends != 1 {
		t.Errorf("amendments sent = %d, want 1", h.ex.amends)
	}
	var printed trade.Order
	if err := json.Unmarshal(h.out.Bytes(), &printed); err != nil {
		t.Fatalf("printed: %v", err)
	}
	if !printed.Qty.Equal(decimal.RequireFromString("0.005")) {
		t.Errorf("printed qty %s, want 0.005", printed.Qty)
	}
	got := amendStatuses(t, h.j)
	if diff := cmp.Diff([]journal.AmendStatus{journal.AmendDone}, got); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
}

// TestAmendUndecidedStaysPendingAndIsSettledFirst: when neither the answer
// nor a look-up comes back, the command exits 9 and sends nothing more;
// the amendment stays pending, and the next amend of the order settles it
// by looking the order up before sending its own.
func TestAmendUndecidedStaysPendingAndIsSettledFirst(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	placeResting(t, h)
	err := amendRun(ctx, h.opts(qty("0.005")))
	if c := cmdutil.Classify(ctx, err); c.Exit != cmdutil.ExitUnknownOutcome {
		t.Fatalf("exit %d (%v), want %d", c.Exit, err, cmdutil.ExitUnknownOutcome)
	}
	if h.ex.amends != 1 {
		t.Errorf("amendments sent = %d, want 1", h.ex.amends)
	}
	if diff := cmp.Diff([]journal.AmendStatus{journal.AmendPending}, amendStatuses(t, h.j)); diff != "" {
		t.Errorf("journal after the undecided amend (-want +got):\n%s", diff)
	}

	// The venue answers again; the first amendment never landed.
	h.ex.unreachable, h.ex.applied = false, true
	if err := amendRun(ctx, h.opts(qty("0.004"))); err != nil {
		t.Fatalf("next amend: %v", err)
	}
	want := []journal.AmendStatus{journal.AmendFailed, journal.AmendDone}
	if diff := cmp.Diff(want, amendStatuses(t, h.j)); diff != "" {
		t.Errorf("journal after the next amend (-want +got):\n%s", diff)
	}
}

func placeResting(t *testing.T, h *harness) {
	t.Helper()
	_, err := h.ex.Exchange.PlaceOrder(context.Background(), trade.OrderRequest{Symbol: trade.MustSymbol("BTC-USD"), Side: trade.Buy,
		Type: trade.Limit, Qty: decimal.RequireFromString("0.01"), Price: decimal.NewNullDecimal(decimal.NewFromInt(90000))})
	if err != nil {
		t.Fatal(err)
	}
}

func amendStatuses(t *testing.T, j *journal.Journal) []journal.AmendStatus {
	t.Helper()
	as, err := j.Amends(context.Background(), "paper", "1")
	if err != nil {
		t.Fatal(err)
	}
	var out []journal.AmendStatus
	for _, a := range as {
		out = append(out, a.Status)
	}
	return out
}
