// Package placement places an order exactly once, or not at all.
//
// Place is the one path every order takes, on paper and on real venues:
//
//  1. The order gets a client id: the caller's, one derived from an
//     idempotency key (ClientIDFor), or a fresh random one.
//  2. The profile's lock file is taken, so overlapping processes on one
//     account place one at a time; it is held until the outcome is
//     written.
//  3. Intents an earlier process left pending on the profile are settled
//     first (found → placed, absent → not placed, unknown → left pending
//     with a warning).
//  4. A client id the caller chose is checked: already placed according to
//     the journal, or found at the venue, it is returned as existing and
//     nothing is sent. Re-running a command is safe.
//  5. The intent is committed to the journal, then the order is sent.
//  6. An ambiguous answer — unknown outcome, unavailable, timeout, dropped
//     connection, 5xx — is reconciled: the order is looked up by client
//     id. Found, it is reported; certainly absent, it is sent again under
//     the same client id, within a bounded budget with exponential
//     backoff and jitter; still unknown, Place returns ErrUnknownOutcome
//     with the client id and the intent stays pending. A second order
//     under a fresh id is never sent.
//  7. The outcome is committed: placed, failed or not placed.
//
// Validation, auth and funds errors are final and never retried. A rate
// limit means the venue refused before acting, so the order is sent again
// after Retry-After when that fits the budget.
package placement

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/trade"
)

// Deps are what Place works with.
type Deps struct {
	Exchange exchange.Exchange
	Journal  *journal.Journal
	// Profile names the account: the journal's key and the lock's name.
	Profile string
	// LockDir holds the per-profile lock files.
	LockDir string
	// Logger gets progress (debug) and warnings; nil discards them.
	Logger *slog.Logger
}

// Retry bounds the work done on an ambiguous or rate-limited placement.
type Retry struct {
	// Sends is the most times one order is sent (the first included).
	Sends int
	// Lookups is the most look-ups by client id in one reconciliation.
	Lookups int
	// BaseDelay is the first backoff; each next one doubles, up to
	// MaxDelay, and is jittered down to half.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter is the longest Retry-After worth waiting for; a
	// longer one ends the placement with the rate-limit error.
	MaxRetryAfter time.Duration
}

// DefaultRetry is the budget order create uses.
func DefaultRetry() Retry {
	return Retry{Sends: 3, Lookups: 4, BaseDelay: 250 * time.Millisecond, MaxDelay: 4 * time.Second, MaxRetryAfter: 30 * time.Second}
}

// Options tune one placement.
type Options struct {
	// IdempotencyKey, when set, derives the client id (ClientIDFor), so
	// the same command run twice places one order.
	IdempotencyKey string
	// LockTimeout bounds the wait for the profile's lock; 0 means
	// DefaultLockTimeout, a negative value one try.
	LockTimeout time.Duration
	// AttemptTimeout bounds each send and look-up. 0 means half the time
	// left before ctx's deadline, so a venue that hangs leaves time to
	// reconcile; without a deadline, only the adapter's own timeouts.
	AttemptTimeout time.Duration
	// Retry is the budget; a zero Retry means DefaultRetry.
	Retry Retry
	// FreshClientID says the request's client id was generated for this
	// order (NewClientID) and cannot exist yet: it is not looked up
	// before the first send.
	FreshClientID bool
	// TrustJournal settles a chosen client id the journal has never seen
	// as new without asking the venue first. Should the venue have it
	// after all (another machine, a lost journal), the send is answered
	// as a duplicate and that order is looked up and returned.
	TrustJournal bool
	// BeforeSend, if set, runs under the lock once the order is known to
	// be new, before its intent is written. Checks that must count every
	// process's orders (open-order limits) belong here; an error ends the
	// placement with nothing sent and nothing recorded.
	BeforeSend func(ctx context.Context, req trade.OrderRequest) error
	// ClientExpiry, when set, is a deadline tradectl keeps for the order
	// (the venue has no good-till-date orders): it is committed with the
	// intent, before the order is sent, for `order expire` to act on.
	ClientExpiry time.Time
}

// Result is a placed (or found) order.
type Result struct {
	Order trade.Order
	// Existing is true when the order was already at the venue — an
	// earlier run with the same client id or idempotency key placed it —
	// and nothing was sent now.
	Existing bool
	ClientID string
}

// AcceptWindower is implemented by adapters whose venue refuses an order
// that reaches its matching engine later than a window after it was sent
// (Binance: recvWindow). Until that window has passed, "not found" may
// mean "not yet", so Place looks again after it before sending again.
type AcceptWindower interface {
	AcceptWindow() time.Duration
}

// ErrKeyConflict is returned (wrapped in *KeyConflictError) when a client
// id or idempotency key is reused for a different order.
var ErrKeyConflict = errors.New("client id reused for a different order")

// KeyConflictError names the reuse. Nothing was placed.
type KeyConflictError struct {
	Key      string // `idempotency key "K"` or "client id C"
	ClientID string
	Previous string // what the id was used for
	Now      string // what was asked now
}

func (e *KeyConflictError) Error() string {
	return fmt.Sprintf("%s was already used for a different order (%s, client id %s); asked now: %s; nothing was placed — use a new key for a new order",
		e.Key, e.Previous, e.ClientID, e.Now)
}

func (e *KeyConflictError) Unwrap() error { return ErrKeyConflict }

type placer struct {
	d   Deps
	o   Options
	log *slog.Logger
}

func newPlacer(d Deps, o Options) *placer {
	if o.LockTimeout == 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if o.Retry == (Retry{}) {
		o.Retry = DefaultRetry()
	}
	if o.Retry.Sends < 1 {
		o.Retry.Sends = 1
	}
	if o.Retry.Lookups < 1 {
		o.Retry.Lookups = 1
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &placer{d: d, o: o, log: log}
}

// Place sends req once, or finds the order an earlier run sent; see the
// package documentation. req must already be validated and conformed to
// the instrument's rules.
func Place(ctx context.Context, d Deps, req trade.OrderRequest, o Options) (Result, error) {
	if d.Exchange == nil || d.Journal == nil || d.Profile == "" {
		return Result{}, errors.New("placement: exchange, journal and profile are required")
	}
	p := newPlacer(d, o)
	clientID, chosen, flag, err := ChooseClientID(d.Profile, req.ClientID, o.IdempotencyKey)
	if err != nil {
		return Result{}, err
	}
	if o.FreshClientID && o.IdempotencyKey == "" {
		chosen = false
	}
	req.ClientID = clientID

	unlock, err := lock(ctx, d.LockDir, d.Profile, p.o.LockTimeout)
	if err != nil {
		return Result{}, err
	}
	defer unlock()

	p.settlePending(ctx, clientID)

	if chosen {
		if res, done, err := p.known(ctx, req, flag); done || err != nil {
			return res, err
		}
	}
	if p.o.BeforeSend != nil {
		if err := p.o.BeforeSend(ctx, req); err != nil {
			return Result{}, err
		}
	}
	in, err := d.Journal.Begin(ctx, journal.NewIntent{Profile: d.Profile, Exchange: d.Exchange.Name(),
		ClientID: clientID, IdempotencyKey: o.IdempotencyKey, Request: req, Simulated: exchange.IsSimulated(d.Exchange),
		ClientExpiry: o.ClientExpiry})
	if err != nil {
		return Result{}, fmt.Errorf("place order: nothing was sent: %w", err)
	}
	return p.send(ctx, in, req)
}

// ChooseClientID picks the order's client id: derived from key, else the
// request's, else a new random one. chosen says the caller chose it (so
// it may already exist); flag names where it came from, for messages.
func ChooseClientID(profile, requested, key string) (id string, chosen bool, flag string, err error) {
	switch {
	case key != "":
		if err := ValidateIdempotencyKey(key); err != nil {
			return "", false, "", err
		}
		id = ClientIDFor(profile, key)
		if requested != "" && requested != id {
			return "", false, "", fmt.Errorf("client id %s and idempotency key %q name different orders: give one of them", requested, key)
		}
		return id, true, fmt.Sprintf("idempotency key %q", key), nil
	case requested != "":
		if err := trade.ValidateClientID(requested); err != nil {
			return "", false, "", err
		}
		return requested, true, "client id " + requested, nil
	}
	return NewClientID(), false, "", nil
}

// known handles a client id the caller chose: the journal's record first,
// then the venue. done is true when the result is final (existing order,
// or an unknown outcome).
func (p *placer) known(ctx context.Context, req trade.OrderRequest, flag string) (Result, bool, error) {
	in, ok, err := p.d.Journal.Intent(ctx, p.d.Profile, req.ClientID)
	if err != nil {
		return Result{}, true, fmt.Errorf("place order: nothing was sent: %w", err)
	}
	if ok {
		if !sameRequest(in.Request, req) {
			return Result{}, true, &KeyConflictError{Key: flag, ClientID: req.ClientID,
				Previous: describe(in.Request), Now: describe(req)}
		}
		switch in.Status {
		case journal.Placed:
			return p.existing(ctx, in), true, nil
		case journal.Pending:
			if in.Exchange != p.d.Exchange.Name() {
				return Result{}, true, &exchange.Error{Kind: exchange.ErrUnknownOutcome, Venue: in.Exchange, ClientID: in.ClientID,
					Message: fmt.Sprintf("%s was sent to %s from profile %s and is still unsettled there; the profile now points at %s, so nothing was sent",
						describe(in.Request), in.Exchange, p.d.Profile, p.d.Exchange.Name())}
			}
			res, settled, err := p.settle(ctx, in)
			if err != nil || !settled {
				return Result{}, true, err
			}
			if res.Order.ID != "" {
				res.Existing = true
				return res, true, nil
			}
			// Proved absent: fall through and send it now.
		}
	}
	if p.o.TrustJournal {
		return Result{}, false, nil
	}
	// The venue may have it from another machine, or from before the
	// journal was lost.
	o, result, lerr := p.lookup(ctx, journal.Intent{ClientID: req.ClientID, Request: req}, time.Time{}, false)
	switch result {
	case journal.Found:
		if !sameOrder(o, req) {
			return Result{}, true, &KeyConflictError{Key: flag, ClientID: req.ClientID,
				Previous: fmt.Sprintf("order %s: %s %s %s at the venue", o.ID, o.Side, o.Qty, o.Symbol), Now: describe(req)}
		}
		in, err := p.d.Journal.Begin(ctx, journal.NewIntent{Profile: p.d.Profile, Exchange: p.d.Exchange.Name(),
			ClientID: req.ClientID, IdempotencyKey: p.o.IdempotencyKey, Request: req, ClientExpiry: p.o.ClientExpiry})
		if err == nil {
			err = p.d.Journal.RecordPlaced(p.journalCtx(ctx), in.ID, o, true)
		}
		if err != nil {
			p.log.Warn("the journal could not record an order found at the venue", "client_id", req.ClientID, "err", err)
		}
		return Result{Order: o, Existing: true, ClientID: req.ClientID}, true, nil
	case journal.Absent:
		return Result{}, false, nil
	}
	return Result{}, true, fmt.Errorf("place order: could not check whether client id %s is already at the venue, so nothing was sent: %w", req.ClientID, lerr)
}

// existing reports an intent the journal already has as placed, with the
// order as the venue shows it now (as recorded, if the venue cannot say).
func (p *placer) existing(ctx context.Context, in journal.Intent) Result {
	var rec trade.Order
	if in.Order != nil {
		rec = *in.Order
	}
	actx, cancel := p.attemptCtx(ctx)
	o, err := p.d.Exchange.GetOrder(actx, exchange.OrderRef{ID: rec.ID, ClientID: in.ClientID, Symbol: rec.Symbol})
	cancel()
	if err != nil {
		p.log.Warn("showing the order as the journal last recorded it: the venue could not be asked", "order", rec.ID, "err", err)
		o = rec
	}
	// The re-run is part of the story: "ran again, nothing sent".
	p.recordPlaced(p.journalCtx(ctx), in, o, true)
	return Result{Order: o, Existing: true, ClientID: in.ClientID}
}

// send runs the send/reconcile loop for a committed intent.
func (p *placer) send(ctx context.Context, in journal.Intent, req trade.OrderRequest) (Result, error) {
	jctx := p.journalCtx(ctx)
	var lastErr error
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			if err := p.d.Journal.RecordRetry(jctx, in.ID, attempt, "sent again under the same client id after: "+lastErr.Error()); err != nil {
				p.log.Warn("the journal could not record a retry", "client_id", in.ClientID, "err", err)
			}
		}
		sentAt := time.Now()
		actx, cancel := p.attemptCtx(ctx)
		o, err := p.d.Exchange.PlaceOrder(actx, req)
		cancel()
		if err == nil {
			p.recordPlaced(jctx, in, o, false)
			return Result{Order: o, ClientID: in.ClientID}, nil
		}
		lastErr = err
		p.log.Debug("placement answered with an error", "client_id", in.ClientID, "attempt", attempt, "err", err)

		switch {
		case errors.Is(err, exchange.ErrDuplicateClientID):
			found, result, _ := p.lookup(ctx, in, sentAt, true)
			if result == journal.Found && !sameOrder(found, req) {
				conflict := &KeyConflictError{Key: "client id " + in.ClientID, ClientID: in.ClientID,
					Previous: fmt.Sprintf("order %s: %s %s %s at the venue", found.ID, found.Side, found.Qty, found.Symbol), Now: describe(req)}
				p.recordFailed(jctx, in, conflict)
				return Result{}, conflict
			}
			if result == journal.Found {
				// On the first send the duplicate is someone else's
				// earlier order; on a later one it is our own first send.
				p.recordPlaced(jctx, in, found, attempt == 1)
				return Result{Order: found, Existing: attempt == 1, ClientID: in.ClientID}, nil
			}
			p.recordFailed(jctx, in, err)
			return Result{}, placeErr(err)

		case errors.Is(err, exchange.ErrRateLimited):
			wait, ok := p.waitFor(ctx, attempt, err)
			if !ok || attempt >= p.o.Retry.Sends {
				p.recordFailed(jctx, in, err)
				return Result{}, placeErr(err)
			}
			p.log.Info("rate limited; waiting before sending again", "client_id", in.ClientID, "wait", wait)
			if serr := sleep(ctx, wait); serr != nil {
				p.recordFailed(jctx, in, err)
				return Result{}, placeErr(err)
			}

		case final(err):
			p.recordFailed(jctx, in, err)
			return Result{}, placeErr(err)

		default: // ambiguous: the order may exist
			if ctx.Err() != nil {
				return Result{}, p.unknown(jctx, in, err)
			}
			p.log.Info("placement outcome unknown; looking the order up by client id", "client_id", in.ClientID, "err", err)
			found, result, lerr := p.lookup(ctx, in, sentAt, true)
			switch result {
			case journal.Found:
				p.recordPlaced(jctx, in, found, false)
				return Result{Order: found, ClientID: in.ClientID}, nil
			case journal.Unknown:
				if lerr == nil {
					lerr = err
				}
				return Result{}, p.unknown(jctx, in, lerr)
			}
			wait, ok := p.waitFor(ctx, attempt, err)
			if attempt >= p.o.Retry.Sends || !ok {
				return Result{}, p.notPlaced(jctx, in, attempt, err)
			}
			if serr := sleep(ctx, wait); serr != nil {
				return Result{}, p.notPlaced(jctx, in, attempt, err)
			}
		}
	}
}

// final reports errors after which the venue certainly has no order and
// sending again cannot help.
func final(err error) bool {
	for _, k := range []error{exchange.ErrInvalidOrder, exchange.ErrInsufficientFunds, exchange.ErrAuth, exchange.ErrNotFound} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

func (p *placer) recordPlaced(ctx context.Context, in journal.Intent, o trade.Order, existing bool) {
	if err := p.d.Journal.RecordPlaced(ctx, in.ID, o, existing); err != nil {
		// The order exists; failing the command now would invite a re-run
		// that the pending intent will answer anyway.
		p.log.Warn("the order was placed but the journal could not record it; the next command will reconcile it",
			"client_id", in.ClientID, "order", o.ID, "err", err)
	}
}

func (p *placer) recordFailed(ctx context.Context, in journal.Intent, cause error) {
	if err := p.d.Journal.RecordFailed(ctx, in.ID, ErrorCode(cause), cause.Error()); err != nil {
		p.log.Warn("the journal could not record the failure", "client_id", in.ClientID, "err", err)
	}
}

// unknown leaves the intent pending and returns the exit-9 error. The
// cause is quoted, not wrapped: a context error inside would make the
// command look merely interrupted or timed out, when an order may exist.
func (p *placer) unknown(ctx context.Context, in journal.Intent, cause error) error {
	msg := fmt.Sprintf("%s could not be confirmed (%v); the intent stays pending in the journal and the next order command on profile %s looks it up again",
		describe(in.Request), cause, p.d.Profile)
	if err := p.d.Journal.RecordUnknown(ctx, in.ID, "unknown_outcome", fmt.Sprint(cause)); err != nil {
		p.log.Warn("the journal could not record the unknown outcome", "client_id", in.ClientID, "err", err)
	}
	return &exchange.Error{Kind: exchange.ErrUnknownOutcome, Venue: p.d.Exchange.Name(), ClientID: in.ClientID, Message: msg}
}

// notPlaced settles an intent whose every send failed ambiguously but
// which look-ups proved absent: the order certainly does not exist.
func (p *placer) notPlaced(ctx context.Context, in journal.Intent, sends int, cause error) error {
	msg := fmt.Sprintf("order not placed: %d send(s) failed and the venue has no order with client id %s (%v)", sends, in.ClientID, cause)
	if err := p.d.Journal.RecordNotPlaced(ctx, in.ID, ErrorCode(cause), msg); err != nil {
		p.log.Warn("the journal could not record the outcome", "client_id", in.ClientID, "err", err)
	}
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: p.d.Exchange.Name(), Message: msg}
}

// journalCtx detaches journal writes from the command's deadline and
// Ctrl-C: the outcome of an order that was sent must be recorded even when
// they have just ended the network call. SQLite's busy timeout bounds them.
func (p *placer) journalCtx(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

// attemptCtx bounds one send or look-up.
func (p *placer) attemptCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	d := p.o.AttemptTimeout
	if d <= 0 {
		dl, ok := ctx.Deadline()
		if !ok {
			return context.WithCancel(ctx)
		}
		d = time.Until(dl) / 2
	}
	return context.WithTimeout(ctx, d)
}

// backoff is the n-th delay (n from 1): BaseDelay doubling up to
// MaxDelay, jittered uniformly into its upper half so processes that
// failed together do not retry together.
func (p *placer) backoff(n int) time.Duration {
	d := p.o.Retry.BaseDelay
	for i := 1; i < n && d < p.o.Retry.MaxDelay; i++ {
		d *= 2
	}
	if p.o.Retry.MaxDelay > 0 && d > p.o.Retry.MaxDelay {
		d = p.o.Retry.MaxDelay
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// waitFor is the wait before retry n+1 after err: the venue's Retry-After
// when it gave one, else the backoff. ok is false when the wait is longer
// than MaxRetryAfter or would outlast ctx.
func (p *placer) waitFor(ctx context.Context, n int, err error) (time.Duration, bool) {
	wait := p.backoff(n)
	if ra, has := exchange.RetryAfter(err); has {
		if ra > p.o.Retry.MaxRetryAfter {
			return ra, false
		}
		wait = ra
	}
	if dl, has := ctx.Deadline(); has && time.Until(dl) <= wait {
		return wait, false
	}
	return wait, true
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ErrorCode is the machine-readable code the journal stores for err, the
// same words `-o json` errors use.
func ErrorCode(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrKeyConflict):
		return "usage"
	case errors.Is(err, exchange.ErrUnknownOutcome):
		return "unknown_outcome"
	case errors.Is(err, exchange.ErrDuplicateClientID):
		return "duplicate_client_id"
	case errors.Is(err, exchange.ErrInsufficientFunds):
		return "insufficient_funds"
	case errors.Is(err, exchange.ErrInvalidOrder):
		return "invalid_order"
	case errors.Is(err, exchange.ErrAuth):
		return "auth"
	case errors.Is(err, exchange.ErrNotFound):
		return "not_found"
	case errors.Is(err, exchange.ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, exchange.ErrUnavailable):
		return "unavailable"
	}
	return "internal"
}

// sameRequest reports whether two requests ask for the same order.
func sameRequest(a, b trade.OrderRequest) bool {
	return a.Symbol == b.Symbol && a.Side == b.Side && a.Type == b.Type && a.EffectiveTIF() == b.EffectiveTIF() &&
		a.Qty.Equal(b.Qty) && a.PostOnly == b.PostOnly &&
		a.QuoteQty.Valid == b.QuoteQty.Valid && (!a.QuoteQty.Valid || a.QuoteQty.Decimal.Equal(b.QuoteQty.Decimal)) &&
		a.Price.Valid == b.Price.Valid && (!a.Price.Valid || a.Price.Decimal.Equal(b.Price.Decimal)) &&
		a.StopPrice.Valid == b.StopPrice.Valid && (!a.StopPrice.Valid || a.StopPrice.Decimal.Equal(b.StopPrice.Decimal)) &&
		trade.SameExits(a.Exits, b.Exits) && a.SameTrail(b)
}

// sameOrder reports whether an order found at the venue is plausibly the
// one req asks for; venues report type and prices in their own terms, so
// symbol, side and quantity decide. A quote-sized order's quantity is
// what the venue filled, so only symbol and side can.
func sameOrder(o trade.Order, req trade.OrderRequest) bool {
	return o.Symbol.IsZero() || (o.Symbol == req.Symbol && o.Side == req.Side && (req.QuoteSized() || o.Qty.Equal(req.Qty)))
}

func describe(r trade.OrderRequest) string {
	s := fmt.Sprintf("%s %s %s %s", r.Side, r.Qty, r.Symbol, r.Type)
	if r.QuoteSized() {
		s = fmt.Sprintf("%s %s %s of %s %s", r.Side, r.QuoteQty.Decimal, r.Symbol.Quote, r.Symbol, r.Type)
	}
	if r.Price.Valid {
		s += " " + r.Price.Decimal.String()
	}
	if r.StopPrice.Valid {
		s += " stop " + r.StopPrice.Decimal.String()
	}
	if trail := r.TrailText(); trail != "" {
		s += " trail " + trail
	}
	return s + r.Exits.Describe()
}

// placeErr names the operation unless the adapter already did.
func placeErr(err error) error {
	if strings.HasPrefix(err.Error(), "place order") {
		return err
	}
	return fmt.Errorf("place order: %w", err)
}
