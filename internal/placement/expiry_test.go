package placement

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/trade"
)

// sendWatcher reads the journal at the moment an order leaves: what a
// crash right then would leave behind.
type sendWatcher struct {
	exchange.Exchange
	j       *journal.Journal
	profile string
	seen    []string // "deadline STATE" or "no deadline", per send
}

func (s *sendWatcher) PlaceOrder(ctx context.Context, req trade.OrderRequest) (trade.Order, error) {
	e, ok, err := s.j.ExpiryOf(ctx, s.profile, req.ClientID)
	switch {
	case err != nil:
		s.seen = append(s.seen, "error "+err.Error())
	case ok:
		s.seen = append(s.seen, e.Deadline.Format(time.RFC3339)+" "+string(e.State)+" "+string(e.Intent.Status))
	default:
		s.seen = append(s.seen, "no deadline")
	}
	return s.Exchange.PlaceOrder(ctx, req)
}

// TestClientExpiryIsJournaledBeforeTheSend: the deadline is in the journal,
// with its intent still pending, when the order is sent; an order without
// one has none.
func TestClientExpiryIsJournaledBeforeTheSend(t *testing.T) {
	deadline := t0.Add(15 * time.Minute)
	for _, tc := range []struct {
		name     string
		deadline time.Time
		want     []string
	}{
		{"with a client-side deadline", deadline, []string{deadline.Format(time.RFC3339) + " armed pending"}},
		{"without one", time.Time{}, []string{"no deadline"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPaperEnv(t)
			w := &sendWatcher{Exchange: e.deps.Exchange, j: e.deps.Journal, profile: e.deps.Profile}
			e.deps.Exchange = w
			res, err := Place(ctxT(t), e.deps, limitBuy(btcusd, "0.001", "1000"), Options{ClientExpiry: tc.deadline, Retry: fastRetry()})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, w.seen); diff != "" {
				t.Errorf("journal at the send (-want +got):\n%s", diff)
			}
			_, ok, err := e.deps.Journal.ExpiryOf(context.Background(), e.deps.Profile, res.ClientID)
			if err != nil || ok != !tc.deadline.IsZero() {
				t.Errorf("after placing: ExpiryOf = %v, %v", ok, err)
			}
		})
	}
}
