package venuebase

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
)

func TestNew(t *testing.T) {
	pinned := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	client := &http.Client{Timeout: time.Second}
	store := func(_ context.Context, name string) (string, error) {
		if name == "api_key" {
			return "key", nil
		}
		return "", errors.New("no such secret")
	}

	type view struct {
		Name      string
		Profile   string
		HasSecret bool
		HTTP      *http.Client
		Now       bool // Now is set and, with a pinned clock, returns it
		Pinned    time.Time
		HasLog    bool
		HasRest   bool
	}
	see := func(b Base) view {
		v := view{Name: b.Name(), Profile: b.Profile, HasSecret: b.Secret != nil, HTTP: b.HTTP, Now: b.Now != nil, HasLog: b.Log != nil, HasRest: b.Rest != nil}
		if b.Now != nil {
			v.Pinned = b.Now()
		}
		return v
	}

	tests := []struct {
		name  string
		venue string
		p     exchange.Params
		want  view
	}{
		{
			name:  "the caller's parts are kept",
			venue: "binance",
			p:     exchange.Params{Profile: "main", Secret: store, HTTPClient: client, Now: func() time.Time { return pinned }},
			want:  view{Name: "binance", Profile: "main", HasSecret: true, HTTP: client, Now: true, Pinned: pinned, HasLog: true},
		},
		{
			name:  "a missing client and store stay missing",
			venue: "kraken",
			p:     exchange.Params{Profile: "bare", Now: func() time.Time { return pinned }},
			want:  view{Name: "kraken", Profile: "bare", Now: true, Pinned: pinned, HasLog: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, see(New(tt.venue, tt.p))); diff != "" {
				t.Errorf("New (-want +got):\n%s", diff)
			}
		})
	}
}

// A caller without a clock gets the real one, so a rate limiter or a
// cache age never reads a zero time.
func TestNewRealClock(t *testing.T) {
	b := New("alpaca", exchange.Params{Profile: "p"})
	before := time.Now()
	got := b.Now()
	if got.Before(before.Add(-time.Second)) || got.After(time.Now().Add(time.Second)) {
		t.Errorf("Now() = %v, want about %v", got, before)
	}
	b.Log.Info("discarded") // must not panic on a nil handler
}

// The secret store is the caller's own: New neither reads nor wraps it.
func TestNewSecretUntouched(t *testing.T) {
	calls := 0
	b := New("coinbase", exchange.Params{Secret: func(context.Context, string) (string, error) { calls++; return "s", nil }})
	if calls != 0 {
		t.Fatalf("New read %d secrets, want none", calls)
	}
	v, err := b.Secret(context.Background(), "api_secret")
	if err != nil || v != "s" || calls != 1 {
		t.Errorf("Secret = %q, %v after %d calls; want \"s\", nil after 1", v, err, calls)
	}
}

// Close has nothing to release, so a second Close (a deferred one after
// an explicit one) is as harmless as the first.
func TestCloseTwice(t *testing.T) {
	b := New("kraken", exchange.Params{Profile: "p"})
	for i := range 2 {
		if err := b.Close(); err != nil {
			t.Fatalf("Close #%d = %v, want nil", i+1, err)
		}
	}
}

func TestHasKeyPair(t *testing.T) {
	store := func(secrets map[string]string) func(context.Context, string) (string, error) {
		return func(_ context.Context, name string) (string, error) {
			if v, ok := secrets[name]; ok {
				return v, nil
			}
			return "", errors.New("unreadable")
		}
	}
	tests := []struct {
		name   string
		secret func(context.Context, string) (string, error)
		want   bool
	}{
		{"no store", nil, false},
		{"both", store(map[string]string{"api_key": "k", "api_secret": "s"}), true},
		{"blank secret", store(map[string]string{"api_key": "k", "api_secret": "  "}), false},
		{"no key", store(map[string]string{"api_secret": "s"}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New("kraken", exchange.Params{Profile: "p", Secret: tt.secret})
			if got := b.HasKeyPair(context.Background()); got != tt.want {
				t.Errorf("HasKeyPair = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNoOrderStream(t *testing.T) {
	b := New("coinbase", exchange.Params{Profile: "main"})
	err := b.NoOrderStream("ws_user_url")
	var ee *exchange.Error
	if !errors.As(err, &ee) {
		t.Fatalf("NoOrderStream = %T, want *exchange.Error", err)
	}
	want := exchange.Error{Kind: exchange.ErrUnavailable, Venue: "coinbase",
		Message: `profile "main" has no order stream (set ws_user_url)`}
	if diff := cmp.Diff(want, *ee, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Errorf("NoOrderStream (-want +got):\n%s", diff)
	}
	if !errors.Is(err, exchange.ErrUnavailable) {
		t.Errorf("errors.Is(%v, ErrUnavailable) = false", err)
	}
}

func TestEndpoint(t *testing.T) {
	client := &http.Client{Timeout: time.Second}
	b := New("kraken", exchange.Params{Profile: "main", HTTPClient: client})
	got := b.Endpoint("wss://ws.example/v2")
	if got.Log != b.Log {
		t.Errorf("Endpoint's logger is not the profile's")
	}
	got.Log = nil
	want := venuews.Endpoint{Venue: "kraken", Profile: "main", URL: "wss://ws.example/v2", HTTPClient: client}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b *http.Client) bool { return a == b })); diff != "" {
		t.Errorf("Endpoint (-want +got):\n%s", diff)
	}
}
