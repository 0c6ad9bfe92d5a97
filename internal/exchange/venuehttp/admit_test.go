package venuehttp

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAdmit(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := t0
	clock := func() time.Time { return now }
	var slept []time.Duration
	sleep := func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		now = now.Add(d)
		return nil
	}

	// Room after two waits: each wait is slept, then reserve is asked again.
	tries := 0
	reserve := func() (time.Duration, bool) {
		tries++
		if tries < 3 {
			return time.Second, false
		}
		return 0, true
	}
	var p Pause
	if paused, err := Admit(context.Background(), &p, clock, sleep, reserve); paused != 0 || err != nil {
		t.Fatalf("Admit() = %v, %v; want admitted", paused, err)
	}
	if tries != 3 || len(slept) != 2 {
		t.Errorf("reserve asked %d times, slept %v; want 3 and two waits", tries, slept)
	}

	// A pause answers at once with the time left, charging nothing.
	p.Extend(now, 5*time.Second)
	tries = 0
	if paused, err := Admit(context.Background(), &p, clock, sleep, reserve); paused != 5*time.Second || err != nil {
		t.Errorf("Admit() while paused = %v, %v; want 5s", paused, err)
	}
	if tries != 0 {
		t.Errorf("reserve asked %d times while paused, want 0", tries)
	}

	// A wait cut short by ctx is the caller's error.
	now = now.Add(time.Minute)
	canceled := errors.New("canceled")
	full := func() (time.Duration, bool) { return time.Second, false }
	stop := func(context.Context, time.Duration) error { return canceled }
	if _, err := Admit(context.Background(), &p, clock, stop, full); !errors.Is(err, canceled) {
		t.Errorf("Admit() with a failing sleep = %v, want %v", err, canceled)
	}
}
