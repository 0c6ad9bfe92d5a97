package placement

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/trade"
)

const orderPath = "/api/v3/order"

func rejectPost(status int, body string) fakebinance.Failure {
	return fakebinance.Failure{Method: http.MethodPost, Path: orderPath, Mode: fakebinance.Reject, Status: status, Body: body}
}

func rejectGet(status int, body string) fakebinance.Failure {
	return fakebinance.Failure{Method: http.MethodGet, Path: orderPath, Mode: fakebinance.Reject, Status: status, Body: body}
}

const (
	bodyUnknown  = `{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}`
	bodyNoOrder  = `{"code":-2013,"msg":"Order does not exist."}`
	bodyTooMany  = `{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE."}`
	bodyBadPrice = `{"code":-1013,"msg":"Filter failure: PRICE_FILTER"}`
)

// TestPlaceAgainstVenueFaults drives Place through every way a venue can
// fail around a placement. After each, the venue holds at most one order
// for the client id, exactly one when the placement succeeded, and the
// journal tells the story step by step.
func TestPlaceAgainstVenueFaults(t *testing.T) {
	const dupID = "dup-order-1"
	tests := []struct {
		name         string
		req          trade.OrderRequest
		attempt      time.Duration // AttemptTimeout
		setup        func(t *testing.T, ex exchange.Exchange, srv *fakebinance.Server)
		wantErr      error
		wantExisting bool
		wantOrders   int // accepted by the venue in all
		wantPosts    int // POST /api/v3/order received in all
		wantStatus   journal.Status
		wantEvents   []string
	}{
		{
			name:       "accepted at once",
			req:        marketBuy(btcusdt, "0.001"),
			wantOrders: 1, wantPosts: 1, wantStatus: journal.Placed,
			wantEvents: []string{"intent", "outcome/placed", "fill"},
		},
		{
			name:       "(a) accepted, then the connection dropped before the answer",
			req:        marketBuy(btcusdt, "0.001"),
			setup:      func(_ *testing.T, _ exchange.Exchange, s *fakebinance.Server) { s.DropNextOrderAfterAccept() },
			wantOrders: 1, wantPosts: 1, wantStatus: journal.Placed,
			wantEvents: []string{"intent", "reconcile/found", "outcome/placed", "fill"},
		},
		{
			name:       "(b) accepted, then answered 5xx",
			req:        marketBuy(btcusdt, "0.001"),
			setup:      func(_ *testing.T, _ exchange.Exchange, s *fakebinance.Server) { s.FailNextOrderAfterAccept(503) },
			wantOrders: 1, wantPosts: 1, wantStatus: journal.Placed,
			wantEvents: []string{"intent", "reconcile/found", "outcome/placed", "fill"},
		},
		{
			name:    "(c) hangs past the deadline, never taken; sent again under the same id",
			req:     marketBuy(btcusdt, "0.001"),
			attempt: time.Second,
			setup: func(_ *testing.T, _ exchange.Exchange, s *fakebinance.Server) {
				s.Inject(fakebinance.Failure{Method: http.MethodPost, Path: orderPath, Mode: fakebinance.Hang})
			},
			// Absent at once, and still absent once Binance's accept window
			// (recvWindow plus a margin) has passed: only then sent again.
			wantOrders: 1, wantPosts: 2, wantStatus: journal.Placed,
			wantEvents: []string{"intent", "reconcile/absent", "reconcile/absent", "retry", "outcome/placed", "fill"},
		},
		{
			name: "(d) 429 with Retry-After: waited, sent again",
			req:  limitBuy(btcusdt, "0.001", "40000"),
			setup: func(_ *testing.T, _ exchange.Exchange, s *fakebinance.Server) {
				f := rejectPost(http.StatusTooManyRequests, bodyTooMany)
				f.Header = http.Header{"Retry-After": {"1"}}
				s.Inject(f)
			},
			wantOrders: 1, wantPosts: 2, wantStatus: journal.Placed,
			wantEvents: []string{"intent", "retry", "outcome/placed"},
		},
		{
			name: "(e) duplicate client id: the venue's order is reported as existing",
			req:  withClientID(limitBuy(btcusdt, "0.001", "40000"), dupID),
			setup: func(t *testing.T, ex exchange.Exchange, s *fakebinance.Server) {
				if _, err := ex.PlaceOrder(ctxT(t), withClientID(limitBuy(btcusdt, "0.001", "40000"), dupID)); err != nil {
					t.Fatal(err)
				}
				// The pre-send check misses it, as when another machine
				// places it a moment later.
				s.Inject(rejectGet(400, bodyNoOrder))
			},
			wantExisting: true,
			wantOrders:   1, wantPosts: 2, wantStatus: journal.Placed,
			wantEvents: []string{"intent", "reconcile/found", "outcome/existing"},
		},
		{
			name:  "5xx before taking it: proved absent, sent again",
			req:   marketBuy(btcusdt, "0.001"),
			setup: func(_ *testing.T, _ exchange.Exchange, s *fakebinance.Server) { s.Inject(rejectPost(503, bodyUnknown)) },
			// Absent at once, and still absent once Binance's accept window
			// (recvWindow plus a margin) has passed: only then sent again.
			wantOrders: 1, wantPosts: 2, wantStatus: journal.Placed,
			wantEvents: []string{"intent", "reconcile/absent", "reconcile/absent", "retry", "outcome/placed", "fill"},
		},
		{
			name: "outcome still unknown after the look-up budget: exit 9, left pending",
			req:  marketBuy(btcusdt, "0.001"),
			setup: func(_ *testing.T, _ exchange.Exchange, s *fakebinance.Server) {
				s.Inject(rejectPost(503, bodyUnknown))
				for range 3 {
					s.Inject(rejectGet(503, "<html>Service Unavailable</html>"))
				}
			},
			wantErr:    exchange.ErrUnknownOutcome,
			wantOrders: 0, wantPosts: 1, wantStatus: journal.Pending,
			wantEvents: []string{"intent", "reconcile/unknown", "reconcile/unknown", "reconcile/unknown", "outcome/unknown"},
		},
		{
			name: "every send ambiguous, every look-up absent: not placed",
			req:  marketBuy(btcusdt, "0.001"),
			setup: func(_ *testing.T, _ exchange.Exchange, s *fakebinance.Server) {
				for range 3 {
					s.Inject(rejectPost(502, "<html>Bad Gateway</html>"))
				}
			},
			wantErr:    exchange.ErrUnavailable,
			wantOrders: 0, wantPosts: 3, wantStatus: journal.NotPlaced,
			wantEvents: []string{"intent", "reconcile/absent", "reconcile/absent", "retry", "reconcile/absent", "reconcile/absent", "retry",
				"reconcile/absent", "reconcile/absent", "outcome/not_placed"},
		},
		{
			name:       "insufficient funds is final: sent once",
			req:        marketBuy(btcusdt, "50"),
			wantErr:    exchange.ErrInsufficientFunds,
			wantOrders: 0, wantPosts: 1, wantStatus: journal.Failed,
			wantEvents: []string{"intent", "outcome/failed"},
		},
		{
			name: "a venue validation error is final: sent once",
			req:  limitBuy(btcusdt, "0.001", "40000"),
			setup: func(_ *testing.T, _ exchange.Exchange, s *fakebinance.Server) {
				s.Inject(rejectPost(400, bodyBadPrice))
			},
			wantErr:    exchange.ErrInvalidOrder,
			wantOrders: 0, wantPosts: 1, wantStatus: journal.Failed,
			wantEvents: []string{"intent", "outcome/failed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, srv := newBinanceEnv(t)
			ctx := ctxT(t)
			if tt.setup != nil {
				tt.setup(t, e.deps.Exchange, srv)
			}
			attempt := tt.attempt
			if attempt == 0 {
				attempt = 5 * time.Second
			}
			res, err := Place(ctx, e.deps, tt.req, Options{Retry: fastRetry(), AttemptTimeout: attempt})
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Place: %v", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("Place error = %v, want %v", err, tt.wantErr)
			}
			clientID := onlyIntent(t, e.deps.Journal)
			if tt.req.ClientID != "" && clientID != tt.req.ClientID {
				t.Errorf("journal client id = %s, want the caller's %s", clientID, tt.req.ClientID)
			}
			if errors.Is(tt.wantErr, exchange.ErrUnknownOutcome) {
				var xe *exchange.Error
				if !errors.As(err, &xe) || xe.ClientID != clientID {
					t.Errorf("unknown outcome error %v does not carry client id %s", err, clientID)
				}
			}
			if got := srv.OrdersPlaced(); got != tt.wantOrders {
				t.Errorf("orders at the venue = %d, want %d", got, tt.wantOrders)
			}
			if got := srv.Count(http.MethodPost, orderPath); got != tt.wantPosts {
				t.Errorf("POST %s = %d, want %d", orderPath, got, tt.wantPosts)
			}
			if got := intentStatus(t, e.deps.Journal, "binance", clientID); got != tt.wantStatus {
				t.Errorf("journal status = %s, want %s", got, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantEvents, events(t, e.deps.Journal, clientID)); diff != "" {
				t.Errorf("journal events (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			if res.Existing != tt.wantExisting || res.ClientID != clientID || res.Order.ClientID != clientID {
				t.Errorf("result existing=%v client id=%s order client id=%s; want existing=%v, %s", res.Existing, res.ClientID, res.Order.ClientID, tt.wantExisting, clientID)
			}
			venue, err := e.deps.Exchange.GetOrder(ctx, exchange.OrderRef{ClientID: clientID, Symbol: tt.req.Symbol})
			if err != nil || venue.ID != res.Order.ID {
				t.Errorf("the venue's order for %s is %q (%v), want the reported %q", clientID, venue.ID, err, res.Order.ID)
			}
		})
	}
}

func withClientID(r trade.OrderRequest, id string) trade.OrderRequest {
	r.ClientID = id
	return r
}

// onlyIntent returns the client id of the journal's one intent.
func onlyIntent(t *testing.T, j *journal.Journal) string {
	t.Helper()
	entries, err := j.Entries(context.Background(), journal.Query{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, e := range entries {
		if e.Kind == journal.KindIntent {
			ids[e.ClientID] = true
		}
	}
	if len(ids) != 1 {
		t.Fatalf("journal has intents for %v, want exactly one", ids)
	}
	for id := range ids {
		return id
	}
	return ""
}

// TestUnknownOutcomeIsReconciledLater: the venue is down after an
// ambiguous send; once it is back, the next command settles the intent,
// and re-running with the same key never places a second order.
func TestUnknownOutcomeIsReconciledLater(t *testing.T) {
	tests := []struct {
		name       string
		accepted   bool // whether the lost send reached the venue
		next       string
		wantStatus journal.Status
		wantOrders int
	}{
		{"taken, then reconciled by another command", true, "reconcile", journal.Placed, 1},
		{"never taken, then reconciled by another command", false, "reconcile", journal.NotPlaced, 0},
		{"taken, then the same command again", true, "rerun", journal.Placed, 1},
		{"never taken, then the same command again", false, "rerun", journal.Placed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, srv := newBinanceEnv(t)
			ctx := ctxT(t)
			if tt.accepted {
				srv.FailNextOrderAfterAccept(503)
			} else {
				srv.Inject(rejectPost(503, bodyUnknown))
			}
			// The pre-send check passes, then every look-up fails.
			srv.Inject(rejectGet(400, bodyNoOrder))
			for range 3 {
				srv.Inject(rejectGet(503, "down"))
			}
			opts := Options{IdempotencyKey: "nightly-2026-03-02", Retry: fastRetry(), AttemptTimeout: 5 * time.Second}
			req := marketBuy(btcusdt, "0.001")
			_, err := Place(ctx, e.deps, req, opts)
			if !errors.Is(err, exchange.ErrUnknownOutcome) {
				t.Fatalf("first Place = %v, want an unknown outcome", err)
			}
			clientID := ClientIDFor("binance", opts.IdempotencyKey)
			if got := intentStatus(t, e.deps.Journal, "binance", clientID); got != journal.Pending {
				t.Fatalf("after the unknown outcome the intent is %s, want pending", got)
			}

			switch tt.next {
			case "reconcile":
				still, err := Reconcile(ctx, e.deps, Options{Retry: fastRetry()})
				if err != nil || len(still) != 0 {
					t.Fatalf("Reconcile = %v, %v; want nothing left pending", still, err)
				}
			case "rerun":
				res, err := Place(ctx, e.deps, req, opts)
				if err != nil {
					t.Fatalf("re-run: %v", err)
				}
				if res.Existing != tt.accepted {
					t.Errorf("re-run existing = %v, want %v", res.Existing, tt.accepted)
				}
			}
			if got := intentStatus(t, e.deps.Journal, "binance", clientID); got != tt.wantStatus {
				t.Errorf("intent = %s, want %s", got, tt.wantStatus)
			}
			if got := srv.OrdersPlaced(); got != tt.wantOrders {
				t.Errorf("orders at the venue = %d, want %d", got, tt.wantOrders)
			}
		})
	}
}
