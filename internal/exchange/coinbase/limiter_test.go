package coinbase

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func newFakeClock() *venuetest.Clock {
	return venuetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
}

func TestBucketNeverExceedsLimitPerSecond(t *testing.T) {
	for _, limit := range []int{privateRatePerSecond, publicRatePerSecond, 3, 1} {
		clock := newFakeClock()
		b := newBucket(limit, clock.Now, clock.Sleep)
		var sent []time.Time
		for range limit * 5 {
			if paused, err := b.take(context.Background()); err != nil || paused != 0 {
				t.Fatalf("take: %v %v", paused, err)
			}
			sent = append(sent, clock.Now())
		}
		// Every window of one second holds at most limit requests.
		for i := range sent {
			n := 0
			for j := i; j < len(sent) && sent[j].Sub(sent[i]) < time.Second; j++ {
				n++
			}
			if n > limit {
				t.Fatalf("limit %d: %d requests in the second from %s", limit, n, sent[i].Format("15:04:05.000"))
			}
		}
		// And it keeps the pace instead of crawling: after the burst, one
		// request every 1/rate, nothing slower.
		want := time.Duration(float64(len(sent))-b.burst) * time.Second / time.Duration(b.rate)
		if span := sent[len(sent)-1].Sub(sent[0]); span > want+time.Millisecond {
			t.Errorf("limit %d: %d requests took %s, want %s", limit, len(sent), span, want)
		}
		if b.rate < 0.6*float64(limit) {
			t.Errorf("limit %d: sustained rate %v is under 60%% of the limit", limit, b.rate)
		}
	}
}

func TestBucketBurstThenPace(t *testing.T) {
	clock := newFakeClock()
	b := newBucket(30, clock.Now, clock.Sleep) // burst 6, 24/s
	for range 6 {
		_, _ = b.take(context.Background())
	}
	if len(clock.Slept()) != 0 {
		t.Fatalf("the burst waited: %v", clock.Slept())
	}
	_, _ = b.take(context.Background())
	if want := time.Second / 24; len(clock.Slept()) != 1 || clock.Slept()[0] != want {
		t.Errorf("after the burst slept %v, want [%s]", clock.Slept(), want)
	}
	// A quiet second refills the burst, no more.
	clock.Advance(10 * time.Second)
	clock.ForgetSleeps()
	for range 6 {
		_, _ = b.take(context.Background())
	}
	if len(clock.Slept()) != 0 {
		t.Errorf("refilled burst waited: %v", clock.Slept())
	}
	_, _ = b.take(context.Background())
	if len(clock.Slept()) != 1 {
		t.Errorf("burst beyond capacity did not wait: %v", clock.Slept())
	}
}

func TestBucketCanceledWaitGivesBackItsTurn(t *testing.T) {
	clock := newFakeClock()
	b := newBucket(5, clock.Now, clock.Sleep) // burst 1, 4/s
	_, _ = b.take(context.Background())
	clock.CancelSleeps(true)
	if _, err := b.take(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("take with an ending context: %v", err)
	}
	clock.CancelSleeps(false)
	clock.ForgetSleeps()
	_, _ = b.take(context.Background())
	if want := time.Second / 4; len(clock.Slept()) != 1 || clock.Slept()[0] != want {
		t.Errorf("next take slept %v, want [%s]: the canceled reservation was kept", clock.Slept(), want)
	}
}

func TestBucketPause(t *testing.T) {
	clock := newFakeClock()
	b := newBucket(30, clock.Now, clock.Sleep)
	b.pause(7 * time.Second)
	clock.Advance(2 * time.Second)
	if paused, err := b.take(context.Background()); err != nil || paused != 5*time.Second {
		t.Fatalf("take during a pause = %s, %v; want 5s left", paused, err)
	}
	b.pause(time.Second) // a shorter pause does not shorten the current one
	if paused, _ := b.take(context.Background()); paused != 5*time.Second {
		t.Errorf("pause shortened to %s", paused)
	}
	clock.Advance(5 * time.Second)
	if paused, err := b.take(context.Background()); err != nil || paused != 0 {
		t.Errorf("take after the pause = %s, %v", paused, err)
	}
}

// TestLimiterPacesRequests checks the adapter routes calls through the
// buckets: public calls through the public one, private through the other.
func TestLimiterPacesRequests(t *testing.T) {
	f := adapter.Fixture(t)
	clock := newFakeClock()
	e := f.Open(t, nil, func(e *Exchange) {
		e.private = newBucket(2, clock.Now, clock.Sleep) // burst 1, 1/s
		e.public = newBucket(100000, clock.Now, clock.Sleep)
	})
	ctx := ctxT(t)
	if _, err := e.Instruments(ctx); err != nil {
		t.Fatal(err)
	}
	if len(clock.Slept()) != 0 {
		t.Fatalf("a public call waited on the private bucket: %v", clock.Slept())
	}
	for range 3 {
		if _, err := e.Balances(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(clock.Slept()) != 2 || clock.Slept()[0] != time.Second || clock.Slept()[1] != time.Second {
		t.Errorf("three private calls at 2/s slept %v, want [1s 1s]", clock.Slept())
	}
}
