package venuehttp_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

func TestCredentialsKeepOnlySuccess(t *testing.T) {
	var c venuehttp.Credentials[*string]
	if _, ok := c.Peek(); ok {
		t.Fatal("Peek on a zero Credentials reports resolved credentials")
	}
	calls := 0
	failing := func() (*string, error) { calls++; return nil, errors.New("store locked") }
	if _, err := c.Get(failing); err == nil {
		t.Fatal("Get kept no error from a failing resolve")
	}
	key := "k"
	ok := func() (*string, error) { calls++; return &key, nil }
	for range 2 {
		got, err := c.Get(ok)
		if err != nil || got != &key {
			t.Fatalf("Get = %v, %v; want the resolved key", got, err)
		}
	}
	if calls != 2 {
		t.Errorf("resolve ran %d times, want 2: once failing, once kept", calls)
	}
	if got, ok := c.Peek(); !ok || got != &key {
		t.Errorf("Peek = %v, %v; want the kept key", got, ok)
	}
}

func TestCredentialsKeepNil(t *testing.T) {
	// An unsigned profile (a sandbox) resolves to nil, which is kept.
	var c venuehttp.Credentials[*string]
	calls := 0
	for range 2 {
		if got, err := c.Get(func() (*string, error) { calls++; return nil, nil }); got != nil || err != nil {
			t.Fatalf("Get = %v, %v; want nil, nil", got, err)
		}
	}
	if calls != 1 {
		t.Errorf("resolve ran %d times, want 1", calls)
	}
}

func TestRequireKeyPair(t *testing.T) {
	const need = "this call needs a Kraken API key"
	tests := []struct {
		name      string
		secrets   map[string]string
		wantKey   string
		wantErr   string
		wantReads []string
	}{
		{name: "both", secrets: map[string]string{"api_key": " k \n", "api_secret": "s"}, wantKey: "k", wantReads: []string{"api_key", "api_secret"}},
		{name: "no key", secrets: map[string]string{"api_secret": "s"},
			wantErr: `profile "p" has no api_key: set api_key for this profile (this call needs a Kraken API key)`, wantReads: []string{"api_key"}},
		{name: "blank secret", secrets: map[string]string{"api_key": "k", "api_secret": " "},
			wantErr: `profile "p" has no api_secret: set api_secret for this profile (this call needs a Kraken API key)`, wantReads: []string{"api_key", "api_secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reads []string
			store := func(_ context.Context, name string) (string, error) {
				reads = append(reads, name)
				return tt.secrets[name], nil
			}
			key, _, err := venuehttp.RequireKeyPair(context.Background(), store, "kraken", "p", need)
			if strings.Join(reads, ",") != strings.Join(tt.wantReads, ",") {
				t.Errorf("read %v, want %v", reads, tt.wantReads)
			}
			if tt.wantErr == "" {
				if err != nil || key != tt.wantKey {
					t.Fatalf("RequireKeyPair = %q, %v; want %q", key, err, tt.wantKey)
				}
				return
			}
			var xe *exchange.Error
			if !errors.As(err, &xe) || xe.Kind != exchange.ErrAuth || xe.Venue != "kraken" || xe.Message != tt.wantErr {
				t.Errorf("RequireKeyPair error = %#v, want ErrAuth %q", err, tt.wantErr)
			}
		})
	}
}
